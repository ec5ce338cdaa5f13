using System.Diagnostics;
using Households.Contracts;
using Households.Domain.Accounts;
using Households.Domain.Decisions;
using Households.Domain.Harvesting;
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
    /// <summary>Sell fills that realized a loss.</summary>
    public int HarvestSales;
    /// <summary>Sell fills that realized a gain (the engine trading back toward the target).</summary>
    public int GainSales;
    public int Buys;
    /// <summary>Distinct loss lots the engine held because selling them would have been a wash sale.</summary>
    public int HarvestsHeld;
    /// <summary>Orders not sent because they would fill at a washed loss, or the books refused them.</summary>
    public int OrdersRefused;
    public int Decisions;
    public int DecisionsWithoutPlan;
    public double DecisionSeconds;
    /// <summary>Sum over decisions of the engine's ex-ante tracking error to the target after its trades.</summary>
    public double PlannedTrackingErrorSum;
    public double DisallowedLoss;
    public double TradedNotional;
    /// <summary>Slippage (fill price against the day's quote) and commissions.</summary>
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

    /// <summary>Annualized standard deviation of the daily log-return difference to the never-harvest twin.</summary>
    public double TrackingError
    {
        get
        {
            if (TrackingDays < 2) return 0;
            double mean = TrackingErrorSum / TrackingDays;
            return Math.Sqrt(Math.Max(0, TrackingErrorSumSq / TrackingDays - mean * mean) * BacktestOptions.TradingDaysPerYear);
        }
    }
}

/// <summary>What every account and strategy of one backtest share: the price path, the options, the live decision
/// inputs over the path's securities, and each model resolved once.</summary>
internal sealed record BacktestMarket(PricePath Path, BacktestOptions Options, DecisionMarket Decisions, Func<string, ResolvedTarget?> Targets);

