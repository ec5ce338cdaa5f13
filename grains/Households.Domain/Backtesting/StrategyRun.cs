using Households.Contracts;
using Households.Domain.Harvesting;
using Households.Domain.Lots;
using Households.Domain.Tax;
using Households.Domain.WashSales;

namespace Households.Domain.Backtesting;

/// <summary>What one strategy did to one account over the backtest.</summary>
public sealed class AccountOutcome
{
    public double InitialValue;
    /// <summary>Portfolio value at the end, pre-tax (lots at market plus cash).</summary>
    public double FinalValue;
    /// <summary>Portfolio value at the end plus the reinvested tax savings.</summary>
    public double FinalWealth;
    /// <summary><see cref="FinalWealth"/> less the tax due if everything were sold on the last day.</summary>
    public double LiquidatedWealth;
    public double HarvestedLoss;
    public int HarvestSales;
    public int ReplacementBuys;
    public int SkippedRecentPurchase;
    public int SkippedBlackout;
    public int ReplacementsRerouted;
    public int SwapBacks;
    public double DisallowedLoss;
    public double TradedNotional;
    public double TradingCost;
    public double TaxSavings;
    public double TrackingErrorSumSq;
    public double TrackingErrorSum;
    public int TrackingDays;
    public double AverageValue;
    /// <summary>Harvested loss per 21-day month.</summary>
    public double[] LossByMonth = [];
    /// <summary>Pre-tax portfolio value per day (kept for the never-harvest twin only).</summary>
    public double[]? Values;
}

/// <summary>
/// Runs one harvest strategy on one account over the shared <see cref="PricePath"/>. The books of record are a
/// <see cref="HouseholdTaxBook"/> (decimal lots, wash-sale ledger, realized gains), touched only when trading; the
/// daily work (valuation, the threshold test) runs on a double mirror of the lots that is refreshed from the book for
/// every security a trade touches. On a harvest day: lots crossing the thresholds (<see cref="HarvestScan.CrossesThresholds"/>)
/// → <see cref="HarvestScan.Scan"/> on the decimal lots with the ledger's buy blackouts → an exact pre-trade wash-sale
/// check per candidate (<see cref="HouseholdTaxLedger.CheckLossSale"/>; a sale that would wash is skipped) →
/// <see cref="HarvestPlanner.Plan"/> (replacement not in a blackout) → sells by specific lot and replacement buys
/// through the book.
/// </summary>
internal sealed class StrategyRun
{
    private struct MirrorLot
    {
        public int Security;
        public double Quantity;
        public double BasisPerShare;
        public int HoldingSinceDay;
    }

    private readonly PricePath _path;
    private readonly ReplacementSelector _selector;
    private readonly BacktestOptions _options;
    private readonly HarvestFrequency _frequency;
    private readonly string _account;
    private readonly HouseholdTaxBook _book;
    private readonly List<MirrorLot> _lots = [];
    private readonly double[] _position;
    /// <summary>Per tracked security, the last calendar day (DayNumber) on which a harvest of it is known to be
    /// refused by the wash-sale rules (buy blackout or recent purchase): the daily prefilter skips it until then.</summary>
    private readonly int[] _quietThrough;
    private readonly bool[] _underwater;
    private readonly HashSet<string> _skippedLots = new(StringComparer.Ordinal);
    /// <summary>Replacement lots that may be swapped back to the security they replaced.</summary>
    private readonly List<(string LotId, string Original, int NextCheckDay)> _swaps = [];
    private readonly List<int> _held = [];
    private bool _heldDirty = true;
    private double _cash;
    private int _nextLot;
    private readonly Func<string, string> _washKey;

