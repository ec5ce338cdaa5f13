using Households.Auth;
using Households.Silo.Hosting;

namespace Households.Silo.Access;

/// <summary>Decides the silo's signing key at start. The key itself is never logged: only where it came from.</summary>
public static class SigningKeySource
{
    public static (byte[] Key, string Source) Resolve(IConfiguration config, HostingProfile profile)
    {
        var configured = config["Auth:SigningKey"];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            try { return (SigningKeys.Parse(configured, "Auth:SigningKey"), "configuration (Auth:SigningKey)"); }
            catch (ArgumentException ex) { throw new InvalidOperationException(ex.Message); }
        }
        if (profile.UsesPostgres)
            throw new InvalidOperationException(
                "Auth:SigningKey is required under the PostgreSQL profile: set a base64 key of at least 32 bytes, " +
                "e.g. env Auth__SigningKey=\"$(openssl rand -base64 48)\", and give the same key to every silo and to 'households token --key-file'.");
        var path = SigningKeys.DefaultDevKeyPath();
        return (SigningKeys.LoadOrCreateDevKey(path), $"dev key file {path}");
    }
}
