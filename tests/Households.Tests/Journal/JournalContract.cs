using Households.Contracts;
using Households.Persistence.Journal;
using Xunit;

namespace Households.Tests.Journal;

/// <summary>The behaviour every journal must have; run against the in-memory and the PostgreSQL journal.</summary>
public abstract class JournalContract
{
    protected abstract IJournal Journal { get; }

    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 14, 30, 0, TimeSpan.Zero);

    private static JournalEntry Entry(string household, string? account, JournalKind kind, int minutes, string? key) =>
        new(0, household, account, kind, T0.AddMinutes(minutes), key, $"{kind} at +{minutes}", """{"quantity":100,"symbol":"XYZ"}""");

    [Fact]
    public async Task A_retried_append_lands_once_and_queries_filter_newest_first()
    {
        var h = $"J{Guid.NewGuid():N}";
        await Journal.Append([Entry(h, $"{h}-A", JournalKind.Fill, 0, "fill:1"), Entry(h, $"{h}-A", JournalKind.WashSale, 1, "wash:1"), Entry(h, $"{h}-B", JournalKind.Fill, 2, "fill:1")]);
        await Journal.Append([Entry(h, $"{h}-A", JournalKind.Fill, 0, "fill:1"), Entry(h, null, JournalKind.Proposal, 3, "p:1"), Entry(h, null, JournalKind.Proposal, 3, "p:1")]);

        var all = await Journal.Query(new JournalQuery(h, null, null, null, null, 100, null));
        Assert.Equal([JournalKind.Proposal, JournalKind.Fill, JournalKind.WashSale, JournalKind.Fill], all.Select(e => e.Kind));
        Assert.Equal($"{h}-B", all[1].AccountId);
        Assert.Equal("Fill at +0", all[3].Summary);
        Assert.Contains("\"symbol\"", all[3].Payload);
        Assert.True(all.Zip(all.Skip(1)).All(p => p.First.Id != p.Second.Id));

        var accountA = await Journal.Query(new JournalQuery(null, $"{h}-A", null, null, null, 100, null));
        Assert.Equal(2, accountA.Count);
        var fills = await Journal.Query(new JournalQuery(h, null, null, null, JournalKind.Fill, 100, null));
        Assert.Equal(2, fills.Count);
        var window = await Journal.Query(new JournalQuery(h, null, T0.AddMinutes(1), T0.AddMinutes(3), null, 100, null));
        Assert.Equal([JournalKind.Fill, JournalKind.WashSale], window.Select(e => e.Kind));
        var page = await Journal.Query(new JournalQuery(h, null, null, null, null, 2, null));
        var next = await Journal.Query(new JournalQuery(h, null, null, null, null, 2, page[^1].Id));
        Assert.Equal(2, page.Count);
        Assert.Equal(2, next.Count);
        Assert.Empty(page.Select(e => e.Id).Intersect(next.Select(e => e.Id)));
    }

    [Fact]
    public async Task Pages_follow_the_listing_order_when_a_late_append_carries_an_earlier_time()
    {
        var h = $"J{Guid.NewGuid():N}";
        await Journal.Append([Entry(h, null, JournalKind.Fill, 10, "a"), Entry(h, null, JournalKind.Fill, 20, "b"), Entry(h, null, JournalKind.Fill, 30, "c")]);
        // Appended last (an outbox re-appended after a restart) but it happened first: highest id, earliest time.
        await Journal.Append([Entry(h, null, JournalKind.Fill, 5, "late")]);
        var listing = await Journal.Query(new JournalQuery(h, null, null, null, null, 100, null));
        Assert.Equal(["Fill at +30", "Fill at +20", "Fill at +10", "Fill at +5"], listing.Select(e => e.Summary));

        var paged = new List<JournalEntry>();
        long? before = null;
        for (var pages = 0; pages < 10; pages++)
        {
            var page = await Journal.Query(new JournalQuery(h, null, null, null, null, 1, before));
            if (page.Count == 0) break;
            paged.AddRange(page);
            before = page[^1].Id;
        }
        // One at a time, every entry once, in the listing's order (paging by lower ids alone would skip +5: its id is
        // the highest).
        Assert.Equal(listing.Select(e => e.Id), paged.Select(e => e.Id));
    }

    [Fact]
    public async Task An_entry_is_found_by_its_account_and_key_and_only_by_both()
    {
        var h = $"J{Guid.NewGuid():N}";
        await Journal.Append([Entry(h, $"{h}-A", JournalKind.Fill, 0, "fill:1"), Entry(h, $"{h}-B", JournalKind.Fill, 2, "fill:1"), Entry(h, null, JournalKind.Proposal, 3, "fill:2")]);
        var found = await Journal.Find($"{h}-B", "fill:1");
        Assert.NotNull(found);
        Assert.Equal(($"{h}-B", JournalKind.Fill, "Fill at +2"), (found.AccountId, found.Kind, found.Summary));
        Assert.Contains("\"symbol\"", found.Payload);
        Assert.Equal("Fill at +0", (await Journal.Find($"{h}-A", "fill:1"))?.Summary);
        // Another account's key, and a household entry's key, are not the account's.
        Assert.Null(await Journal.Find($"{h}-C", "fill:1"));
        Assert.Null(await Journal.Find($"{h}-A", "fill:2"));
    }

    [Fact]
    public async Task An_entry_under_a_key_naming_another_entry_is_dropped_and_counted_unless_the_key_is_a_daily_note()
    {
        var journal = Journal;   // one object: the count is its own
        var h = $"J{Guid.NewGuid():N}";
        var fill = Entry(h, $"{h}-A", JournalKind.Fill, 0, "fill:1");
        var proposal = Entry(h, null, JournalKind.Proposal, 1, "Proposal:P00001:Pending");
        await journal.Append([fill, proposal]);
        // The same entries again (an outbox replayed after a crash), twice in one append: what idempotency is for.
        await journal.Append([fill, fill, proposal]);
        Assert.Equal(0, journal.EntriesDroppedForReusedKeys);

        // Other entries under an account's and a household's event keys (books reloaded over their journal renumber
        // proposals from P00001): dropped, and counted.
        await journal.Append([fill with { Summary = "Fill of another proposal" }, Entry(h, null, JournalKind.Proposal, 9, "Proposal:P00001:Pending")]);
        Assert.Equal(2, journal.EntriesDroppedForReusedKeys);

        // A harvest refused (or overridden) again the same day with other figures: one note per lot and day, by design.
        await journal.Append([Entry(h, $"{h}-A", JournalKind.WashSale, 2, "refused:L1:20260302"), Entry(h, $"{h}-A", JournalKind.WashSale, 3, "overridden:L2:20260302")]);
        await journal.Append([Entry(h, $"{h}-A", JournalKind.WashSale, 4, "refused:L1:20260302"), Entry(h, $"{h}-A", JournalKind.WashSale, 5, "overridden:L2:20260302")]);
        Assert.Equal(2, journal.EntriesDroppedForReusedKeys);

        // Two different entries under one new key in the same append: the first lands, the second is counted.
        await journal.Append([Entry(h, $"{h}-B", JournalKind.Fill, 6, "fill:9"), Entry(h, $"{h}-B", JournalKind.Fill, 7, "fill:9")]);
        Assert.Equal(3, journal.EntriesDroppedForReusedKeys);

        var kept = await journal.Query(new JournalQuery(h, null, null, null, null, 100, null));
        Assert.Equal(["Fill at +6", "WashSale at +3", "WashSale at +2", "Proposal at +1", "Fill at +0"], kept.Select(e => e.Summary));
    }

    [Fact]
    public async Task Limits_out_of_range_are_refused()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Journal.Query(new JournalQuery("H", null, null, null, null, 0, null)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Journal.Query(new JournalQuery("H", null, T0, T0.AddDays(-1), null, 10, null)));
    }
}

public sealed class InMemoryJournalTests : JournalContract
{
    protected override IJournal Journal { get; } = new InMemoryJournal();
}
