using Households.Contracts;

namespace Households.Domain.Decisions;

/// <summary>
/// What a write of a household's proposals changed, by proposal id: the proposals it put (filed, or decided since) and the
/// ids the book no longer keeps (<see cref="ProposalBook.Kept"/>). A decision is stored as this change rather than every
/// proposal the book keeps (issue #18 goal 2: writes that scale with the decisions, not with the history).
/// </summary>
public sealed record ProposalChanges(RebalanceProposal[] Put, string[] Removed)
{
    /// <summary>The change from <paramref name="before"/> to <paramref name="after"/> (both as <see cref="ProposalBook.All"/>
    /// gives them), or null when applying it would not give <paramref name="after"/> exactly: the proposals are then stored
    /// whole. A proposal the book did not change is the same object in both.</summary>
    public static ProposalChanges? Between(IReadOnlyList<RebalanceProposal> before, IReadOnlyList<RebalanceProposal> after) =>
        KeyedChanges.Between(before, after, p => p.Id, ReferenceEquals) is (var put, var removed)
        && new ProposalChanges(put, removed) is var change && change.Apply(before) is var applied
        && applied.Length == after.Count && applied.Zip(after).All(pair => ReferenceEquals(pair.First, pair.Second)) ? change : null;

    /// <summary>The proposals after this change, newest first.</summary>
    public RebalanceProposal[] Apply(IEnumerable<RebalanceProposal> proposals)
    {
        var removed = Removed.ToHashSet(StringComparer.Ordinal);
        var byId = proposals.Where(p => !removed.Contains(p.Id)).ToDictionary(p => p.Id, StringComparer.Ordinal);
        foreach (var p in Put) byId[p.Id] = p;
        return ProposalBook.Ordered(byId.Values);
    }
}
