using Households.Domain.Firm;
using Households.Simulation.Market;
using Households.Simulation.Firms;
using System.Collections.Concurrent;
using System.Diagnostics;
using Households.Contracts;
using Households.Domain.Accounts;
using Households.Domain.Audit;
using Households.Domain.Decisions;
using Households.Domain.Market;
using Households.Domain.Monitoring;
using Households.Simulation.Scenarios;
using Households.Domain.Tax;
using Households.Domain.WashSales;

namespace Households.Simulation.Stress;

/// <summary>The firm's market for a stress run: the live decision inputs (<see cref="DecisionMarket"/>), the security
/// master in ordinal order, prices before the shock, the as-of date, and the simulated universe whose factor loadings
/// carry factor shocks (null: coarse loadings).</summary>
public sealed record StressMarket(
    DecisionMarket Decisions,
    IReadOnlyList<Security> Securities,
    IReadOnlyDictionary<string, decimal> Prices,
    DateOnly AsOf,
    SimulatedUniverse? Universe,
    TriggerPolicy Triggers);

/// <summary>
/// Stresses copies of households through the same code as live: the scenario's prices at each checkpoint go through
/// the monitor (<see cref="MonitorScan"/> / <see cref="TriggerKernel"/>, crossings only, with the accounts' cooldowns),
/// triggered households decide with the one <see cref="DecisionEngine"/> (the optimizer and its rules),
/// and their proposals execute through <see cref="SimulatedBroker"/>'s order rules on private copies of the books and
/// the wash-sale ledger. Households are independent, so they run in parallel; the input is never changed.
/// </summary>
public static partial class StressEngine
{
    public const double HistogramBin = 0.01;
    public const int HistogramBins = 50;

    public static StressResult Run(IEnumerable<HouseholdStressSnapshot> households, Scenario scenario, StressMarket market, StressOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(market);
        options ??= new StressOptions();
        options.Validate();
        return Run(households, StressShock.Build(scenario, market.Securities, s => market.Prices.TryGetValue(s, out var p) ? p : null,
            market.Universe, market.AsOf, options.StepDays), market, options);
    }

