using System.Collections.Concurrent;
using Households.Silo.Api;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Households.Silo.Access;

/// <summary>Marks a route parameter as naming a household or an account, for routes the naming convention of
/// <see cref="OwnershipMiddleware"/> does not recognize.</summary>
public sealed record OwnedResource(string Parameter, OwnedKind Kind);

public enum OwnedKind { Household, Account }

/// <summary>Confines advisors to their own households for every endpoint, wherever it is mapped. Which values name a
/// household or an account is read from the matched route, by convention:
/// a parameter right after a literal <c>households</c> or <c>accounts</c> segment (<c>/api/households/{id}/…</c>,
/// <c>/api/accounts/{id}</c>), a route parameter named <c>householdId</c>/<c>accountId</c>, the query parameters
/// <c>household</c>/<c>account</c>, or <see cref="OwnedResource"/> metadata. A value the caller may not see answers
/// exactly like a missing household or account: 404 "household not found".</summary>
public sealed class OwnershipMiddleware(RequestDelegate next)
{
    private static readonly ConcurrentDictionary<Endpoint, (string Parameter, OwnedKind Kind)[]> Plans = new();

    public async Task InvokeAsync(HttpContext context, HouseholdAccess access)
    {
        if (context.User.Identity?.IsAuthenticated != true || HouseholdAccess.AdvisorScope(context.User) is null
            || context.GetEndpoint() is not { } endpoint)
        {
            await next(context);
            return;
        }
        foreach (var (parameter, kind) in Plans.GetOrAdd(endpoint, Plan))
        {
            if (context.Request.RouteValues.TryGetValue(parameter, out var value) && value?.ToString() is { Length: > 0 } id)
                if (!await Allowed(access, context, kind, id)) { await NotFound(context, kind, id); return; }
        }
        foreach (var (query, kind) in new[] { ("household", OwnedKind.Household), ("householdId", OwnedKind.Household), ("account", OwnedKind.Account), ("accountId", OwnedKind.Account) })
        {
            foreach (var id in context.Request.Query[query])
                if (!string.IsNullOrEmpty(id) && !await Allowed(access, context, kind, id)) { await NotFound(context, kind, id); return; }
        }
        await next(context);
    }

    private static Task<bool> Allowed(HouseholdAccess access, HttpContext context, OwnedKind kind, string id) =>
        kind == OwnedKind.Household ? access.CanSeeHousehold(context.User, id) : access.CanSeeAccount(context.User, id);

    /// <summary>The same problem the API answers for a missing household or account.</summary>
    public static Task NotFound(HttpContext context, OwnedKind kind, string id) =>
        (kind == OwnedKind.Household ? NotFoundProblem.Household(id) : NotFoundProblem.Account(id)).ExecuteAsync(context);

    /// <summary>Which route parameters of an endpoint name households or accounts (computed once per endpoint).</summary>
    public static (string Parameter, OwnedKind Kind)[] Plan(Endpoint endpoint)
    {
        var found = new List<(string, OwnedKind)>();
        foreach (var marked in endpoint.Metadata.GetOrderedMetadata<OwnedResource>()) found.Add((marked.Parameter, marked.Kind));
        if (endpoint is RouteEndpoint { RoutePattern: var pattern })
        {
            RoutePatternPathSegment? previous = null;
            foreach (var segment in pattern.PathSegments)
            {
                if (segment.Parts is [RoutePatternParameterPart parameter])
                {
                    if (Literal(previous) is "households") found.Add((parameter.Name, OwnedKind.Household));
                    else if (Literal(previous) is "accounts") found.Add((parameter.Name, OwnedKind.Account));
                }
                previous = segment;
            }
            foreach (var parameter in pattern.Parameters)
            {
                if (parameter.Name.Equals("householdId", StringComparison.OrdinalIgnoreCase)) found.Add((parameter.Name, OwnedKind.Household));
                else if (parameter.Name.Equals("accountId", StringComparison.OrdinalIgnoreCase)) found.Add((parameter.Name, OwnedKind.Account));
            }
        }
        return [.. found.Distinct()];
    }

    private static string? Literal(RoutePatternPathSegment? segment) =>
        segment?.Parts is [RoutePatternLiteralPart literal] ? literal.Content.ToLowerInvariant() : null;
}

public static class OwnershipExtensions
{
    /// <summary>Declares that a route parameter names a household (or account) whose owner alone may use the endpoint,
    /// for routes the naming convention does not cover.</summary>
    public static TBuilder OwnedBy<TBuilder>(this TBuilder builder, string parameter, OwnedKind kind = OwnedKind.Household)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new OwnedResource(parameter, kind));
}