    public StrategyRun(PricePath path, ReplacementSelector selector, BacktestOptions options, HarvestFrequency frequency,
        AccountOpening opening)
    {
        _path = path;
        _selector = selector;
        _options = options;
        _frequency = frequency;
        _account = opening.Spec.Id;
        _position = new double[path.Count];
        _quietThrough = new int[path.Count];
        _underwater = new bool[path.Count];
        var universe = path.Universe;
        var groups = universe.Securities.Where(s => s.IdenticalGroup is not null).Select(s => (s.Symbol, s.IdenticalGroup!));
        var identical = new SubstantiallyIdentical(groups);
        // The same keys as the ledger's blackouts (a group's key is "group:NAME").
        _washKey = identical.KeyOf;
        _book = new HouseholdTaxBook(identical, options.Rates);
        var profile = new AccountTaxProfile(_account, AccountType.Taxable);
        _book.OpenAccount(profile);
        var start = path.Dates[0];
        _cash = (double)opening.Cash;
        if (options.Funding == BacktestFunding.Legacy)
        {
            _book.Ledger.OpenAccounts([(profile, opening.Lots)]);
            foreach (var lot in opening.Lots) _book.BookOf(_account).Add(lot);
        }
        else
        {
            // Cash funding: the same dollars per security, bought on day 0 at the day's price.
            foreach (var group in opening.Lots.GroupBy(l => l.Symbol))
            {
                int j = path.IndexOf(group.Key);
                var price = path.Quote(0, j);
                var dollars = group.Sum(l => l.Quantity) * price;
                var quantity = Math.Round(dollars / price, 4, MidpointRounding.ToZero);
                _book.Buy(_account, NextLotId(), group.Key, quantity, price, start);
            }
        }
        foreach (var symbol in _book.BookOf(_account).Lots.Select(l => l.Symbol).Distinct().ToArray()) Resync(symbol);
    }

    private string NextLotId() => $"{_account}-B{++_nextLot}";

    public HouseholdTaxBook Book => _book;

    public AccountOutcome Run(double[]? twinValues)
    {
        int days = _path.Days;
        int interval = _frequency.IntervalDays();
        var outcome = new AccountOutcome { LossByMonth = new double[days / 21 + 1] };
        if (_frequency == HarvestFrequency.Never) outcome.Values = new double[days + 1];
        double value = Value(0);
        outcome.InitialValue = value;
        if (outcome.Values is not null) outcome.Values[0] = value;
        double pot = 0, potContributions = 0, valueSum = value;
        decimal settledShort = 0, settledLong = 0;
        for (int t = 1; t <= days; t++)
        {
            if (interval > 0 && t % interval == 0)
            {
                if (_options.SwapBack is not null) SwapBacks(t, outcome);
                Harvest(t, outcome);
            }
            double next = Value(t);
            pot *= next / value;
            if (twinValues is not null)
            {
                double diff = Math.Log(next / value) - Math.Log(twinValues[t] / twinValues[t - 1]);
                outcome.TrackingErrorSum += diff;
                outcome.TrackingErrorSumSq += diff * diff;
                outcome.TrackingDays++;
            }
            value = next;
            valueSum += value;
            if (outcome.Values is not null) outcome.Values[t] = value;
            if (t % BacktestOptions.TradingDaysPerYear == 0 || t == days)
            {
                // Tax year end: the year's recognized gains and losses settle at the configured rates; savings are
                // reinvested alongside the portfolio (they earn its return from here on).
                if (_book.Gains.EntryCount > 0)
                {
                    var summary = _book.Gains.Summary();
                    decimal dShort = summary.ShortTerm - settledShort, dLong = summary.LongTerm - settledLong;
                    settledShort = summary.ShortTerm;
                    settledLong = summary.LongTerm;
                    double saving = -(double)(dShort * _options.Rates.ShortTerm + dLong * _options.Rates.LongTerm);
                    pot += saving;
                    potContributions += saving;
                    outcome.TaxSavings += saving;
                }
            }
        }
        outcome.AverageValue = valueSum / (days + 1);
        outcome.FinalValue = value;
        outcome.FinalWealth = value + pot;
        outcome.LiquidatedWealth = outcome.FinalWealth - LiquidationTax(days) - Math.Max(0, pot - potContributions) * (double)_options.Rates.LongTerm;
        outcome.DisallowedLoss = (double)_book.Gains.Summary().Disallowed;
        return outcome;
    }

    private double Value(int t)
    {
        if (_heldDirty)
        {
            _held.Clear();
            for (int j = 0; j < _position.Length; j++) if (_position[j] != 0) _held.Add(j);
            _heldDirty = false;
        }
        var row = _path.Row(t);
        double v = _cash;
        foreach (var j in _held) v += _position[j] * row[j];
        return v;
    }

    private double LiquidationTax(int t)
    {
        var row = _path.Row(t);
        int today = _path.Dates[t].DayNumber;
        var longAfter = _path.Dates[t].AddYears(-1).DayNumber;
        double tax = 0;
        foreach (var lot in _lots)
        {
            double gain = lot.Quantity * (row[lot.Security] - lot.BasisPerShare);
            double rate = lot.HoldingSinceDay < longAfter ? (double)_options.Rates.LongTerm : (double)_options.Rates.ShortTerm;
            tax += gain * rate;
        }
        _ = today;
        return tax;
    }

