namespace Households.Domain.Optimization;

/// <summary>An objective term: knows its data and adds its costs to the model.</summary>
public interface ITerm
{
    void AddTo(OptimizationContext ctx);
}

/// <summary>A constraint: knows its data and adds its bounds or rows to the model.</summary>
public interface IConstraint
{
    void AddTo(OptimizationContext ctx);
}

/// <summary>A rule that cannot be stated convexly (minimum trade size, wash-sale consistency). After a solve it
/// inspects the solution and tightens bounds; returning true asks for one more solve.</summary>
public interface IRepair
{
    bool Repair(OptimizationContext ctx, ReadOnlySpan<double> solution);
}

/// <summary>A rebalancing policy: what to minimize and what must hold (cvxportfolio's composition).</summary>
public sealed record Policy(IReadOnlyList<ITerm> Terms, IReadOnlyList<IConstraint> Constraints)
{
    public bool IsLongOnly => Constraints.OfType<LongOnly>().Any();
}
