using Microsoft.IdentityModel.Tokens;

namespace Households.Auth;

/// <summary>The token vocabulary every part of the product agrees on (see README "Authentication").</summary>
public static class HouseholdsAuth
{
    public const string Issuer = "households";
    public const string Audience = "households-api";
    public const string CookieName = "households_token";
    public const string RoleClaim = "role";
    public const string AdvisorClaim = "advisor";
    public const string SubjectClaim = "sub";

    public const string Admin = "admin";
    public const string Advisor = "advisor";
    public const string Reader = "reader";
    public static readonly string[] Roles = [Admin, Advisor, Reader];

    /// <summary>Minimum key length for HS256 (the algorithm's own block size).</summary>
    public const int MinKeyBytes = 32;

    /// <summary>Tolerated clock difference between the minting and the validating machine.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    /// <summary>Validation rules: our issuer and audience, HS256 with the firm's key, lifetime enforced.</summary>
    public static TokenValidationParameters ValidationParameters(byte[] key)
    {
        var rules = Rules(Issuer, Audience, [SecurityAlgorithms.HmacSha256]);
        rules.IssuerSigningKey = new SymmetricSecurityKey(key);
        return rules;
    }

    /// <summary>The rules every token is held to, whoever signs it (the local key or the firm's identity provider):
    /// issuer, audience and algorithm named, signed, lifetime required and enforced, our claim names.</summary>
    public static TokenValidationParameters Rules(string issuer, string audience, IEnumerable<string> algorithms) => new()
    {
        ValidIssuer = issuer,
        ValidAudience = audience,
        ValidAlgorithms = algorithms,
        ValidateIssuer = true,
        ValidateAudience = true,
        ValidateLifetime = true,
        ValidateIssuerSigningKey = true,
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ClockSkew = ClockSkew,
        RoleClaimType = RoleClaim,
        NameClaimType = SubjectClaim,
    };
}
