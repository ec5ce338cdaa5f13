using Households.Contracts;
using Households.Domain.Decisions;
using Xunit;

namespace Households.Tests.Decisions;

/// <summary>A write of a household's proposals stored as what it changed (issue #18 goal 2): a decision puts its proposals
/// and the ones it superseded, not the 200 the book keeps; applying the change gives the book back, newest first.</summary>
public sealed class ProposalChangesTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 15, 0, 0, TimeSpan.Zero);

    private static RebalanceProposal Proposal(int n, ProposalStatus status = ProposalStatus.Executed) =>
        new($"HH-P{n:D5}", "HH", status, Start.AddMinutes(n), Start.AddMinutes(n).AddDays(5), [], [], 0, 0, 0, 0, n, null, null, [], null);

    [Fact]
    public void A_decision_that_supersedes_a_pending_proposal_stores_two_of_the_books_proposals()
    {
        var book = new ProposalBook("HH", [.. Enumerable.Range(1, 40).Select(n => Proposal(n)), Proposal(41, ProposalStatus.Pending)], 42);
        var before = book.All;
        var fresh = Proposal(42, ProposalStatus.Pending);
        book.Put(fresh);
        book.Put(book.Get("HH-P00041") with { Status = ProposalStatus.Superseded, SupersededBy = fresh.Id });

        var change = ProposalChanges.Between(before, book.All);

        Assert.NotNull(change);
        Assert.Equal(["HH-P00042", "HH-P00041"], change.Put.Select(p => p.Id));
        Assert.Equal(ProposalStatus.Superseded, change.Put[1].Status);
        Assert.Empty(change.Removed);
        Assert.Equal(book.All, change.Apply(before));
    }

    [Fact]
    public void A_book_at_its_limit_drops_its_oldest_decided_proposal_in_the_change()
    {
        var book = new ProposalBook("HH", Enumerable.Range(1, ProposalBook.Kept).Select(n => Proposal(n)), ProposalBook.Kept + 1);
        var before = book.All;
        book.Put(Proposal(ProposalBook.Kept + 1));

        var change = ProposalChanges.Between(before, book.All)!;

        Assert.Equal(["HH-P00201"], change.Put.Select(p => p.Id));
        Assert.Equal(["HH-P00001"], change.Removed);
        Assert.Equal(ProposalBook.Kept, change.Apply(before).Length);
        Assert.Equal(book.All, change.Apply(before));
    }

    [Fact]
    public void A_proposal_id_stored_twice_is_stored_whole()
    {
        var p = Proposal(1);
        Assert.Null(ProposalChanges.Between([p, p], [p]));
    }
}
