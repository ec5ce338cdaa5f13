using System.Runtime.InteropServices;
using Households.Simulation.Market;
using System.Diagnostics;
using Households.Contracts;
using Households.Domain.Accounts;
using Households.Domain.Decisions;
using Households.Domain.Market;
using Households.Domain.Monitoring;
using Households.Domain.Tax;
using Households.Domain.WashSales;

namespace Households.Simulation.Backtesting;

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
    /// <summary>Drift triggers the monitor raised (a direct index's tracking error over its band).</summary>
    public int DriftTriggers;
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
/// inputs over the path's securities, each model resolved once, and what the live monitor measures with: the security
/// ordinals (tracked position j is ordinal j, so a day's row of the path is the monitor's price vector) and the factor
/// rows a direct index's tracking error is measured under.</summary>
internal sealed record BacktestMarket(PricePath Path, BacktestOptions Options, DecisionMarket Decisions, Func<string, ResolvedTarget?> Targets,
    SecurityIndex Index, TrackingRisk Tracking);

/// <summary>
/// Runs one harvest strategy on one account over the shared <see cref="PricePath"/>, deciding through the live
/// <see cref="DecisionEngine"/> and filling through <see cref="PlanExecution"/> (the simulated broker's rules). The
/// books of record are an <see cref="AccountBook"/> (decimal cash and lots) and the account's own
/// <see cref="HouseholdTaxLedger"/> (wash sales, realized gains), touched only when trading; the daily work (valuation,
/// the liquidation tax) runs on a double mirror of the lots refreshed from the book for every security a fill touches.
/// On each of the strategy's days the live monitor looks at the account (<see cref="MonitorScan"/> over its
/// <see cref="AccountSnapshot"/>, <see cref="TriggerKernel"/>): a harvestable lot raises a harvest trigger, a direct
/// index whose tracking error to its index is over the account's band a drift trigger, and the engine decides the whole
/// account against its target: the model bought on day 0 and held, i.e. the never-harvest twin's portfolio (for the
/// direct index, the index's cap weights drifted with prices).
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
    /// <summary>The model's asset-class lines, each with the positions in <see cref="_lines"/> of its securities.</summary>
    private readonly (TargetWeight Line, int[] Members)[] _classLines;
    private readonly List<MirrorLot> _lots = [];
    private readonly double[] _position;
    /// <summary>The live monitor's view of the account: one entry, its scratch, a day's prices by ordinal, its clock.</summary>
    private readonly MonitorEntry<int>[] _monitor = new MonitorEntry<int>[1];
    private readonly ScanScratch _scratch = new();
    private readonly double[] _prices;
    private readonly SteppedClock _clock = new();
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
        // The monitor's harvest test nets the estimated round trip (a sale and a purchase at the backtest's cost a leg); a
        // direct index is held to the backtest's tracking-error band.
        _spec = opening.Spec with
        {
            Harvest = _options.Policy with { EstimatedCostBps = 2 * _options.CostBps },
            Restrictions = [],
            TrackingErrorBand = _options.TrackingBand,
        };
        _position = new double[_path.Count];
        _prices = new double[_path.Count];
        _proposals = new ProposalBook(_spec.HouseholdId);
        _model = opening.Spec.ModelId is { } m ? market.Targets(m) : null;
        _lines = _model is null ? [] : [.. _model.Weights.Where(w => w.Level == DriftLevel.Security && _path.IndexOf(w.Key) >= 0)
            .Select(w => (_path.IndexOf(w.Key), (double)w.Weight, w))];
        var classOf = _lines.Select(l => market.Decisions.Find(l.Line.Key)?.AssetClass).ToArray();
        _classLines = _model is null ? [] : [.. _model.Weights.Where(w => w.Level == DriftLevel.AssetClass)
            .Select(w => (w, Enumerable.Range(0, _lines.Length).Where(k => classOf[k] == w.Key).ToArray()))];

        var start = _path.Dates[0];
        decimal cash = opening.Cash;
        TaxLot[] lots;
        if (_options.Funding == BacktestFunding.Legacy || _lines.Length == 0) lots = [.. opening.Lots];
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
            if (interval > 0 && t % interval == 0) Look(t, outcome);
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
    /// the account holds if it never trades; for the direct index, the index's current cap weights). An asset-class line
    /// is its securities' drifted weights (the monitor measures the account's class weights against it).</summary>
    private ResolvedTarget Target(int t)
    {
        var row0 = _path.Row(0);
        var row = _path.Row(t);
        double total = 0;
        foreach (var (j, w, _) in _lines) total += w * row[j] / row0[j];
        var drifted = new double[_lines.Length];
        var weights = new TargetWeight[_lines.Length + _classLines.Length];
        for (int k = 0; k < _lines.Length; k++)
        {
            var (j, w, line) = _lines[k];
            drifted[k] = w * row[j] / row0[j] / total;
            weights[k] = line with { Weight = Math.Round((decimal)drifted[k], 8) };
        }
        for (int c = 0; c < _classLines.Length; c++)
        {
            var (line, members) = _classLines[c];
            weights[_lines.Length + c] = members.Length == 0 ? line : line with { Weight = Math.Round((decimal)members.Sum(k => drifted[k]), 8) };
        }
        return _model! with { Version = t, Weights = ImmutableCollectionsMarshal.AsImmutableArray(weights) };
    }

    /// <summary>The live monitor's look at day <paramref name="t"/> and, when it raises anything, the engine's decision.
    /// The snapshot is rebuilt every look (the index's weights move with prices, and a live account rebuilds its snapshot
    /// when its target changes), so its flags start down and every condition that holds is reported — what the live
    /// monitor's daily reminder does for a condition that outlasts a decision (a harvest held as a wash sale, a tracking
    /// error the last decision could not bring back while the originals were blocked).</summary>
    private void Look(int t, AccountOutcome outcome)
    {
        if (_model is null) return;
        var date = _path.Dates[t];
        var at = new DateTimeOffset(date.ToDateTime(new TimeOnly(16, 0)), TimeSpan.Zero);
        var target = Target(t);
        var snapshot = AccountSnapshot.Build(_spec.Id, _book.Cash, _book.Lots.Lots, target, _spec.Harvest, _market.Decisions.Find, _market.Index,
            _market.Decisions.SubstitutesOf, new DirectIndexTracking(_market.Tracking, _spec.TrackingBand));
        if (_monitor[0] is null) _monitor[0] = new MonitorEntry<int>(0, snapshot);
        else _monitor[0].Update(snapshot);
        _path.Row(t).CopyTo(_prices);
        _clock.Now = at;
        Trigger[] causes = [];
        MonitorScan.Run<int>(_monitor, new PriceVector(t, at, _prices, []), _clock, _scratch, (_, found) => causes = [.. found],
            reminder: TimeSpan.FromDays(1));
        if (causes.Length == 0) return;
        outcome.DriftTriggers += causes.Count(c => c.Kind == TriggerKind.Drift);

        var input = new AccountDecisionInput(_spec, _book.Cash, [.. _book.Lots.Lots], target, 0m);
        var started = Stopwatch.GetTimestamp();
        var plan = DecisionEngine.Decide(new DecisionRequest(_spec.HouseholdId, [input], causes, _ledger, s => Quote(t, s), date), _market.Decisions);
        outcome.DecisionSeconds += Stopwatch.GetElapsedTime(started).TotalSeconds;
        outcome.Decisions++;
        if (plan.Record.Outcome == DecisionOutcome.NoPlan) outcome.DecisionsWithoutPlan++;
        else outcome.PlannedTrackingErrorSum += plan.Result.TrackingErrorAfter;
        foreach (var r in plan.Refusals.Where(r => r.OverriddenBy is null))
            if (_heldLots.Add(r.Lot.Id)) outcome.HarvestsHeld++;
        if (plan.Trades.Length == 0) return;

        var settings = _market.Decisions.Settings;
        var proposal = _proposals.Create(plan.Result, plan.Trades, [.. causes], t, at, settings.ProposalLifetime);
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
