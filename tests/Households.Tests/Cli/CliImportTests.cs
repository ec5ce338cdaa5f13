using System.Net;
using System.Text.Json;
using Households.Client.Commands;
using Households.Contracts;
using Households.Tests.Api;
using Households.Tests.Import;
using Xunit;

namespace Households.Tests.Cli;

/// <summary><c>households import</c> of docs/samples into a real silo, read back through the API; a second import
/// of the same files changes nothing.</summary>
public sealed class CliImportTests(ApiFactory factory) : IClassFixture<ApiFactory>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("cli-import-").FullName;
    private readonly HouseholdsApiClient _api = new(factory.CreateClient());

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Sample_firm_imports_reads_back_and_re_imports_without_duplicates()
    {
        var samples = ImportParserTests.SamplesDir;
        var dry = await CliRunner.Run(factory, "import", "--dir", samples, "--dry-run");
        Assert.Equal((0, ""), (dry.Code, dry.Err));
        Assert.Contains("valid: 13 securities (13 prices), 2 models, 3 households, 7 accounts, 20 lots; nothing sent", dry.Out);
        Assert.Empty(await _api.ListHouseholds(default));

        var first = await CliRunner.Run(factory, "import", "--dir", samples);

        Assert.True(first.Code == 0, first.Err);
        Assert.Contains("imported: 13 securities upserted (13 prices), 2 models defined, 0 unchanged; 3 households created, 0 already existed", first.Out);
        Assert.Equal(["HH-CHEN", "HH-GARCIA", "HH-SMITH"], (await _api.ListHouseholds(default)).Select(h => h.Id).Order());
        var garcia = (await _api.GetHousehold("HH-GARCIA", default))!;
        Assert.Equal("Garcia Household", garcia.Name);
        var taxable = garcia.Accounts.Single(a => a.Spec.Id == "GARCIA-TAX");
        // Non-discretionary: nothing trades without approval, so the opening books are exactly the file's.
        Assert.Equal(15000.00m, taxable.Cash);
        Assert.False(taxable.Spec.Discretionary);
        Assert.Equal("EQ-CORE", taxable.Spec.ModelId);
        var vti = taxable.Holdings.Single(h => h.Symbol == "VTI");
        Assert.Equal(80m, vti.Quantity);
        Assert.Equal(312.40m, vti.Price);
        Assert.Equal(80m * 312.40m, vti.MarketValue);
        var lot = Assert.Single(vti.Lots).Lot;
        Assert.Equal(new TaxLot("GT-1", "VTI", 80m, 17600.00m, new DateOnly(2020, 11, 2), new DateOnly(2020, 11, 2)), lot);
        Assert.Equal(AccountType.Education529, garcia.Accounts.Single(a => a.Spec.Id == "GARCIA-529").Spec.Type);
        var chen = (await _api.GetHousehold("HH-CHEN", default))!.Accounts.Single(a => a.Spec.Id == "CHEN-TAX");
        Assert.Equal(1000.00m, chen.Cash);
        Assert.Equal(new DateOnly(2025, 8, 15), chen.Holdings.Single(h => h.Symbol == "XOM").Lots.Single(l => l.Lot.Id == "CX-5").Lot.HoldingSince);
        Assert.Equal(new[] { "SMITH-TAX", "SMITH-IRA", "SMITH-ROTH" }, (await _api.GetHousehold("HH-SMITH", default))!.Accounts.Select(a => a.Spec.Id));
        var model = (await _api.GetModel("BAL-6040", default))!;
        Assert.Equal(new ModelSleeve(SleeveKind.Model, "EQ-CORE", 0.60m, new DriftBand(0.05m, 0.25m)), model.Sleeves[0]);

        var again = await CliRunner.Run(factory, "import", "--dir", samples);

        Assert.True(again.Code == 0, again.Err);
        Assert.Contains("0 models defined, 2 unchanged", again.Out);
        Assert.Contains("2 unchanged; 0 households created, 3 already existed and were skipped (HH-SMITH, HH-GARCIA, HH-CHEN)", again.Out);
        Assert.Equal(3, (await _api.ListHouseholds(default)).Count);
        var garciaAgain = (await _api.GetHousehold("HH-GARCIA", default))!.Accounts.Single(a => a.Spec.Id == "GARCIA-TAX");
        Assert.Equal(15000.00m, garciaAgain.Cash);
        Assert.Equal([80m, 200m], garciaAgain.Holdings.OrderBy(h => h.Symbol).Select(h => h.Quantity));
        Assert.Single(garciaAgain.Holdings.Single(h => h.Symbol == "VTI").Lots);
    }

    [Fact]
    public async Task Rejected_import_writes_the_report_as_csv_or_json_and_sends_nothing()
    {
        File.WriteAllText(Path.Combine(_dir, "households.csv"), "household,name,advisor\nRPT-1,=cmd|' /C calc'!A0,ADV1\n");
        File.WriteAllText(Path.Combine(_dir, "accounts.csv"), "account,household,type,cash\nRPT-1-T,RPT-1,taxable,NaN\n");
        var json = Path.Combine(_dir, "report.json");
        var csv = Path.Combine(_dir, "report.csv");

        var run = await CliRunner.Run(factory, "import", "--dir", _dir, "--report", json);
        var runCsv = await CliRunner.Run(factory, "import", "--households", Path.Combine(_dir, "households.csv"),
            "--accounts", Path.Combine(_dir, "accounts.csv"), "--report", csv);

        Assert.Equal((2, ""), (run.Code, run.Out));
        Assert.StartsWith("error: import rejected, nothing was sent: 2 problems; first: households.csv line 2, field name: must not start with", run.Err);
        Assert.Contains("accounts.csv line 2, field cash: not a finite number (value 'NaN')", run.Err);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(2, doc.RootElement.GetProperty("problems").GetInt32());
        var issue = doc.RootElement.GetProperty("issues")[1];
        Assert.Equal(("accounts.csv", 2, "cash", "NaN"), (issue.GetProperty("file").GetString(), issue.GetProperty("line").GetInt32(),
            issue.GetProperty("field").GetString(), issue.GetProperty("value").GetString()));
        Assert.Equal(2, runCsv.Code);
        var lines = File.ReadAllLines(csv);
        Assert.Equal("file,line,field,value,message", lines[0]);
        Assert.StartsWith("\"households.csv\",\"2\",\"name\",\"'=cmd|", lines[1]);
        Assert.Equal(HttpStatusCode.NotFound, (await factory.CreateClient().GetAsync("/api/households/RPT-1")).StatusCode);
    }

    [Fact]
    public async Task No_files_is_bad_input()
    {
        var run = await CliRunner.Run(factory, "import", "--dir", _dir);
        Assert.Equal(2, run.Code);
        Assert.Equal("error: nothing to import: give --dir or at least one of --securities, --models, --households, --accounts, --lots\n", run.Err.ReplaceLineEndings("\n"));
    }
}
