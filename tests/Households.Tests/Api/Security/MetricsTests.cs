using System.Diagnostics.Metrics;
using Households.Contracts;
using Households.Grains;
using Xunit;

namespace Households.Tests.Api.Security;

/// <summary>The product meter records what it says, on worked numbers.</summary>
public sealed class MetricsTests
{
    [Fact]
    public void Harvested_losses_count_recognized_losses_only_and_scans_count_batches_positions_and_triggers()
    {
        var seen = new List<(string Name, double Value)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) => { if (instrument.Meter.Name == HouseholdsMetrics.MeterName) l.EnableMeasurementEvents(instrument); };
        listener.SetMeasurementEventCallback<double>((i, v, _, _) => { lock (seen) seen.Add((i.Name, v)); });
        listener.SetMeasurementEventCallback<long>((i, v, _, _) => { lock (seen) seen.Add((i.Name, v)); });
        listener.Start();

        static RealizedLot Lot(decimal gain, decimal disallowed) => new(new DateOnly(2026, 3, 2), "A-TAX", "METX", "L", 10m, 1000m, 1000m - gain,
            gain, disallowed, gain + disallowed, HoldingTerm.Short, false);
        // A 250 loss fully allowed, a 100 gain, a 80 loss of which 30 is disallowed (wash sale): 250 + 50 = 300 harvested.
        HouseholdsMetrics.Executed([Lot(-250m, 0m), Lot(100m, 0m), Lot(-80m, 30m)]);
        HouseholdsMetrics.Scanned(positions: 16_020, triggers: 7);

        lock (seen)
        {
            Assert.Contains(("households.harvested_losses", 300d), seen);
            Assert.Contains(("households.price_batches", 1d), seen);
            Assert.Contains(("households.position_evaluations", 16_020d), seen);
            Assert.Contains(("households.triggers", 7d), seen);
        }
    }
}
