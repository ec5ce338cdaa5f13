using System.CommandLine;
using Households.Client.Commands;

var root = new RootCommand("households — real-time portfolio construction, rebalancing and tax-loss harvesting");
root.Subcommands.Add(ShowCommand.Create());
root.Subcommands.Add(DbCommand.Create());
root.Subcommands.Add(TaxReplayCommand.Create());
root.Subcommands.Add(OptimizeCommand.Create());
root.Subcommands.Add(BacktestCommand.Create());
root.Subcommands.Add(ImportCommand.Create());
root.Subcommands.Add(WatchCommand.Create());
root.Subcommands.Add(ProposalsCommand.Create());
root.Subcommands.Add(ExportCommand.Create());
root.Subcommands.Add(StressCommand.Create());
root.Subcommands.Add(TokenCommand.Create());
root.Subcommands.Add(AuditCommand.Create());
root.Subcommands.Add(ReportCommand.Create());
root.Subcommands.Add(CorporateActionsCommand.Create());
return CommandLine.Run(root, args);
