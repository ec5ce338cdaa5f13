using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Households.Contracts;
using Households.Domain;
using Households.Domain.Lots;
using Households.Domain.Tax;
using Households.Domain.WashSales;
using Spectre.Console;

namespace Households.Client.Commands;

/// <summary><c>households tax replay</c> (FORMATS §1): replays a household's trades through the tax-lot and
/// wash-sale engine and prints the realized rows, the open lots and the summary.</summary>
public static class TaxReplayCommand
{
    public static Command Create()
    {
        var trades = new Option<string>("--trades") { Description = "TRADES.csv: the household's trades, sorted by date", Required = true };
        var method = new Option<string>("--method") { Description = "default lot relief: fifo, lifo, hifo or mintax", DefaultValueFactory = _ => "fifo" };
        method.AcceptOnlyFromAmong("fifo", "lifo", "hifo", "mintax");
        var identical = new Option<string?>("--identical") { Description = "GROUPS.csv (symbol,group): substantially identical securities" };
        var json = new Option<bool>("--json") { Description = "print one JSON document" };
        var shortRate = new Option<decimal>("--short-rate") { Description = "short-term rate for MinTax (default 0.37)", DefaultValueFactory = _ => TaxRates.Default.ShortTerm };
        var longRate = new Option<decimal>("--long-rate") { Description = "long-term rate for MinTax (default 0.20)", DefaultValueFactory = _ => TaxRates.Default.LongTerm };
        var replay = new Command("replay", "Replay a household's trades: realized gains, wash sales and open lots")
        {
            trades, method, identical, json, shortRate, longRate,
        };
        replay.SetAction(parse =>
        {
            var tradesPath = parse.GetValue(trades)!;
            var rates = new TaxRates(parse.GetValue(shortRate), parse.GetValue(longRate));
            if (rates.ShortTerm is < 0 or > 1 || rates.LongTerm is < 0 or > 1)
                throw new BadInputException("--short-rate and --long-rate must be between 0 and 1");
            var groups = parse.GetValue(identical) is { } groupsPath
                ? new SubstantiallyIdentical(TradeFile.ParseGroups(ReadFile(groupsPath), Path.GetFileName(groupsPath)))
                : SubstantiallyIdentical.SameSecurityOnly;
            var relief = parse.GetValue(method) switch
            {
                "lifo" => LotRelief.Lifo,
                "hifo" => LotRelief.Hifo,
                "mintax" => LotRelief.MinTax,
                _ => LotRelief.Fifo,
            };
            var source = Path.GetFileName(tradesPath);
            var rows = TradeFile.Parse(ReadFile(tradesPath), source);
            string text;
            try
            {
                var result = TaxReplay.Run(rows, new ReplayOptions(relief, groups, rates, source));
                // Everything is rendered before anything is printed: bad input leaves stdout empty.
                text = parse.GetValue(json) ? Json(result) : Table(result, PlainConsole.Width(parse.InvocationConfiguration.Output));
            }
            catch (OverflowException)
            {
                throw new BadInputException($"{source}: totals overflow the decimal range");
            }
            parse.InvocationConfiguration.Output.Write(text);
            return ExitCodes.Success;
        });
        var tax = new Command("tax", "Tax-lot accounting and wash sales");
        tax.Subcommands.Add(replay);
        return tax;
    }

    private static string ReadFile(string path)
    {
        try
        {
            return InputFile.Read(path, TradeFile.MaxFileBytes);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new BadInputException($"cannot read {path}: {ex.Message}");
        }
    }

    /// <summary>Money rounded to cents (half away from zero), always printed with two decimals.</summary>
    public static decimal Cents(decimal amount)
    {
        var rounded = Math.Round(amount, 2, MidpointRounding.AwayFromZero);
        return rounded == 0 ? 0.00m : rounded + 0.00m;
    }

    /// <summary>An exact quantity without trailing zeros.</summary>
    public static decimal Exact(decimal quantity) => quantity / 1.0000000000000000000000000000m;

