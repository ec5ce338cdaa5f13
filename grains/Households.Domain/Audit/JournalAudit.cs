using System.Globalization;
using Households.Contracts;
using Households.Domain.Decisions;
using Households.Domain.Reliability;
using Households.Domain.Tax;

namespace Households.Domain.Audit;

/// <summary>What an audit measures against: the firm's minimum order value (an account's own
/// <see cref="AccountSpec.MinTrade"/> wins), the window [<see cref="From"/>, <see cref="To"/>) whose entries are
/// audited, the one household to audit (null: every household in the entries) and how many findings each category
/// lists (counts stay exact).</summary>
public sealed record AuditSettings(decimal MinTrade = 50m)
{
    /// <summary>A harvest refused because of an engine purchase is a self-blocked harvest when, at the purchase's fill price, the
    /// refused lot's loss had reached this share of its harvest threshold (it was close to harvestable); otherwise the harvest
    /// was deferred by a fall that came later. The engine protects from half the threshold
    /// (<see cref="Decisions.DecisionSettings.ProtectionShare"/>) at its decision price, so a move between decision and fill
    /// is not a defect; a purchase into a lot already three quarters of the way to harvestable is.</summary>
    public decimal ProtectionShare { get; init; } = 0.75m;

    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
    public string? HouseholdId { get; init; }
    public int MaxFindings { get; init; } = 200;

    public static AuditSettings Default { get; } = new();

