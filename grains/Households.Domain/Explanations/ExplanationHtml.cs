using System.Globalization;
using System.Net;
using System.Text;
using static Households.Domain.Explanations.ExplanationText;

namespace Households.Domain.Explanations;

/// <summary>An explanation as one self-contained HTML page: inline CSS (with print rules: Letter, no page break inside a
/// section) and an inline SVG bar chart, nothing fetched. Each figure carries its exact value in <c>data-value</c> (invariant
/// culture) beside the text a reader sees, so a check can compare it with the API's JSON.</summary>
public static class ExplanationHtml
{
    private const string Style = """
        body{font:14px/1.45 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1d2939;max-width:760px;margin:24px auto;padding:0 16px}
        h1{font-size:22px;margin:0 0 2px}h2{font-size:16px;margin:22px 0 6px;border-bottom:1px solid #d0d5dd;padding-bottom:3px}
        .sub{color:#667085;font-size:12px}table{border-collapse:collapse;width:100%;margin:6px 0}
        th,td{text-align:left;padding:3px 6px;border-bottom:1px solid #eaecf0;font-size:13px}th{color:#475467;font-weight:600}
        td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}.neg{color:#b42318}.pos{color:#067647}
        ul{margin:4px 0 4px 18px;padding:0}li{margin:2px 0}h3{font-size:14px;margin:10px 0 2px}
        .legend span{display:inline-block;margin-right:14px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle}
        section{break-inside:avoid}@page{size:letter;margin:14mm}@media print{body{margin:0;max-width:none;font-size:12px}}
        """;

    // Bar colours: before, after, target (the PDF uses the same).
    internal static readonly string[] Colors = ["#98a2b3", "#2e90fa", "#12b76a"];

    public static string Render(ClientExplanation e)
    {
        var h = new StringBuilder();
        h.Append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(Enc($"{e.Title} - {e.HouseholdName}"))
            .Append("</title><style>").Append(Style).Append("</style></head>\n<body data-household=\"").Append(Enc(e.HouseholdId)).Append("\">\n");
        h.Append("<h1>").Append(Enc(e.Title)).Append("</h1><div class=\"sub\">").Append(Enc($"{e.HouseholdName} · {e.Subject} · {Date(e.AsOf)}")).Append("</div>\n");
        h.Append("<p id=\"summary\">").Append(Enc(e.Summary)).Append("</p>\n");

        h.Append("<section id=\"trades\"><h2>What we will buy and sell, and why</h2>\n");
        if (e.Trades.Length == 0) h.Append("<p>No trades.</p>");
        foreach (var g in e.Trades)
        {
            h.Append("<h3>").Append(Enc(g.Heading)).Append("</h3><ul data-account=\"").Append(Enc(g.Account)).Append("\">");
            foreach (var t in g.Trades)
                h.Append("<li data-symbol=\"").Append(Enc(t.Symbol)).Append("\" data-side=\"").Append(t.Side == Contracts.TradeSide.Buy ? "buy" : "sell")
                    .Append("\" data-quantity=\"").Append(V(t.Quantity)).Append("\" data-amount=\"").Append(V(t.Amount)).Append("\" data-gain=\"").Append(V(t.Gain))
                    .Append("\">").Append(Enc(t.Sentence)).Append("</li>");
            h.Append("</ul>\n");
        }
        h.Append("</section>\n");

        var tax = e.Tax;
        h.Append("<section id=\"tax\"><h2>Tax effect this year</h2><p>").Append(Enc(tax.Sentence)).Append("</p><table><tbody>");
        Row(h, "Short-term gain (loss)", "short-term-gain", tax.ShortTermGain);
        Row(h, "Long-term gain (loss)", "long-term-gain", tax.LongTermGain);
        Row(h, "Net gain (loss)", "net-gain", tax.NetGain);
        if (tax.EstimatedTax is { } est) Row(h, est < 0 ? "Estimated tax saved (negative)" : "Estimated tax", "estimated-tax", est);
        h.Append("</tbody></table></section>\n");

        h.Append("<section id=\"wash-sales\"><h2>Wash-sale precautions</h2>");
        if (e.Precautions.Length == 0) h.Append("<p>Nothing is sold at a loss, so nothing needs to wait before it is bought again.</p>");
        else
        {
            h.Append("<ul>");
            foreach (var p in e.Precautions)
                h.Append("<li data-security=\"").Append(Enc(p.Security)).Append("\" data-through=\"").Append(p.NoBuyThrough.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))
                    .Append("\">").Append(Enc(p.Sentence)).Append("</li>");
            h.Append("</ul>");
        }
        h.Append("</section>\n");

        h.Append("<section id=\"allocation\"><h2>Your portfolio against its target</h2><p>Tracking error (how far the portfolio may stray from its target in a year): ")
            .Append(Figure("tracking-error-before", e.TrackingErrorBefore, Percent(e.TrackingErrorBefore))).Append(" before, ")
            .Append(Figure("tracking-error-after", e.TrackingErrorAfter, Percent(e.TrackingErrorAfter))).Append(e.Years.Length > 0 ? " at the end of the plan." : " after.").Append("</p>");
        var hasAfter = e.Allocation.Any(l => l.After is not null);
        h.Append("<table><thead><tr><th>Asset class</th><th class=\"num\">Before</th>").Append(hasAfter ? "<th class=\"num\">After</th>" : "")
            .Append("<th class=\"num\">Target</th></tr></thead><tbody>");
        foreach (var l in e.Allocation)
        {
            h.Append("<tr data-asset-class=\"").Append(Enc(l.AssetClass)).Append("\"><td>").Append(Enc(l.AssetClass)).Append("</td>")
                .Append(Cell("before", l.Before));
            if (hasAfter) h.Append(Cell("after", l.After ?? 0));
            h.Append(Cell("target", l.Target)).Append("</tr>");
        }
        h.Append("</tbody></table>").Append(Chart(e.Allocation, hasAfter)).Append("</section>\n");

