using System.Collections.Immutable;
using Households.Contracts;
using Households.Domain.Prices;
using Xunit;

namespace Households.Tests.Prices;

/// <summary>The feed's JSON lines: good lines parsed exactly, bad ones skipped with their line number and reason.</summary>
public sealed class PriceFeedLineTests
{
    private static readonly DateTimeOffset Received = new(2026, 12, 5, 16, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Good_lines_are_parsed_and_bad_ones_counted_with_line_and_reason()
    {
        var parser = new PriceLineParser();
        string[] lines =
        [
            """{"symbol":"XYZ","price":101.25,"time":"2026-12-05T15:30:00Z"}""",
            """{"symbol":"XYZ","price":101.25""",
            """{"symbol":"ABC","price":-3,"time":"2026-12-05T15:30:00Z"}""",
            """{"price":5.5}""",
            "",
            """{"symbol":"ABC","price":42.125,"time":"2026-12-05T10:30:00-05:00"}""",
            """{"symbol":"DEF","price":7}""",
            """{"symbol":"DEF","price":7,"time":"2026-12-05T15:30:00"}""",
            """{"symbol":"DEF","price":"7"}""",
            """{"symbol":"../x","price":7}""",
        ];
        var parsed = lines.Select(l => parser.Next(l, Received)).ToArray();

        Assert.Equal(new PriceLine("XYZ", 101.25m, new DateTimeOffset(2026, 12, 5, 15, 30, 0, TimeSpan.Zero)), parsed[0]);
        // 10:30 at -05:00 is 15:30 UTC: the same instant as the first line.
        Assert.Equal(new DateTimeOffset(2026, 12, 5, 15, 30, 0, TimeSpan.Zero), parsed[5]!.Time);
        Assert.Equal(42.125m, parsed[5]!.Price);
        Assert.Equal(new PriceLine("DEF", 7m, Received), parsed[6]); // no time: the receive time
        Assert.Equal(10, parser.Lines);
        Assert.Equal(3, parser.Parsed);
        Assert.Equal(6, parser.Skipped); // the blank line is neither
        var errors = parser.RecentErrors;
        Assert.Equal([2L, 3, 4, 8, 9, 10], errors.Select(e => e.Line).ToArray());
        Assert.StartsWith("not JSON", errors[0].Reason);
        Assert.Equal("price must be > 0", errors[1].Reason);
        Assert.Equal("symbol is required (a string)", errors[2].Reason);
        Assert.StartsWith("time must be ISO-8601 with an offset", errors[3].Reason);
        Assert.Equal("price is required (a number)", errors[4].Reason);
        Assert.Equal("symbol must start with a letter or digit", errors[5].Reason);
    }

    [Fact]
    public void Only_the_latest_errors_are_kept_but_all_are_counted()
    {
        var parser = new PriceLineParser();
        for (var i = 0; i < PriceLineParser.KeptErrors + 7; i++) parser.Next("nope", Received);
        Assert.Equal(PriceLineParser.KeptErrors + 7, parser.Skipped);
        Assert.Equal(PriceLineParser.KeptErrors, parser.RecentErrors.Count);
        Assert.Equal(8, parser.RecentErrors[0].Line);
    }
}

/// <summary>Stale prices: the tracker's arithmetic and the Hold restrictions a decision gets from it.</summary>
public sealed class PriceFeedStaleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 5, 15, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_symbol_not_priced_for_longer_than_the_threshold_is_stale()
    {
        var tracker = new StalePriceTracker();
        tracker.Priced("AAA", T0);
        tracker.Priced("BBB", T0.AddMinutes(10));
        tracker.Priced("CCC", T0.AddMinutes(20));
        tracker.Priced("CCC", T0.AddMinutes(5)); // an older time changes nothing

        var now = T0.AddMinutes(30);
        var stale = tracker.Stale(now, TimeSpan.FromMinutes(15));
        Assert.Equal(["AAA", "BBB"], stale.Select(s => s.Symbol).ToArray());
        Assert.Equal(30, stale[0].MinutesStale);
        Assert.Equal(20, stale[1].MinutesStale);
        Assert.Equal(T0.AddMinutes(20), tracker.LastPriced("CCC"));
        // Exactly at the threshold is not yet stale.
        Assert.Equal(["AAA"], tracker.Stale(T0.AddMinutes(25), TimeSpan.FromMinutes(15)).Select(s => s.Symbol).ToArray());
        Assert.Null(tracker.LastPriced("ZZZ"));
    }

    private static AccountDecisionInput Input(string id, string[] held, string[] targeted, params Restriction[] restrictions) => new(
        new AccountSpec(id, "H1", id, AccountType.Taxable, true, "M1", [.. restrictions], false, LotRelief.Hifo, HarvestPolicy.Default),
        1000m,
        held.Select((s, i) => new TaxLot($"{id}-L{i}", s, 10m, 1000m, new DateOnly(2026, 1, 2), new DateOnly(2026, 1, 2))).ToImmutableArray(),
        new ResolvedTarget("M1", 1, [.. targeted.Select(s => new TargetWeight(DriftLevel.Security, s, 1m / targeted.Length, DriftBand.Default))]),
        0m);

    [Fact]
    public void A_stale_symbol_held_or_targeted_gets_a_hold_and_a_fresh_one_does_not()
    {
        var now = T0.AddMinutes(42);
        var stale = new[] { new StalePrice("OLD", T0, 42) };
        var exclusion = new Restriction(RestrictionKind.Exclude, "TOB", null, "client");
        var inputs = new[]
        {
            Input("A1", held: ["OLD", "NEW"], targeted: ["NEW"], exclusion),
            Input("A2", held: ["NEW"], targeted: ["OLD", "NEW"]),
            Input("A3", held: ["NEW"], targeted: ["NEW"]),
        };

        var held = StalePrices.HoldRestrictions(inputs, stale, now);

        var hold = new Restriction(RestrictionKind.Hold, "OLD", null, "stale price: not priced since 2026-12-05 15:00:00Z (42 min)");
        Assert.Equal([exclusion, hold], held[0].Spec.Restrictions.AsEnumerable());
        Assert.Equal([hold], held[1].Spec.Restrictions.AsEnumerable());
        Assert.Same(inputs[2], held[2]); // nothing stale there: the same input
        Assert.Equal([exclusion], inputs[0].Spec.Restrictions.AsEnumerable()); // the account's own spec is untouched
        // Applied twice (a re-optimization of held inputs), still one hold.
        Assert.Single(StalePrices.HoldRestrictions(held, stale, now)[1].Spec.Restrictions);
        Assert.Same(inputs, StalePrices.HoldRestrictions(inputs, [], now));
    }
}
