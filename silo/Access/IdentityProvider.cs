using System.Security.Claims;
using Households.Auth;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Households.Silo.Access;

/// <summary>Settings under <c>Auth:IdentityProvider</c>: the firm's own identity provider, whose RS256/ES256 tokens the API
/// accepts beside the local HS256 key. Either <see cref="Authority"/> (its OpenID Connect metadata and JWKS are fetched and
/// refreshed) or <see cref="JwksFile"/> with <see cref="Issuer"/> (keys from a file: an air-gapped firm, or a test).</summary>
public sealed class IdentityProviderOptions
{
    /// <summary>The provider's issuer URL (its <c>/.well-known/openid-configuration</c> names the JWKS).</summary>
    public string? Authority { get; set; }

    /// <summary>The <c>iss</c> its tokens carry; defaults to <see cref="Authority"/>.</summary>
    public string? Issuer { get; set; }

    /// <summary>The <c>aud</c> its tokens must carry.</summary>
    public string Audience { get; set; } = HouseholdsAuth.Audience;

    /// <summary>A JSON Web Key Set file used instead of fetching the provider's metadata.</summary>
    public string? JwksFile { get; set; }

    /// <summary>The claim that carries admin | advisor | reader (Entra ID, for one, uses <c>roles</c>).</summary>
    public string RoleClaim { get; set; } = HouseholdsAuth.RoleClaim;

    /// <summary>The claim that carries an advisor's id (their households' <c>advisorId</c>).</summary>
    public string AdvisorClaim { get; set; } = HouseholdsAuth.AdvisorClaim;

    /// <summary>Metadata over HTTPS only; off only for a provider on loopback in development.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    public bool Configured => !string.IsNullOrWhiteSpace(Authority) || !string.IsNullOrWhiteSpace(JwksFile);

    public string? EffectiveIssuer => string.IsNullOrWhiteSpace(Issuer) ? Authority : Issuer;
}

/// <summary>The firm's identity provider as a second JWT bearer scheme. The local scheme forwards to it every token that
/// is not ours (its issuer is not <see cref="HouseholdsAuth.Issuer"/>), so each issuer is checked only against its own
/// keys and algorithms: a local HS256 key never validates a provider's token, nor a provider's key a local one.</summary>
public static class IdentityProvider
{
    public const string Scheme = "IdentityProvider";

    /// <summary>Asymmetric algorithms only: a provider's tokens are never HMAC-signed with a shared secret.</summary>
    public static readonly string[] Algorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256];

    public static void Configure(JwtBearerOptions o, IdentityProviderOptions idp)
    {
        if (idp.EffectiveIssuer is not { Length: > 0 } issuer)
            throw new InvalidOperationException("Auth:IdentityProvider needs Authority, or Issuer with JwksFile");
        o.MapInboundClaims = false;
        o.Audience = idp.Audience;
        o.RequireHttpsMetadata = idp.RequireHttpsMetadata;
        o.TokenValidationParameters = HouseholdsAuth.Rules(issuer, idp.Audience, Algorithms);
        if (!string.IsNullOrWhiteSpace(idp.JwksFile))
        {
            // Static keys: the handler uses this configuration and never fetches metadata.
            var keys = new JsonWebKeySet(File.ReadAllText(idp.JwksFile));
            var configuration = new OpenIdConnectConfiguration { Issuer = issuer };
            foreach (var key in keys.GetSigningKeys()) configuration.SigningKeys.Add(key);
            if (configuration.SigningKeys.Count == 0) throw new InvalidOperationException($"{idp.JwksFile} holds no signing key");
            o.Configuration = configuration;
        }
        else o.Authority = idp.Authority;
        o.Events = new JwtBearerEvents
        {
            OnMessageReceived = ctx =>
            {
                ctx.Token = BearerToken(ctx.HttpContext);
                return Task.CompletedTask;
            },
            OnTokenValidated = ctx =>
            {
                if (ctx.Principal?.Identity is ClaimsIdentity identity) MapClaims(identity, idp);
                return Task.CompletedTask;
            },
        };
    }

    /// <summary>The provider's role and advisor claims under the names the API reads (<c>role</c>, <c>advisor</c>). A role
    /// claim may carry several values (a JSON array arrives as one claim per value).</summary>
    public static void MapClaims(ClaimsIdentity identity, IdentityProviderOptions idp)
    {
        if (idp.RoleClaim != HouseholdsAuth.RoleClaim)
            foreach (var role in identity.FindAll(idp.RoleClaim).ToList())
                identity.AddClaim(new Claim(HouseholdsAuth.RoleClaim, role.Value));
        if (idp.AdvisorClaim != HouseholdsAuth.AdvisorClaim && identity.FindFirst(idp.AdvisorClaim) is { } advisor)
            identity.AddClaim(new Claim(HouseholdsAuth.AdvisorClaim, advisor.Value));
    }

    /// <summary>The scheme that should validate this request's token: the provider's when the token names another issuer
    /// than ours; null (the local scheme) otherwise, a token that does not parse included (the local scheme refuses it).</summary>
    public static string? SchemeFor(HttpContext context)
    {
        var token = BearerToken(context);
        if (token is null) return null;
        try { return new JsonWebToken(token).Issuer is { } iss && iss != HouseholdsAuth.Issuer ? Scheme : null; }
        catch (ArgumentException) { return null; }
    }

    /// <summary>The bearer token of a request: the Authorization header, else the browser's cookie.</summary>
    public static string? BearerToken(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return header["Bearer ".Length..].Trim();
        return header.Length == 0 && context.Request.Cookies.TryGetValue(HouseholdsAuth.CookieName, out var cookie) && cookie.Length > 0 ? cookie : null;
    }
}
