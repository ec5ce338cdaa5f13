using System.Collections.Immutable;

using Orleans.Concurrency;

namespace Households.Contracts;

/// <summary>A security: its definition in the firm's master and its last price on this silo's board.</summary>
[Alias("ISecurityGrain")]
public interface ISecurityGrain : IGrainWithStringKey
{
    /// <summary>The definition, or null when the firm has no such security.</summary>
    [Alias("GetDefinition")] Task<Security?> GetDefinition();

    /// <summary>The last price the silo's price board holds, or null before the first quote.</summary>
    [Alias("GetQuote")] Task<SecurityQuote?> GetQuote();
}

/// <summary>The firm's security master (key "firm"): every silo loads it to map symbols to sectors and classes.</summary>
[Alias("IUniverseGrain")]
public interface IUniverseGrain : IGrainWithStringKey
{
    /// <summary>Adds or replaces definitions; returns the new version.</summary>
    [Alias("Upsert")] Task<int> Upsert(Security[] securities);

    /// <summary>Every definition the firm has, with the version of the last upsert (0 before the first).</summary>
    [Alias("GetAll")] Task<UniverseSnapshot> GetAll();
}

[GenerateSerializer, Immutable, Alias("UniverseSnapshot")]
public sealed record UniverseSnapshot(
    [property: Id(0)] int Version,
    ImmutableArray<Security> Securities)
{
    [Id(1)] public ImmutableArray<Security> Securities { get => field.OrEmpty(); init; } = Securities;
}

/// <summary>A firm target model. Accounts following it are told when it changes.</summary>
[Alias("IModelGrain")]
public interface IModelGrain : IGrainWithStringKey
{
    /// <summary>Creates or replaces the model (validated: weights sum to one, sub-models exist, no cycles).</summary>
    [Alias("Define")] Task Define(TargetModel model);

    /// <summary>The model as last defined (sleeves and sub-models, not flattened), or null when it was never defined.
    /// Interleaves: a parent resolving reads it while this model waits for that parent to hear of a change.</summary>
    [Alias("Get"), AlwaysInterleave] Task<TargetModel?> Get();

    /// <summary>The model flattened to security and asset-class targets (models of models expanded).</summary>
    [Alias("Resolve")] Task<ResolvedTarget> Resolve();

    /// <summary>An account follows the model: it is told when the model (or a model inside it) changes. Returns once the
    /// follower is stored. Interleaves with other calls: concurrent follows share one state write.</summary>
    [Alias("Follow"), AlwaysInterleave] Task Follow(string accountId);

    /// <summary>A model that contains this one registers itself, so a change here reaches its accounts too. Interleaves as
    /// <see cref="Follow"/> does: a parent being defined waits on it while this model may be waiting on that parent.</summary>
    [Alias("AddParent"), AlwaysInterleave] Task AddParent(string parentModelId);

    /// <summary>A model inside this one changed: tell this model's accounts and parents. Returns once this model has stored
    /// that it owes them the notice and has told them, so the sub-model clears its own debt only then; a failure leaves the
    /// notice owed (paid at the next activation or definition), and an account may hear it twice.</summary>
    [Alias("OnSubModelChanged")] Task OnSubModelChanged(string changedModelId);
}

/// <summary>An account: lots, cash and target in memory; drift from the silo's price board.</summary>
[Alias("IAccountGrain")]
public interface IAccountGrain : IGrainWithStringKey
{
    /// <summary>Opens the account with its settings, cash and lots; persisted before returning.
    /// Opening again with the same content is a no-op; different content is bad input.</summary>
    [Alias("Open")] Task Open(AccountOpening opening);

    /// <summary>Null when the account was never opened. Interleaves with every call (a read of settings that only
    /// <see cref="Open"/> and restriction updates replace whole), so access checks never wait behind a write.</summary>
    [Alias("GetSpec"), AlwaysInterleave] Task<AccountSpec?> GetSpec();

    /// <summary>The open lots with the purchase each piece comes from.</summary>
    [Alias("GetLots")] Task<LotPiece[]> GetLots();

    /// <summary>Live state: holdings with lots valued at the board's prices, drift per line, open triggers.</summary>
    [Alias("GetView")] Task<AccountView> GetView();

