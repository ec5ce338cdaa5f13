using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Households.Auth;

/// <summary>Mints HS256 tokens the silo accepts. Used by the <c>households token</c> command, the embedded
/// dev-login and the tests, so all three produce exactly what the silo validates.</summary>
public sealed class TokenIssuer(byte[] key, TimeProvider? clock = null)
{
    /// <summary>Longest lifetime a token may be minted with (30 days).</summary>
    public const double MaxHours = 24 * 30;

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>A token for a role; advisors need their advisor id. Throws <see cref="ArgumentException"/> naming the
    /// offending input (the CLI turns it into exit code 2).</summary>
    public string Mint(string role, string? advisor = null, TimeSpan? lifetime = null, string? subject = null)
    {
        if (key.Length < HouseholdsAuth.MinKeyBytes) throw new ArgumentException($"signing key must be at least {HouseholdsAuth.MinKeyBytes} bytes");
        if (!HouseholdsAuth.Roles.Contains(role)) throw new ArgumentException($"role must be one of {string.Join(", ", HouseholdsAuth.Roles)} (got '{role}')");
        if (role == HouseholdsAuth.Advisor && string.IsNullOrWhiteSpace(advisor)) throw new ArgumentException("advisor is required for the advisor role");
        if (role != HouseholdsAuth.Advisor && advisor is not null) throw new ArgumentException("advisor is only valid with the advisor role");
        var life = lifetime ?? TimeSpan.FromHours(8);
        if (life <= TimeSpan.Zero || life > TimeSpan.FromHours(MaxHours)) throw new ArgumentException($"hours must be greater than 0 and at most {MaxHours}");

        var now = _clock.GetUtcNow().UtcDateTime;
        var claims = new Dictionary<string, object>
        {
            [HouseholdsAuth.RoleClaim] = role,
            [HouseholdsAuth.SubjectClaim] = subject ?? (advisor is null ? role : $"advisor:{advisor}"),
        };
        if (advisor is not null) claims[HouseholdsAuth.AdvisorClaim] = advisor;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = HouseholdsAuth.Issuer,
            Audience = HouseholdsAuth.Audience,
            Claims = claims,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + life,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key), SecurityAlgorithms.HmacSha256),
        });
    }

    /// <summary>Validates a token with the same rules the silo applies (used by tests and the CLI's own check).</summary>
    public async Task<ClaimsPrincipal?> Validate(string token)
    {
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, HouseholdsAuth.ValidationParameters(key));
        return result.IsValid ? new ClaimsPrincipal(result.ClaimsIdentity) : null;
    }
}
