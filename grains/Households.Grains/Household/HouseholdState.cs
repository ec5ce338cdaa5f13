using Households.Contracts;
using Households.Domain.Decisions;
using Households.Domain.Reliability;
using Households.Domain.Tax;
using Households.Domain.WashSales;
using Households.Grains.Silo;

namespace Households.Grains.Household;

/// <summary>A household's state as stored; fills recorded in its ledger (<see cref="HouseholdFilled"/>) and proposals filed or
/// decided (<see cref="ProposalsFiled"/>) are stored as changes appended to the last snapshot (<see cref="IAppendableState"/>).</summary>
[GenerateSerializer]
public sealed class HouseholdState : IAppendableState
{
    [Id(0)] public HouseholdSpec? Spec { get; set; }
    /// <summary>The household-wide wash-sale ledger (IRC §1091 across all accounts of the taxpayer and spouse).</summary>
    [Id(1)] public WashSaleLedgerState? WashSales { get; set; }
    [Id(2)] public RealizedEntry[] Realized { get; set; } = [];
    /// <summary>Results by "account/idempotency key": a retry returns the original result. Only fills dated from
    /// <see cref="TradesKeptSince"/> on are kept (the idempotency window); a retry of an older one is answered from the journal.</summary>
    [Id(3)] public Dictionary<string, TradeResult> Trades { get; set; } = new(StringComparer.Ordinal);
    [Id(4)] public RebalanceProposal[] Proposals { get; set; } = [];
    [Id(5)] public int NextProposal { get; set; } = 1;
    /// <summary>Journal entries of the last write, stored with it and appended after it (again on activation:
    /// appends are keyed, so a crash between the write and the append loses no entry and doubles none).</summary>
    [Id(6)] public JournalEntry[] Outbox { get; set; } = [];
    /// <summary>Wash-sale adjustments of the last recorded fills, sent to the accounts after the write (again on
    /// activation: accounts apply each once).</summary>
    [Id(7)] public WashSaleAdjustment[] PendingAdjustments { get; set; } = [];
    /// <summary>Corporate actions applied, by action id: applying one again answers its first result. Those dated from
    /// <see cref="CorporateActionsKeptSince"/> on.</summary>
    [Id(8)] public Dictionary<string, AppliedCorporateAction> CorporateActions { get; set; } = new(StringComparer.Ordinal);
    /// <summary>The yearly tax budget and sell-down schedules a transition plan honours; null until one is set.</summary>
    [Id(9)] public TransitionPolicy? Transition { get; set; }
    /// <summary>Orders sent for orders-mode accounts (issue #17), by client order id; ids from 20 on are the orders'.</summary>
    [Id(20)] public BrokerOrder[] Orders { get; set; } = [];
    /// <summary>Execution reports applied, with their first results: a report sent again answers its first result.</summary>
    [Id(21)] public ExecutionResult[] Executions { get; set; } = [];
    /// <summary>Accounts a decision left out while they had open orders: when their orders resolve the household decides again.</summary>
    [Id(22)] public string[] Deferred { get; set; } = [];
    /// <summary>The first trade date whose results <see cref="Trades"/> keeps (<see cref="Households.Domain.Reliability.IdempotencyWindow"/>):
    /// older ones were dropped by a later write. Null (state written before, or nothing recorded since): every result is kept.</summary>
    [Id(23)] public DateOnly? TradesKeptSince { get; set; }
    /// <summary>The first action date whose results <see cref="CorporateActions"/> keeps (the idempotency window); an action
    /// dated before it and sent again is answered from the journal. Null: every result is kept.</summary>
    [Id(24)] public DateOnly? CorporateActionsKeptSince { get; set; }
    /// <summary>The triggers of the household's own changes (its tax profile, investment policy, tax budget) stored with the
    /// change and kept until a decision takes them: a new activation after the silo died puts them back in its inbox.</summary>
    [Id(25)] public List<Trigger> ChangesUndecided { get; set; } = [];

    // Not stored: what the next write may be.
    [NonSerialized] private NextWrite? _next;

    /// <inheritdoc/>
    public NextWrite Next() => _next ??= new();

    /// <summary>The key <see cref="Trades"/> keeps a fill's result under.</summary>
    public static string TradeKey(TradeResult fill) => TradeKey(fill.AccountId, fill.IdempotencyKey);

    /// <summary>The key <see cref="Trades"/> keeps the result of <paramref name="account"/>'s fill <paramref name="tradeKey"/> under.</summary>
    public static string TradeKey(string account, string tradeKey) => $"{account}/{tradeKey}";

    /// <summary>Marks the next write as these fills alone: it is appended rather than the whole state rewritten.</summary>
    public void Changed(HouseholdFilled filled) => Next().Change(filled);

    /// <summary>Marks the next write as this change of the proposals alone.</summary>
    public void Changed(ProposalsFiled filed) => Next().Change(filed);

