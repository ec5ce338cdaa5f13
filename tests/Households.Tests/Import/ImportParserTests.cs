using Households.Contracts;
using Households.Domain.Import;
using Xunit;

namespace Households.Tests.Import;

/// <summary>The import files as the domain reads them: the docs/samples firm on worked values, and reports that
/// name file, line and field.</summary>
public sealed class ImportParserTests
{
    public static readonly DateOnly Today = new(2026, 11, 24);

    public static string SamplesDir { get; } = FindSamples();

    private static string FindSamples()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "docs", "samples");
            if (File.Exists(Path.Combine(candidate, "lots.csv"))) return candidate;
        }
        throw new DirectoryNotFoundException("docs/samples not found above the test binaries");
    }

    public static ImportFiles Samples() => new(
        Source(ImportParser.SecuritiesFile), Source(ImportParser.ModelsFile), Source(ImportParser.HouseholdsFile),
        Source(ImportParser.AccountsFile), Source(ImportParser.LotsFile));

    private static ImportSource Source(string name) => new(name, File.ReadAllText(Path.Combine(SamplesDir, name)));

    [Fact]
    public void Sample_firm_parses_into_securities_prices_models_in_dependency_order_and_households()
    {
        var result = ImportParser.Validate(Samples(), Today);

        Assert.True(result.Ok, string.Join("\n", result.Issues));
        var plan = result.Plan!;
        Assert.Equal(13, plan.Securities.Length);
        Assert.Equal(13, plan.Prices.Length);
        Assert.Equal(new Security("VOO", "Vanguard S&P 500 ETF", "US Equity", "Diversified", "SP500", SecurityKind.EquityFund), plan.Securities.Single(s => s.Symbol == "VOO"));
        Assert.Equal(312.40m, plan.Prices.Single(p => p.Symbol == "VTI").Price);
        // The sub-model goes first: the server refuses a model whose sub-model does not exist yet.
        Assert.Equal(["EQ-CORE", "BAL-6040"], plan.Models.Select(m => m.Id));
        var balanced = plan.Models[1];
        Assert.Equal("Balanced 60/40", balanced.Name);
        Assert.Equal(new ModelSleeve(SleeveKind.Model, "EQ-CORE", 0.60m, new DriftBand(0.05m, 0.25m)), balanced.Sleeves[0]);
        Assert.Equal(1m, balanced.Sleeves.Sum(s => s.Weight));

        Assert.Equal(["HH-SMITH", "HH-GARCIA", "HH-CHEN"], plan.Households.Select(h => h.Spec.Id));
        var smith = plan.Households[0];
        Assert.Equal(new[] { "SMITH-TAX", "SMITH-IRA", "SMITH-ROTH" }, smith.Spec.AccountIds);
        Assert.Equal("ADV01", smith.Spec.AdvisorId);
        var taxable = smith.Accounts[0];
        Assert.Equal(2500.00m, taxable.Cash);
        Assert.Equal(4, taxable.Lots.Length);
        Assert.Equal(new TaxLot("ST-2", "VTI", 40m, 13200.00m, new DateOnly(2025, 12, 10), new DateOnly(2025, 12, 10)), taxable.Lots[1]);
        Assert.Equal(HarvestPolicy.Default, taxable.Spec.Harvest);
        Assert.Equal(HarvestPolicy.Off, smith.Accounts[1].Spec.Harvest); // IRA: off by default
        Assert.Equal(LotRelief.Fifo, smith.Accounts[1].Spec.DefaultRelief);

        var garcia = plan.Households[1];
        Assert.False(garcia.Accounts[0].Spec.Discretionary);
        Assert.Equal(AccountType.Education529, garcia.Accounts[1].Spec.Type);
        var chen = plan.Households[2];
        Assert.Equal(LotRelief.MinTax, chen.Accounts[0].Spec.DefaultRelief);
        Assert.Equal(AccountType.Trust, chen.Accounts[0].Spec.Type);
        Assert.Null(chen.Accounts[1].Spec.ModelId);
        Assert.Equal(HarvestPolicy.Off, chen.Accounts[1].Spec.Harvest); // taxable, but harvest=false in the file
        var tacked = chen.Accounts[1].Lots.Single(l => l.Id == "CX-5");
        Assert.Equal((new DateOnly(2025, 10, 1), new DateOnly(2025, 8, 15)), (tacked.Purchased, tacked.HoldingSince));
        Assert.Equal(20, plan.Households.Sum(h => h.Accounts.Sum(a => a.Lots.Length)));
    }

    [Fact]
    public void Every_problem_is_reported_with_file_line_and_field_and_no_plan_is_made()
    {
        var files = Samples() with
        {
            Models = new ImportSource("models.csv", "model,sleeve,weight\nM1,VTI,0.5\nM1,BND,0.4\n"),
            Accounts = new ImportSource("accounts.csv", "account,household,type,cash\nA1,HH-SMITH,taxable,100\nA2,HH-NOBODY,ira,-5\nA1,HH-SMITH,roth,0\n"),
            Lots = new ImportSource("lots.csv", "account,symbol,lot,quantity,basis,purchased\nA1,VTI,L1,NaN,100,2024-01-02\nA9,VTI,L2,1,1,2024-01-02\nA1,ZZZZ,L3,1,1,2027-01-01\n"),
        };

        var result = ImportParser.Validate(files, Today);

        Assert.False(result.Ok);
        Assert.Null(result.Plan);
        var text = result.Issues.Select(i => i.ToString()).ToList();
        Assert.Contains("models.csv line 2, field weight: weights of model M1 sum to 0.9, not 1", text);
        Assert.Contains("accounts.csv line 3, field household: household HH-NOBODY is not in households.csv (value 'HH-NOBODY')", text);
        Assert.Contains("accounts.csv line 3, field cash: cash must be >= 0 (value '-5')", text);
        Assert.Contains("accounts.csv line 4, field account: duplicate account A1 (value 'A1')", text);
        Assert.Contains("lots.csv line 2, field quantity: not a finite number (value 'NaN')", text);
        Assert.Contains("lots.csv line 3, field account: account A9 is not in accounts.csv (value 'A9')", text);
        Assert.Contains("lots.csv line 4, field purchased: must be between 1900-01-01 and today (2026-11-24) (value '2027-01-01')", text);
        Assert.Contains("lots.csv line 4, field symbol: unknown symbol ZZZZ (not in securities.csv nor on the server) (value 'ZZZZ')", text);
        // The sample households lost their accounts in this variant.
        Assert.Contains("households.csv line 3, field household: household HH-GARCIA has no accounts in accounts.csv (value 'HH-GARCIA')", text);
        Assert.Equal(result.ProblemCount, result.Issues.Count);
    }

    [Fact]
    public void References_the_server_knows_are_accepted()
    {
        var files = new ImportFiles(
            Households: new ImportSource("households.csv", "household,name,advisor\nH1,One,ADV1\n"),
            Accounts: new ImportSource("accounts.csv", "account,household,type,model\nA1,H1,taxable,GR80\n"),
            Lots: new ImportSource("lots.csv", "account,symbol,lot,quantity,basis,purchased\nA1,GLEQ,L1,10,1000,2024-01-02\n"));
        var parsed = ImportParser.Parse(files, Today);
        Assert.Equal(["GLEQ"], parsed.ExternalSymbols);
        Assert.Equal(["GR80"], parsed.ExternalModels);

        var result = parsed.Resolve(s => s == "GLEQ", m => m == "GR80");

        Assert.True(result.Ok, string.Join("\n", result.Issues));
        Assert.Equal("GR80", result.Plan!.Households.Single().Accounts.Single().Spec.ModelId);
    }

    [Fact]
    public void An_account_says_whether_it_reinvests_its_cash_dividends()
    {
        var files = new ImportFiles(
            Households: new ImportSource("households.csv", "household,name,advisor\nH1,One,ADV1\n"),
            Accounts: new ImportSource("accounts.csv", "account,household,type,reinvest_dividends\nA1,H1,taxable,yes\nA2,H1,ira,0\nA3,H1,roth,\nA4,H1,trust,TRUE\n"),
            Lots: null);
        var result = ImportParser.Parse(files, Today).Resolve(_ => true, _ => false);
        Assert.True(result.Ok, string.Join("\n", result.Issues));
        Assert.Equal([true, false, false, true], result.Plan!.Households.Single().Accounts.Select(a => a.Spec.ReinvestDividends));

        var bad = files with { Accounts = new ImportSource("accounts.csv", "account,household,type,reinvest_dividends\nA1,H1,taxable,sometimes\n") };
        Assert.Contains(ImportParser.Validate(bad, Today).Issues.Select(i => i.ToString()),
            t => t.StartsWith("accounts.csv line 2, field reinvest_dividends: must be true or false"));
    }

    [Fact]
    public void An_account_says_whether_its_custodian_trades_fractions_and_its_own_minimum_trade()
    {
        var files = new ImportFiles(
            Households: new ImportSource("households.csv", "household,name,advisor\nH1,One,ADV1\n"),
            Accounts: new ImportSource("accounts.csv", "account,household,type,fractional_shares,min_trade\nA1,H1,taxable,true,25\nA2,H1,ira,,\n"),
            Lots: new ImportSource("lots.csv", "account,symbol,lot,quantity,basis,purchased\nA1,GLEQ,L1,10,1000,2024-01-02\n"));
        var result = ImportParser.Parse(files, Today).Resolve(s => s == "GLEQ", _ => false);
        Assert.True(result.Ok, string.Join("\n", result.Issues));
        var accounts = result.Plan!.Households.Single().Accounts;
        Assert.Equal((true, 25m), (accounts[0].Spec.FractionalShares, accounts[0].Spec.MinTrade));
        Assert.Equal((false, (decimal?)null), (accounts[1].Spec.FractionalShares, accounts[1].Spec.MinTrade));

        var bad = files with { Accounts = new ImportSource("accounts.csv", "account,household,type,min_trade\nA1,H1,taxable,-5\n") };
        Assert.Contains(ImportParser.Validate(bad, Today).Issues.Select(i => i.ToString()), t => t.StartsWith("accounts.csv line 2, field min_trade: min_trade must be >= 0"));
    }

    [Fact]
    public void Model_cycle_and_self_reference_are_refused()
    {
        var files = new ImportFiles(Models: new ImportSource("models.csv",
            "model,kind,sleeve,weight\nA,model,B,1\nB,model,A,1\nC,model,C,1\n"));
        var text = ImportParser.Validate(files, Today).Issues.Select(i => i.ToString()).ToList();
        Assert.Contains(text, t => t.StartsWith("models.csv line 2, field sleeve: model A is part of a cycle of models"));
        Assert.Contains("models.csv line 4, field sleeve: model C contains itself (value 'C')", text);
    }

    [Fact]
    public void Report_values_are_truncated_stripped_of_control_characters_and_formula_safe_in_csv()
    {
        var hostile = "=cmd|' /C calc'!A0" + new string('x', 60) + "\u001b[31m";
        var issue = new ImportIssue("households.csv", 2, "name", ImportIssue.Shown(hostile), "bad");
        Assert.Equal(41, issue.Value.Length);
        Assert.EndsWith("…", issue.Value);
        Assert.DoesNotContain('\u001b', ImportIssue.Shown("a\u001bb"));
        var csv = ImportReport.Csv([issue]).Split('\n')[1];
        Assert.StartsWith("\"households.csv\",\"2\",\"name\",\"'=cmd|' /C calc'!A0", csv);
        Assert.Contains("\"problems\": 1", ImportReport.Json([issue]));
    }
}