    public static string Json(ReplayResult result)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteStartArray("realized");
            foreach (var r in result.Realized)
            {
                w.WriteStartObject();
                w.WriteString("date", r.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                w.WriteString("account", r.Account);
                w.WriteString("symbol", r.Symbol);
                w.WriteString("lot", r.LotId);
                w.WriteNumber("quantity", Exact(r.Quantity));
                w.WriteNumber("proceeds", Cents(r.Proceeds));
                w.WriteNumber("basis", Cents(r.Basis));
                w.WriteNumber("gain", Cents(r.Gain));
                w.WriteNumber("disallowed", Cents(r.Disallowed));
                w.WriteNumber("recognized", Cents(r.Recognized));
                w.WriteString("term", r.Term == HoldingTerm.Long ? "long" : "short");
                w.WriteBoolean("permanent", r.Permanent);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("lots");
            foreach (var (account, lot) in result.Lots)
            {
                w.WriteStartObject();
                w.WriteString("id", lot.Id);
                w.WriteString("account", account);
                w.WriteString("symbol", lot.Symbol);
                w.WriteNumber("quantity", Exact(lot.Quantity));
                w.WriteNumber("basis", Cents(lot.Basis));
                w.WriteString("purchased", lot.Purchased.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                w.WriteString("holding_since", lot.HoldingSince.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartObject("summary");
            w.WriteNumber("short_term", Cents(result.Summary.ShortTerm));
            w.WriteNumber("long_term", Cents(result.Summary.LongTerm));
            w.WriteNumber("disallowed", Cents(result.Summary.Disallowed));
            w.WriteNumber("permanently_disallowed", Cents(result.Summary.PermanentlyDisallowed));
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + Environment.NewLine;
    }

    /// <summary>The readable replay: realized rows, open lots and the summary, as tables laid out for a console
    /// <paramref name="width"/> characters wide (null: <c>COLUMNS</c> or 120).</summary>
    public static string Table(ReplayResult result, int? width = null)
    {
        static string M(decimal d) => Cents(d).ToString("N2", CultureInfo.InvariantCulture);
        static string Q(decimal d) => Exact(d).ToString(CultureInfo.InvariantCulture);
        static string D(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var output = new StringWriter();
        var console = PlainConsole.For(output, width);
        // Narrow consoles lose what the kept columns imply first: proceeds and basis (gain is their difference), then the
        // lot id, whether a disallowed loss is permanent, the term, the recognized gain (gain + disallowed), the account.
        var realized = new TableLayout("Realized")
            .Key("date").Key("account", drop: 1).Key("symbol").Key("lot", drop: 5).Number("quantity").Number("proceeds", drop: 7)
            .Number("basis", drop: 6).Number("gain").Number("disallowed").Number("recognized", drop: 2).Key("term", drop: 3)
            .Key("permanent", drop: 4);
        foreach (var r in result.Realized)
            realized.Row(D(r.Date), r.Account, r.Symbol, r.LotId, Q(r.Quantity), M(r.Proceeds), M(r.Basis), M(r.Gain),
                M(r.Disallowed), M(r.Recognized), r.Term == HoldingTerm.Long ? "long" : "short", r.Permanent ? "yes" : "no");
        Write(console, realized, result.Realized.Count, "Realized");
        console.WriteLine();
        // The real purchase date goes first (the holding period's start decides the term), then the account (the
        // generated lot ids carry it), then the holding period's start.
        var lots = new TableLayout("Open lots")
            .Key("id").Key("account", drop: 2).Key("symbol").Number("quantity").Number("basis").Key("purchased", drop: 3)
            .Key("holding since", drop: 1);
        foreach (var (account, lot) in result.Lots)
            lots.Row(lot.Id, account, lot.Symbol, Q(lot.Quantity), M(lot.Basis), D(lot.Purchased), D(lot.HoldingSince));
        Write(console, lots, result.Lots.Count, "Open lots");
        console.WriteLine();
        var s = result.Summary;
        new TableLayout("Summary (taxable and trust accounts)")
            .Number("short term").Number("long term").Number("disallowed").Number("permanently disallowed")
            .Row(M(s.ShortTerm), M(s.LongTerm), M(s.Disallowed), M(s.PermanentlyDisallowed))
            .WriteTo(console);
        return output.ToString();
    }

    /// <summary>An empty table says so in one line rather than as a header over nothing.</summary>
    private static void Write(IAnsiConsole console, TableLayout table, int rows, string title)
    {
        if (rows == 0) console.WriteLine($"{title}: none");
        else table.WriteTo(console);
    }
}
