using System.Text;
using System.Text.Json;
using Households.Client.Commands;
using Households.Tests.Api;
using Households.Tests.Explanations;
using Xunit;

namespace Households.Tests.Cli;

/// <summary><c>households explain</c> against a real silo: the pending proposal of <see cref="TransitionApiTests"/>'s household
/// written as PDF and as HTML; bad input is exit 2 with one line and writes nothing.</summary>
public sealed class CliExplainTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Explain_writes_the_proposals_pdf_and_html_and_refuses_bad_input()
    {
        var http = factory.CreateClient();
        await TransitionApiTests.Seed(http, "EXCLI1");
        (await http.PostAsync("/api/households/EXCLI1/rebalance", null)).EnsureSuccessStatusCode();
        var proposals = JsonDocument.Parse(await http.GetStringAsync("/api/households/EXCLI1/proposals")).RootElement;
        var pid = proposals.EnumerateArray().First(p => p.GetProperty("status").GetString() == "pending").GetProperty("id").GetString()!;
        var dir = Directory.CreateTempSubdirectory("explain-");
        try
        {
            var pdf = Path.Combine(dir.FullName, "p.pdf");
            var run = await CliRunner.Run(factory, "explain", "--household", "EXCLI1", "--proposal", pid, "--out", pdf);
            Assert.True(run.Code == 0, run.Err);
            ClientExplanationTests.AssertValidPdf(Encoding.ASCII.GetString(await File.ReadAllBytesAsync(pdf)), out var pages);
            Assert.InRange(pages, 1, 2);

            var html = Path.Combine(dir.FullName, "p.html");
            run = await CliRunner.Run(factory, "explain", "--household", "EXCLI1", "--proposal", pid, "--format", "html", "--out", html);
            Assert.True(run.Code == 0, run.Err);
            Assert.Contains($"Proposal {pid}", await File.ReadAllTextAsync(html));

            var missing = await CliRunner.Run(factory, "explain", "--household", "EXCLI1", "--proposal", "NOPE-1", "--out", Path.Combine(dir.FullName, "x.pdf"));
            Assert.Equal(ExitCodes.BadInput, missing.Code);
            Assert.Contains("proposal NOPE-1 does not exist", missing.Err);
            Assert.Single(missing.Err.Trim().Split('\n'));
            var format = await CliRunner.Run(factory, "explain", "--household", "EXCLI1", "--proposal", pid, "--format", "docx", "--out", Path.Combine(dir.FullName, "x.docx"));
            Assert.Equal(ExitCodes.BadInput, format.Code);
            Assert.Contains("--format must be pdf or html", format.Err);
            var noOut = await CliRunner.Run(factory, "explain", "--household", "EXCLI1", "--proposal", pid);
            Assert.Equal(ExitCodes.BadInput, noOut.Code);
            Assert.Equal(["p.html", "p.pdf"], dir.GetFiles().Select(f => f.Name).Order().ToArray());
        }
        finally { dir.Delete(true); }
    }
}
