using System.CommandLine;
using System.Globalization;
using Households.Contracts;
using Households.Domain;
using Spectre.Console;

namespace Households.Client.Commands;

/// <summary><c>households watch HOUSEHOLD</c>: polls the household view and shows it live until Ctrl-C, or for
/// <c>--count</c> updates or <c>--seconds</c> (bounded runs for scripts and tests). On a terminal it is a live
/// table; redirected, it prints one line per update. It polls; once the server-sent-events stream
/// <c>GET /api/households/{id}/events</c> exists, <c>Poll</c> can become "read the next event, then fetch the view"
/// (same loop, same bounds), with polling kept as the fallback when the stream is refused.</summary>
public static class WatchCommand
{
    public static Command Create(ApiConnector? connect = null)
    {
        connect ??= HouseholdsApiClient.Default;
        var household = new Argument<string>("household") { Description = "household id, e.g. HH0001" };
        var interval = new Option<double>("--interval") { Description = "seconds between polls (default 1)", DefaultValueFactory = _ => 1.0 };
        var count = new Option<int?>("--count") { Description = "stop after this many updates" };
        var seconds = new Option<double?>("--seconds") { Description = "stop after this many seconds" };
        var url = HouseholdsApiClient.UrlOption();
        var token = HouseholdsApiClient.TokenOption();
        var cmd = new Command("watch", "Watch a household's live state (value, cash, drift, triggers, pending proposals)") { household, interval, count, seconds, url, token };
        cmd.SetAction(async (parse, ct) =>
        {
            var every = parse.GetValue(interval);
            if (!double.IsFinite(every) || every is < 0.05 or > 3600) throw new BadInputException("--interval must be between 0.05 and 3600 seconds");
            var limit = parse.GetValue(count);
            if (limit is < 1) throw new BadInputException("--count must be >= 1");
            var duration = parse.GetValue(seconds);
            if (duration is { } d && (!double.IsFinite(d) || d <= 0 || d > 31_536_000)) throw new BadInputException("--seconds must be > 0");
            var id = parse.GetValue(household)!;
            var api = connect(parse.GetValue(url)!, parse.GetValue(token));
            var output = parse.InvocationConfiguration.Output;
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);

            async Task<(HouseholdView View, int Pending)?> Poll()
            {
                var view = await api.GetHousehold(id, stop.Token);
                if (view is null) return null;
                var proposals = await api.GetProposals(id, stop.Token) ?? [];
                return (view, proposals.Count(p => p.Status == ProposalStatus.Pending));
            }

            var first = await Poll() ?? throw new BadInputException($"household {id} does not exist");
            // The clock starts with the first update, so a slow first answer still shows the household once.
            if (duration is { } span) stop.CancelAfter(TimeSpan.FromSeconds(span));
            var updates = 0;
            var interactive = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;
            try
            {
                if (interactive)
                {
                    await AnsiConsole.Live(new Table()).StartAsync(async live =>
                    {
                        var current = first;
                        while (true)
                        {
                            // Laid out afresh each update: the terminal may have been resized.
                            live.UpdateTarget(Table(current.View, current.Pending).Build(AnsiConsole.Profile.Width));
                            if (++updates >= limit) return;
                            await Task.Delay(TimeSpan.FromSeconds(every), stop.Token);
                            current = await Poll() ?? throw new BadInputException($"household {id} no longer exists");
                        }
                    });
                }
                else
                {
                    var current = first;
                    while (true)
                    {
                        output.WriteLine(Line(current.View, current.Pending));
                        if (++updates >= limit) break;
                        await Task.Delay(TimeSpan.FromSeconds(every), stop.Token);
                        current = await Poll() ?? throw new BadInputException($"household {id} no longer exists");
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Ctrl-C or --seconds: a normal end.
            }
            return ExitCodes.Success;
        });
        return cmd;
    }

    /// <summary>One update as a line: when, value, cash, accounts out of band, open triggers, pending proposals.</summary>
    public static string Line(HouseholdView view, int pending)
    {
        var cash = view.Accounts.Sum(a => a.Cash);
        var outOfBand = view.Accounts.Count(a => a.Drift.Any(d => d.OutOfBand));
        var triggers = view.Accounts.Sum(a => a.OpenTriggers.Length);
        var sequence = view.Accounts.Length == 0 ? 0 : view.Accounts.Max(a => a.PriceSequence);
        return string.Create(CultureInfo.InvariantCulture,
            $"{DateTimeOffset.UtcNow:HH:mm:ss} {view.Id} value {view.MarketValue:N2} cash {cash:N2} out-of-band accounts {outOfBand} open triggers {triggers} pending proposals {pending} price batch {sequence}");
    }

    private static TableLayout Table(HouseholdView view, int pending)
    {
        // Narrow terminals lose the model first, then the account type.
        var table = new TableLayout(string.Create(CultureInfo.InvariantCulture, $"{view.Name} ({view.Id}) {view.MarketValue:N2}, {pending} pending proposals, {DateTimeOffset.Now:HH:mm:ss}"))
            .Key("Account").Key("Type", drop: 1).Key("Model", drop: 2).Number("Value").Number("Cash").Number("Out of band").Number("Triggers");
        foreach (var a in view.Accounts)
            table.Row(a.Spec.Id, a.Spec.Type.ToString(), a.Spec.ModelId ?? "-",
                a.MarketValue.ToString("N2", CultureInfo.InvariantCulture), a.Cash.ToString("N2", CultureInfo.InvariantCulture),
                a.Drift.Count(d => d.OutOfBand).ToString(CultureInfo.InvariantCulture), a.OpenTriggers.Length.ToString(CultureInfo.InvariantCulture));
        return table;
    }
}