    /// <summary>The account's live figures at the silo board's current batch: value, drift lines out of band, harvestable
    /// lots, open triggers (no holdings or lots). Computed from the monitor's snapshot with the monitor's kernel and, once
    /// asked for twice in a batch, kept until the batch, the snapshot or the open triggers change, so repeated reads
    /// between batches cost nothing.
    /// Interleaves with every call: it reads only the published snapshot, never books in the middle of a write.
    /// After such a read the account tells its household (one-way) when these figures change other than by price.</summary>
    [Alias("GetLiveState"), AlwaysInterleave] Task<AccountLiveState> GetLiveState();

    /// <summary>Applies a fill the household has cleared. Applied once per idempotency key (a retry returns the
    /// first result, marked replayed) and persisted before the result is returned. Only the household calls
    /// this, so calls flow household → account and never back (no call cycles between non-reentrant grains).</summary>
    [Alias("ApplyTrade")] Task<TradeResult> ApplyTrade(TradeRequest trade);

    /// <summary>Applies the household's cleared fills in the order given (a proposal's sells, then the buys they fund) with
    /// one state write, persisted before returning. Each key applies once, as in <see cref="ApplyTrade"/>: a key applied
    /// before answers its first result marked replayed, a key used for a different trade is refused; an order the books
    /// refuse (no such lot, not enough cash) is refused alone and the others still apply. One outcome per order, in order.</summary>
    [Alias("ApplyTrades")] Task<TradeOutcome[]> ApplyTrades(TradeRequest[] trades);

    /// <summary>Applies the household's wash-sale adjustments to this account's replacement lots (split, basis,
    /// holding period); persisted before returning. Returns the adjusted lots.</summary>
    [Alias("ApplyWashSaleAdjustments")] Task<TaxLot[]> ApplyWashSaleAdjustments(WashSaleAdjustment[] adjustments);

    /// <summary>Applies a corporate action to the account's lots and cash (split, ticker change, merger, spin-off, dividend,
    /// return of capital); persisted before returning. Applied once per action id: again, it answers the first effect marked
    /// replayed. Only the household calls this (it clears the sales and reinvestments in its ledger).</summary>
    [Alias("ApplyCorporateAction")] Task<CorporateActionEffect> ApplyCorporateAction(CorporateAction action);

    /// <summary>Applies corrections of record in order (shares transferred in or out, a reconciliation's custodian figures):
    /// never a trade, nothing realized. All or none: a correction the books refuse (no such lot, too few shares) is bad input
    /// and nothing changes. Each key applies once (again, its first effect marked replayed; a key reused for a different
    /// correction is bad input). Persisted and journaled (<see cref="JournalKind.BookCorrection"/>) before returning.</summary>
    [Alias("ApplyBookCorrections")] Task<BookCorrectionEffect[]> ApplyBookCorrections(BookCorrection[] corrections);

    /// <summary>Which of <paramref name="keys"/> the account has applied, as a trade (those the idempotency window keeps), a
    /// cash movement or a correction (those older than the window from the journal).</summary>
    [Alias("AppliedKeys")] Task<string[]> AppliedKeys(string[] keys);

    /// <summary>The silo monitor's notice of crossings (drift out of band, a lot harvestable) or an event the account raised
    /// itself: kept among the open triggers (the newest 32), and those its cooldowns, hourly budget and the firm-wide budget
    /// admit go to the household one-way. Nothing is persisted; never waits on the household.</summary>
    [Alias("OnTriggers"), OneWay] Task OnTriggers(Trigger[] triggers);

    /// <summary>The household decided this account's triggers detected up to <paramref name="detectedThrough"/> (its
    /// proposals are persisted): the account stops holding them for a resend, a client's events in its stored state too.</summary>
    [Alias("OnDecided"), OneWay] Task OnDecided(DateTimeOffset detectedThrough);

    /// <summary>A silo died: the market triggers this account sent its household that it has not confirmed deciding go to it
    /// again (the household may have died with them in its inbox); the household drops those it already decided.</summary>
    [Alias("ResendUndecided"), OneWay] Task ResendUndecided();

    /// <summary>The household recorded these fills (by idempotency key) in its ledger and the journal: the account stops
    /// holding them for a catch-up after a silo's death.</summary>
    [Alias("OnFillsRecorded"), OneWay] Task OnFillsRecorded(string[] keys);

