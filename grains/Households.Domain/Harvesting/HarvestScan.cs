namespace Households.Domain.Harvesting;

/// <summary>The harvest thresholds on doubles, for hot loops: a lot crosses them when its unrealized loss is at least
/// <see cref="Contracts.HarvestPolicy.MinLossPercent"/> of its basis AND at least
/// <see cref="Contracts.HarvestPolicy.MinLossDollars"/> (the same rule as the live monitor's <c>TriggerKernel</c>).
/// Whether a crossing lot is sold, and for what, is the <see cref="Decisions.DecisionEngine"/>'s decision.</summary>
public static class HarvestScan
{
    /// <summary>Loss per share ≥ percent × basis per share and loss ≥ dollars.</summary>
    public static bool CrossesThresholds(double basisPerShare, double price, double quantity, double minPercent, double minDollars)
    {
        var lossPerShare = basisPerShare - price;
        return lossPerShare > 0 && lossPerShare * quantity >= minDollars && lossPerShare >= minPercent * basisPerShare;
    }
}
