using System.Security.Claims;
using Households.Contracts;
using Households.Domain;
using Households.Domain.Audit;
using Households.Domain.Decisions;
using Households.Grains;
using Households.Grains.Silo;
using Households.Persistence.Journal;
using Households.Silo.Access;
using Microsoft.Extensions.Options;

namespace Households.Silo.Api;

/// <summary><c>GET /api/audit?household=&amp;from=&amp;to=</c>: the compliance audit (<see cref="JournalAudit"/>) over the
/// journal of the firm or one household, at the firm's minimum trade. Admins and readers audit any household or the
/// whole firm; an advisor audits own households only (another's answers like a missing one, as everywhere: the
/// ownership middleware checks <c>household</c>), and without <c>household</c> gets the audit of all of them.</summary>
public static class AuditApi
{
    /// <summary>The journal kinds the audit reads (proposals for the triggers they decided, a client's restriction and
    /// policy changes and the model changes accounts heard for the events decided; approvals and orders carry no defect it
    /// counts). Triggers are read apart (<see cref="Entries"/>).</summary>
    public static readonly JournalKind[] Kinds =
        [JournalKind.AccountOpened, JournalKind.BooksLoaded, JournalKind.Fill, JournalKind.WashSale, JournalKind.Cash, JournalKind.Decision, JournalKind.Proposal,
         JournalKind.Restriction, JournalKind.PolicyChange, JournalKind.ModelChange];

    /// <summary>Above this many households with a client's event, their triggers are read firm-wide in one paged query.</summary>
    private const int TriggersByHousehold = 1_000;

    /// <summary>What the audit reads of the scopes' journals before <paramref name="to"/>: the <see cref="Kinds"/>, and the
    /// triggers of the households where a client's event was recorded, the one rule that needs them (a firm's shocks
    /// journal a trigger per condition decided: a million of them on the 1M bench, most in households no client touched).</summary>
    public static async Task<List<JournalEntry>> Entries(IJournal journal, IReadOnlyList<string?> scopes, DateTimeOffset? to, CancellationToken ct)
    {
        var entries = new List<JournalEntry>();
        foreach (var scope in scopes)
            foreach (var kind in Kinds)
                entries.AddRange(await ReadAll(journal, scope, kind, to, ct));
        var touched = entries.Where(ClientEvents.Records).Select(e => e.HouseholdId).ToHashSet(StringComparer.Ordinal);
        if (touched.Count > TriggersByHousehold)
        {
            foreach (var scope in scopes)
                entries.AddRange((await ReadAll(journal, scope, JournalKind.Trigger, to, ct)).Where(e => touched.Contains(e.HouseholdId)));
        }
        else
        {
            foreach (var household in touched.Order(StringComparer.Ordinal))
                entries.AddRange(await ReadAll(journal, household, JournalKind.Trigger, to, ct));
        }
        return entries;
    }

    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder api)
    {
        api.MapGet("/audit", async (string? household, string? from, string? to, HttpContext http, HouseholdAccess access, IGrainFactory grains,
            IJournal journal, IOptions<DecisionOptions> decisions, AccountMonitor monitor, CancellationToken ct) =>
        {
            if (household is { Length: 0 }) household = null; // ?household= is no filter
            InputRules.OptionalId(household, "household");
            var settings = new AuditSettings(decisions.Value.MinTrade)
            {
                HouseholdId = household, From = AuditSettings.ParseInstant(from, "from"), To = AuditSettings.ParseInstant(to, "to"),
            };
            settings.Validate();
            if (household is not null && await grains.GetGrain<IHouseholdGrain>(household).GetSpec() is null)
                return NotFoundProblem.Household(household);
            var entries = await Entries(journal, await Scopes(household, http.User, access), settings.To, ct);
            var report = JournalAudit.Run(entries, settings);
            // The firm-wide audit also states the tolerance the monitor sees now (a household's own lines are on its page);
            // before the monitor has scanned a price batch it has measured nothing, which is not "none out of tolerance".
            if (household is null && HouseholdAccess.AdvisorScope(http.User) is null && monitor.Status is var status)
                report = report with
                {
                    AccountsMonitored = status.Accounts,
                    AccountsOutOfTolerance = status.Scans > 0 ? status.AccountsOutOfTolerance : null,
                };
            return Results.Ok(report);
        }).WithName("AuditJournal")
            .WithSummary("Compliance audit of the journal (firm or one household, window [from, to)): self-washed sales, self-blocked harvests, dust and fractional engine orders, frozen decisions, unpaid withdrawals with cash on hand, triggers decided twice, client events never decided");
        return api;
    }

    /// <summary>The households to read: the one asked for, the whole firm (null) for admins and readers, or an advisor's own.</summary>
    private static async Task<IReadOnlyList<string?>> Scopes(string? household, ClaimsPrincipal user, HouseholdAccess access)
    {
        if (household is not null) return [household];
        if (HouseholdAccess.AdvisorScope(user) is null) return [null];
        return [.. await access.VisibleHouseholds(user)];
    }

    /// <summary>Every entry of one household (null: all) and kind before <paramref name="to"/>, through the paged query
    /// (newest first; each page goes on after the previous page's last entry in that order).</summary>
    public static async Task<List<JournalEntry>> ReadAll(IJournal journal, string? household, JournalKind? kind, DateTimeOffset? to, CancellationToken ct)
    {
        const int limit = JournalPayload.MaxLimit;
        var all = new List<JournalEntry>();
        for (long? before = null; ;)
        {
            var page = await journal.Query(new JournalQuery(household, null, null, to, kind, limit, before), ct);
            all.AddRange(page);
            if (page.Count < limit) return all;
            before = page[^1].Id;
        }
    }
}
