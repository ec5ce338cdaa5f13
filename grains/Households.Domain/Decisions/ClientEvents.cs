using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Households.Contracts;
using Households.Domain.Reliability;
using Households.Domain.Tax;

namespace Households.Domain.Decisions;

/// <summary>A client's events as the journal records them — a cash movement, an account's restrictions or investment
/// policy set, a household's policy, tax profile or tax budget set, and the firm's change of an account's model as the
/// account hears it — and the trigger each raises: every one must become a decision's cause
/// (<see cref="TriggerCooldowns.IsClientEvent"/>).</summary>
public static class ClientEvents
{
    /// <summary>The subject of the trigger an account's restrictions change raises.</summary>
    public const string RestrictionsSubject = "restrictions";

    /// <summary>The subject of the trigger an account's investment policy change raises (a household's change names what
    /// it set: "investment policy", "tax profile", "tax budget").</summary>
    public const string AccountPolicySubject = "policy";

    /// <summary>The subject of the trigger a cash movement raises: its kind (<c>deposit</c>, <c>withdrawal</c>, …).</summary>
    public static string CashSubject(CashKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>An account's restrictions set (a client's exclusions are an instruction the journal must show).</summary>
    public static JournalEntry RestrictionsSet(AccountSpec spec, IReadOnlyList<Restriction> restrictions, DateTimeOffset at)
    {
        var payload = JournalFormat.Payload(restrictions);
        var what = restrictions.Count == 0 ? "cleared"
            : "set: " + string.Join(", ", restrictions.Take(5).Select(r => $"{r.Kind} {r.Symbol ?? r.Sector}")) + (restrictions.Count > 5 ? $" and {restrictions.Count - 5} more" : "");
        return new(0, spec.HouseholdId, spec.Id, JournalKind.Restriction, at, Key("restrictions", at, payload), $"Restrictions of {spec.Id} {what}", payload);
    }

    /// <summary>An account's investment policy set or cleared.</summary>
    public static JournalEntry PolicySet(AccountSpec spec, InvestmentPolicy? policy, DateTimeOffset at)
    {
        var payload = JournalFormat.Payload((object?)policy ?? new { });
        return new(0, spec.HouseholdId, spec.Id, JournalKind.PolicyChange, at, Key("policy", at, payload),
            $"Investment policy of {spec.Id} {(policy is null ? "cleared" : "set")}", payload);
    }

    /// <summary>An account told that its model changed: a person (the firm) caused it and the account's decision must follow
    /// it, so it is journaled with the account as the client's own events are.</summary>
    public static JournalEntry ModelChanged(AccountSpec spec, ModelChangeHeard heard, DateTimeOffset at)
    {
        var payload = JournalFormat.Payload(heard);
        return new(0, spec.HouseholdId, spec.Id, JournalKind.ModelChange, at, Key("model", at, payload),
            $"Model {heard.ModelId} of {spec.Id} changed (version {heard.Version})", payload);
    }

    /// <summary>A household's change of <paramref name="what"/> (its investment policy, tax profile or tax budget).</summary>
    public static JournalEntry HouseholdPolicySet(string householdId, string what, object? payload, DateTimeOffset at)
    {
        var json = JournalFormat.Payload(payload ?? new { });
        return new(0, householdId, null, JournalKind.PolicyChange, at, Key($"policy:{householdId}:{what}", at, json), payload is null ? $"{what} cleared" : $"{what} set", json);
    }

    /// <summary>A change's key: what changed, to the tick, and the change's own digest. Two different changes stamped alike
    /// (a fixed clock, two requests in one tick) are two entries; the same change sent twice lands once.</summary>
    private static string Key(string head, DateTimeOffset at, string payload) =>
        string.Create(CultureInfo.InvariantCulture, $"{head}:{at.UtcTicks}:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(payload)), 0, 6)}");

    /// <summary>Whether the entry records a client's event (read from its kind and key; the payload is not read).</summary>
    public static bool Records(JournalEntry e) => e.Kind switch
    {
        JournalKind.Cash => e.AccountId is not null && e.IdempotencyKey?.StartsWith(JournalReplay.CashKeyPrefix, StringComparison.Ordinal) == true,
        JournalKind.Restriction => e.AccountId is not null,
        JournalKind.PolicyChange => true,
        JournalKind.ModelChange => e.AccountId is not null,
        _ => false,
    };

    /// <summary>The trigger a journal entry's client event raised, or null when the entry is no client event.</summary>
    public static RaisedTrigger? Raised(JournalEntry e, object? record) => !Records(e) ? null : (e.Kind, e.AccountId, record) switch
    {
        (JournalKind.Cash, { } account, CashMovement m) => new(account, TriggerKind.Cash, CashSubject(m.Kind)),
        (JournalKind.Restriction, { } account, _) => new(account, TriggerKind.Restriction, RestrictionsSubject),
        (JournalKind.PolicyChange, { } account, _) => new(account, TriggerKind.Policy, AccountPolicySubject),
        (JournalKind.PolicyChange, null, _) => new(null, TriggerKind.Policy, null),
        (JournalKind.ModelChange, { } account, ModelChangeHeard heard) => new(account, TriggerKind.ModelChange, heard.ModelId),
        _ => null,
    };

    /// <summary>Whether an account sent the trigger to its household: not an order's resolution nor a household's own change,
    /// which the household detects itself.</summary>
    public static bool SentByAccount(Trigger t) =>
        t.Kind != TriggerKind.OrderResolved && (t.Kind != TriggerKind.Policy || t.Subject == AccountPolicySubject);
}

/// <summary>The trigger a client's event raised, as its journal entry tells it: its account (null for a household's change,
/// whose trigger names the household's first account), kind and subject (null for a household's change: what it set).</summary>
public sealed record RaisedTrigger(string? AccountId, TriggerKind Kind, string? Subject)
{
    /// <summary>Whether <paramref name="t"/> is this trigger (its detection time aside).</summary>
    public bool Is(Trigger t) => t.Kind == Kind && (AccountId is null
        ? t.Subject != ClientEvents.AccountPolicySubject
        : t.AccountId == AccountId && t.Subject == Subject);
}
