using System.Globalization;
using Households.Contracts;
using Households.Domain;
using Households.Domain.Audit;
using Households.Domain.Tax;
using Households.Persistence.Journal;
using Households.Silo.Access;

namespace Households.Silo.Api;

/// <summary>The audit journal: one household's or account's, or — for compliance (administrators and readers) — the whole
/// firm's by time range and kind, newest first, paged by <c>before</c> (the last id of the previous page; a full page
/// answers a <c>Link: rel="next"</c>), as JSON or as CSV. A kind is named as the journal prints it (<c>fill</c>,
/// <c>corporateAction</c>) or by its enum name. An advisor names one of their households or accounts (the ownership
/// middleware confines the value).</summary>
public static class JournalApi
{
    public static IEndpointRouteBuilder MapJournalApi(this IEndpointRouteBuilder api)
    {
        api.MapGet("/journal", async (HttpContext http, string? household, string? account, DateTimeOffset? from, DateTimeOffset? to, string? kind,
            int? limit, long? before, IJournal journal, CancellationToken ct) =>
        {
            var query = Query(http, household, account, from, to, kind, limit, before);
            var entries = await journal.Query(query, ct);
            NextPage(http, query, entries);
            return Results.Ok(entries);
        }).WithName("QueryJournal")
            .WithSummary("The audit journal by household, account, time range [from, to) and kind (as printed: fill, corporateAction, ...), newest first; firm-wide for administrators and readers; page with before=<last id>");

        api.MapGet("/journal.csv", async (HttpContext http, string? household, string? account, DateTimeOffset? from, DateTimeOffset? to, string? kind,
            int? limit, long? before, IJournal journal, CancellationToken ct) =>
        {
            var query = Query(http, household, account, from, to, kind, limit, before);
            var entries = await journal.Query(query, ct);
            NextPage(http, query, entries);
            return Results.Text(ToCsv(entries), "text/csv; charset=utf-8");
        }).WithName("ExportJournal")
            .WithSummary("The same query as GET /api/journal as CSV (id, occurred_at, household, account, kind, idempotency_key, summary, payload); page with before=<last id>");
        return api;
    }

    /// <summary>The journal's CSV export: one row per entry in the query's order, every cell through <see cref="CsvWriter"/>
    /// (quoted where needed, formulas neutralised).</summary>
    public static string ToCsv(IReadOnlyList<JournalEntry> entries)
    {
        var csv = new CsvWriter("id,occurred_at,household,account,kind,idempotency_key,summary,payload");
        foreach (var e in entries)
            csv.Row(e.Id.ToString(CultureInfo.InvariantCulture), e.OccurredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
                e.HouseholdId, e.AccountId, JournalKinds.Name(e.Kind), e.IdempotencyKey, e.Summary, e.Payload);
        return csv.ToString();
    }

    private static JournalQuery Query(HttpContext http, string? household, string? account, DateTimeOffset? from, DateTimeOffset? to,
        string? kind, int? limit, long? before)
    {
        InputRules.OptionalId(household, "household");
        InputRules.OptionalId(account, "account");
        // The firm-wide journal is compliance's (administrators, readers); an advisor's journal is a household's.
        if (household is null && account is null && HouseholdAccess.AdvisorScope(http.User) is not null)
            throw new BadInputException("household or account is required (the firm-wide journal is for administrators and readers)");
        if (before is < 0) throw new BadInputException("before must be >= 0");
        var size = limit ?? 100;
        if (size is < 1 or > JournalPayload.MaxLimit) throw new BadInputException($"limit must be between 1 and {JournalPayload.MaxLimit}");
        if (from is { } f && to is { } t && t < f) throw new BadInputException("to must not be before from");
        return new JournalQuery(household, account, from, to, kind is null ? null : JournalKinds.Parse(kind), size, before);
    }

    /// <summary>A full page may have a next one: its link is the same query before this page's last id.</summary>
    private static void NextPage(HttpContext http, JournalQuery query, IReadOnlyList<JournalEntry> entries)
    {
        if (entries.Count < query.Limit) return;
        var parameters = http.Request.Query.Where(q => q.Key != "before")
            .Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value.ToString())}")
            .Append($"before={entries[^1].Id.ToString(CultureInfo.InvariantCulture)}");
        http.Response.Headers.Link = $"<{http.Request.PathBase}{http.Request.Path}?{string.Join('&', parameters)}>; rel=\"next\"";
    }
}
