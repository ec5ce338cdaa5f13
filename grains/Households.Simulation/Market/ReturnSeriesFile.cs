using Households.Domain;
using Households.Domain.Risk;

namespace Households.Simulation.Market;

/// <summary>A return series from a <c>*.RET.csv</c> file (the layout of ../shared/data: real markets for the replay, the
/// backtest, the benchmarks and the risk tests). The domain parses it (<see cref="ReturnSeries.Parse"/>); the file is read here.</summary>
public static class ReturnSeriesFile
{
    public static ReturnSeries Load(string path)
    {
        string[] lines;
        try { lines = File.ReadAllLines(path); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { throw new BadInputException($"cannot read {path}: {ex.Message}"); }
        return ReturnSeries.Parse(lines, path);
    }
}
