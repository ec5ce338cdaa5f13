using System.Threading.RateLimiting;
using Households.Auth;
using Households.Grains;
using Households.Silo.Hosting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;

namespace Households.Silo.Access;

/// <summary>Authentication, authorization, rate limiting, health, metrics and the operations pages, wired from
/// <see cref="HouseholdsHost"/> (services) and <c>HouseholdsApi</c> (pipeline and endpoints).</summary>
public static class SecuritySetup
{
    /// <summary>Firm administrators only (firm-level writes, the Orleans dashboard).</summary>
    public const string AdminPolicy = "households-admin";

    /// <summary>Administrators and read-only clients (the <c>/metrics</c> scrape).</summary>
    public const string MetricsPolicy = "households-metrics";

    public static WebApplicationBuilder AddHouseholdsSecurity(this WebApplicationBuilder builder, HostingProfile profile)
    {
        var services = builder.Services;
        var (key, source) = SigningKeySource.Resolve(builder.Configuration, profile);
        services.AddSingleton(new SigningKeyInfo(source, profile.UsesPostgres));
        services.AddSingleton(sp => new TokenIssuer(key, sp.GetService<TimeProvider>()));
        services.Configure<AuthOptions>(builder.Configuration.GetSection("Auth"));
        services.Configure<IdentityProviderOptions>(builder.Configuration.GetSection("Auth:IdentityProvider"));
        services.Configure<RateLimitOptions>(builder.Configuration.GetSection("RateLimit"));

        var idp = builder.Configuration.GetSection("Auth:IdentityProvider").Get<IdentityProviderOptions>() ?? new();
        var authentication = services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme);
        if (idp.Configured) authentication.AddJwtBearer(IdentityProvider.Scheme, o => IdentityProvider.Configure(o, idp));
        authentication.AddJwtBearer(o =>
        {
            // A token from the firm's identity provider is validated by its scheme, against its keys only.
            if (idp.Configured) o.ForwardDefaultSelector = IdentityProvider.SchemeFor;
            o.MapInboundClaims = false;
            o.TokenValidationParameters = HouseholdsAuth.ValidationParameters(key);
            // Each token is validated once and its result kept until it expires (ValidatedTokenCache).
            var handlers = o.TokenHandlers.Select(h => (Microsoft.IdentityModel.Tokens.TokenHandler)new ValidatedTokenCache(h)).ToList();
            o.TokenHandlers.Clear();
            foreach (var handler in handlers) o.TokenHandlers.Add(handler);
            o.Events = new JwtBearerEvents
            {
                // Browsers carry the token in the HttpOnly cookie; an Authorization header always wins.
                OnMessageReceived = ctx =>
                {
                    if (!ctx.Request.Headers.ContainsKey("Authorization")
                        && ctx.Request.Cookies.TryGetValue(HouseholdsAuth.CookieName, out var cookie) && cookie.Length > 0)
                        ctx.Token = cookie;
                    return Task.CompletedTask;
                },
                // A person opening a page (not the API) without a token is sent to the login page.
                OnChallenge = ctx =>
                {
                    if (!ctx.Request.Path.StartsWithSegments("/api") && AcceptsHtml(ctx.Request) && HttpMethods.IsGet(ctx.Request.Method))
                    {
                        ctx.HandleResponse();
                        ctx.Response.Redirect("/login?returnUrl=" + Uri.EscapeDataString(ctx.Request.Path + ctx.Request.QueryString));
                    }
                    return Task.CompletedTask;
                },
            };
        });