    /// <summary>The triggers the account holds open (the newest 32, oldest first), in memory only: empty after a reactivation.</summary>
    [Alias("GetTriggers")] Task<Trigger[]> GetTriggers();

    /// <summary>What the household needs to decide: the spec, spendable cash, open lots, the resolved target (null without a
    /// model) and the withdrawals waiting to be paid. Bad input when the account does not exist.</summary>
    [Alias("GetDecisionInput")] Task<AccountDecisionInput> GetDecisionInput();

    /// <summary>Records a deposit, dividend or withdrawal request (once per idempotency key), persisted before
    /// returning, and raises a cash trigger. Returns the cash after it.</summary>
    [Alias("RecordCash")] Task<decimal> RecordCash(CashMovement movement);

    /// <summary>Pays out the pending withdrawals the account's settled cash now covers (unsettled sale proceeds are never
    /// paid out); returns the amount paid and what waits only for settlement, with the date it settles.</summary>
    [Alias("PayWithdrawals")] Task<WithdrawalPayment> PayWithdrawals();

    /// <summary>Replaces the account's restrictions (ESG exclusions, client restrictions), persisted before returning, and
    /// raises a restriction trigger (an event: it skips the cooldowns). Bad input changes nothing.</summary>
    [Alias("UpdateRestrictions")] Task UpdateRestrictions(Restriction[] restrictions);

    /// <summary>Sets the account's own investment policy (null clears it: the household's applies), persists it and raises a
    /// policy trigger so the household decides again under it.</summary>
    [Alias("SetPolicy")] Task SetPolicy(InvestmentPolicy? policy);

    /// <summary>The account's model changed: the target is resolved again, the monitor's snapshot rebuilt and a model-change
    /// trigger raised (an event: it skips the cooldowns). One-way; an account never opened ignores it.</summary>
    [Alias("OnModelChanged"), OneWay] Task OnModelChanged(string modelId);

    /// <summary>Idempotency keys of the trades applied and kept that are dated on or after <paramref name="since"/> (every
    /// kept one when null): the household compares them with the fills its ledger keeps.</summary>
    [Alias("GetAppliedTradeKeysSince")] Task<string[]> GetAppliedTradeKeysSince(DateOnly? since);

    /// <summary>The stored result of an applied trade, or null.</summary>
    [Alias("GetAppliedTrade")] Task<TradeResult?> GetAppliedTrade(string idempotencyKey);

    /// <summary>Cash, lots, applied trade keys and pending withdrawals as stored (for reconciliation).</summary>
    [Alias("GetLedger")] Task<AccountLedger> GetLedger();

    /// <summary>Which silo monitors the account and the newest batch its monitor has scanned it at.</summary>
    [Alias("GetMonitoring")] Task<AccountMonitoring> GetMonitoring();
}

/// <summary>A household: the serialization point for its accounts' trades (wash-sale seam) and their aggregate.</summary>
[Alias("IHouseholdGrain")]
public interface IHouseholdGrain : IGrainWithStringKey
{
    /// <summary>Creates the household and opens its accounts. Bad input changes nothing.</summary>
    [Alias("Create")] Task Create(HouseholdSpec household, AccountOpening[] accounts);

    /// <summary>Null when the household does not exist. Interleaves with every call (the spec is written once, at
    /// creation), so access checks never wait behind a trade or a decision.</summary>
    [Alias("GetSpec"), AlwaysInterleave] Task<HouseholdSpec?> GetSpec();

    /// <summary>The household's view: every account's view (holdings valued at the board's prices, drift, open triggers),
    /// the totals and asset-class drift, and the tax view (realized gains this year, buy blackouts). Catches the ledger up
    /// with fills its accounts applied first; bad input when the household does not exist.</summary>
    [Alias("GetView")] Task<HouseholdView> GetView();

    /// <summary>The household's live state (totals and each account's live figures, no lots or tax view), or null when
    /// the household does not exist. Accounts on the household's silo answer from what they publish on the silo's live
    /// board (no call); others are asked. Kept per price batch from its second read in the batch on (one read a batch
    /// keeps nothing): answered again as it is until a new batch reaches the silo, an account's figures change other than
    /// by price (a new publication, or <see cref="OnAccountChanged"/> from another silo) or a proposal changes. Needs neither the wash-sale ledger nor the catch-up, and interleaves with
    /// every call, so it never waits behind a trade or a decision in progress.</summary>
    [Alias("GetLiveState"), AlwaysInterleave] Task<HouseholdLiveState?> GetLiveState();

