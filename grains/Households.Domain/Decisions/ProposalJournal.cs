using System.Globalization;
using Households.Contracts;
using Households.Domain.Tax;

namespace Households.Domain.Decisions;

/// <summary>Journal lines for triggers and proposals, with the reasons and tax effect a compliance reviewer reads.</summary>
public static class ProposalJournal
{
    public static JournalEntry Proposal(RebalanceProposal p, JournalKind kind, DateTimeOffset at) =>
        new(0, p.HouseholdId, null, kind, at, $"{kind}:{p.Id}:{p.Status}", Describe(p), JournalFormat.Payload(p));

    /// <summary>A trigger's entry, keyed by its <see cref="TriggerIdentity"/> to the tick: two deposits recorded within one
    /// millisecond are two triggers (a key to the millisecond journaled only the first).</summary>
    public static JournalEntry Trigger(string householdId, Trigger t, DateTimeOffset at) =>
        new(0, householdId, t.AccountId, JournalKind.Trigger, at, TriggerKey(t),
            string.Create(CultureInfo.InvariantCulture, $"{t.Kind} trigger on {t.Subject} in {t.AccountId}: observed {t.Observed:0.####} against target {t.Target:0.####} (threshold {t.Threshold:0.####})"),
            JournalFormat.Payload(t));

    /// <summary>The idempotency key of a trigger's entry: its account (the entry's scope), kind, subject, batch and moment.</summary>
    public static string TriggerKey(Trigger t) => $"trigger:{t.Kind}:{t.Subject}:{t.BatchSequence}:{t.DetectedAt.UtcTicks}";

    /// <summary>A harvest the wash-sale guard refused (key <c>refused:</c>, what the audit reads) or a client exclusion
    /// overrode (<c>overridden:</c>), once per lot and day (<see cref="JournalKeys"/>).</summary>
    public static JournalEntry Refusal(string householdId, WashSaleRefusal r, DateOnly day, DateTimeOffset at) =>
        new(0, householdId, r.AccountId, JournalKind.WashSale, at, $"{(r.OverriddenBy is null ? JournalKeys.RefusedHarvest : JournalKeys.OverriddenHarvest)}{r.Lot.Id}:{day:yyyyMMdd}",
            r.Describe(), JournalFormat.Payload(r.Check with { Lot = r.Lot }));

    /// <summary>What a decision journals so it explains itself: the harvests it refused or overrode and, when it relaxed,
    /// protected or refused something or found no plan, the decision (<paramref name="key"/> makes it unique).</summary>
    public static JournalEntry[] Explained(HouseholdPlan plan, string householdId, DateOnly day, DateTimeOffset at, Func<string> key) =>
        [.. plan.Refusals.Select(r => Refusal(householdId, r, day, at)), .. plan.NeedsExplaining ? [Decision(plan.Record, at, key())] : Array.Empty<JournalEntry>()];

    /// <summary>A decision that relaxed, protected or refused something, or found no plan; <paramref name="key"/> makes it unique.</summary>
    public static JournalEntry Decision(DecisionRecord d, DateTimeOffset at, string key) =>
        new(0, d.HouseholdId, null, JournalKind.Decision, at, $"decision:{d.HouseholdId}:{key}", Describe(d), JournalFormat.Payload(d));

    public static string Describe(DecisionRecord d)
    {
        var head = d.Outcome switch
        {
            DecisionOutcome.Planned => $"Decision: {d.Trades} trades",
            DecisionOutcome.NothingToTrade => "Decision: nothing to trade",
            _ => "Decision: no plan",
        };
        var parts = new List<string> { head };
        if (d.Reason is { } reason) parts.Add(reason);
        if (d.Relaxed.Length > 0) parts.Add("relaxed " + string.Join("; then ", d.Relaxed));
        parts.AddRange(d.Notes.Where(n => !n.StartsWith("relaxed to find a plan", StringComparison.Ordinal)).Take(5));
        if (d.Notes.Length > 5) parts.Add($"and {d.Notes.Length - 5} more notes");
        return string.Join(". ", parts);
    }

    public static string Describe(RebalanceProposal p)
    {
        var reasons = p.Trades.Aggregate(TradeReason.None, (r, t) => r | t.Reasons);
        var causes = string.Join(", ", p.Causes.Select(c => $"{c.Kind} {c.Subject}").Distinct().Take(5));
        return string.Create(CultureInfo.InvariantCulture,
            $"Proposal {p.Id} {p.Status.ToString().ToLowerInvariant()}: {p.Trades.Length} trades ({reasons}) for {causes}; tracking error {p.TrackingErrorBefore:P2} → {p.TrackingErrorAfter:P2}; realized {p.ShortTermGain:0.00} short term, {p.LongTermGain:0.00} long term; {p.Fills.Length} fills{(p.Note is null ? "" : "; " + p.Note)}{(p.DecidedBy is { } by ? "; decided by " + Describe(by) : "")}");
    }

    /// <summary>"subject (role, advisor A1)": who approved or rejected, as the journal's summary names them.</summary>
    public static string Describe(Approver by) => by.AdvisorId is { } advisor ? $"{by.Subject} ({by.Role}, advisor {advisor})" : $"{by.Subject} ({by.Role})";
}
