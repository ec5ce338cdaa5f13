using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Households.Auth;
using Households.Silo.Access;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Xunit;

namespace Households.Tests.Api.Security;

/// <summary>Who gets in: every endpoint needs a valid token except health and login; bad tokens are refused.</summary>
[Collection(SecurityCollection.Name)]
public sealed class AuthenticationTests(SecurityFactory factory)
{
    /// <summary>The endpoints that answer without a token. Adding one is a deliberate act: this list must change too.
    /// Scalar's own script and icon are public static files (no data; the page and the document need a token).</summary>
    private static readonly HashSet<string> Anonymous = ["/health/live", "/health/ready", "/login", "/auth/dev-login", "/auth/logout",
        "/scalar/scalar.js", "/scalar/scalar.aspnetcore.js", "/scalar/favicon.svg"];

    [Fact]
    public async Task Every_endpoint_answers_401_without_a_token_except_health_and_login()
    {
        using var anonymous = factory.CreateAnonymousClient();
        var endpoints = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();
        Assert.True(endpoints.Count > 30, $"only {endpoints.Count} endpoints found");
        Assert.Contains(endpoints, e => e.RoutePattern.RawText == "/api/households/{id}");
        Assert.Contains(endpoints, e => e.RoutePattern.RawText?.StartsWith("/dashboard", StringComparison.Ordinal) == true);
        var checkedCount = 0;
        foreach (var endpoint in endpoints)
        {
            var path = Path(endpoint.RoutePattern);
            var anonymousByMetadata = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            Assert.True(anonymousByMetadata == Anonymous.Contains(path), $"{path}: anonymous={anonymousByMetadata}, not as the list says");
            if (anonymousByMetadata) continue;
            foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (method is "POST" or "PUT") request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                using var response = await anonymous.SendAsync(request);
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} answered {(int)response.StatusCode} without a token");
                Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
                checkedCount++;
            }
        }
        Assert.True(checkedCount > 30);
    }

    /// <summary>A concrete path for a route pattern: every parameter becomes a plausible value.</summary>
    private static string Path(RoutePattern pattern) => "/" + string.Join("/", pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
    {
        RoutePatternLiteralPart literal => literal.Content,
        RoutePatternSeparatorPart separator => separator.Content,
        RoutePatternParameterPart parameter => parameter.ParameterPolicies.Any(p => p.Content is "int" or "long") ? "1" : "x",
        _ => "",
    }))));

    public static TheoryData<string, string> BadTokens()
    {
        var now = DateTime.UtcNow;
        var key = SiloFactory.SigningKey;
        string Craft(string issuer, string audience, byte[] signingKey, DateTime expires) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer, Audience = audience, IssuedAt = expires.AddHours(-1), NotBefore = expires.AddHours(-1), Expires = expires,
            Claims = new Dictionary<string, object> { ["role"] = "admin", ["sub"] = "mallory" },
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(signingKey), SecurityAlgorithms.HmacSha256),
        });
        static string B64(string json) => Base64UrlEncoder.Encode(json);
        return new TheoryData<string, string>
        {
            { "expired", new TokenIssuer(key, new FixedClock(now.AddHours(-3))).Mint("admin", lifetime: TimeSpan.FromHours(1)) },
            { "wrongly signed", new TokenIssuer([.. key.Select(b => (byte)(b ^ 0x5a))]).Mint("admin") },
            { "wrong audience", Craft(HouseholdsAuth.Issuer, "someone-else", key, now.AddHours(1)) },
            { "wrong issuer", Craft("someone-else", HouseholdsAuth.Audience, key, now.AddHours(1)) },
            { "unsigned (alg none)", B64("""{"alg":"none","typ":"JWT"}""") + "." + B64($$"""{"iss":"households","aud":"households-api","role":"admin","sub":"x","exp":{{new DateTimeOffset(now.AddHours(1)).ToUnixTimeSeconds()}}}""") + "." },
            { "unknown role", new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
                {
                    Issuer = HouseholdsAuth.Issuer, Audience = HouseholdsAuth.Audience, Expires = now.AddHours(1),
                    Claims = new Dictionary<string, object> { ["role"] = "root", ["sub"] = "x" },
                    SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key), SecurityAlgorithms.HmacSha256),
                }) },
            { "garbage", "not-a-token" },
        };
    }

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_bad_token_is_refused(string why, string token)
    {
        using var http = factory.CreateAnonymousClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.GetAsync("/api/monitor");
        // An unknown role authenticates (the signature is ours) but is authorized for nothing.
        var expected = why == "unknown role" ? HttpStatusCode.Forbidden : HttpStatusCode.Unauthorized;
        Assert.True(response.StatusCode == expected, $"{why}: {(int)response.StatusCode}");
    }

    [Fact]
    public async Task Firm_wide_figures_are_for_administrators_and_readers_not_advisors()
    {
        foreach (var (role, advisor, expected) in new[] { ("admin", (string?)null, HttpStatusCode.OK), ("reader", null, HttpStatusCode.OK), ("advisor", "ADV-X", HttpStatusCode.Forbidden) })
        {
            using var http = factory.CreateClientFor(role, advisor);
            foreach (var route in new[] { "/api/monitor", "/api/monitor/latency", "/api/firm/summary" })
                Assert.True((await http.GetAsync(route)).StatusCode == expected, $"{role} {route}");
        }
    }

    [Fact]
    public async Task Dev_login_sets_an_HttpOnly_SameSite_Strict_cookie_that_authenticates_browser_requests()
    {
        using var browser = factory.CreateAnonymousClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/monitor")).StatusCode);
        var login = await browser.PostAsJsonAsync("/auth/dev-login", new { role = "reader" });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var cookie = Assert.Single(login.Headers.GetValues("Set-Cookie"), c => c.StartsWith(HouseholdsAuth.CookieName + "=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/monitor")).StatusCode); // the cookie, no header
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.PostAsync("/api/households/x/rebalance", null)).StatusCode); // a reader

        // The login page's form posts back and is redirected only within the site.
        var form = await browser.PostAsync("/auth/dev-login", new FormUrlEncodedContent(new Dictionary<string, string> { ["role"] = "admin", ["returnUrl"] = "//evil.example/x" }));
        Assert.Equal(HttpStatusCode.Redirect, form.StatusCode);
        Assert.Equal("/", form.Headers.Location?.OriginalString);
        Assert.Contains("<form", await browser.GetStringAsync("/login"));
    }

    [Theory]
    [InlineData("""{"role":"root"}""", "role")]
    [InlineData("""{"role":"advisor"}""", "advisor")]
    [InlineData("""{"role":""", "JSON")]
    public async Task Dev_login_with_a_bad_role_is_a_400_naming_the_field(string body, string field)
    {
        using var browser = factory.CreateAnonymousClient();
        var response = await browser.PostAsync("/auth/dev-login", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, await response.Content.ReadAsStringAsync());
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public void Dev_login_is_off_under_PostgreSQL_and_when_configured_off()
    {
        Assert.True(Login.DevLoginAllowed(new AuthOptions(), new SigningKeyInfo("dev key file", Postgres: false)));
        Assert.False(Login.DevLoginAllowed(new AuthOptions(), new SigningKeyInfo("configuration", Postgres: true)));
        Assert.False(Login.DevLoginAllowed(new AuthOptions { DevLogin = false }, new SigningKeyInfo("dev key file", Postgres: false)));
    }

    [Fact]
    public async Task Pages_send_a_person_without_a_token_to_the_login_page()
    {
        using var browser = factory.CreateAnonymousClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/dashboard");
        request.Headers.Accept.ParseAdd("text/html");
        using var response = await browser.SendAsync(request);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/login?returnUrl=%2Fdashboard", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task The_OpenAPI_document_declares_the_bearer_scheme()
    {
        using var http = factory.CreateClient();
        var doc = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json")).RootElement;
        var scheme = doc.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
        Assert.True(doc.GetProperty("security")[0].TryGetProperty("Bearer", out _));
    }

    [Fact]
    public async Task Scalar_is_served_to_an_authenticated_user_only()
    {
        using var anonymous = factory.CreateAnonymousClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/scalar")).StatusCode);
        using var reader = factory.CreateClientFor("reader");
        var page = await reader.GetAsync("/scalar/"); // "/scalar" redirects here; the test client drops the header on redirects
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("scalar", (await page.Content.ReadAsStringAsync()).ToLowerInvariant());
        // The page fetches the document with the caller's credentials: it is protected the same way.
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/openapi/v1.json")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/openapi/v1.json")).StatusCode);
    }

    [Fact]
    public void The_ownership_convention_covers_endpoints_other_files_map()
    {
        static (string, OwnedKind)[] PlanOf(string route, params object[] metadata) => OwnershipMiddleware.Plan(
            new RouteEndpoint(_ => Task.CompletedTask, RoutePatternFactory.Parse(route), 0, new EndpointMetadataCollection(metadata), route));
        Assert.Equal([("id", OwnedKind.Household)], PlanOf("/api/households/{id}/events"));
        Assert.Equal([("id", OwnedKind.Household)], PlanOf("/households/{id}"));
        Assert.Equal([("id", OwnedKind.Account)], PlanOf("/api/accounts/{id}/lots"));
        Assert.Equal([("householdId", OwnedKind.Household)], PlanOf("/api/stress/{householdId}"));
        Assert.Equal([("hh", OwnedKind.Household)], PlanOf("/api/things/{hh}", new OwnedResource("hh", OwnedKind.Household)));
        Assert.Empty(PlanOf("/api/models/{id}"));
    }

    private sealed class FixedClock(DateTime utc) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(utc, TimeSpan.Zero);
    }
}