    /// <summary>Drops a change the write did not take (a storage that keeps no changes, or a write that failed first).</summary>
    public void Unchanged() => Next().Change(null);

    void IAppendableState.Fold(object change)
    {
        switch (change)
        {
            case HouseholdFilled filled: Fold(filled); break;
            case ProposalsFiled filed:
                Proposals = new ProposalChanges(filed.Put, filed.Removed).Apply(Proposals);
                NextProposal = filed.NextProposal;
                Outbox = filed.Entries();
                break;
            default: throw new InvalidOperationException($"a household's stored change is {change.GetType().Name}");
        }
    }

    private void Fold(HouseholdFilled filled)
    {
        WashSales = filled.WashSaleChange is { } change
            ? WashSaleLedgerChanges.Apply(WashSales ?? throw new InvalidOperationException("a household's stored ledger change has no ledger to apply to"), change)
            : filled.WashSales;
        Realized = [.. Realized, .. filled.RealizedAdded];
        // The same order as the fills' own write (HouseholdBooks): older results dropped, then this batch's kept.
        IdempotencyWindow.Prune(Trades, filled.TradesKeptSince);
        TradesKeptSince = filled.TradesKeptSince;
        foreach (var r in filled.Trades) Trades[TradeKey(r)] = r;
        Outbox = filled.Outbox;
        PendingAdjustments = filled.PendingAdjustments;
    }
}

/// <summary>Fills recorded in a household's ledger as stored (issue #18 goal 2): what they changed in the wash-sale ledger
/// (<see cref="WashSaleChange"/>; the ledger whole, <see cref="WashSales"/>, when a change by entry cannot say it), the
/// realized gains they added, their results kept by key, and the journal entries and wash-sale adjustments still to send.
/// Every other part of the state is as the snapshot (or earlier fills) has it.</summary>
[GenerateSerializer, Immutable, Alias("HouseholdFilled")]
public sealed record HouseholdFilled(
    [property: Id(0)] WashSaleLedgerState? WashSales,
    [property: Id(1)] RealizedEntry[] RealizedAdded,
    [property: Id(2)] TradeResult[] Trades,
    [property: Id(3)] DateOnly TradesKeptSince,
    [property: Id(4)] JournalEntry[] Outbox,
    [property: Id(5)] WashSaleAdjustment[] PendingAdjustments,
    [property: Id(6)] WashSaleLedgerChange? WashSaleChange = null);

/// <summary>A write of a household's proposals as stored (issue #18 goal 2): the proposals filed or decided, the ids the book
/// no longer keeps, the next proposal number, and the journal entries of the write. Every other part of the state, and
/// every other proposal, is as the snapshot (or earlier changes) has it. An entry whose payload is a put proposal's own
/// journal form is stored without it (<see cref="PayloadOf"/> names the proposal; <see cref="Of"/>, <see cref="Entries"/>):
/// stored twice, once as the record and once as its JSON, a decision's proposals were two thirds of the state a 50k shock
/// wrote.</summary>
[GenerateSerializer, Immutable, Alias("ProposalsFiled")]
public sealed record ProposalsFiled(
    [property: Id(0)] RebalanceProposal[] Put,
    [property: Id(1)] string[] Removed,
    [property: Id(2)] int NextProposal,
    [property: Id(3)] JournalEntry[] Outbox,
    [property: Id(4)] string?[]? PayloadOf = null)
{
    /// <summary>The change of a write: each outbox entry whose payload is exactly a put proposal's journal form is kept
    /// without it, naming that proposal.</summary>
    public static ProposalsFiled Of(RebalanceProposal[] put, string[] removed, int nextProposal, JournalEntry[] outbox)
    {
        var payloads = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in put) payloads.TryAdd(JournalFormat.Payload(p), p.Id);
        var payloadOf = new string?[outbox.Length];
        var stored = new JournalEntry[outbox.Length];
        for (var i = 0; i < outbox.Length; i++)
        {
            payloadOf[i] = payloads.GetValueOrDefault(outbox[i].Payload);
            stored[i] = payloadOf[i] is null ? outbox[i] : outbox[i] with { Payload = "" };
        }
        return new ProposalsFiled(put, removed, nextProposal, stored, payloadOf.Any(id => id is not null) ? payloadOf : null);
    }

    /// <summary>The outbox as written: each entry stored without its payload gets its proposal's journal form again.</summary>
    public JournalEntry[] Entries()
    {
        if (PayloadOf is null) return Outbox;
        var put = Put.ToDictionary(p => p.Id, StringComparer.Ordinal);
        return [.. Outbox.Select((e, i) => PayloadOf[i] is { } id ? e with { Payload = JournalFormat.Payload(put[id]) } : e)];
    }
}

/// <summary>A corporate action a household applied, with what it did there.</summary>
[GenerateSerializer]
public sealed record AppliedCorporateAction([property: Id(0)] CorporateAction Action, [property: Id(1)] HouseholdCorporateAction Result);
