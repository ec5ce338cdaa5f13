using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using Households.Auth;
using Microsoft.AspNetCore.Hosting;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Xunit;

namespace Households.Tests.Api.Security;

/// <summary>A silo that also trusts the firm's identity provider: its keys (one RSA, one P-256) from a JWKS file, its
/// tokens naming the role in <c>roles</c> and the advisor in <c>advisor_id</c>, as an Entra-like provider would.</summary>
public sealed class IdentityProviderFactory : SiloFactory
{
    public const string Issuer = "https://login.firm.example/tenant-1/v2.0";
    public const string Audience = "api://households";

    public RSA Rsa { get; } = RSA.Create(2048);
    public ECDsa Ec { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly string _jwks = Path.Combine(Path.GetTempPath(), $"households-jwks-{Guid.NewGuid():N}.json");

    public IdentityProviderFactory() : base(false)
    {
        var rsa = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(Rsa.ExportParameters(false)) { KeyId = "rsa-1" });
        var ec = JsonWebKeyConverter.ConvertFromECDsaSecurityKey(new ECDsaSecurityKey(ECDsa.Create(Ec.ExportParameters(false))) { KeyId = "ec-1" });
        rsa.Use = ec.Use = "sig";
        File.WriteAllText(_jwks, JsonSerializer.Serialize(new { keys = new[] { rsa, ec } }));
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Auth:IdentityProvider:Issuer", Issuer);
        builder.UseSetting("Auth:IdentityProvider:Audience", Audience);
        builder.UseSetting("Auth:IdentityProvider:JwksFile", _jwks);
        builder.UseSetting("Auth:IdentityProvider:RoleClaim", "roles");
        builder.UseSetting("Auth:IdentityProvider:AdvisorClaim", "advisor_id");
    }

    /// <summary>A provider token: RS256 by default, ES256 with <paramref name="ec"/>; any key, issuer or lifetime for the
    /// refusals.</summary>
    public string Token(string role, string? advisor = null, bool ec = false, SecurityKey? key = null, string issuer = Issuer,
        string audience = Audience, TimeSpan? expiresIn = null)
    {
        key ??= ec ? new ECDsaSecurityKey(Ec) { KeyId = "ec-1" } : new RsaSecurityKey(Rsa) { KeyId = "rsa-1" };
        var claims = new List<Claim> { new("sub", $"idp|{role}|{advisor}"), new("roles", role) };
        if (advisor is not null) claims.Add(new Claim("advisor_id", advisor));
        var now = DateTime.UtcNow;
        var expires = now + (expiresIn ?? TimeSpan.FromMinutes(10));
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Subject = new ClaimsIdentity(claims),
            NotBefore = expires < now ? expires.AddMinutes(-10) : now,
            IssuedAt = expires < now ? expires.AddMinutes(-10) : now,
            Expires = expires,
            SigningCredentials = new SigningCredentials(key, ec ? SecurityAlgorithms.EcdsaSha256 : SecurityAlgorithms.RsaSha256),
        });
    }

    public HttpClient ClientWith(string token)
    {
        var client = CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        File.Delete(_jwks);
    }
}

/// <summary>Sign-in with the firm's identity provider (RS256 and ES256 from its JWKS) beside the local HS256 key: roles and
/// advisor confinement from the provider's claims; each issuer checked only against its own keys.</summary>
public sealed class IdentityProviderTests(IdentityProviderFactory factory) : IClassFixture<IdentityProviderFactory>
{
    private static object Household(string id, string advisor) => new
    {
        id, name = $"Family {id}", advisorId = advisor,
        accounts = new object[]
        {
            new { id = $"{id}-TAX", type = "taxable", cash = 1000m, discretionary = false,
                lots = new[] { new { id = $"{id}-L1", symbol = "ISOEQ", quantity = 10m, basis = 1500m, purchased = "2025-01-02", holdingSince = "2025-01-02" } } },
        },
    };

    [Fact]
    public async Task Provider_tokens_sign_in_with_their_roles_and_advisor_scope()
    {
        using var admin = factory.ClientWith(factory.Token(HouseholdsAuth.Admin));
        (await admin.PostAsJsonAsync("/api/securities", new[] { new { symbol = "ISOEQ", name = "Iso equity", assetClass = "US Equity", sector = "Diversified", kind = "equityFund" } })).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync("/api/prices", new { quotes = new[] { new { symbol = "ISOEQ", price = 120m } } })).EnsureSuccessStatusCode();
        var created = await admin.PostAsJsonAsync("/api/households", Household("IDP-A", "ADV-IDP-A"));
        Assert.True(created.IsSuccessStatusCode, $"{(int)created.StatusCode} {await created.Content.ReadAsStringAsync()}");

        // ES256 advisor: own household yes, another's answers like a missing one.
        using var advisorA = factory.ClientWith(factory.Token(HouseholdsAuth.Advisor, "ADV-IDP-A", ec: true));
        Assert.Equal(HttpStatusCode.OK, (await advisorA.GetAsync("/api/households/IDP-A")).StatusCode);
        using var advisorB = factory.ClientWith(factory.Token(HouseholdsAuth.Advisor, "ADV-IDP-B"));
        Assert.Equal(HttpStatusCode.NotFound, (await advisorB.GetAsync("/api/households/IDP-A")).StatusCode);
        var page = JsonDocument.Parse(await advisorB.GetStringAsync("/api/households")).RootElement;
        Assert.Equal(0, page.GetProperty("total").GetInt32());

        // A reader reads and never writes.
        using var reader = factory.ClientWith(factory.Token(HouseholdsAuth.Reader, ec: true));
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/api/households/IDP-A")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsJsonAsync("/api/households", Household("IDP-R", "ADV-IDP-A"))).StatusCode);

        // The local key keeps working beside the provider.
        using var local = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await local.GetAsync("/api/households/IDP-A")).StatusCode);
    }

    [Fact]
    public async Task Tokens_the_provider_did_not_sign_for_us_are_refused()
    {
        using var stranger = RSA.Create(2048);
        var refused = new Dictionary<string, string>
        {
            ["another RSA key under the provider's key id"] = factory.Token(HouseholdsAuth.Admin, key: new RsaSecurityKey(stranger) { KeyId = "rsa-1" }),
            ["the provider's key claiming our issuer"] = factory.Token(HouseholdsAuth.Admin, issuer: HouseholdsAuth.Issuer),
            ["another audience"] = factory.Token(HouseholdsAuth.Admin, audience: "api://someone-else"),
            ["expired"] = factory.Token(HouseholdsAuth.Admin, expiresIn: TimeSpan.FromMinutes(-5)),
            ["our HS256 key claiming the provider's issuer"] = LocalKeyWithProviderIssuer(),
        };
        foreach (var (why, token) in refused)
        {
            using var client = factory.ClientWith(token);
            var response = await client.GetAsync("/api/households");
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{why}: {(int)response.StatusCode}");
        }
    }

    private static string LocalKeyWithProviderIssuer() => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = IdentityProviderFactory.Issuer,
        Audience = IdentityProviderFactory.Audience,
        Subject = new ClaimsIdentity([new Claim("sub", "forger"), new Claim("roles", HouseholdsAuth.Admin), new Claim("role", HouseholdsAuth.Admin)]),
        Expires = DateTime.UtcNow.AddMinutes(10),
        SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(SiloFactory.SigningKey), SecurityAlgorithms.HmacSha256),
    });
}