    private static readonly string[] InstantFormats =
        ["yyyy-MM-dd", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"];

    /// <summary>An ISO 8601 date (midnight UTC) or date and time (UTC unless it carries an offset) for a window bound;
    /// null or empty is no bound. Anything else is bad input naming <paramref name="field"/>.</summary>
    public static DateTimeOffset? ParseInstant(string? text, string field)
    {
        if (string.IsNullOrEmpty(text)) return null;
        return DateTimeOffset.TryParseExact(text, InstantFormats, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
            ? at
            : throw new BadInputException($"{field} must be an ISO 8601 date or date and time, e.g. 2026-03-01 or 2026-03-01T14:30:00Z");
    }

    public void Validate()
    {
        if (MinTrade < 0) throw new BadInputException("minTrade must be >= 0");
        if (MaxFindings < 0) throw new BadInputException("maxFindings must be >= 0");
        if (From is { } f && To is { } t && t < f) throw new BadInputException("to must not be before from");
    }
}

/// <summary>The compliance audit over the append-only journal: counts the decision defects a reviewer looks for
/// (self-washed sales, self-blocked harvests, dust and fractional orders, frozen decisions, unpaid withdrawals with
/// cash on hand) with one finding per defect. Entries before <see cref="AuditSettings.From"/> are read as context
/// only (the engine fill a later wash-sale adjustment names, the account's settings, the books the replay rebuilds);
/// entries at or after <see cref="AuditSettings.To"/> are ignored, so the audit sees the journal as it stood then.</summary>
public static class JournalAudit
{
    public static AuditReport Run(IEnumerable<JournalEntry> entries, AuditSettings settings)
    {
        settings.Validate();
        var journal = entries
            .Where(e => (settings.HouseholdId is null || e.HouseholdId == settings.HouseholdId) && (settings.To is null || e.OccurredAt < settings.To))
            .OrderBy(e => e.Id).ToList();
        bool InWindow(JournalEntry e) => settings.From is null || e.OccurredAt >= settings.From;

        // Payloads the audit and the replay share are read once; an unreadable one is reported by the replay, not twice.
        var read = journal.Select(e => (Entry: e, Record: TryRead(e))).ToList();
        var specs = new Dictionary<string, AccountSpec>(StringComparer.Ordinal);
        var fills = new EngineFills();
        // Each lot's basis per share as it was opened or bought (a refused lot is judged against it).
        var lots = new Dictionary<(string Account, string Lot), (decimal BasisPerShare, DateOnly Purchased)>();
        var withdrawalRequests = new Dictionary<(string Account, string Key), JournalEntry>();
        // Sale proceeds still settling (T+1) when the journal ends: a withdrawal waiting for them is not unpaid.
        var asOf = journal.Count == 0 ? DateOnly.MinValue : Calendar.TradingCalendar.Nyse.DateAt(settings.To ?? journal.Max(e => e.OccurredAt));
        var settling = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var clientEvents = new ClientEventDecisions();
        foreach (var (e, record) in read)
        {
            switch (record)
            {
                case Trigger trigger:
                    clientEvents.Decided(e, trigger);
                    break;
                case AccountOpening opening:
                    specs[opening.Spec.Id] = opening.Spec;
                    foreach (var lot in opening.Lots) if (lot.Quantity > 0) lots[(opening.Spec.Id, lot.Id)] = (lot.Basis / lot.Quantity, lot.Purchased);
                    break;
                case TradeResult fill:
                    if (SimulatedBroker.IsOrderKey(e.HouseholdId, fill.IdempotencyKey)) fills.Add(fill);
                    if (fill.CreatedLot is { Quantity: > 0 } created) lots[(fill.AccountId, created.Id)] = (created.Basis / created.Quantity, created.Purchased);
                    if (fill.Request is { Side: TradeSide.Sell } sale && Calendar.TradingCalendar.Nyse.SettlementDate(sale.TradeDate) > asOf)
                        settling[fill.AccountId] = settling.GetValueOrDefault(fill.AccountId) + sale.Quantity * sale.Price - sale.Commission;
                    break;
                case CashMovement { Kind: CashKind.Withdrawal } w when e.AccountId is { } account && !IsPaid(e):
                    withdrawalRequests[(account, w.IdempotencyKey)] = e;
                    break;
            }
        }

        var report = new Tallies(settings.MaxFindings);
        var decided = new TriggerDecisions();
        foreach (var (e, record) in read.Where(r => InWindow(r.Entry)))
        {
            report.Scanned(e);
            if (ClientEvents.Raised(e, record) is { } raised) clientEvents.Recorded(e, raised);
            switch (record)
            {
                case TradeResult fill when SimulatedBroker.IsOrderKey(e.HouseholdId, fill.IdempotencyKey):
                    report.EngineFills++;
                    CheckOrderSize(e, fill, specs.GetValueOrDefault(fill.AccountId), settings.MinTrade, report);
                    break;
                case WashSaleAdjustment adjustment:
                    CheckSelfWash(e, adjustment, fills, report);
                    break;
                case null when e.Kind == JournalKind.WashSale && IsRefusal(e):
                    if (Read<WashSaleCheck>(e, report) is { } check) CheckSelfBlock(e, check, fills, lots, specs, settings, report);
                    break;
                case null when e.Kind == JournalKind.Decision:
                    if (Read<DecisionRecord>(e, report) is { } decision) CheckDecision(e, decision, report);
                    break;
                case null when e.Kind == JournalKind.Proposal:
                    if (Read<RebalanceProposal>(e, report) is { } proposal) decided.Add(e, proposal);
                    break;
            }
        }
        decided.Check(report);
        clientEvents.Check(report);

        // Replayed household by household, so a problem is reported against its household.
        foreach (var household in journal.GroupBy(e => e.HouseholdId, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var replay = JournalReplay.Replay(household);
            report.LoadedAccounts += replay.LoadedAccounts.Count;
            foreach (var problem in replay.Problems)
                report.Unreadable.Add(new AuditFinding(household.Key, null, 0, null, $"The journal of {household.Key} cannot be replayed: {problem}."));
            CheckWithdrawals(replay, withdrawalRequests, settling, report);
        }

        return report.ToReport(settings);
    }

    /// <summary>The purchase a lot comes from: a wash-sale split piece <c>L.2</c> has root <c>L</c>.</summary>
    public static string RootLotId(string lotId)
    {
        var dot = lotId.LastIndexOf('.');
        return dot > 0 && dot < lotId.Length - 1 && AllDigits(lotId.AsSpan(dot + 1)) ? lotId[..dot] : lotId;
    }

    /// <summary>A sell that relieves every lot it touches in full (the engine sells lot by lot): a lot smaller than the
    /// minimum, or a fractional lot, can only leave the account this way, so neither rule applies to it.</summary>
    public static bool ClosesWholeLots(TradeResult fill) =>
        fill.Request.Side == TradeSide.Sell && fill.Sales.Length > 0 && fill.Sales.All(s => s.Quantity == s.Lot.Quantity);

    private static void CheckOrderSize(JournalEntry e, TradeResult fill, AccountSpec? spec, decimal firmMinimum, Tallies report)
    {
        if (ClosesWholeLots(fill)) return;
        var r = fill.Request;
        var value = r.Quantity * r.Price;
        var minimum = spec?.MinTrade ?? firmMinimum;
        if (value < minimum)
            report.Dust.Add(Finding(e, fill.AccountId, Text(
                $"Engine order {fill.IdempotencyKey} {Side(r)} {r.Quantity} {r.Symbol} in {fill.AccountId} worth {value:0.00}, below the minimum trade of {minimum:0.00}.")));
        if (r.Quantity != decimal.Truncate(r.Quantity) && spec?.FractionalShares != true)
            report.Fractional.Add(Finding(e, fill.AccountId, Text(
                $"Engine order {fill.IdempotencyKey} {Side(r)} {r.Quantity} {r.Symbol} in {fill.AccountId}, a fraction of a share, but the account trades whole shares only.")));
    }

    private static void CheckSelfWash(JournalEntry e, WashSaleAdjustment a, EngineFills fills, Tallies report)
    {
        var purchase = fills.Purchase(a.Account, a.LotId);
        var sale = fills.Sale(a.LossAccount, a.SaleDate, a.SoldLotId);
        if (purchase is null || sale is null) return;
        if (a.Permanent) report.PermanentSelfWashes++;
        report.SelfWashed.Add(Finding(e, e.AccountId ?? a.Account, Text(
            $"Engine order {sale.IdempotencyKey} sold lot {a.SoldLotId} at a loss in {a.LossAccount} on {a.SaleDate:yyyy-MM-dd} and engine order {purchase.IdempotencyKey} bought its replacement (lot {a.LotId}) in {a.Account} on {purchase.Request.TradeDate:yyyy-MM-dd}: {a.Disallowed:0.00} disallowed{(a.Permanent ? " permanently" : "")}.")));
    }

    /// <summary>A harvest refused because of an engine purchase: a defect when the refused lot was already at or close to a
    /// harvestable loss at the purchase's price (<see cref="HarvestProtection.ProtectedLoss"/>, the rule the engine buys by);
    /// a purchase made while the lot stood above that only deferred the harvest of a fall that came later (counted, not a
    /// defect), as is the harvest of a lot bought after the purchase. The refusal carries its lot; an older refusal's lot the
    /// journal does not show opened or bought is judged a defect. The same purchase blocking the same lot
    /// is counted once, however many days its harvest is asked again.</summary>
    private static void CheckSelfBlock(JournalEntry e, WashSaleCheck check, EngineFills fills, Dictionary<(string, string), (decimal BasisPerShare, DateOnly Purchased)> lots,
        Dictionary<string, AccountSpec> specs, AuditSettings settings, Tallies report)
    {
        foreach (var r in check.Replacements)
        {
            if (fills.Purchase(r.Account, r.LotId) is not { } purchase || purchase.Request.TradeDate != r.Purchased) continue;
            // The harvest is asked again each day the lot stays harvestable: one purchase blocking one lot is one finding.
            if (!report.Blocks.Add((check.AccountId, check.LotId, r.Account, r.LotId))) return;
            // The refusal carries its lot (entries from before it did, and lots the journal never saw opened, are looked up).
            var refused = check.Lot is { } carried ? (carried.BasisPerShare, carried.Purchased)
                : lots.TryGetValue((check.AccountId, check.LotId), out var known) || lots.TryGetValue((check.AccountId, RootLotId(check.LotId)), out known)
                ? known : ((decimal BasisPerShare, DateOnly Purchased)?)null;
            // A lot bought after the purchase was not there to protect; one that was is judged at the purchase's price.
            if (refused is { } lot && (lot.Purchased > purchase.Request.TradeDate
                || (lot.BasisPerShare - purchase.Request.Price) * check.Quantity < HarvestProtection.ProtectedLoss(
                    specs.TryGetValue(check.AccountId, out var spec) ? spec.Harvest : HarvestPolicy.Default, lot.BasisPerShare * check.Quantity, settings.ProtectionShare)))
            {
                report.HarvestsDeferred++;
                return;
            }
            report.SelfBlocked.Add(Finding(e, e.AccountId ?? check.AccountId, Text(
                $"Harvest of lot {check.LotId} in {check.AccountId} refused on {check.Date:yyyy-MM-dd} because engine order {purchase.IdempotencyKey} bought {r.Quantity} replacement shares (lot {r.LotId}) in {r.Account} on {r.Purchased:yyyy-MM-dd}.")));
            return; // one refusal is one defect, however many engine purchases cause it
        }
    }

    private static void CheckDecision(JournalEntry e, DecisionRecord decision, Tallies report)
    {
        report.Decisions++;
        if (decision.Relaxed.Length > 0) report.RelaxedDecisions++;
        if (decision.Outcome == DecisionOutcome.NoPlan)
            report.Frozen.Add(Finding(e, e.AccountId, Text(
                $"Decision for {decision.HouseholdId} found no plan: {decision.Reason?.TrimEnd('.') ?? "no reason recorded"}.")));
    }

    private static void CheckWithdrawals(JournalReplayResult replay, Dictionary<(string, string), JournalEntry> requests,
        Dictionary<string, decimal> settling, Tallies report)
    {
        foreach (var account in replay.Accounts.Values.OrderBy(a => a.HouseholdId, StringComparer.Ordinal).ThenBy(a => a.AccountId, StringComparer.Ordinal))
        {
            foreach (var (key, amount) in account.PendingWithdrawals.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                if (amount > account.Cash - settling.GetValueOrDefault(account.AccountId)) continue;
                var request = requests.GetValueOrDefault((account.AccountId, key));
                report.Unpaid.Add(new AuditFinding(account.HouseholdId, account.AccountId, request?.Id ?? 0, request?.IdempotencyKey ?? JournalReplay.CashKeyPrefix + key,
                    Text($"Withdrawal {key} of {amount:0.00} from {account.AccountId} is still unpaid although the account holds {account.Cash:0.00} cash.")));
            }
        }
    }

    /// <summary>Reads the payloads the audit and the replay share; null when the entry is of another kind or unreadable.</summary>
    private static object? TryRead(JournalEntry e)
    {
        try
        {
            return e.Kind switch
            {
                JournalKind.AccountOpened => JournalFormat.Read<AccountOpening>(e.Payload),
                JournalKind.Fill => JournalFormat.Read<TradeResult>(e.Payload),
                JournalKind.WashSale when e.IdempotencyKey?.StartsWith("wash:", StringComparison.Ordinal) == true => JournalFormat.Read<WashSaleAdjustment>(e.Payload),
                JournalKind.Cash => JournalFormat.Read<CashMovement>(e.Payload),
                JournalKind.Trigger => JournalFormat.Read<Trigger>(e.Payload),
                JournalKind.ModelChange => JournalFormat.Read<ModelChangeHeard>(e.Payload),
                _ => null,
            };
        }
        catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException)
        {
            return null;
        }
    }

    /// <summary>Reads a payload only the audit reads; an unreadable one is a finding of its own.</summary>
    private static T? Read<T>(JournalEntry e, Tallies report) where T : class
    {
        try { return JournalFormat.Read<T>(e.Payload); }
        catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException)
        {
            report.Unreadable.Add(Finding(e, e.AccountId, $"Entry {e.Id} ({e.Kind} {e.IdempotencyKey}) is not a readable {typeof(T).Name}: {ex.Message}"));
            return null;
        }
    }

    private static bool IsRefusal(JournalEntry e) => e.IdempotencyKey?.StartsWith(JournalKeys.RefusedHarvest, StringComparison.Ordinal) == true;

    private static bool IsPaid(JournalEntry e) => e.IdempotencyKey?.StartsWith(JournalReplay.PaidKeyPrefix, StringComparison.Ordinal) == true;

    private static AuditFinding Finding(JournalEntry e, string? account, string explanation) => new(e.HouseholdId, account, e.Id, e.IdempotencyKey, explanation);

    private static string Side(TradeRequest r) => r.Side == TradeSide.Buy ? "bought" : "sold";

    private static string Text(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static bool AllDigits(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty) return false;
        foreach (var c in text) if (!char.IsAsciiDigit(c)) return false;
        return true;
    }

    /// <summary>The engine's fills of the journal, indexed by what wash-sale entries name: a purchase by account and the
    /// lot it created, a sale by account, trade date and lot sold.</summary>
    private sealed class EngineFills
    {
        private readonly Dictionary<(string Account, string Lot), TradeResult> _purchases = new();
        private readonly Dictionary<(string Account, DateOnly Date, string Lot), TradeResult> _sales = new();

        public void Add(TradeResult fill)
        {
            if (fill.Request.Side == TradeSide.Buy)
            {
                if (fill.CreatedLot is { } lot) _purchases[(fill.AccountId, lot.Id)] = fill;
                return;
            }
            foreach (var lot in fill.Sales.Select(s => s.Lot.Id).Concat(fill.Realized.Select(r => r.LotId)))
                _sales[(fill.AccountId, fill.Request.TradeDate, lot)] = fill;
        }

        /// <summary>The engine buy that created <paramref name="lotId"/> (or the lot it was split from) in the account.</summary>
        public TradeResult? Purchase(string account, string lotId) =>
            _purchases.GetValueOrDefault((account, lotId)) ?? _purchases.GetValueOrDefault((account, RootLotId(lotId)));

        public TradeResult? Sale(string account, DateOnly date, string lotId) => _sales.GetValueOrDefault((account, date, lotId));
    }

    /// <summary>
    /// Which decision each trigger was decided in: a household decides a trigger once (issue #18: "every household decided
    /// exactly once per trigger", also across a silo's death). A trigger is its account, kind, subject, batch and the time
    /// it was detected (a condition the monitor reports again later, as a reminder or after a held notice, is a new
    /// trigger). A decision is its household's proposals created at one instant (discretionary accounts' and the others'
    /// carry the same causes); a re-optimized proposal carrying exactly the causes of the one it supersedes continues
    /// that decision.
    /// </summary>
    private sealed class TriggerDecisions
    {
        private readonly Dictionary<string, (JournalEntry Entry, RebalanceProposal Proposal)> _proposals = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _supersededBy = new(StringComparer.Ordinal);

        public void Add(JournalEntry e, RebalanceProposal proposal)
        {
            _proposals.TryAdd(proposal.Id, (e, proposal));
            if (proposal.SupersededBy is { } next) _supersededBy[proposal.Id] = next;
        }

        public void Check(Tallies report)
        {
            var continues = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (old, next) in _supersededBy)
                if (_proposals.TryGetValue(old, out var o) && _proposals.TryGetValue(next, out var n) && o.Proposal.Causes.SequenceEqual(n.Proposal.Causes))
                    continues[next] = old;
            (string Household, DateTimeOffset At) DecisionOf(string id)
            {
                for (var hops = 0; continues.TryGetValue(id, out var old) && hops < _proposals.Count; hops++) id = old;
                var p = _proposals[id].Proposal;
                return (p.HouseholdId, p.CreatedAt);
            }
            var decidedIn = new Dictionary<TriggerIdentity, (string Household, DateTimeOffset At)>();
            var reported = new HashSet<TriggerIdentity>();
            foreach (var (id, (e, p)) in _proposals.OrderBy(kv => kv.Value.Entry.Id))
            {
                var decision = DecisionOf(id);
                foreach (var c in p.Causes)
                {
                    var key = TriggerIdentity.Of(c);
                    if (!decidedIn.TryGetValue(key, out var first)) { decidedIn[key] = decision; continue; }
                    if (first != decision && reported.Add(key))
                        report.DecidedTwice.Add(Finding(e, c.AccountId, Text(
                            $"The {c.Kind.ToString().ToLowerInvariant()} trigger on {c.Subject} in {c.AccountId} detected {c.DetectedAt:O} was decided at {first.At:O} and again by proposal {p.Id} at {p.CreatedAt:O}.")));
                }
            }
        }
    }

