using Households.Contracts;

namespace Households.Domain.Monitoring;

/// <summary>What the kernel reads of one position, packed in one row (24 bytes): the scan of a million accounts is
/// bound by cache misses, so each account's positions are one array, not five.</summary>
/// <param name="Ordinal">The security's silo-local ordinal in the price vector.</param>
/// <param name="SecurityLine">Index of the position's security line, or −1 when the account has no target.</param>
/// <param name="ClassLine">Index of its asset-class line, or −1.</param>
/// <param name="HarvestPrice">A price at or above the highest price at which any of its lots passes the harvest test
/// (−∞ when none can): the kernel tests the lots only at or below it, and the lot test itself decides.</param>
/// <param name="Quantity">Shares held (0 for a targeted security not held).</param>
/// <remarks>20 bytes, not 24: the line indexes are shorts (an account has fewer than 32,768 lines) and the row is packed
/// on 4 bytes, so the double need not start a new 8-byte slot; at 1M accounts the monitor keeps 43 M of these.</remarks>
[System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential, Pack = 4)]
public readonly record struct PositionRow(int Ordinal, short SecurityLine, short ClassLine, float HarvestPrice, double Quantity);

/// <summary>How a direct-index account is measured: the factor model and its tracking-error band (annualised).</summary>
public sealed record DirectIndexTracking(TrackingRisk Risk, decimal Band);

/// <summary>A drift line's target weight and tolerance, packed for the kernel.</summary>
public readonly record struct LineRow(double Target, double Tolerance);

/// <summary>The read-only, compact picture of one account that the silo's monitor scans after every price
/// batch: one packed row per position and per drift line, lot columns shared with the account's compact lots, and
/// silo-local security ordinals. An account
/// grain builds a new one whenever its lots, cash, settings or target change; prices never rebuild it.</summary>
public sealed class AccountSnapshot
{
    /// <summary>Band for lines that are held but not targeted (off-model holdings): absolute only.</summary>
    public static readonly DriftBand OffModelBand = new(DriftBand.Default.Absolute, 0m);
    public const string CashAssetClass = "Cash";

    public required string AccountId { get; init; }
    public required double Cash { get; init; }
    public required PositionRow[] Positions { get; init; }
    public required string[] PositionSymbols { get; init; }
    public required int CashLine { get; init; }
    /// <summary>The security line of a model's cash sleeve (a security of kind Cash), fed by the account's cash; −1 if none.</summary>
    public required int CashSecurityLine { get; init; }
    public required DriftLevel[] LineLevels { get; init; }
    public required string[] LineKeys { get; init; }
    public required LineRow[] Lines { get; init; }
    public required ushort[] LotPositions { get; init; }
    public required double[] LotQuantities { get; init; }
    /// <summary>Per lot: total adjusted basis in dollars (shared with the account's compact lots).</summary>
    public required double[] LotBasis { get; init; }
    public required bool HarvestEnabled { get; init; }
    public required double HarvestMinPercent { get; init; }
    public required double HarvestMinDollars { get; init; }
    /// <summary>Estimated round-trip cost as a fraction of the price (sell the lot, buy the replacement).</summary>
    public required double HarvestCostRate { get; init; }
    /// <summary>A direct index's tracking-error line (−1 for a model account): the kernel measures the positions' active
    /// weights under <see cref="TrackingRows"/> (one shared factor row per position) and <see cref="FactorVariances"/>.</summary>
    public int TrackingLine { get; init; } = -1;
    public FactorRow?[] TrackingRows { get; init; } = [];
    public double[] FactorVariances { get; init; } = [];

    /// <summary>A direct-index line's tolerance: its stocks are not held inside per-stock bands (weights of a few tenths of
    /// a percent would put every account out of band), nor its asset classes (the optimizer holds a direct index to its
    /// tracking-error limit, not to class bands); the account's tracking error is, which their deviations make up.</summary>
    public const double UnbandedLine = 1.0;
    public const string TrackingErrorKey = "tracking error";