    /// <summary>The run over a price path already built (a named scenario's, or a simulated market's: the long run).</summary>
    public static StressResult Run(IEnumerable<HouseholdStressSnapshot> households, StressShock shock, StressMarket market, StressOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(households);
        ArgumentNullException.ThrowIfNull(market);
        options ??= new StressOptions();
        options.Validate();
        var started = Stopwatch.GetTimestamp();
        var context = new Context(market, shock, IndexOf(market), options.MaxDecisionsPerCheckpoint, options.Reminder);
        var totals = Aggregate(households, (household, worker) => RunHousehold(household, context, worker), options);
        return totals.Report(shock, market, options, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>Runs households in parallel and adds up what <paramref name="run"/> returns (null: kept out of the totals).</summary>
    private static Totals Aggregate<T>(IEnumerable<T> households, Func<T, Worker, HouseholdRun?> run, StressOptions options)
    {
        var totals = new Totals();
        var gate = new Lock();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxParallelism };
        Parallel.ForEach(households, parallel,
            () => new Worker(),
            (household, _, worker) =>
            {
                if (run(household, worker) is not { } done) return worker;
                worker.Firm.Add(done);
                worker.Rows.Add(done.Row);
                if (worker.Rows.Count > Math.Max(2 * options.WorstHouseholds, options.AllHouseholdsUpTo) + 64) worker.Trim(options.WorstHouseholds);
                return worker;
            },
            worker =>
            {
                lock (gate) totals.Add(worker, options.KeepDrift);
            });
        return totals;
    }

    /// <summary>What a worker gathers and a run adds up: the firm's tally, the households' rows (all, or the worst once
    /// trimmed), each account's drift before and after, and its histogram.</summary>
    private abstract class Sums
    {
        public Tally Firm { get; } = new();
        public List<StressHouseholdRow> Rows { get; } = [];
        public List<double> DriftBefore { get; } = [];
        public List<double> DriftAfter { get; } = [];
        public long[] HistBefore { get; } = new long[HistogramBins];
        public long[] HistAfter { get; } = new long[HistogramBins];
    }

    /// <summary>What the workers of a run add up to.</summary>
    private sealed class Totals : Sums
    {
        public bool KeepAll { get; set; } = true;

        public void Add(Worker worker, bool keepDrift)
        {
            Firm.Add(worker.Firm);
            KeepAll &= !worker.Trimmed;
            Rows.AddRange(worker.Rows);
            if (keepDrift)
            {
                DriftBefore.AddRange(worker.DriftBefore);
                DriftAfter.AddRange(worker.DriftAfter);
            }
            for (var b = 0; b < HistogramBins; b++) { HistBefore[b] += worker.HistBefore[b]; HistAfter[b] += worker.HistAfter[b]; }
        }

        public StressResult Report(StressShock shock, StressMarket market, StressOptions options, TimeSpan elapsed)
        {
            var scenario = shock.Scenario;
            var all = KeepAll && Rows.Count <= options.AllHouseholdsUpTo;
            var listed = all ? Rows.OrderBy(r => r.Household, StringComparer.Ordinal).ToArray() : Worst(Rows, options.WorstHouseholds);
            var figures = Firm.ToFigures(elapsed.TotalMilliseconds);
            var rates = market.Decisions.Settings.Rates;
            var report = new StressReport(scenario.Name, scenario.Description, scenario.Days, shock.Steps, market.AsOf, rates.ShortTerm, rates.LongTerm,
                options.MaxParallelism, figures, all, listed, new DriftHistogram(HistogramBin, HistBefore, HistAfter), elapsed.TotalSeconds);
            return new StressResult(report, [.. DriftBefore], [.. DriftAfter]);
        }
    }

    private static StressHouseholdRow[] Worst(IEnumerable<StressHouseholdRow> rows, int count) =>
        [.. rows.OrderByDescending(r => r.MaxDriftAfter).ThenBy(r => r.Household, StringComparer.Ordinal).Take(count)];

    private sealed class Context(StressMarket market, StressShock shock, SecurityIndex index, int maxDecisions, TimeSpan reminder)
    {
        /// <summary>The live monitor's reminder: an account still out of tolerance this long after it was reported is reported again.</summary>
        public TimeSpan Reminder { get; } = reminder;
        private readonly int[] _decisions = new int[shock.Checkpoints];

        /// <summary>The firm-wide decision budget of a checkpoint (0 = none): false once it is spent.</summary>
        public bool TakeDecision(int checkpoint) => maxDecisions <= 0 || Interlocked.Increment(ref _decisions[checkpoint]) <= maxDecisions;

        public StressMarket Market { get; } = market;
        public StressShock Shock { get; } = shock;
        public SecurityIndex Index { get; } = index;
        /// <summary>Direct-index accounts are measured by tracking error, as the live monitor measures them.</summary>
        public TrackingRisk Tracking { get; } = new(market.Decisions.Risk);
        public PriceVector[] Vectors { get; } = [.. shock.Values.Select((v, k) => new PriceVector(k + 1, default, v, shock.Exact[k]))];
        public Func<string, Security?> Find => Market.Decisions.Find;

        public decimal? Price(int checkpoint, string symbol) =>
            Index.TryGetOrdinal(symbol, out var o) && Shock.Exact[checkpoint][o] is var p && p > 0 ? p : null;

        public Dictionary<string, decimal> Quotes(int checkpoint, IEnumerable<string> symbols)
        {
            var result = new Dictionary<string, decimal>(StringComparer.Ordinal);
            foreach (var s in symbols) if (Price(checkpoint, s) is { } p) result[s] = p;
            return result;
        }
    }

    private sealed class Worker : Sums
    {
        public ScanScratch Scratch { get; } = new();
        public bool Trimmed { get; private set; }

        public void Trim(int keep)
        {
            var worst = Worst(Rows, keep);
            Rows.Clear();
            Rows.AddRange(worst);
            Trimmed = true;
        }

        public void AddDrift(double before, double after)
        {
            DriftBefore.Add(before);
            DriftAfter.Add(after);
            HistBefore[Math.Clamp((int)(before / HistogramBin), 0, HistogramBins - 1)]++;
            HistAfter[Math.Clamp((int)(after / HistogramBin), 0, HistogramBins - 1)]++;
        }
    }

    private sealed record HouseholdRun(StressFigures Figures, StressHouseholdRow Row, Tally Tally);

    private sealed class AccountWork(StressAccount account, AccountBook book, MonitorEntry<int> entry)
    {
        public StressAccount Account { get; } = account;
        public AccountBook Book { get; set; } = book;
        public MonitorEntry<int> Entry { get; } = entry;
        public TriggerCooldowns Cooldowns { get; } = new();
        public decimal Pending { get; set; } = account.PendingWithdrawals;
        public string Id => Account.Spec.Id;
    }

    private static HouseholdRun RunHousehold(HouseholdStressSnapshot household, Context ctx, Worker worker)
    {
        var started = Stopwatch.GetTimestamp();
        var market = ctx.Market;
        var shock = ctx.Shock;
        var t = new Tally { Households = 1, TradedAt = new decimal[shock.Checkpoints], ValueAt = new decimal[shock.Checkpoints] };
        var identical = market.Decisions.Identical;
        var ledger = household.WashSales is { } state
            ? HouseholdTaxLedger.Restore(state, household.Realized, identical)
            : OpenLedger(household, identical);

        // Private copies of the books; the snapshots are what the live monitor would hold for them.
        var accounts = new AccountWork[household.Accounts.Length];
        for (var a = 0; a < accounts.Length; a++)
        {
            var acct = household.Accounts[a];
            var book = new AccountBook(acct.Spec, acct.Cash, acct.Lots);
            accounts[a] = new AccountWork(acct, book, new MonitorEntry<int>(a, Snapshot(acct.Spec, book, acct.Target, ctx)));
            t.CashNeeded += accounts[a].Pending;
        }
        var proposals = new ProposalBook(household.Spec.Id);
        var deferred = new HashSet<(string Account, string Lot)>();
        var (maxBefore, maxAfter) = Walk([.. accounts.Select(w => w.Entry)], [.. accounts.Select(w => w.Cooldowns)], ctx, worker, t,
            (k, causes) => Decide(household, accounts, causes, ledger, proposals, k, ctx, t, deferred));
        foreach (var w in accounts) t.CashShortfall += w.Pending;
        var rates = market.Decisions.Settings.Rates;
        t.Tax = t.RealizedShortTerm * rates.ShortTerm + t.RealizedLongTerm * rates.LongTerm;
        var figures = t.ToFigures(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return new HouseholdRun(figures, new StressHouseholdRow(household.Spec.Id, maxBefore, maxAfter, figures), t);
    }

    /// <summary>The monitor's part of a household's run, shared by the full run and the screen: the raw shock measured on
    /// the books as they are (before and at the end), the flags as they stand before the shock, then each checkpoint
    /// scanned (crossings only, each account's cooldowns) with <paramref name="decide"/> given the admitted causes of a
    /// checkpoint that has any, and last each account measured again on its books as they ended.</summary>
    private static (double MaxBefore, double MaxAfter) Walk(MonitorEntry<int>[] entries, TriggerCooldowns[] cooldowns, Context ctx, Worker worker,
        Tally t, Action<int, Trigger[]> decide)
    {
        var shock = ctx.Shock;
        var last = shock.Checkpoints - 1;
        double maxBefore = 0, maxAfter = 0;
        foreach (var e in entries)
        {
            var s = e.Snapshot;
            t.Accounts++;
            t.Lots += s.LotCount;
            var before = Measure(s, shock.Values[0], worker.Scratch, out var mvBefore, out var harvestBefore, out var outBefore);
            var after = Measure(s, shock.Values[last], worker.Scratch, out var mvAfter, out var harvestAfter, out var outAfter);
            t.MarketValueBefore += (decimal)mvBefore;
            t.MarketValueAfter += (decimal)mvAfter;
            t.HarvestableLossesBefore += (decimal)harvestBefore;
            t.HarvestableLossesAfter += (decimal)harvestAfter;
            if (outBefore) t.AccountsOutOfBandBefore++;
            if (outAfter) t.AccountsOutOfBandAfter++;
            // An account with drift lines follows a model (one without is watched for harvests only).
            if (s.Lines.Length > 0) worker.AddDrift(before, after);
            maxBefore = Math.Max(maxBefore, before);
            maxAfter = Math.Max(maxAfter, after);
        }

        // The monitor's flags as they stand before the shock (what was out of band then was acted on then).
        var clock = new SteppedClock { Now = At(shock.Dates[0]) };
        MonitorScan.Run<int>(entries, ctx.Vectors[0], clock, worker.Scratch, (_, _) => { });
        for (var k = 1; k <= last; k++)
        {
            clock.Now = At(shock.Dates[k]);
            var fired = new List<(int Account, List<Trigger> Triggers)>();
            var scan = MonitorScan.Run<int>(entries, ctx.Vectors[k], clock, worker.Scratch, (e, found) => fired.Add((e.Target, found)), reminder: ctx.Reminder);
            t.ValueAt![k] += (decimal)scan.MarketValue;
            var causes = new List<Trigger>();
            foreach (var (a, found) in fired)
            {
                t.DriftTriggers += found.Count(x => x.Kind == TriggerKind.Drift);
                t.HarvestTriggers += found.Count(x => x.Kind == TriggerKind.Harvest);
                causes.AddRange(cooldowns[a].Admit(found, clock.Now, ctx.Market.Triggers));
            }
            if (causes.Count > 0) decide(k, [.. causes]);
        }
        foreach (var e in entries)
        {
            Measure(e.Snapshot, shock.Values[last], worker.Scratch, out _, out _, out var outAfterTrades);
            if (outAfterTrades) t.AccountsOutOfBandAfterTrades++;
        }
        return (maxBefore, maxAfter);
    }

    /// <summary>One decision at checkpoint <paramref name="k"/>: holds, plan, and execution of every proposed trade
    /// (discretionary at once; the others as if the client approved them at once, counted as awaiting approval).</summary>
    private static void Decide(HouseholdStressSnapshot household, AccountWork[] accounts, Trigger[] causes, HouseholdTaxLedger ledger,
        ProposalBook proposals, int k, Context ctx, Tally t, HashSet<(string Account, string Lot)> deferred)
    {
        var market = ctx.Market;
        // The household's own policy and tax profile, as live (DecisionMarket.ForHousehold).
        var decisions = market.Decisions.ForHousehold(household.Spec);
        var settings = decisions.Settings;
        var today = ctx.Shock.Dates[k];
        var inputs = accounts.Select(w => new AccountDecisionInput(w.Account.Spec, w.Book.Cash, [.. w.Book.Lots.Lots], w.Account.Target, w.Pending)).ToArray();
        if (!ctx.TakeDecision(k)) { t.DecisionsDeferred++; return; }
        t.HouseholdsDecided = 1;
        t.Decisions++;
        var planStarted = Stopwatch.GetTimestamp();
        var plan = DecisionEngine.Decide(new DecisionRequest(household.Spec.Id, inputs, causes, ledger, s => ctx.Price(k, s), today, Profile: household.Spec.Tax, Transition: household.Transition), decisions);
        t.OptimizerMilliseconds += Stopwatch.GetElapsedTime(planStarted).TotalMilliseconds;
        t.WashSaleConflictsAvoided += plan.Refusals.Count(r => r.OverriddenBy is null);
        // Harvests deferred because of shares the engine itself bought earlier in the run (each lot once).
        foreach (var r in plan.Refusals.Where(r => r.OverriddenBy is null && r.Check.Replacements.Any(x => IsEngineLot(household.Spec.Id, x.LotId))))
            if (deferred.Add((r.AccountId, r.Lot.Id))) t.HarvestsDeferredByOwnPurchases++;
        if (plan.Record.Relaxed.Length > 0) t.DecisionsRelaxed++;
        if (plan.Record.Outcome == DecisionOutcome.NoPlan) t.OptimizerFailures++;
        var result = plan.Result;
        var byId = accounts.ToDictionary(w => w.Id, StringComparer.Ordinal);
        var identical = market.Decisions.Identical;
        t.ProposedTrades += result.Trades.Length;
        t.TradesAwaitingApproval += result.Trades.Count(x => byId.TryGetValue(x.Account, out var w) && !w.Account.Spec.Discretionary);
        var orders = result.Trades.Length == 0 ? [] : SimulatedBroker.Orders(proposals.Create(result, result.Trades, [.. causes], k, At(today), settings.ProposalLifetime), today,
            x => ctx.Price(k, x.Symbol) is { } q ? SimulatedBroker.FillPrice(x.Side, q, settings.SlippageBps) : null, settings.Commission);
        var changed = new HashSet<AccountWork>();
        t.OrdersRefused += PlanExecution.Execute(orders, id => byId.TryGetValue(id, out var w) ? w.Book : null, ledger, settings, fill =>
        {
            var w = byId[fill.Trade.Account];
            var request = fill.Order;
            t.Fills++;
            t.TradedValue += request.Quantity * request.Price;
            t.TradedAt![k] += request.Quantity * request.Price;
            if (IsDust(request, fill.Applied, w.Account.Spec, settings)) t.DustFills++;
            // The holding period over the run: a sale from a position the decision held must be of a harvestable loss lot.
            if (request.Side == TradeSide.Sell && plan.HeldPositions.Contains((w.Id, request.Symbol))
                && inputs.First(a => a.Spec.Id == w.Id).Lots.FirstOrDefault(l => l.Id == request.LotId) is { } sold && ctx.Price(k, request.Symbol) is { } price
                && !HoldingPeriodRule.MaySell(w.Account.Spec.Harvest, sold, price))
                t.HoldingPeriodBreaches++;
            // Guarantee 2 at the moment of purchase: no household taxable lot of the key at or close to a harvestable loss.
            if (request.Side == TradeSide.Buy && plan.ProtectedKeys.Contains(identical.KeyOf(request.Symbol))) t.SelfBlockedHarvests++;
            // Every fill here is the engine's: a wash-sale adjustment whose replacement it bought in this run washes its own sale.
            t.SelfWashedSales += fill.Outcome.Adjustments.Count(a => IsEngineLot(household.Spec.Id, a.LotId));
            changed.Add(w);
            foreach (var row in fill.Outcome.Realized)
            {
                if (row.Term == HoldingTerm.Short) t.RealizedShortTerm += row.Recognized;
                else t.RealizedLongTerm += row.Recognized;
                if (row.Recognized < 0) t.HarvestedLosses -= row.Recognized;
            }
            foreach (var a in fill.Outcome.Adjustments)
                if (byId.TryGetValue(a.Account, out var adjusted)) changed.Add(adjusted);
        });
        foreach (var w in accounts)
        {
            // Withdrawals are paid as soon as the account's cash covers them, whether or not it traded.
            if (w.Pending > 0 && w.Book.Cash >= w.Pending)
            {
                w.Book = new AccountBook(w.Account.Spec, w.Book.Cash - w.Pending, w.Book.Lots.Snapshot());
                w.Pending = 0;
                changed.Add(w);
            }
            if (changed.Contains(w)) w.Entry.Update(Snapshot(w.Account.Spec, w.Book, w.Account.Target, ctx));
        }
    }

    /// <summary>A lot the engine bought during the run: <see cref="AccountBook.LotIdFor"/> of a broker order key (or a
    /// wash-sale split piece of one).</summary>
    private static bool IsEngineLot(string householdId, string lotId) =>
        AccountBook.OrderKeyOf(JournalAudit.RootLotId(lotId)) is { } key && SimulatedBroker.IsOrderKey(householdId, key);

    /// <summary>A fill below the account's minimum trade, or a fraction of a share where the custodian trades none, unless
    /// it sells whole lots (the only way to close a small or fractional lot).</summary>
    private static bool IsDust(TradeRequest fill, TradeResult applied, AccountSpec spec, DecisionSettings settings)
    {
        var wholeLots = fill.Side == TradeSide.Sell && applied.Sales.Length > 0 && applied.Sales.All(s => s.Quantity == s.Lot.Quantity);
        if (wholeLots) return false;
        return fill.Quantity * fill.Price < settings.MinTradeFor(spec) || (!spec.FractionalShares && fill.Quantity != decimal.Floor(fill.Quantity));
    }

    private static AccountSnapshot Snapshot(AccountSpec spec, AccountBook book, ResolvedTarget? target, Context ctx) =>
        AccountSnapshot.Build(spec.Id, book.Cash, book.Lots.Lots, target, spec.Harvest, ctx.Find, ctx.Index, ctx.Market.Decisions.SubstitutesOf,
            new DirectIndexTracking(ctx.Tracking, spec.TrackingBand));

    /// <summary>The kernel at one set of prices: the largest |weight − target|, market value, harvestable losses (net of
    /// the estimated round trip, as the harvest trigger counts them) and whether any line is out of band.</summary>
    private static double Measure(AccountSnapshot s, double[] prices, ScanScratch scratch, out double marketValue, out double harvestable, out bool outOfBand)
    {
        scratch.Ensure(s);
        var flags = scratch.Flags.AsSpan(0, s.LineCount + s.LotCount);
        harvestable = 0;
        outOfBand = false;
        if (!TriggerKernel.Evaluate(s, prices, scratch.Weights, flags, out marketValue)) { marketValue = Math.Max(0, marketValue); return 0; }
        var m = TriggerKernel.Measure(s, scratch.Weights, flags, prices);
        harvestable = m.HarvestableLoss;
        outOfBand = m.OutOfBand > 0;
        return m.LargestDrift;
    }

    /// <summary>A household never created through the grain (a generated firm): its ledger as the grain opens it.</summary>
    private static HouseholdTaxLedger OpenLedger(HouseholdStressSnapshot household, SubstantiallyIdentical identical)
    {
        var ledger = new HouseholdTaxLedger(identical);
        ledger.OpenAccounts(household.Accounts.Select(a => (new AccountTaxProfile(a.Spec.Id, a.Spec.Type, a.Spec.SeparateTaxpayer),
            (IReadOnlyList<TaxLot>)a.Lots.Select(p => p.Lot).ToList())).ToList());
        return ledger;
    }

    private static DateTimeOffset At(DateOnly date) => new(date.ToDateTime(new TimeOnly(16, 0)), TimeSpan.Zero);

    /// <summary>A household's snapshot from a generated firm's openings (lots are their own roots; no ledger history).</summary>
    public static HouseholdStressSnapshot FromOpening(FirmHousehold household, Func<string, ResolvedTarget?> target) => new(
        household.Household,
        [.. household.Accounts.Select(a => new StressAccount(a.Spec, a.Cash, [.. a.Lots.Select(l => new LotPiece(l, l.Id))],
            a.Spec.ModelId is { } m ? target(m) : null, 0m))],
        null, []);

    private sealed class Tally
    {
        public int Households, Accounts, AccountsOutOfBandBefore, AccountsOutOfBandAfter, AccountsOutOfBandAfterTrades;
        public int DriftTriggers, HarvestTriggers, HouseholdsDecided, Decisions, OptimizerFailures, ProposedTrades, TradesAwaitingApproval;
        public int Fills, OrdersRefused, WashSaleConflictsAvoided, DecisionsDeferred, SelfWashedSales, SelfBlockedHarvests, DustFills, DecisionsRelaxed, HarvestsDeferredByOwnPurchases, HoldingPeriodBreaches;
        public long Lots;
        public double OptimizerMilliseconds;
        public decimal MarketValueBefore, MarketValueAfter, HarvestableLossesBefore, HarvestableLossesAfter, TradedValue;
        public decimal CashNeeded, CashShortfall, RealizedShortTerm, RealizedLongTerm, HarvestedLosses, Tax;
        /// <summary>Per checkpoint: value traded, and the accounts' value at its prices before trading (null until added).</summary>
        public decimal[]? TradedAt, ValueAt;

        public void AddCheckpoints(Tally o)
        {
            if (o.TradedAt is null || o.ValueAt is null) return;
            TradedAt ??= new decimal[o.TradedAt.Length];
            ValueAt ??= new decimal[o.ValueAt.Length];
            for (var k = 0; k < TradedAt.Length; k++) { TradedAt[k] += o.TradedAt[k]; ValueAt[k] += o.ValueAt[k]; }
        }

        /// <summary>The largest share of the value traded at one checkpoint (one trading day when checkpoints are daily).</summary>
        public double MaxCheckpointTurnover()
        {
            double max = 0;
            for (var k = 0; TradedAt is not null && ValueAt is not null && k < TradedAt.Length; k++)
                if (ValueAt[k] > 0) max = Math.Max(max, (double)(TradedAt[k] / ValueAt[k]));
            return max;
        }

        /// <summary>A household's run: its figures as reported (rounded to cents) and its checkpoints.</summary>
        public void Add(HouseholdRun run)
        {
            Add(run.Figures);
            AddCheckpoints(run.Tally);
        }

        public void Add(Tally o)
        {
            AddCheckpoints(o);
            Households += o.Households; Accounts += o.Accounts; Lots += o.Lots;
            AccountsOutOfBandBefore += o.AccountsOutOfBandBefore; AccountsOutOfBandAfter += o.AccountsOutOfBandAfter;
            AccountsOutOfBandAfterTrades += o.AccountsOutOfBandAfterTrades;
            DriftTriggers += o.DriftTriggers; HarvestTriggers += o.HarvestTriggers; HouseholdsDecided += o.HouseholdsDecided;
            Decisions += o.Decisions; OptimizerFailures += o.OptimizerFailures; ProposedTrades += o.ProposedTrades;
            TradesAwaitingApproval += o.TradesAwaitingApproval; Fills += o.Fills; OrdersRefused += o.OrdersRefused;
            WashSaleConflictsAvoided += o.WashSaleConflictsAvoided; DecisionsDeferred += o.DecisionsDeferred;
            SelfWashedSales += o.SelfWashedSales; SelfBlockedHarvests += o.SelfBlockedHarvests; DustFills += o.DustFills; DecisionsRelaxed += o.DecisionsRelaxed;
            HarvestsDeferredByOwnPurchases += o.HarvestsDeferredByOwnPurchases; HoldingPeriodBreaches += o.HoldingPeriodBreaches;
            MarketValueBefore += o.MarketValueBefore; MarketValueAfter += o.MarketValueAfter;
            HarvestableLossesBefore += o.HarvestableLossesBefore; HarvestableLossesAfter += o.HarvestableLossesAfter;
            TradedValue += o.TradedValue; CashNeeded += o.CashNeeded; CashShortfall += o.CashShortfall;
            RealizedShortTerm += o.RealizedShortTerm; RealizedLongTerm += o.RealizedLongTerm; HarvestedLosses += o.HarvestedLosses; Tax += o.Tax;
            OptimizerMilliseconds += o.OptimizerMilliseconds;
        }

        public void Add(StressFigures f) => Add(new Tally
        {
            Households = f.Households, Accounts = f.Accounts, Lots = f.Lots, AccountsOutOfBandBefore = f.AccountsOutOfBandBefore,
            AccountsOutOfBandAfter = f.AccountsOutOfBandAfter, AccountsOutOfBandAfterTrades = f.AccountsOutOfBandAfterTrades,
            DriftTriggers = f.DriftTriggers, HarvestTriggers = f.HarvestTriggers, HouseholdsDecided = f.HouseholdsDecided,
            Decisions = f.Decisions, OptimizerFailures = f.OptimizerFailures, ProposedTrades = f.ProposedTrades,
            TradesAwaitingApproval = f.TradesAwaitingApproval, Fills = f.Fills, OrdersRefused = f.OrdersRefused,
            WashSaleConflictsAvoided = f.WashSaleConflictsAvoided, DecisionsDeferred = f.DecisionsDeferred, MarketValueBefore = f.MarketValueBefore, MarketValueAfter = f.MarketValueAfter,
            HarvestableLossesBefore = f.HarvestableLossesBefore, HarvestableLossesAfter = f.HarvestableLossesAfter, TradedValue = f.TradedValue,
            CashNeeded = f.CashNeeded, CashShortfall = f.CashShortfall, RealizedShortTerm = f.RealizedShortTerm,
            RealizedLongTerm = f.RealizedLongTerm, HarvestedLosses = f.HarvestedLosses, Tax = f.Tax,
            OptimizerMilliseconds = f.OptimizerMilliseconds, SelfWashedSales = f.SelfWashedSales, SelfBlockedHarvests = f.SelfBlockedHarvests,
            DustFills = f.DustFills, DecisionsRelaxed = f.DecisionsRelaxed, HarvestsDeferredByOwnPurchases = f.HarvestsDeferredByOwnPurchases,
            HoldingPeriodBreaches = f.HoldingPeriodBreaches,
        });

        public StressFigures ToFigures(double elapsedMs) => new(Households, Accounts, Lots, Math.Round(MarketValueBefore, 2), Math.Round(MarketValueAfter, 2),
            AccountsOutOfBandBefore, AccountsOutOfBandAfter, AccountsOutOfBandAfterTrades, Math.Round(HarvestableLossesBefore, 2),
            Math.Round(HarvestableLossesAfter, 2), DriftTriggers, HarvestTriggers, HouseholdsDecided, Decisions, DecisionsDeferred, OptimizerFailures,
            ProposedTrades, TradesAwaitingApproval, Fills, OrdersRefused, Math.Round(TradedValue, 2),
            MarketValueAfter > 0 ? (double)(TradedValue / MarketValueAfter) : 0, Math.Round(CashNeeded, 2), Math.Round(CashShortfall, 2),
            Math.Round(RealizedShortTerm, 2), Math.Round(RealizedLongTerm, 2), Math.Round(HarvestedLosses, 2), Math.Round(Tax, 2),
            WashSaleConflictsAvoided, OptimizerMilliseconds, elapsedMs, SelfWashedSales, SelfBlockedHarvests, DustFills, DecisionsRelaxed, HarvestsDeferredByOwnPurchases,
            MaxCheckpointTurnover(), HoldingPeriodBreaches);
    }
}
