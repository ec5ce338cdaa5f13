using Households.Auth;
using Microsoft.AspNetCore.Authorization;

namespace Households.Silo.Access;

/// <summary>Part of the default and fallback policies: a reader token may only use safe methods (GET, HEAD, OPTIONS).</summary>
public sealed class ReadersOnlyRead : IAuthorizationRequirement;

public sealed class ReadersOnlyReadHandler : AuthorizationHandler<ReadersOnlyRead>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ReadersOnlyRead requirement)
    {
        // The authorization middleware passes the HttpContext; without it the method is unknown and a reader is refused.
        var method = (context.Resource as HttpContext)?.Request.Method;
        var user = context.User;
        var writer = user.IsInRole(HouseholdsAuth.Admin) || user.IsInRole(HouseholdsAuth.Advisor);
        var safe = method is not null && (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method));
        if (writer || safe) context.Succeed(requirement);
        return Task.CompletedTask;
    }
}
