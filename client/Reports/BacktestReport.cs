using System.Globalization;
using Households.Simulation.Backtesting;
using Households.Simulation.Scenarios;
using SkiaSharp;

namespace Households.Client.Reports;

/// <summary>The backtest's figures as PNG charts (ScottPlot, headless) and a PDF report for the firm (SkiaSharp's PDF
/// backend): tax alpha by frequency, cumulative harvested losses over time, and the distribution of account drift
/// before and after a shock scenario.</summary>
public static class BacktestReport
{
    public const string AlphaChart = "tax-alpha-by-frequency.png";
    public const string LossesChart = "harvested-losses.png";
    public const string DriftChart = "drift-before-after-shock.png";

    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>Writes the three charts into <paramref name="directory"/>; returns their paths.</summary>
    public static IReadOnlyList<string> Charts(BacktestResult result, IReadOnlyList<DriftSample> drift, Scenario scenario, string directory)
    {
        Directory.CreateDirectory(directory);
        var paths = new List<string>();

        var harvested = result.Strategies.Where(s => s.Strategy != "never").ToArray();
        {
            var plot = new ScottPlot.Plot();
            var positions = Enumerable.Range(0, result.Strategies.Length).Select(i => (double)i).ToArray();
            var bars = result.Strategies.Select((s, i) => new ScottPlot.Bar
            {
                Position = i * 3,
                Value = s.TaxAlpha * 100,
                FillColor = ScottPlot.Colors.SteelBlue,
                Label = s.TaxAlpha.ToString("P2", C),
            }).Concat(result.Strategies.Select((s, i) => new ScottPlot.Bar
            {
                Position = i * 3 + 1,
                Value = s.TaxAlphaLiquidated * 100,
                FillColor = ScottPlot.Colors.DarkOrange,
                Label = s.TaxAlphaLiquidated.ToString("P2", C),
            })).ToArray();
            var bp = plot.Add.Bars(bars);
            bp.ValueLabelStyle.FontSize = 11;
            plot.Axes.Bottom.SetTicks(result.Strategies.Select((_, i) => i * 3 + 0.5).ToArray(), result.Strategies.Select(s => s.Strategy).ToArray());
            plot.Legend.ManualItems.Add(new ScottPlot.LegendItem { LabelText = "no liquidation", FillColor = ScottPlot.Colors.SteelBlue });
            plot.Legend.ManualItems.Add(new ScottPlot.LegendItem { LabelText = "liquidated at end", FillColor = ScottPlot.Colors.DarkOrange });
            plot.ShowLegend(ScottPlot.Alignment.UpperRight);
            plot.Title($"Tax alpha by harvest frequency ({result.Accounts} accounts, {result.Years} years)");
            plot.YLabel("annualized tax alpha (%)");
            // Room below zero for the labels of negative bars.
            plot.Axes.Margins(bottom: 0.15, top: 0.2);
            _ = positions;
            paths.Add(Save(plot, directory, AlphaChart));
        }
        {
            var plot = new ScottPlot.Plot();
            foreach (var s in harvested)
            {
                var ys = s.CumulativeLossesByMonth.Select(v => v / 1e6).ToArray();
                var xs = Enumerable.Range(0, ys.Length).Select(m => m * 21.0 / 252).ToArray();
                var line = plot.Add.Scatter(xs, ys);
                line.LegendText = s.Strategy;
                line.MarkerSize = 0;
                line.LineWidth = 2;
            }
            plot.ShowLegend(ScottPlot.Alignment.UpperLeft);
            plot.Title("Cumulative harvested losses");
            plot.XLabel("years");
            plot.YLabel("$ millions (all accounts)");
            paths.Add(Save(plot, directory, LossesChart));
        }
        int outBefore = drift.Count(d => d.OutOfBandBefore > 0), outAfter = drift.Count(d => d.OutOfBandAfter > 0);
        paths.Add(DriftHistogramChart([.. drift.Select(d => d.MaxDriftBefore)], [.. drift.Select(d => d.MaxDriftAfter)],
            $"Demo firm account drift, {scenario.Name}: out of band {outBefore} → {outAfter} of {drift.Count}", $"after {scenario.Name}",
            Path.Combine(directory, DriftChart)));
        return paths;
    }

