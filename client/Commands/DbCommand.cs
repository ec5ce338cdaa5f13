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
        var accounts = new Option<int>("--accounts") { Description = "Accounts of the synthetic firm to load (1 to 5,000,000)", Required = true };
        var seed = new Option<int>("--seed") { Description = "Seed of the synthetic firm (the same seed gives the same firm)", DefaultValueFactory = _ => 42 };
        var replace = new Option<bool>("--replace") { Description = "Delete every stored grain state and the journal first (otherwise a database with books is refused)" };
        var load = new Command("load", "Bulk-load a synthetic firm's books (securities, models, households, accounts and lots) with COPY")
            { connection, accounts, seed, replace };
        load.SetAction(async (parse, ct) =>
        {
            var cs = parse.GetValue(connection) ?? Environment.GetEnvironmentVariable("ConnectionStrings__Households");
            if (string.IsNullOrWhiteSpace(cs)) throw new Domain.BadInputException("--connection or ConnectionStrings__Households is required");
            var count = parse.GetValue(accounts);
            if (count is < 1 or > 5_000_000) throw new Domain.BadInputException("--accounts must be between 1 and 5,000,000");
            var output = parse.InvocationConfiguration.Output;
            await PostgresSchema.ApplyAsync(cs, ct);
            var firm = Simulation.Firms.SyntheticFirm.Build(count, parse.GetValue(seed));
            await using var database = Npgsql.NpgsqlDataSource.Create(cs);
            var serializer = Grains.Silo.BooksLoader.StateSerializer();
            var report = await Grains.Silo.BooksLoader.Load(database, serializer, firm, parse.GetValue(replace), line => output.WriteLine(line), ct);
            output.WriteLine(FormattableString.Invariant(
                $"loaded {report.Households:N0} households, {report.Accounts:N0} accounts, {report.Lots:N0} lots, {report.Models} models, {report.Securities:N0} securities ({report.Bytes / 1e6:N0} MB) in {report.Took.TotalSeconds:0.0} s"));
            return ExitCodes.Success;
        });
        return new Command("db", "Database administration") { init, load };
    }
}