    /// <summary>An account's live figures changed other than by price (a fill, cash, its model, a trigger) after the
    /// household read them: the kept live state is dropped. One-way, and interleaves with every call.</summary>
    [Alias("OnAccountChanged"), OneWay, AlwaysInterleave] Task OnAccountChanged(string accountId);

    /// <summary>Records a fill on one of the household's accounts: the account applies it (once per idempotency key; a retry
    /// answers the first result marked replayed), then the household's wash-sale and realized-gains ledger records it and its
    /// wash-sale adjustments go to the accounts; both writes are persisted before returning. The household is the
    /// serialization point for its accounts' trades. Bad input (an account not in the household, a refused trade) changes nothing.</summary>
    [Alias("RecordTrade")] Task<TradeResult> RecordTrade(string accountId, TradeRequest trade);

    /// <summary>Pre-trade: would selling <paramref name="quantity"/> shares of the lot on <paramref name="date"/> at a
    /// loss be a wash sale, and which shares in which accounts would cause it? Changes nothing.</summary>
    [Alias("CheckLossSale")] Task<WashSaleCheck> CheckLossSale(string accountId, string lotId, decimal quantity, DateOnly date);

    /// <summary>The securities (wash-sale keys) the account should not buy on or after <paramref name="date"/>, each
    /// through the last day a purchase would wash an open loss in the household.</summary>
    [Alias("BuyBlackouts")] Task<BuyBlackout[]> BuyBlackouts(string accountId, DateOnly date);

    /// <summary>Applies a corporate action to every account of the household that holds the security, through the household's
    /// wash-sale and realized-gains ledger, journaled; persisted before returning. Once per action id: again, it answers
    /// the first result marked replayed. A date before the household's last trade is refused (in the result).</summary>
    [Alias("ApplyCorporateAction")] Task<HouseholdCorporateAction> ApplyCorporateAction(CorporateAction action);

    /// <summary>Applies a custodian's transactions for this household's accounts (docs/formats.md §17), in trade-date order:
    /// buys and sells as fills through the wash-sale and realized-gains ledger, cash rows as cash movements, shares transferred
    /// as corrections of record. A transaction the account applied before is reported already applied and not applied again.
    /// The rest are rehearsed on copies of the books first: when any row cannot apply (or <paramref name="rehearseOnly"/>),
    /// nothing is applied and the other rows are reported not applied. Each applied row is persisted and journaled before the
    /// next. One outcome per row, in the order given.</summary>
    [Alias("ApplyCustodianTransactions")] Task<CustodianTransactionOutcome[]> ApplyCustodianTransactions(CustodianTransaction[] rows, bool rehearseOnly);

    /// <summary>Applies corrections of record to one of the household's accounts in the household's turn (no fill interleaves):
    /// see <see cref="IAccountGrain.ApplyBookCorrections"/>. Never a sale: the realized-gains ledger does not see them.</summary>
    [Alias("CorrectBooks")] Task<BookCorrectionEffect[]> CorrectBooks(string accountId, BookCorrection[] corrections);

    /// <summary>Triggers an account admitted (after its cooldowns). Interleaves: the triggers join the household's inbox
    /// and one decision at a time decides everything waiting (<see cref="DecideWaiting"/>), proposing or executing.</summary>
    [Alias("OnAccountTriggers"), OneWay, AlwaysInterleave] Task OnAccountTriggers(string accountId, Trigger[] triggers);

    /// <summary>Triggers an account sends again after a silo died (<see cref="IAccountGrain.ResendUndecided"/>): those a
    /// proposal of this household already names are dropped, the rest join the inbox as <see cref="OnAccountTriggers"/>.</summary>
    [Alias("OnAccountTriggersResent"), OneWay, AlwaysInterleave] Task OnAccountTriggersResent(string accountId, Trigger[] triggers);

    /// <summary>Decides once on every trigger waiting in the inbox (journaled first), then again if more arrived
    /// meanwhile. Scheduled by the household itself. Outside trading hours (when enforced) it decides nothing: the triggers
    /// stay in the inbox until <see cref="OnSessionOpen"/>.</summary>
    [Alias("DecideWaiting"), OneWay] Task DecideWaiting();