    private void Harvest(int t, AccountOutcome outcome)
    {
        var policy = _options.Policy;
        double minPercent = (double)policy.MinLossPercent, minDollars = (double)policy.MinLossDollars;
        var row = _path.Row(t);
        var date = _path.Dates[t];
        int today = date.DayNumber;
        HashSet<int>? crossing = null;
        foreach (var lot in _lots)
            if (_quietThrough[lot.Security] < today
                && HarvestScan.CrossesThresholds(lot.BasisPerShare, row[lot.Security], lot.Quantity, minPercent, minDollars))
                (crossing ??= []).Add(lot.Security);
        if (crossing is null) return;

        var lotBook = _book.BookOf(_account);
        var prices = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var lots = new List<TaxLot>();
        foreach (var j in crossing)
        {
            var symbol = _path.Universe[_path.Tracked[j]].Symbol;
            prices[symbol] = _path.Quote(t, j);
            lots.AddRange(lotBook.LotsOf(symbol));
        }
        var blackouts = _book.WashSales.BuyBlackouts(_account, date);
        var scan = HarvestScan.Scan(_account, lots, prices, policy, date, _options.Rates, _options.Costs, blackouts, null, _washKey);
        foreach (var skip in scan.Skipped)
        {
            if (skip.Reason != HarvestSkipReason.BuyBlackout) continue;
            if (_skippedLots.Add(skip.LotId)) outcome.SkippedBlackout++;
            var key = _washKey(skip.Symbol);
            foreach (var b in blackouts)
                if (b.WashSaleKey == key) Quiet(skip.Symbol, b.WashesThrough.DayNumber);
        }

        var candidates = new List<HarvestCandidate>(scan.Candidates.Length);
        foreach (var c in scan.Candidates)
        {
            var check = _book.Ledger.CheckLossSale(_account, c.Lot, lotBook.RootOf(c.Lot.Id), c.Lot.Quantity, date);
            if (check.IsWashSale)
            {
                if (_skippedLots.Add(c.Lot.Id)) outcome.SkippedRecentPurchase++;
                // The sale would wash until the latest replacement is more than 30 days old.
                Quiet(c.Lot.Symbol, check.Replacements.Max(r => r.Purchased).AddDays(WashSaleLedger.WindowDays).DayNumber);
                continue;
            }
            candidates.Add(c);
        }
        if (candidates.Count == 0) return;

        var blocked = new HashSet<string>(blackouts.Select(b => b.WashSaleKey), StringComparer.Ordinal);
        // A security the account holds below its basis is not bought as a replacement: the purchase would keep its
        // own loss from being harvested for 30 days (selling it then would wash against the new shares).
        Array.Clear(_underwater);
        foreach (var lot in _lots)
            if (row[lot.Security] < lot.BasisPerShare) _underwater[lot.Security] = true;
        var plan = HarvestPlanner.Plan(_account, date, candidates, _selector,
            s => _path.IndexOf(s) is var j and >= 0 ? _path.Quote(t, j) : null,
            s => blocked.Contains(_washKey(s)), s => _path.IndexOf(s) is var j and >= 0 && _underwater[j], _washKey);
        outcome.ReplacementsRerouted += plan.ReplacementsRerouted;
        foreach (var skip in plan.Skipped)
            if (_skippedLots.Add(skip.LotId)) outcome.SkippedBlackout++;

        var touched = new HashSet<string>(StringComparer.Ordinal);
        int adjustmentsBefore = _book.Adjustments.Count;
        int month = t / 21;
        string? lastSold = null;
        foreach (var trade in plan.Trades)
        {
            var notional = (double)(trade.Quantity * trade.Price);
            var cost = (double)(_options.Costs.PerShare * trade.Quantity) + (double)_options.Costs.Bps / 10_000 * notional;
            outcome.TradedNotional += notional;
            outcome.TradingCost += cost;
            _cash -= cost;
            touched.Add(trade.Symbol);
            if (trade.Side == TradeSide.Sell)
            {
                var sales = _book.Sell(_account, trade.Symbol, trade.Quantity, trade.Price, date, LotRelief.SpecificLot, trade.LotId);
                double loss = 0;
                foreach (var s in sales) loss -= (double)s.Gain;
                outcome.HarvestedLoss += loss;
                outcome.LossByMonth[month] += loss;
                outcome.HarvestSales++;
                _cash += notional;
                lastSold = trade.Symbol;
            }
            else
            {
                var lotId = NextLotId();
                _book.Buy(_account, lotId, trade.Symbol, trade.Quantity, trade.Price, date);
                outcome.ReplacementBuys++;
                if (_options.SwapBack is not null && lastSold is not null)
                    _swaps.Add((lotId, lastSold, date.DayNumber + Math.Max(_options.SwapBack.WaitDays, WashSaleLedger.WindowDays + 1)));
                _cash -= notional;
            }
        }
        for (int a = adjustmentsBefore; a < _book.Adjustments.Count; a++)
            if (lotBook.Find(_book.Adjustments[a].LotId) is { } adjusted) touched.Add(adjusted.Symbol);
        foreach (var symbol in touched) Resync(symbol);
    }