    /// <summary>Whether <paramref name="other"/> would give every flag the same value at any prices: the same account, cash,
    /// positions, lines, lots and harvest and tracking settings (built twice from the same books).</summary>
    public bool MeasuresSameAs(AccountSnapshot other) =>
        ReferenceEquals(this, other)
        || AccountId == other.AccountId && Cash.Equals(other.Cash) && CashLine == other.CashLine && CashSecurityLine == other.CashSecurityLine
        && Positions.AsSpan().SequenceEqual(other.Positions) && Lines.AsSpan().SequenceEqual(other.Lines)
        && LineKeys.AsSpan().SequenceEqual(other.LineKeys) && LineLevels.AsSpan().SequenceEqual(other.LineLevels)
        && LotPositions.AsSpan().SequenceEqual(other.LotPositions) && LotQuantities.AsSpan().SequenceEqual(other.LotQuantities)
        && LotBasis.AsSpan().SequenceEqual(other.LotBasis) && HarvestEnabled == other.HarvestEnabled
        && HarvestMinPercent.Equals(other.HarvestMinPercent) && HarvestMinDollars.Equals(other.HarvestMinDollars)
        && HarvestCostRate.Equals(other.HarvestCostRate) && TrackingLine == other.TrackingLine
        && TrackingRows.AsSpan().SequenceEqual(other.TrackingRows, ReferenceEqualityComparer.Instance)
        && FactorVariances.AsSpan().SequenceEqual(other.FactorVariances);

    public int LineCount => Lines.Length;
    public int LotCount => LotQuantities.Length;
    public int PositionCount => Positions.Length;

    /// <summary>Builds the snapshot from the books of record. <paramref name="target"/> null means the account
    /// follows no model: it is watched for harvests only.</summary>
    public static AccountSnapshot Build(string accountId, decimal cash, IReadOnlyList<TaxLot> lots, ResolvedTarget? target,
        HarvestPolicy harvest, Func<string, Security?> securities, SecurityIndex index, Func<string, IReadOnlyList<string>>? substitutesOf = null,
        DirectIndexTracking? tracking = null)
    {
        var symbolOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var symbols = new List<string>();
        var lotPositions = new ushort[lots.Count];
        var lotQuantities = new double[lots.Count];
        var lotBasis = new double[lots.Count];
        for (var i = 0; i < lots.Count; i++)
        {
            lotPositions[i] = Lots.CompactLots.PositionOf(accountId, lots[i].Symbol, symbolOf, symbols);
            lotQuantities[i] = (double)lots[i].Quantity;
            lotBasis[i] = (double)lots[i].Basis;
        }
        return Build(accountId, cash, [.. symbols], lotPositions, lotQuantities, lotBasis, target, harvest, securities, index, substitutesOf, tracking);
    }

    /// <summary>Builds the snapshot over an account's compact lots, sharing their columns (no copy per lot).</summary>
    /// <param name="shared">Where tables that many accounts hold alike are kept once (the warm start's; null: this
    /// snapshot's own).</param>
    public static AccountSnapshot Build(string accountId, decimal cash, Lots.CompactLots lots, ResolvedTarget? target,
        HarvestPolicy harvest, Func<string, Security?> securities, SecurityIndex index, Func<string, IReadOnlyList<string>>? substitutesOf = null,
        DirectIndexTracking? tracking = null, SharedTables? shared = null) =>
        Build(accountId, cash, lots.Symbols, lots.Positions, lots.Quantities, lots.Bases, target, harvest, securities, index, substitutesOf, tracking, shared);

