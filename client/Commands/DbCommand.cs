using System.CommandLine;
using Households.Persistence;

namespace Households.Client.Commands;

/// <summary><c>households db init</c>: applies the project's PostgreSQL schema (idempotent).</summary>
public static class DbCommand
{
    public static Command Create()
    {
        var connection = new Option<string?>("--connection")
        {
            Description = "Npgsql connection string (default: env ConnectionStrings__Households)",
        };
        var init = new Command("init", "Create or refresh the PostgreSQL schema (Orleans clustering, storage, reminders; journal)") { connection };
        init.SetAction(async (parse, ct) =>
        {
            var cs = parse.GetValue(connection) ?? Environment.GetEnvironmentVariable("ConnectionStrings__Households");
            if (string.IsNullOrWhiteSpace(cs)) throw new Domain.BadInputException("--connection or ConnectionStrings__Households is required");
            await PostgresSchema.ApplyAsync(cs, ct);
            parse.InvocationConfiguration.Output.WriteLine($"schema applied: {string.Join(", ", PostgresSchema.ScriptNames)}");
            return ExitCodes.Success;
        });
        return new Command("db", "Database administration") { init };
    }
}