    /// <summary>Sells replacement lots whose swap back is due (<see cref="SwapBack.IsDue"/>) and buys the original
    /// with the proceeds, unless the account holds the original below its basis or the sale would wash.</summary>
    private void SwapBacks(int t, AccountOutcome outcome)
    {
        if (_swaps.Count == 0) return;
        var date = _path.Dates[t];
        int today = date.DayNumber;
        var row = _path.Row(t);
        var lotBook = _book.BookOf(_account);
        IReadOnlyList<BuyBlackout>? blackouts = null;
        HashSet<string>? touched = null;
        for (int i = _swaps.Count - 1; i >= 0; i--)
        {
            var (lotId, original, nextCheck) = _swaps[i];
            if (nextCheck > today) continue;
            // Not due today (gain too large, original blocked or under water): look again in a week.
            _swaps[i] = (lotId, original, today + 7);
            blackouts ??= _book.WashSales.BuyBlackouts(_account, date);
            var lot = lotBook.Find(lotId);
            if (lot is null) { _swaps.RemoveAt(i); continue; }
            int jR = _path.IndexOf(lot.Symbol), jS = _path.IndexOf(original);
            var priceR = _path.Quote(t, jR);
            if (!SwapBack.IsDue(lot, priceR, original, date, blackouts, _options.SwapBack!, _washKey)) continue;
            bool underwater = false;
            foreach (var l in _lots)
                if (l.Security == jS && row[jS] < l.BasisPerShare) { underwater = true; break; }
            if (underwater) continue;
            if (lot.Quantity * priceR < lot.Basis
                && _book.Ledger.CheckLossSale(_account, lot, lotBook.RootOf(lot.Id), lot.Quantity, date).IsWashSale) continue;
            var priceS = _path.Quote(t, jS);
            var proceeds = lot.Quantity * priceR;
            var quantity = Math.Round(proceeds / priceS, 4, MidpointRounding.ToZero);
            if (quantity <= 0) continue;
            _book.Sell(_account, lot.Symbol, lot.Quantity, priceR, date, LotRelief.SpecificLot, lot.Id);
            _book.Buy(_account, NextLotId(), original, quantity, priceS, date);
            var cost = (double)_options.Costs.Bps / 10_000 * (double)(proceeds + quantity * priceS)
                + (double)(_options.Costs.PerShare * (lot.Quantity + quantity));
            _cash += (double)(proceeds - quantity * priceS) - cost;
            outcome.TradingCost += cost;
            outcome.TradedNotional += (double)(proceeds + quantity * priceS);
            outcome.SwapBacks++;
            touched ??= new HashSet<string>(StringComparer.Ordinal);
            touched.Add(lot.Symbol);
            touched.Add(original);
            _swaps.RemoveAt(i);
        }
        if (touched is not null) foreach (var symbol in touched) Resync(symbol);
    }

    private void Quiet(string symbol, int throughDay)
    {
        int j = _path.IndexOf(symbol);
        if (j >= 0 && throughDay > _quietThrough[j]) _quietThrough[j] = throughDay;
    }

    /// <summary>Refreshes the double mirror of one security from the decimal book.</summary>
    private void Resync(string symbol)
    {
        int j = _path.IndexOf(symbol);
        if (j < 0) throw new InvalidOperationException($"{symbol} is not tracked by the price path");
        _lots.RemoveAll(l => l.Security == j);
        double quantity = 0;
        foreach (var lot in _book.BookOf(_account).LotsOf(symbol))
        {
            double q = (double)lot.Quantity;
            _lots.Add(new MirrorLot
            {
                Security = j, Quantity = q, BasisPerShare = (double)lot.Basis / q, HoldingSinceDay = lot.HoldingSince.DayNumber,
            });
            quantity += q;
        }
        if ((_position[j] == 0) != (quantity == 0)) _heldDirty = true;
        _position[j] = quantity;
    }
}