    /// <summary>
    /// Whether each client event (<see cref="ClientEvents"/>) became a decision's cause: its trigger journaled, matched one
    /// to one in time order by account, kind and subject. An event whose trigger never was is a defect once its household
    /// journaled a trigger its account sent after the event's (for a household's own change, any trigger detected after it):
    /// the event's went first and would have been decided first. Without such a trigger the event may still wait (a decision
    /// running as the journal was read, the market closed), and is not counted.
    /// </summary>
    private sealed class ClientEventDecisions
    {
        private readonly List<(JournalEntry Entry, RaisedTrigger Raised)> _events = [];
        private readonly Dictionary<string, List<Trigger>> _triggers = new(StringComparer.Ordinal);

        public void Recorded(JournalEntry e, RaisedTrigger raised) => _events.Add((e, raised));

        public void Decided(JournalEntry e, Trigger trigger)
        {
            if (!_triggers.TryGetValue(e.HouseholdId, out var list)) _triggers[e.HouseholdId] = list = [];
            list.Add(trigger);
        }

        public void Check(Tallies report)
        {
            report.ClientEventsRecorded = _events.Count;
            foreach (var household in _events.GroupBy(ev => ev.Entry.HouseholdId, StringComparer.Ordinal))
            {
                var triggers = _triggers.GetValueOrDefault(household.Key)?.OrderBy(t => t.DetectedAt).ToList() ?? [];
                var taken = new bool[triggers.Count];
                foreach (var ev in household.OrderBy(ev => ev.Entry.OccurredAt).ThenBy(ev => ev.Entry.Id))
                {
                    var at = ev.Entry.OccurredAt;
                    var match = -1;
                    for (var i = 0; i < triggers.Count && match < 0; i++)
                        if (!taken[i] && triggers[i].DetectedAt >= at && ev.Raised.Is(triggers[i])) match = i;
                    if (match >= 0) { taken[match] = true; continue; }
                    // The household's own change is in its inbox before any later trigger; an account's event before any later
                    // one the account sent (an order's resolution and a household's change are detected on the household's side).
                    var account = ev.Raised.AccountId;
                    var later = triggers.FirstOrDefault(t => t.DetectedAt > at && (account is null || (t.AccountId == account && ClientEvents.SentByAccount(t))));
                    if (later is null) continue;
                    report.EventsNotDecided.Add(Finding(ev.Entry, account, Text(
                        $"{ev.Entry.Summary} at {at:O} never became a decision's cause, though the household decided the {later.Kind.ToString().ToLowerInvariant()} trigger on {later.Subject} in {later.AccountId} detected after it, at {later.DetectedAt:O}.")));
                }
            }
        }
    }