    /// <summary>The "drift distribution before and after a shock" chart: accounts by their largest |weight − target|
    /// (fractions; drawn in percentage points), before and after, as overlaid histograms.</summary>
    public static string DriftHistogramChart(IReadOnlyList<double> before, IReadOnlyList<double> after, string title, string afterLabel, string path)
    {
        var plot = new ScottPlot.Plot();
        double max = before.Count + after.Count == 0 ? 0.1 : Math.Max(0.01, Math.Max(before.DefaultIfEmpty(0).Max(), after.DefaultIfEmpty(0).Max()) * 100);
        const int binCount = 30;
        double width = max / binCount;
        AddHistogram(plot, before.Select(d => d * 100), width, binCount, ScottPlot.Colors.SteelBlue.WithAlpha(0.6), "before");
        AddHistogram(plot, after.Select(d => d * 100), width, binCount, ScottPlot.Colors.Crimson.WithAlpha(0.6), afterLabel);
        plot.Title(title);
        plot.XLabel("largest |weight − target| of the account (percentage points)");
        plot.YLabel("accounts");
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);
        plot.Axes.Margins(bottom: 0);
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } dir) Directory.CreateDirectory(dir);
        plot.SavePng(path, 900, 520);
        return path;
    }

    private static void AddHistogram(ScottPlot.Plot plot, IEnumerable<double> values, double width, int binCount, ScottPlot.Color color, string label)
    {
        var counts = new double[binCount];
        foreach (var v in values) counts[Math.Clamp((int)(v / width), 0, binCount - 1)]++;
        var bars = counts.Select((c, b) => new ScottPlot.Bar { Position = (b + 0.5) * width, Value = c, Size = width * 0.95, FillColor = color, LineWidth = 0 }).ToArray();
        plot.Add.Bars(bars);
        plot.Legend.ManualItems.Add(new ScottPlot.LegendItem { LabelText = label, FillColor = color });
    }

    private static string Save(ScottPlot.Plot plot, string directory, string name)
    {
        var path = Path.Combine(directory, name);
        plot.SavePng(path, 900, 520);
        return path;
    }

    /// <summary>A PDF (A4 portrait pages): the setting, the summary table, the definition of tax alpha, and the charts.</summary>
    public static void Pdf(BacktestResult r, IReadOnlyList<DriftSample> drift, Scenario scenario, IReadOnlyList<string> charts, string path,
        ScenarioSet scenarios)
    {
        const float width = 595, height = 842, margin = 40;
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        using var stream = File.Create(path);
        using var document = SKDocument.CreatePdf(stream, new SKDocumentPdfMetadata
        {
            Title = "Households tax-alpha backtest",
            Creator = "households backtest",
            // 101 = lossless (Flate); the struct's default of 0 would be the worst JPEG quality.
            EncodingQuality = 101,
            RasterDpi = 150,
        });
        using var typeface = SKTypeface.FromFamilyName("DejaVu Sans") ?? SKTypeface.Default;
        using var mono = SKTypeface.FromFamilyName("DejaVu Sans Mono") ?? typeface;
        using var title = new SKFont(typeface, 18);
        using var body = new SKFont(typeface, 9.5f);
        using var table = new SKFont(mono, 7.2f);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var grey = new SKPaint { Color = new SKColor(90, 90, 90), IsAntialias = true };

        var canvas = document.BeginPage(width, height);
        float y = margin + 18;
        canvas.DrawText("Tax-loss harvesting backtest", margin, y, title, ink);
        y += 20;
        foreach (var line in Wrap($"{r.Accounts} accounts ({r.DirectIndexAccounts} direct-indexing, {r.ModelAccounts} fund-model) over {r.Years} years; market: {r.Market}; {r.Funding} funding; seed {r.Seed}. Rates {r.ShortRate.ToString("P0", C)} short-term / {r.LongRate.ToString("P0", C)} long-term; harvest threshold {r.MinLossPercent.ToString("P1", C)} of basis and ${r.MinLossDollars.ToString("N0", C)}; trading cost {r.CostBps.ToString(C)} bps a leg; {r.Decisions.ToString("N0", C)} engine decisions. Initial value ${r.InitialValue.ToString("N0", C)}; never-harvest twin return {r.BenchmarkReturn.ToString("P2", C)} a year.", 98))
        {
            canvas.DrawText(line, margin, y, body, grey);
            y += 13;
        }
        y += 8;
        string header = string.Create(C, $"{"strategy",-10}{"alpha",8}{"liquid.",9}{"harvested $",15}{"% start",8}{"sales",11}{"held",9}{"disallow",9}{"TE",8}{"turnover",9}");
        canvas.DrawText(header, margin, y, table, ink);
        y += 12;
        foreach (var s in r.Strategies)
        {
            string row = string.Create(C, $"{s.Strategy,-10}{s.TaxAlpha,8:P2}{s.TaxAlphaLiquidated,9:P2}{s.HarvestedLosses,15:N0}{s.HarvestedLossPercent,8:P1}{s.HarvestSales,11:N0}{s.WashSalesAvoided,9:N0}{s.DisallowedLosses,9:N0}{s.TrackingError,8:P2}{s.Turnover,9:P1}");
            canvas.DrawText(row, margin, y, table, ink);
            y += 11;
        }
        y += 8;
        foreach (var line in Wrap("Tax alpha: per account and annualized, the after-tax return minus the pre-tax return, over the same for the never-harvest twin: g(V+S) - g(V), where V is the portfolio's pre-tax value at the end and S the tax savings of harvested losses (short-term losses at the short-term rate, long-term at the long-term rate, settled at each year end and reinvested at the portfolio's return). 'Liquidated' also deducts the tax on every unrealized gain on the last day, for the strategy and for the twin. Every harvest was decided by the live decision engine (the optimizer against the index). Held: loss lots the engine held because their sale would have been a wash sale, plus orders refused at the fill price for the same reason. Disallowed: losses the ledger disallowed in the strategy's own sales (0: no unintended wash sale). TE: annualized tracking error of daily returns against the never-harvest twin; turnover: one-way, per year.", 98))
        {
            canvas.DrawText(line, margin, y, body, grey);
            y += 12;
        }
        y += 6;
        y = DrawImage(canvas, charts[0], margin, y, width - 2 * margin);
        document.EndPage();

        canvas = document.BeginPage(width, height);
        y = margin;
        y = DrawImage(canvas, charts[1], margin, y, width - 2 * margin) + 10;
        y = DrawImage(canvas, charts[2], margin, y, width - 2 * margin) + 14;
        int outBefore = drift.Count(d => d.OutOfBandBefore > 0), outAfter = drift.Count(d => d.OutOfBandAfter > 0);
        foreach (var line in Wrap($"Shock '{scenario.Name}': {scenario.Description} Of {drift.Count} demo-firm accounts, {outBefore} had a line out of band before and {outAfter} after. Scenarios in the file: {string.Join(", ", scenarios.Scenarios.Select(s => s.Name))}.", 98))
        {
            canvas.DrawText(line, margin, y, body, grey);
            y += 12;
        }
        document.EndPage();
        document.Close();
    }

    private static float DrawImage(SKCanvas canvas, string png, float x, float y, float w)
    {
        // Flatten onto white first: an opaque RGB image embeds in the PDF without a soft mask, which some viewers
        // render badly.
        using var decoded = SKBitmap.Decode(png);
        if (decoded is null) return y;
        using var opaque = new SKBitmap(new SKImageInfo(decoded.Width, decoded.Height, SKColorType.Rgb888x, SKAlphaType.Opaque));
        using (var flat = new SKCanvas(opaque))
        {
            flat.Clear(SKColors.White);
            flat.DrawBitmap(decoded, 0, 0);
        }
        using var image = SKImage.FromBitmap(opaque);
        float h = w * image.Height / image.Width;
        canvas.DrawImage(image, SKRect.Create(x, y, w, h), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
        return y + h;
    }

    private static IEnumerable<string> Wrap(string text, int columns)
    {
        var line = new System.Text.StringBuilder();
        foreach (var word in text.Split(' '))
        {
            if (line.Length + word.Length + 1 > columns && line.Length > 0)
            {
                yield return line.ToString();
                line.Clear();
            }
            if (line.Length > 0) line.Append(' ');
            line.Append(word);
        }
        if (line.Length > 0) yield return line.ToString();
    }
}
