using Xunit;

namespace Households.Tests.Reliability;

/// <summary>Tests that start real silo processes or several silos: they run one at a time, after the parallel
/// collections, so their timings (failure detection, restart, monitoring resumed) are not starved by the rest of the suite.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RealProcessCollection
{
    public const string Name = "Real processes";
}
