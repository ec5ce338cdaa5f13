using System.CommandLine;
using Households.Client.Commands;
using Households.Tests.Api;

namespace Households.Tests.Cli;

/// <summary>Runs the <c>households</c> commands in process against a silo hosted by <see cref="WebApplicationFactory{T}"/>:
/// the commands get the factory's <see cref="HttpClient"/> (which carries whatever authentication the factory's
/// default client carries) instead of one built from <c>--url</c>.</summary>
public static class CliRunner
{
    /// <summary>Runs one command that needs no silo (tax replay, optimize, backtest, stress embedded) in process.</summary>
    public static (int Code, string Out, string Err) Offline(Command command, params string[] args)
    {
        var root = new RootCommand("households");
        root.Subcommands.Add(command);
        var output = new StringWriter();
        var error = new StringWriter();
        var code = CommandLine.Run(root, args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    public static async Task<(int Code, string Out, string Err)> Run(SiloFactory factory, params string[] args)
    {
        HouseholdsApiClient Connect(string url, string? token) => new(factory.CreateClient());
        var root = new RootCommand("households");
        root.Subcommands.Add(ImportCommand.Create(Connect));
        root.Subcommands.Add(WatchCommand.Create(Connect));
        root.Subcommands.Add(ProposalsCommand.Create(Connect));
        root.Subcommands.Add(ExportCommand.Create(Connect));
        root.Subcommands.Add(TaxReplayCommand.Create());
        root.Subcommands.Add(AuditCommand.Create(Connect));
        root.Subcommands.Add(ReportCommand.Create(Connect));
        root.Subcommands.Add(TransitionCommand.Create(Connect));
        root.Subcommands.Add(ReconcileCommand.Create(Connect));
        root.Subcommands.Add(CustodianCommand.Create(Connect));
        root.Subcommands.Add(PreviewCommand.Create(Connect));
        root.Subcommands.Add(ExplainCommand.Create(Connect));
        root.Subcommands.Add(CorporateActionsCommand.Create(Connect));
        root.Subcommands.Add(FillsCommand.Create(Connect));
        var output = new StringWriter();
        var error = new StringWriter();
        // Off the test's synchronization context: CommandLine.Run blocks on the asynchronous command.
        var code = await Task.Run(() => CommandLine.Run(root, args, output, error));
        return (code, output.ToString(), error.ToString());
    }
}
