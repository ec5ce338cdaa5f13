using Households.Auth;
using Households.Contracts;
using Households.Domain.Advisors;
using Households.Domain.Decisions;
using Households.Domain.Monitoring;
using Households.Domain;
using Households.Grains.Advisors;
using Households.Grains.Silo;
using Households.Grains;
using Households.Silo.Access;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using System.Security.Claims;

namespace Households.Silo.Api;

/// <summary>The advisor's day (issue #20): the queue of pending proposals across the caller's households, bulk decisions,
/// the advisor's notice stream and the <c>/advisor</c> page. An advisor sees and decides only their own households'
/// proposals; admins all (filterable by advisor); readers may read the queue but not decide (ReadersOnlyRead: 403). The page
/// itself is mapped with the other pages (<see cref="LiveApi.MapWebPages"/>).</summary>
public static class AdvisorApi
{
    public static IEndpointRouteBuilder MapAdvisorApi(this IEndpointRouteBuilder api)
    {
        var advisor = api.MapGroup("/advisor").WithTags("Advisor");
        advisor.MapGet("/queue", GetQueue).WithName("AdvisorQueue")
            .WithSummary("Every pending proposal across the caller's households, one row each: kind, accounts, tax effect and estimated tax benefit, value to the client, tracking error before/after, expiry, and whether prices moved beyond the re-validation tolerance (query: advisor (admins), kind, household, sort=value|expiry, page, pageSize)");
        advisor.MapPost("/queue/decisions", Decide).WithName("AdvisorDecisions")
            .WithSummary("Approve or reject many proposals at once, each re-validated exactly as a single approval; a retried request (same requestId) applies nothing twice and answers the same results");
        advisor.MapGet("/events", Events).WithName("AdvisorEvents")
            .WithSummary("text/event-stream of the caller's notices: 'proposal-pending', 'proposal-expiring', 'harvest-opportunity'");
        return api;
    }

    /// <summary>Who decides: the token's subject, its advisor claim and its role.</summary>
    public static Approver ApproverOf(ClaimsPrincipal user)
    {
        var role = HouseholdsAuth.Roles.FirstOrDefault(user.IsInRole) ?? "anonymous";
        var subject = user.FindFirst(HouseholdsAuth.SubjectClaim)?.Value ?? user.Identity?.Name ?? "anonymous";
        return new Approver(subject, user.FindFirst(HouseholdsAuth.AdvisorClaim)?.Value, role);
    }

    /// <summary>The advisor filter a caller may use: an advisor is confined to their own id whatever they ask for.</summary>
    private static string? AdvisorFilter(ClaimsPrincipal user, string? asked) => HouseholdAccess.AdvisorScope(user) ?? (string.IsNullOrEmpty(asked) ? null : asked);

    private static async Task<Ok<QueuePage>> GetQueue(HttpContext http, IGrainFactory grains, PriceBoard board, IOptions<DecisionOptions> decisions,
        [FromKeyedServices(BusinessClock.Key)] TimeProvider clock,
        string? advisor, string? kind, string? household, string? sort, int? page, int? pageSize)
    {
        var query = new QueueQuery(AdvisorFilter(http.User, advisor), string.IsNullOrEmpty(kind) ? null : ProposalKinds.Parse(kind),
            string.IsNullOrEmpty(household) ? null : household, QueueQuery.ParseSort(sort), page ?? 1, pageSize ?? 50);
        query.Check();
        var pending = await AdvisorQueueGrain.Pending(grains, query.AdvisorId);
        var settings = decisions.Value;
        // The approval's own re-validation rule, at this silo's live prices.
        bool Moved(RebalanceProposal p) => ProposalRules.PricesMoved(p, p.Trades.Select(t => t.Symbol).Distinct().Select(board.QuoteOf).OfType<SecurityQuote>()
            .ToDictionary(q => q.Symbol, q => q.Price, StringComparer.Ordinal), settings.RevalidationTolerance);
        var rows = AdvisorQueue.Rows(pending, clock.GetUtcNow(), Moved, settings.TransactionCost, settings.Commission);
        return TypedResults.Ok(AdvisorQueue.Page(rows, query));
    }

    private static async Task<Ok<BulkDecisionResponse>> Decide(BulkDecisionRequest request, HttpContext http, IGrainFactory grains)
    {
        var requestId = InputRules.Id(request.RequestId, "requestId");
        var decisions = (request.Decisions ?? []).Select(d => new BulkDecision(d.HouseholdId ?? "", d.ProposalId ?? "",
            d.Decision ?? throw new BadInputException("decision must be approve or reject"), d.Note)).ToArray();
        BulkDecisions.Check(decisions, BulkDecisionGrain.MaxDecisions);
        var by = ApproverOf(http.User);
        var response = await grains.GetGrain<IBulkDecisionGrain>(BulkDecisionGrain.KeyOf(by.Subject, requestId))
            .Decide(decisions, by, HouseholdAccess.AdvisorScope(http.User));
        return TypedResults.Ok(response);
    }

    private static IResult Events(HttpContext http, IGrainFactory grains, ScanSignal signal, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, string? advisor)
    {
        var notices = grains.GetGrain<IAdvisorNotificationsGrain>(AdvisorNotificationsGrain.Key);
        var filter = AdvisorFilter(http.User, advisor);
        string? epoch = null;
        long after = 0;
        return LiveApi.Stream(http, signal, json.Value.SerializerOptions, async (writer, _) =>
        {
            if (epoch is null)
            {
                // Notices from now on; the page reads the queue itself once, then follows the stream.
                var start = await notices.Since(long.MaxValue, filter);
                (epoch, after) = (start.Epoch, start.Last);
                return;
            }
            var news = await notices.Since(after, filter);
            if (news.Epoch != epoch) news = await notices.Since(0, filter); // re-activated: its list restarted
            (epoch, after) = (news.Epoch, news.Last);
            foreach (var n in news.Items) await writer.Write(n.Kind, n.DeliveryId, n);
        });
    }
}

/// <summary>POST /api/advisor/queue/decisions.</summary>
public sealed record BulkDecisionRequest(string? RequestId, BulkDecisionItem[]? Decisions);

public sealed record BulkDecisionItem(string? HouseholdId, string? ProposalId, BulkDecisionKind? Decision, string? Note);