/// <summary>
/// Runs one harvest strategy on one account over the shared <see cref="PricePath"/>, deciding through the live
/// <see cref="DecisionEngine"/> and filling through <see cref="PlanExecution"/> (the simulated broker's rules). The
/// books of record are an <see cref="AccountBook"/> (decimal cash and lots) and the account's own
/// <see cref="HouseholdTaxLedger"/> (wash sales, realized gains), touched only when trading; the daily work (valuation,
/// the threshold test) runs on a double mirror of the lots refreshed from the book for every security a fill touches.
/// On a harvest day the lots are put to the thresholds (<see cref="HarvestScan.CrossesThresholds"/>); securities that
/// became harvestable since the last look raise harvest triggers, as the live monitor reports crossings, and the engine
/// decides the whole account against its target: the model bought on day 0 and held, i.e. the never-harvest twin's
/// portfolio (for the direct index, the index's cap weights drifted with prices).
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

    private readonly BacktestMarket _market;
    private readonly PricePath _path;
    private readonly BacktestOptions _options;
    private readonly HarvestFrequency _frequency;
    private readonly AccountSpec _spec;
    private readonly AccountBook _book;
    private readonly HouseholdTaxLedger _ledger;
    private readonly ProposalBook _proposals;
    private readonly ResolvedTarget? _model;
    /// <summary>The model's security lines as (tracked position, day-0 weight, line).</summary>
    private readonly (int Security, double Weight, TargetWeight Line)[] _lines;
    private readonly List<MirrorLot> _lots = [];
    private readonly double[] _position;
    /// <summary>Per tracked security, the last calendar day (DayNumber) on which a harvest of it is known to be
    /// refused by the wash-sale rule: the prefilter skips it until then.</summary>
    private readonly int[] _quietThrough;
    /// <summary>Per tracked security: harvestable at the last look (a trigger fires only on the change).</summary>
    private bool[] _harvestable;
    private bool[] _harvestableNow;
    private readonly double[] _loss;
    private readonly HashSet<string> _heldLots = new(StringComparer.Ordinal);
    private readonly List<int> _held = [];
    private bool _heldDirty = true;
    private double _cash;

    public StrategyRun(BacktestMarket market, HarvestFrequency frequency, AccountOpening opening)
    {
        _market = market;
        _path = market.Path;
        _options = market.Options;
        _frequency = frequency;
        _spec = opening.Spec with { Harvest = _options.Policy, Restrictions = [] };
        _position = new double[_path.Count];
        _quietThrough = new int[_path.Count];
        _harvestable = new bool[_path.Count];
        _harvestableNow = new bool[_path.Count];
        _loss = new double[_path.Count];
        _proposals = new ProposalBook(_spec.HouseholdId);
        _model = opening.Spec.ModelId is { } m ? market.Targets(m) : null;
        _lines = _model is null ? [] : [.. _model.Weights.Where(w => w.Level == DriftLevel.Security && _path.IndexOf(w.Key) >= 0)
            .Select(w => (_path.IndexOf(w.Key), (double)w.Weight, w))];

        var start = _path.Dates[0];
        decimal cash = opening.Cash;
        TaxLot[] lots;
        if (_options.Funding == BacktestFunding.Legacy || _lines.Length == 0) lots = opening.Lots;
        else
        {
            // Cash funding: the account's value buys the model on day 0 at the day's price, one lot per security.
            var value = opening.Cash + opening.Lots.Sum(l => l.Quantity * _path.Quote(0, _path.IndexOf(l.Symbol)));
            var bought = new List<TaxLot>(_lines.Length);
            cash = value;
            foreach (var (j, weight, line) in _lines)
            {
                var price = _path.Quote(0, j);
                var quantity = Math.Round(value * line.Weight / price, 4, MidpointRounding.ToZero);
                if (quantity <= 0) continue;
                bought.Add(new TaxLot($"{_spec.Id}-B{bought.Count + 1}", line.Key, quantity, quantity * price, start, start));
                cash -= quantity * price;
            }
            lots = [.. bought];
        }
        _book = new AccountBook(_spec, cash, lots.Select(l => new LotPiece(l, l.Id)));
        _ledger = new HouseholdTaxLedger(market.Decisions.Identical);
        _ledger.OpenAccounts([(new AccountTaxProfile(_spec.Id, _spec.Type, _spec.SeparateTaxpayer), lots)]);
        foreach (var symbol in lots.Select(l => l.Symbol).Distinct(StringComparer.Ordinal)) Resync(symbol);
        _cash = (double)_book.Cash;
    }

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
            if (interval > 0 && t % interval == 0) Harvest(t, outcome);
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
                if (_ledger.Gains.EntryCount > 0)
                {
                    var summary = _ledger.Gains.Summary();
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
        outcome.DisallowedLoss = (double)_ledger.Gains.Summary().Disallowed;
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
        var longAfter = _path.Dates[t].AddYears(-1).DayNumber;
        double tax = 0;
        foreach (var lot in _lots)
        {
            double gain = lot.Quantity * (row[lot.Security] - lot.BasisPerShare);
            double rate = lot.HoldingSinceDay < longAfter ? (double)_options.Rates.LongTerm : (double)_options.Rates.ShortTerm;
            tax += gain * rate;
        }
        return tax;
    }

    private decimal? Quote(int t, string symbol) => _path.IndexOf(symbol) is var j and >= 0 ? _path.Quote(t, j) : null;

    /// <summary>The account's target on day <paramref name="t"/>: the model's day-0 weights drifted with prices (what
    /// the account holds if it never trades; for the direct index, the index's current cap weights).</summary>
    private ResolvedTarget Target(int t)
    {
        var row0 = _path.Row(0);
        var row = _path.Row(t);
        double total = 0;
        foreach (var (j, w, _) in _lines) total += w * row[j] / row0[j];
        var weights = new TargetWeight[_lines.Length];
        for (int k = 0; k < _lines.Length; k++)
        {
            var (j, w, line) = _lines[k];
            weights[k] = line with { Weight = Math.Round((decimal)(w * row[j] / row0[j] / total), 8) };
        }
        return _model! with { Version = t, Weights = weights };
    }

    private void Harvest(int t, AccountOutcome outcome)
    {
        if (_model is null) return;
        var policy = _options.Policy;
        double minPercent = (double)policy.MinLossPercent, minDollars = (double)policy.MinLossDollars;
        var row = _path.Row(t);
        var date = _path.Dates[t];
        int today = date.DayNumber;
        Array.Clear(_harvestableNow);
        foreach (var lot in _lots)
            if (_quietThrough[lot.Security] < today
                && HarvestScan.CrossesThresholds(lot.BasisPerShare, row[lot.Security], lot.Quantity, minPercent, minDollars))
            {
                if (!_harvestableNow[lot.Security]) _loss[lot.Security] = 0;
                _harvestableNow[lot.Security] = true;
                _loss[lot.Security] += lot.Quantity * (lot.BasisPerShare - row[lot.Security]);
            }
        List<int>? crossed = null;
        for (int j = 0; j < _harvestableNow.Length; j++)
            if (_harvestableNow[j] && !_harvestable[j]) (crossed ??= []).Add(j);
        (_harvestable, _harvestableNow) = (_harvestableNow, _harvestable);
        if (crossed is null) return;

        // The monitor's notice: one harvest trigger per security that became harvestable.
        var at = new DateTimeOffset(date.ToDateTime(new TimeOnly(16, 0)), TimeSpan.Zero);
        var causes = crossed.Select(j => new Trigger(TriggerKind.Harvest, _spec.Id, _path.Universe[_path.Tracked[j]].Symbol, _loss[j], 0,
            minDollars, t, at, at)).ToArray();
        var input = new AccountDecisionInput(_spec, _book.Cash, [.. _book.Lots.Lots], Target(t), 0m);
        var started = Stopwatch.GetTimestamp();
        var plan = DecisionEngine.Decide(new DecisionRequest(_spec.HouseholdId, [input], causes, _ledger, s => Quote(t, s), date), _market.Decisions);
        outcome.DecisionSeconds += Stopwatch.GetElapsedTime(started).TotalSeconds;
        outcome.Decisions++;
        if (plan.Record.Outcome == DecisionOutcome.NoPlan) outcome.DecisionsWithoutPlan++;
        else outcome.PlannedTrackingErrorSum += plan.Result.TrackingErrorAfter;
        foreach (var r in plan.Refusals.Where(r => r.OverriddenBy is null))
        {
            if (_heldLots.Add(r.Lot.Id)) outcome.HarvestsHeld++;
            // The sale would wash until the latest replacement is more than 30 days old.
            Quiet(r.Lot.Symbol, r.Check.Replacements.Max(x => x.Purchased).AddDays(WashSaleLedger.WindowDays).DayNumber);
        }
        if (plan.Trades.Length == 0) return;

        var settings = _market.Decisions.Settings;
        var proposal = _proposals.Create(plan.Result, plan.Trades, causes, t, at, settings.ProposalLifetime);
        var orders = SimulatedBroker.Orders(proposal, date,
            x => Quote(t, x.Symbol) is { } q ? SimulatedBroker.FillPrice(x.Side, q, settings.SlippageBps) : null, settings.Commission);
        var touched = new HashSet<string>(StringComparer.Ordinal);
        int month = t / 21;
        outcome.OrdersRefused += PlanExecution.Execute(orders, id => id == _spec.Id ? _book : null, _ledger, settings, fill =>
        {
            var order = fill.Order;
            outcome.TradedNotional += (double)(order.Quantity * order.Price);
            outcome.TradingCost += (double)(order.Quantity * Math.Abs(Quote(t, order.Symbol)!.Value - order.Price) + order.Commission);
            touched.Add(order.Symbol);
            if (order.Side == TradeSide.Buy) outcome.Buys++;
            else
            {
                double loss = 0;
                foreach (var r in fill.Outcome.Realized) if (r.Recognized < 0) loss -= (double)r.Recognized;
                outcome.HarvestedLoss += loss;
                outcome.LossByMonth[month] += loss;
                if (loss > 0) outcome.HarvestSales++;
                else outcome.GainSales++;
            }
            foreach (var a in fill.Outcome.Adjustments)
                if (_book.Lots.Find(a.LotId) is { } adjusted) touched.Add(adjusted.Symbol);
        });
        _proposals.Put(proposal with { Status = ProposalStatus.Executed, DecidedAt = at });
        foreach (var symbol in touched) Resync(symbol);
        _cash = (double)_book.Cash;
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
        foreach (var lot in _book.Lots.LotsOf(symbol))
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