        services.AddSingleton<IAuthorizationHandler, ReadersOnlyReadHandler>();
        services.AddAuthorization(o =>
        {
            // New endpoints are protected without doing anything: the fallback applies to every endpoint with no
            // authorization metadata of its own. Only .AllowAnonymous() opts out.
            var user = new AuthorizationPolicyBuilder(JwtBearerDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser()
                .RequireRole(HouseholdsAuth.Roles)
                .AddRequirements(new ReadersOnlyRead())
                .Build();
            o.DefaultPolicy = user;
            o.FallbackPolicy = user;
            o.AddPolicy(AdminPolicy, p => p.AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser().RequireRole(HouseholdsAuth.Admin));
            o.AddPolicy(MetricsPolicy, p => p.AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser().RequireRole(HouseholdsAuth.Admin, HouseholdsAuth.Reader));
        });
        services.AddSingleton<HouseholdAccess>();
        services.AddHostedService<SecurityStartupLog>();

        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(PartitionFor);
            o.OnRejected = OnRejected;
        });

        services.AddHealthChecks()
            .AddCheck<OrleansHealthCheck>("orleans", tags: ["ready"])
            .AddCheck<StorageHealthCheck>("storage", tags: ["ready"]);

        services.AddOpenTelemetry().WithMetrics(m => m
            .AddMeter("Microsoft.Orleans", HouseholdsMetrics.MeterName)
            .AddAspNetCoreInstrumentation()
            .AddPrometheusExporter());

        services.Configure<Microsoft.AspNetCore.OpenApi.OpenApiOptions>("v1", o => o.AddDocumentTransformer<BearerSecuritySchemeTransformer>());
        return builder;
    }

    /// <summary>The Orleans dashboard's silo side (grain call profiling), unless <c>Dashboard:Enabled</c> is false.</summary>
    public static ISiloBuilder AddHouseholdsDashboard(this ISiloBuilder silo, IConfiguration config)
    {
        if (config.GetValue("Dashboard:Enabled", true)) Orleans.Dashboard.ServiceCollectionExtensions.AddDashboard(silo);
        return silo;
    }

    /// <summary>Authentication, rate limiting, authorization and the advisor confinement, in that order (the rate
    /// limiter partitions by the authenticated subject, the ownership check needs the authorized user).</summary>
    public static WebApplication UseHouseholdsSecurity(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseRateLimiter();
        app.UseAuthorization();
        app.UseMiddleware<OwnershipMiddleware>();
        return app;
    }

    /// <summary>Health (anonymous), metrics (admin or reader), the Orleans dashboard (admin), Scalar (any user) and login.</summary>
    public static WebApplication MapHouseholdsOperations(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false, ResponseWriter = HealthResponse.Write })
            .AllowAnonymous().DisableRateLimiting();
        app.MapHealthChecks("/health/ready", new() { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = HealthResponse.Write })
            .AllowAnonymous().DisableRateLimiting();
        app.MapPrometheusScrapingEndpoint("/metrics").RequireAuthorization(MetricsPolicy);
        if (app.Configuration.GetValue("Dashboard:Enabled", true))
            Orleans.Dashboard.ServiceCollectionExtensions.MapOrleansDashboard(app.MapGroup("").RequireAuthorization(AdminPolicy), "/dashboard");
        Scalar.AspNetCore.ScalarEndpointRouteBuilderExtensions.MapScalarApiReference(app, "/scalar", o =>
        {
            o.Title = "Households API";
            Scalar.AspNetCore.ScalarOptionsExtensions.AddPreferredSecuritySchemes(o, [BearerSecuritySchemeTransformer.SchemeName]);
        });
        app.MapLogin();
        return app;
    }

    /// <summary>Marks an endpoint as firm-level: administrators only.</summary>
    public static TBuilder RequireAdmin<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(AdminPolicy);

    private static RateLimitPartition<string> PartitionFor(HttpContext context)
    {
        var options = context.RequestServices.GetRequiredService<IOptionsMonitor<RateLimitOptions>>().CurrentValue;
        if (!options.Enabled) return RateLimitPartition.GetNoLimiter("disabled");
        var key = context.User.Identity?.IsAuthenticated == true && context.User.FindFirst(HouseholdsAuth.SubjectClaim)?.Value is { } subject
            ? "sub:" + subject
            : "ip:" + context.Connection.RemoteIpAddress;
        var permits = Math.Max(1, options.PermitsPerSecond);
        var burst = Math.Max(1, options.Burst);
        return RateLimitPartition.GetTokenBucketLimiter($"{key}|{permits}|{burst}", _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = permits,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    private static async ValueTask OnRejected(OnRejectedContext context, CancellationToken ct)
    {
        var retry = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) && after > TimeSpan.Zero ? after : TimeSpan.FromSeconds(1);
        var seconds = (int)Math.Ceiling(retry.TotalSeconds);
        var response = context.HttpContext.Response;
        response.StatusCode = StatusCodes.Status429TooManyRequests;
        response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await response.WriteAsJsonAsync(new ProblemDetails
        {
            Status = StatusCodes.Status429TooManyRequests,
            Title = "Too many requests",
            Detail = $"rate limit exceeded; retry after {seconds} s",
            Type = "https://tools.ietf.org/html/rfc6585#section-4",
        }, options: (System.Text.Json.JsonSerializerOptions?)null, contentType: "application/problem+json", cancellationToken: ct);
    }

    private static bool AcceptsHtml(HttpRequest request) =>
        request.Headers.Accept.Any(a => a is not null && a.Contains("text/html", StringComparison.OrdinalIgnoreCase));
}

/// <summary>Where the signing key came from (for the start-up log line; never the key).</summary>
public sealed record SigningKeyInfo(string Source, bool Postgres);

/// <summary>One start-up line saying where the key came from and what protects the API (never the key itself).</summary>
public sealed class SecurityStartupLog(SigningKeyInfo key, IOptions<AuthOptions> auth, IOptions<IdentityProviderOptions> idp,
    IOptions<RateLimitOptions> rate, ILogger<SecurityStartupLog> log) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        log.LogInformation("Authentication: JWT bearer, signing key from {Source}; identity provider {IdentityProvider}; dev-login {DevLogin}; rate limit {RateLimit}",
            key.Source, idp.Value.Configured ? $"{idp.Value.EffectiveIssuer} (RS256/ES256)" : "none", Login.DevLoginAllowed(auth.Value, key) ? "on" : "off",
            rate.Value.Enabled ? $"{rate.Value.PermitsPerSecond}/s burst {rate.Value.Burst}" : "off");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