    /// <summary>The snapshot over lot columns: <paramref name="heldSymbols"/> are the first positions, in order, and
    /// <paramref name="lotPositions"/> index them; the arrays are kept, not copied, so they must not change.</summary>
    private static AccountSnapshot Build(string accountId, decimal cash, string[] heldSymbols, ushort[] lotPositions, double[] lotQuantities,
        double[] lotBasis, ResolvedTarget? target, HarvestPolicy harvest, Func<string, Security?> securities, SecurityIndex index,
        Func<string, IReadOnlyList<string>>? substitutesOf, DirectIndexTracking? tracking, SharedTables? shared = null)
    {
        // A direct index is measured by tracking error: each stock keeps its own line (a replacement is measured by its own
        // exposures, not counted as the stock it replaced) and no stock line is out of band on its own.
        var directIndex = target is { DirectIndexing: true } && tracking is not null;
        if (directIndex) substitutesOf = null;
        var positionOf = new Dictionary<string, int>(heldSymbols.Length, StringComparer.Ordinal);
        var symbols = new List<string>(heldSymbols);
        var quantities = new double[heldSymbols.Length];
        for (var p = 0; p < heldSymbols.Length; p++) positionOf[heldSymbols[p]] = p;
        for (var i = 0; i < lotPositions.Length; i++) quantities[lotPositions[i]] += lotQuantities[i];
        var allQuantities = new List<double>(quantities);

        var lineOf = new Dictionary<(DriftLevel, string), int>();
        var levels = new List<DriftLevel>();
        var keys = new List<string>();
        var targets = new List<double>();
        var tolerances = new List<double>();
        int AddLine(DriftLevel level, string key, double weight, DriftBand band)
        {
            if (lineOf.TryGetValue((level, key), out var existing)) return existing;
            lineOf[(level, key)] = levels.Count;
            levels.Add(level);
            keys.Add(key);
            targets.Add(weight);
            tolerances.Add(DriftTolerance.Of(weight, band));
            return levels.Count - 1;
        }

        var trackingLine = -1;
        if (target is not null)
        {
            foreach (var t in target.Weights) AddLine(t.Level, t.Key, (double)t.Weight, t.Band);
            if (directIndex)
            {
                trackingLine = AddLine(DriftLevel.TrackingError, TrackingErrorKey, 0, DriftBand.Default);
                tolerances[trackingLine] = (double)tracking!.Band;
            }
            // Targeted securities not held still need a position so their (zero) weight is measured.
            foreach (var t in target.Weights)
            {
                if (t.Level != DriftLevel.Security || positionOf.ContainsKey(t.Key)) continue;
                positionOf[t.Key] = symbols.Count;
                symbols.Add(t.Key);
                allQuantities.Add(0);
            }
        }

        var standsFor = target is null ? null : Models.SubstituteLines.Of(target, substitutesOf);
        var ordinals = new int[symbols.Count];
        var securityLine = new int[symbols.Count];
        var classLine = new int[symbols.Count];
        for (var p = 0; p < symbols.Count; p++)
        {
            ordinals[p] = index.OrdinalOf(symbols[p]);
            securityLine[p] = -1;
            classLine[p] = -1;
            if (target is null) continue;
            // A fund's substitute held in its place (a harvest's replacement, or a tax-advantaged account's stand-in)
            // counts toward the fund's own line: it tracks the same market.
            securityLine[p] = !lineOf.ContainsKey((DriftLevel.Security, symbols[p])) && standsFor!.TryGetValue(symbols[p], out var original)
                ? lineOf[(DriftLevel.Security, original)]
                : AddLine(DriftLevel.Security, symbols[p], 0, OffModelBand);
            var assetClass = securities(symbols[p])?.AssetClass;
            if (assetClass is not null) classLine[p] = AddLine(DriftLevel.AssetClass, assetClass, 0, OffModelBand);
        }
        var cashLine = target is not null && lineOf.TryGetValue((DriftLevel.AssetClass, CashAssetClass), out var c) ? c : -1;
        // A model's cash sleeve may name a cash security; the account's cash is what fills it.
        var cashSecurityLine = target?.Weights
            .Where(w => w.Level == DriftLevel.Security && securities(w.Key)?.Kind == SecurityKind.Cash)
            .Select(w => lineOf[(DriftLevel.Security, w.Key)]).DefaultIfEmpty(-1).First() ?? -1;

        var harvestPrice = HarvestPrices(symbols.Count, lotPositions, lotQuantities, lotBasis, harvest);
        if (targets.Count > short.MaxValue) throw new BadInputException($"account {accountId} would be measured on more than {short.MaxValue:N0} drift lines");
        var positions = new PositionRow[symbols.Count];
        for (var p = 0; p < positions.Length; p++)
            positions[p] = new PositionRow(ordinals[p], (short)securityLine[p], (short)classLine[p], harvestPrice[p], allQuantities[p]);
        var lines = new LineRow[targets.Count];
        for (var l = 0; l < lines.Length; l++)
            lines[l] = new LineRow(targets[l], directIndex && levels[l] != DriftLevel.TrackingError ? UnbandedLine : tolerances[l]);
        var generation = directIndex ? tracking!.Risk.Current : null;
        FactorRow?[] trackingRows = directIndex ? [.. symbols.Select(x => securities(x) is { } sec ? generation!.RowOf(sec) : null)] : [];
        string[] positionSymbols = symbols.Count == heldSymbols.Length ? heldSymbols : [.. symbols];
        DriftLevel[] lineLevels = [.. levels];
        string[] lineKeys = [.. keys];
        return new AccountSnapshot
        {
            AccountId = accountId,
            Cash = (double)cash,
            Positions = positions,
            PositionSymbols = shared?.Share(positionSymbols) ?? positionSymbols,
            CashLine = cashLine,
            CashSecurityLine = cashSecurityLine,
            LineLevels = shared?.Share(lineLevels) ?? lineLevels,
            LineKeys = shared?.Share(lineKeys) ?? lineKeys,
            Lines = shared?.Share(lines) ?? lines,
            LotPositions = lotPositions,
            LotQuantities = lotQuantities,
            LotBasis = lotBasis,
            HarvestEnabled = harvest.Enabled,
            HarvestMinPercent = (double)harvest.MinLossPercent,
            HarvestMinDollars = (double)harvest.MinLossDollars,
            HarvestCostRate = (double)harvest.EstimatedCostBps / 10_000,
            TrackingLine = trackingLine,
            TrackingRows = shared?.Share(trackingRows) ?? trackingRows,
            FactorVariances = directIndex ? generation!.FactorVariances : [],
        };
    }

