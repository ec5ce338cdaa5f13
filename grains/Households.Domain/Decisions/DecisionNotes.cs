using System.Globalization;

namespace Households.Domain.Decisions;

/// <summary>The decision's notes on positions it treats alike, account by account: a sentence each while an account has
/// few (<see cref="NotedOneByOne"/>), one note listing them all beyond. A direct index after a broad fall protects hundreds
/// of lots and keeps hundreds of positions without a replacement, and a sentence each made the decision's journal entry
/// ~33 KB of the same words (docs/benchmarks.md, 2026-12-07); the list keeps every fact.</summary>
public static class DecisionNotes
{
    /// <summary>An account with more such positions than this has them named in one note.</summary>
    public const int NotedOneByOne = 3;

    /// <summary>What no account buys: each protected lot (one per security, as the engine protects it) with its loss.</summary>
    public static IEnumerable<string> Protected(IEnumerable<HarvestProtection.ProtectedLot> lots) =>
        lots.GroupBy(p => p.Account, StringComparer.Ordinal).SelectMany(account => EachOrListed([.. account],
            p => Text($"no purchase of {p.Lot.Symbol} (or a substantially identical security) in any account: {p.Account} holds lot {p.Lot.Id} at a loss of {p.Loss:0.00} that is or is close to being harvestable"),
            held => Text($"no purchase of these {held.Count} securities (or substantially identical ones) in any account: {account.Key} holds them at a loss that is or is close to being harvestable: ")
                + string.Join("; ", held.Select(p => Text($"{p.Lot.Symbol} lot {p.Lot.Id} at a loss of {p.Loss:0.00}")))));

    /// <summary>An account's loss positions kept at their weight for want of a replacement.</summary>
    public static IEnumerable<string> NoReplacement(string accountId, IReadOnlyList<string> symbols) => EachOrListed(symbols,
        symbol => $"{accountId}: {symbol} has no replacement that may be bought; its loss lots are not harvested into cash",
        all => $"{accountId}: these {all.Count} securities have no replacement that may be bought; their loss lots are not harvested into cash: {string.Join(", ", all)}");

    private static IEnumerable<string> EachOrListed<T>(IReadOnlyList<T> items, Func<T, string> sentence, Func<IReadOnlyList<T>, string> listed) =>
        items.Count <= NotedOneByOne ? items.Select(sentence) : [listed(items)];

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