    /// <summary>The counts as the scan goes; each category keeps its first <c>cap</c> findings.</summary>
    private sealed class Tallies(int cap)
    {
        private readonly HashSet<string> _households = new(StringComparer.Ordinal);

        public long Entries { get; private set; }
        public int EngineFills;
        public int Decisions;
        public int RelaxedDecisions;
        public int PermanentSelfWashes;
        public int HarvestsDeferred;
        public int LoadedAccounts;
        public HashSet<(string, string, string, string)> Blocks { get; } = [];
        public Category SelfWashed { get; } = new(cap);
        public Category SelfBlocked { get; } = new(cap);
        public Category Dust { get; } = new(cap);
        public Category Fractional { get; } = new(cap);
        public Category Frozen { get; } = new(cap);
        public Category Unpaid { get; } = new(cap);
        public Category Unreadable { get; } = new(cap);
        public Category DecidedTwice { get; } = new(cap);
        public Category EventsNotDecided { get; } = new(cap);
        public int ClientEventsRecorded;

        public void Scanned(JournalEntry e)
        {
            Entries++;
            _households.Add(e.HouseholdId);
        }

        public AuditReport ToReport(AuditSettings s) => new(s.HouseholdId, s.From, s.To, s.MinTrade, Entries, _households.Count, EngineFills, Decisions,
            SelfWashed.Result(), PermanentSelfWashes, SelfBlocked.Result(), Dust.Result(), Fractional.Result(), Frozen.Result(), RelaxedDecisions,
            Unpaid.Result(), Unreadable.Result(), HarvestsDeferred, TriggersDecidedTwice: DecidedTwice.Result(),
            AccountsLoadedInBulk: LoadedAccounts, ClientEvents: ClientEventsRecorded, ClientEventsNotDecided: EventsNotDecided.Result());
    }

    private sealed class Category(int cap)
    {
        private readonly List<AuditFinding> _findings = [];
        private int _count;

        public void Add(AuditFinding finding)
        {
            _count++;
            if (_findings.Count < cap) _findings.Add(finding);
        }

        public AuditCategory Result() => _count == 0 ? AuditCategory.None : new(_count, [.. _findings]);
    }
}