    /// <summary>The trading session this household waited for has opened (from the silo's session gate): withdrawals that
    /// waited for settlement are paid and the triggers held outside trading hours are decided.</summary>
    [Alias("OnSessionOpen"), OneWay] Task OnSessionOpen();

    /// <summary>Decides now for the given causes (a person asked: the daily turnover budget does not apply) and files what the
    /// engine proposes: discretionary accounts' trades execute at once, the others wait for approval. Returns the proposals
    /// made (executed or pending; none when nothing trades). Outside trading hours it is bad input and nothing changes.</summary>
    [Alias("Rebalance")] Task<RebalanceProposal[]> Rebalance(Trigger[] causes);

    /// <summary>The plan the engine would make now for the whole household (trades, lots, tax effect, tracking error before
    /// and after, what it relaxed and protected), without persisting, journaling or executing anything.</summary>
    [Alias("Preview")] Task<HouseholdPreview> Preview();

    /// <summary>Sets the household's tax profile (null clears it: the firm's flat rates apply), journals the change and asks
    /// for a decision under it. Bad input changes nothing.</summary>
    [Alias("SetTaxProfile")] Task<HouseholdSpec> SetTaxProfile(TaxProfile? profile);

    /// <summary>Sets the household's investment policy (null clears it: the firm's applies), journals the change and asks for
    /// a decision under it. Bad input changes nothing.</summary>
    [Alias("SetPolicy")] Task<HouseholdSpec> SetPolicy(InvestmentPolicy? policy);

    /// <summary>The household's proposals, newest first, as they stand now (a pending one past its expiry reads as expired).
    /// Answers between the household's turns: a client or advisor looking at proposals never waits behind a decision.</summary>
    [Alias("GetProposals"), AlwaysInterleave] Task<RebalanceProposal[]> GetProposals();

    /// <summary>The household's orders (orders-mode accounts), oldest first, as they stand now: an open order past the close of
    /// its trade date reads as expired (recorded at the household's next turn). Answers between the household's turns.</summary>
    [Alias("GetOrders"), AlwaysInterleave] Task<BrokerOrder[]> GetOrders();

    /// <summary>Checks a batch of execution reports for this household's orders without applying any: bad input (unknown
    /// order, closed order, quantity beyond the open quantity, bad price, an execution id reused) throws. Changes nothing.</summary>
    [Alias("CheckExecutions")] Task CheckExecutions(OrderExecution[] executions);

    /// <summary>Applies a batch of execution reports, checked whole first (bad input changes nothing): fills are booked through
    /// the wash-sale ledger to the accounts at their own prices, sells relieving the order's lots in the engine's order;
    /// cancels and rejects release the rest, and the household decides again for the account. Persisted before returning;
    /// an execution id applied before answers its first result, marked replayed.</summary>
    [Alias("ApplyExecutions")] Task<ExecutionResult[]> ApplyExecutions(OrderExecution[] executions);

    /// <summary>A read-only copy of the household for a stress test: accounts (books, target, restrictions, pending
    /// withdrawals) and the wash-sale and realized-gains ledgers. Changes nothing.</summary>
    [Alias("GetStressSnapshot")] Task<HouseholdStressSnapshot> GetStressSnapshot();

    /// <summary>Approves a pending proposal: re-validated against live prices and the wash-sale ledger, re-optimized
    /// when prices moved beyond the tolerance, then executed. <paramref name="by"/> is recorded on the proposal
    /// (<see cref="RebalanceProposal.DecidedBy"/>) and in its approval journal entry. Approving an executed proposal again
    /// returns it (the first approver stays recorded).</summary>
    [Alias("Approve")] Task<RebalanceProposal> Approve(string proposalId, Approver by);

    /// <summary>Rejects a pending proposal with the note; <paramref name="by"/> is recorded on the proposal and in its
    /// rejection journal entry. A proposal that is not pending (or unknown) is bad input and nothing changes.</summary>
    [Alias("Reject")] Task<RebalanceProposal> Reject(string proposalId, string? note, Approver by);