    /// <summary>The lot rule (loss = basis − q·p·(1 + cost) with loss &gt; 0, ≥ min dollars, ≥ min% × basis) solved for the
    /// price: p ≤ (basis − max(min dollars, min% × basis)) / (q·(1 + cost)). Rounded up (a relative 1e-9, then to the next
    /// float) so float storage never excludes a lot the rule would flag.</summary>
    private static float[] HarvestPrices(int positions, ushort[] lotPositions, double[] lotQuantities, double[] lotBasis, HarvestPolicy harvest)
    {
        var result = new float[positions];
        Array.Fill(result, float.NegativeInfinity);
        if (!harvest.Enabled) return result;
        var cost = 1 + (double)harvest.EstimatedCostBps / 10_000;
        var minDollars = (double)harvest.MinLossDollars;
        var minPercent = (double)harvest.MinLossPercent;
        for (var i = 0; i < lotPositions.Length; i++)
        {
            var quantity = lotQuantities[i];
            if (!(quantity > 0)) continue;
            var price = (lotBasis[i] - Math.Max(minDollars, minPercent * lotBasis[i])) / (quantity * cost);
            var bound = MathF.BitIncrement((float)(price + Math.Abs(price) * 1e-9));
            ref var p = ref result[lotPositions[i]];
            if (bound > p) p = bound;
        }
        return result;
    }
}
