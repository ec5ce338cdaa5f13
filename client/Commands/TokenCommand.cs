using System.CommandLine;
using Households.Auth;
using Households.Domain;

namespace Households.Client.Commands;

/// <summary><c>households token --role admin|advisor|reader [--advisor ID] [--hours N] [--key-file PATH]</c>: prints a
/// bearer token the silo accepts. The key: <c>--key-file</c>, else env <c>Auth__SigningKey</c> (as the silo reads it),
/// else the embedded default's dev key file (created when absent, exactly as the silo would).</summary>
public static class TokenCommand
{
    public static Command Create()
    {
        var role = new Option<string>("--role") { Description = "admin, advisor or reader", Required = true };
        var advisor = new Option<string?>("--advisor") { Description = "The advisor id (HouseholdSpec.AdvisorId); required with --role advisor" };
        var hours = new Option<double>("--hours") { Description = "Lifetime in hours", DefaultValueFactory = _ => 8 };
        var keyFile = new Option<string?>("--key-file") { Description = $"File holding the base64 signing key (default: {SigningKeys.DefaultDevKeyPath()})" };
        var command = new Command("token", "Mint a bearer token for the API (local use; keep it secret)") { role, advisor, hours, keyFile };
        command.SetAction(parse =>
        {
            var lifetime = parse.GetValue(hours);
            if (!double.IsFinite(lifetime) || lifetime <= 0 || lifetime > TokenIssuer.MaxHours)
                throw new BadInputException($"--hours must be greater than 0 and at most {TokenIssuer.MaxHours}");
            var key = Key(parse.GetValue(keyFile));
            string token;
            try { token = new TokenIssuer(key).Mint(parse.GetValue(role)!, parse.GetValue(advisor), TimeSpan.FromHours(lifetime)); }
            catch (ArgumentException ex) { throw new BadInputException(Flag(ex.Message)); }
            parse.InvocationConfiguration.Output.WriteLine(token);
            return ExitCodes.Success;
        });
        return command;
    }

    private static byte[] Key(string? keyFile)
    {
        try
        {
            if (keyFile is not null) return SigningKeys.Read(keyFile);
            if (Environment.GetEnvironmentVariable("Auth__SigningKey") is { Length: > 0 } configured) return SigningKeys.Parse(configured, "env Auth__SigningKey");
            return SigningKeys.LoadOrCreateDevKey();
        }
        catch (ArgumentException ex) { throw new BadInputException(ex.Message); }
    }

    private static string Flag(string message) =>
        message.StartsWith("role ", StringComparison.Ordinal) || message.StartsWith("advisor ", StringComparison.Ordinal) || message.StartsWith("hours ", StringComparison.Ordinal)
            ? "--" + message : message;
}