    /// <summary>Records in the household ledger and journal the fills its accounts applied that it never recorded
    /// (a crash between the account's write and the household's). Also runs before the first use of the ledger in an
    /// activation. Tells each account which of its fills the ledger holds (<see cref="IAccountGrain.OnFillsRecorded"/>).
    /// Returns the "account/key" of each fill caught up.</summary>
    [Alias("CatchUp")] Task<string[]> CatchUp();

    /// <summary>Recent events (trades, proposals, triggers) after <paramref name="after"/>, for the live stream; kept in
    /// memory only (the journal is the durable record).</summary>
    [Alias("GetEvents")] Task<HouseholdEvents> GetEvents(long after);

    /// <summary>Replaces the household's transition policy (yearly tax budget, per-account budgets, sell-down schedules) and
    /// returns it; persisted before returning. Bad input (a negative budget, an account not in the household) changes nothing.</summary>
    [Alias("SetTransitionPolicy")] Task<TransitionPolicy> SetTransitionPolicy(TransitionPolicy policy);

    /// <summary>The household's transition policy, <see cref="TransitionPolicy.None"/> when none was set. Interleaves with
    /// every call (it reads one stored field).</summary>
    [Alias("GetTransitionPolicy"), AlwaysInterleave] Task<TransitionPolicy> GetTransitionPolicy();
}

/// <summary>The firm's list of households (key "firm"), for paging.</summary>
[Alias("IFirmDirectoryGrain")]
public interface IFirmDirectoryGrain : IGrainWithStringKey
{
    /// <summary>Interleaves with other calls: concurrent registrations share one state write.</summary>
    [Alias("Register"), AlwaysInterleave] Task Register(HouseholdSummary household);

    /// <summary>A page of the firm's households in id order (ordinal): <paramref name="take"/> (1 to the page limit) after the
    /// first <paramref name="skip"/>, with the total count. Bad input for a negative skip or a take out of range.</summary>
    [Alias("List")] Task<HouseholdPage> List(int skip, int take);

    /// <summary>One advisor's households (Total counts only theirs).</summary>
    [Alias("ListByAdvisor")] Task<HouseholdPage> ListByAdvisor(string advisorId, int skip, int take);
}

[GenerateSerializer, Immutable, Alias("HouseholdPage")]
public sealed record HouseholdPage(
    [property: Id(0)] int Total,
    ImmutableArray<HouseholdSummary> Items)
{
    [Id(1)] public ImmutableArray<HouseholdSummary> Items { get => field.OrEmpty(); init; } = Items;
}

/// <summary>A silo's subscription to price batches.</summary>
[Alias("IPriceBatchObserver")]
public interface IPriceBatchObserver : IGrainObserver
{
    /// <summary>A batch of the feed (one per interval, every changed security): the silo's price board applies it, and the
    /// monitor scans when it advanced the board (a repeated or older batch changes nothing). One-way.</summary>
    [Alias("OnPriceBatch"), OneWay] Task OnPriceBatch(PriceBatch batch);
}

/// <summary>The firm's price feed (key "firm"): fans each batch out to every silo's price board, once per silo.
/// In simulation mode it also runs the seeded market simulator on a timer.</summary>
[Alias("IPriceFeedGrain")]
public interface IPriceFeedGrain : IGrainWithStringKey
{
    /// <summary>Registers (or refreshes) a silo's board; subscriptions not refreshed in time lapse.</summary>
    [Alias("Subscribe")] Task<long> Subscribe(string siloName, IPriceBatchObserver observer);

    /// <summary>Publishes quotes as the next batch; returns its sequence number.</summary>
    [Alias("Publish")] Task<long> Publish(PriceQuote[] quotes);

    /// <summary>Starts the simulator (idempotent); also keeps the feed active.</summary>
    [Alias("EnsureSimulating")] Task EnsureSimulating(SimulationSettings settings);

    /// <summary>The latest price of every security the feed has published, as one batch with the last sequence number; null
    /// before the first batch (held in memory: a reactivated feed answers null until it publishes again).</summary>
    [Alias("GetLast")] Task<PriceBatch?> GetLast();
}

[GenerateSerializer, Immutable, Alias("SimulationSettings")]
public sealed record SimulationSettings(
    [property: Id(0)] bool Enabled,
    [property: Id(1)] int Seed,
    [property: Id(2)] TimeSpan Interval,
    [property: Id(3)] double StepDays);