        if (e.Years.Length > 0)
        {
            h.Append("<section id=\"years\"><h2>Year by year</h2><table><thead><tr><th>Year</th><th class=\"num\">Short-term gain</th><th class=\"num\">Long-term gain</th>")
                .Append("<th class=\"num\">Losses harvested</th><th class=\"num\">Estimated tax</th><th class=\"num\">Tracking error</th><th class=\"num\">Outside the model</th></tr></thead><tbody>");
            foreach (var y in e.Years)
                h.Append("<tr data-year=\"").Append(y.Year).Append("\"><td>").Append(y.Year).Append("</td>")
                    .Append(MoneyCell("short-term-gain", y.ShortTermGain)).Append(MoneyCell("long-term-gain", y.LongTermGain)).Append(MoneyCell("harvested-losses", y.HarvestedLosses))
                    .Append(MoneyCell("estimated-tax", y.EstimatedTax)).Append(Cell("tracking-error", y.TrackingError)).Append(MoneyCell("outside-model", y.OutsideModel)).Append("</tr>");
            h.Append("</tbody></table></section>\n");
        }

        h.Append("<section id=\"sources\"><h2>Where the numbers come from</h2><ul>");
        foreach (var s in e.Sources) h.Append("<li>").Append(Enc(s)).Append("</li>");
        h.Append("</ul><p class=\"sub\">Estimates, not tax advice: your tax return decides. Prices move; the trades are placed at the prices of the day they execute.</p></section>\n");
        return h.Append("</body></html>\n").ToString();
    }

    private static void Row(StringBuilder h, string label, string name, decimal value) =>
        h.Append("<tr><th>").Append(Enc(label)).Append("</th>").Append(MoneyCell(name, value)).Append("</tr>");

    private static string MoneyCell(string name, decimal value) =>
        $"<td class=\"num{(value < 0 ? " neg" : "")}\" data-figure=\"{name}\" data-value=\"{V(value)}\">{Enc(Cents(value))}</td>";

    private static string Cell(string name, double fraction) =>
        $"<td class=\"num\" data-figure=\"{name}\" data-value=\"{V(fraction)}\">{Percent(fraction, 1)}</td>";

    private static string Figure(string name, double value, string text) => $"<strong data-figure=\"{name}\" data-value=\"{V(value)}\">{Enc(text)}</strong>";

    /// <summary>Bars per asset class: before, after (when there is one) and target, on one scale.</summary>
    private static string Chart(AllocationLine[] lines, bool hasAfter)
    {
        if (lines.Length == 0) return "";
        const int label = 150, width = 420, bar = 9, gap = 8;
        var series = hasAfter ? 3 : 2;
        var max = Math.Max(0.05, lines.Max(l => Math.Max(l.Before, Math.Max(l.After ?? 0, l.Target)))) * 1.1;
        var rowHeight = series * bar + gap;
        var s = new StringBuilder();
        s.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"Asset-class weights before, after and target\" width=\"100%\" viewBox=\"0 0 ")
            .Append(label + width + 60).Append(' ').Append(lines.Length * rowHeight + 4).Append("\" font-size=\"11\" font-family=\"Helvetica,Arial,sans-serif\">");
        for (var i = 0; i < lines.Length; i++)
        {
            var l = lines[i];
            var y = i * rowHeight + 2;
            s.Append("<text x=\"0\" y=\"").Append(V(y + series * bar / 2.0 + 4)).Append("\">").Append(Enc(l.AssetClass)).Append("</text>");
            double?[] values = hasAfter ? [l.Before, l.After, l.Target] : [l.Before, l.Target];
            for (var k = 0; k < values.Length; k++)
            {
                var v = values[k] ?? 0;
                var color = Colors[hasAfter ? k : k * 2];
                s.Append("<rect x=\"").Append(label).Append("\" y=\"").Append(y + k * bar).Append("\" width=\"").Append(V(Math.Max(0, v) / max * width))
                    .Append("\" height=\"").Append(bar - 1).Append("\" fill=\"").Append(color).Append("\"/>")
                    .Append("<text x=\"").Append(V(label + Math.Max(0, v) / max * width + 4)).Append("\" y=\"").Append(y + k * bar + bar - 1).Append("\" font-size=\"9\">")
                    .Append(Percent(v, 1)).Append("</text>");
            }
        }
        s.Append("</svg><div class=\"legend sub\"><span><i style=\"background:").Append(Colors[0]).Append("\"></i>Before</span>");
        if (hasAfter) s.Append("<span><i style=\"background:").Append(Colors[1]).Append("\"></i>After</span>");
        return s.Append("<span><i style=\"background:").Append(Colors[2]).Append("\"></i>Target</span></div>").ToString();
    }

    private static string Enc(string text) => WebUtility.HtmlEncode(text);

    private static string V(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    private static string V(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
