using System.Text;
using System.Text.RegularExpressions;
using Households.Contracts;
using Households.Domain.Tax;

namespace Households.Domain.Import;

/// <summary>One import file: its name (as the report shows it) and its text.</summary>
public sealed record ImportSource(string Name, string Text);

/// <summary>The files of one import; any may be absent. Lots need their accounts and accounts their households
/// in the same import, because an account is opened together with its lots.</summary>
public sealed record ImportFiles(
    ImportSource? Securities = null,
    ImportSource? Models = null,
    ImportSource? Households = null,
    ImportSource? Accounts = null,
    ImportSource? Lots = null);

/// <summary>A household as the API creates it: the spec and its accounts with opening cash and lots.</summary>
public sealed record HouseholdImport(HouseholdSpec Spec, AccountOpening[] Accounts);

/// <summary>What an import sends, in dependency order: securities (and their prices), models (sub-models
/// before the models built of them), then households with their accounts and lots.</summary>
public sealed record ImportPlan(Security[] Securities, PriceQuote[] Prices, TargetModel[] Models, HouseholdImport[] Households);

/// <summary>Either a plan (no problems) or the problems, each naming file, line and field.</summary>
public sealed record ImportResult(ImportPlan? Plan, IReadOnlyList<ImportIssue> Issues, int ProblemCount)
{
    public bool Ok => ProblemCount == 0 && Plan is not null;
}

/// <summary>Parses and cross-checks custodian-style import files (docs/formats.md). Pure: it reads text and
/// returns records or a report. Symbols and models the files reference but do not define are returned as
/// <see cref="ParsedImport.ExternalSymbols"/> / <see cref="ParsedImport.ExternalModels"/>; the caller looks them
/// up (for example on the server) and finishes with <see cref="ParsedImport.Resolve"/>.</summary>
public static partial class ImportParser
{
    public const string SecuritiesFile = "securities.csv";
    public const string ModelsFile = "models.csv";
    public const string HouseholdsFile = "households.csv";
    public const string AccountsFile = "accounts.csv";
    public const string LotsFile = "lots.csv";

    private static readonly Dictionary<string, SecurityKind> SecurityKinds = new()
    {
        ["stock"] = SecurityKind.Stock, ["equity_fund"] = SecurityKind.EquityFund, ["bond_fund"] = SecurityKind.BondFund, ["cash"] = SecurityKind.Cash,
    };

    private static readonly Dictionary<string, SleeveKind> SleeveKinds = new()
    {
        ["security"] = SleeveKind.Security, ["asset_class"] = SleeveKind.AssetClass, ["model"] = SleeveKind.Model,
    };

    public static readonly IReadOnlyDictionary<string, AccountType> AccountTypes = new Dictionary<string, AccountType>
    {
        ["taxable"] = AccountType.Taxable, ["ira"] = AccountType.Ira, ["roth"] = AccountType.Roth, ["trust"] = AccountType.Trust, ["529"] = AccountType.Education529,
    };

    private static readonly Dictionary<string, ExecutionMode> ExecutionModes = new()
    {
        ["simulated"] = ExecutionMode.Simulated, ["orders"] = ExecutionMode.Orders,
    };

    private static readonly Dictionary<string, LotRelief> Reliefs = new()
    {
        ["fifo"] = LotRelief.Fifo, ["lifo"] = LotRelief.Lifo, ["hifo"] = LotRelief.Hifo, ["mintax"] = LotRelief.MinTax,
    };

    public static ParsedImport Parse(ImportFiles files, DateOnly today)
    {
        var issues = new ImportIssues();
        var parsed = new ParsedImport(issues)
        {
            ModelsName = files.Models?.Name ?? ModelsFile,
            HouseholdsName = files.Households?.Name ?? HouseholdsFile,
        };
        ReadSecurities(files.Securities, parsed, issues);
        ReadModels(files.Models, parsed, issues);
        ReadHouseholds(files.Households, parsed, issues);
        ReadAccounts(files.Accounts, parsed, issues);
        ReadLots(files.Lots, parsed, issues, today);
        parsed.CrossCheck();
        return parsed;
    }

    /// <summary>Parses, treating every reference the files do not define as unknown.</summary>
    public static ImportResult Validate(ImportFiles files, DateOnly today) =>
        Parse(files, today).Resolve(_ => false, _ => false);

    private static void ReadSecurities(ImportSource? source, ParsedImport parsed, ImportIssues issues)
    {
        foreach (var row in Rows(source, ["symbol", "name", "asset_class", "sector", "type"], issues))
        {
            var symbol = row.Symbol("symbol");
            var name = row.Text("name");
            var assetClass = row.Text("asset_class");
            var sector = row.Text("sector");
            var kind = row.Choice("type", SecurityKinds);
            var group = row.Id("identical_group", required: false, max: ImportRules.MaxSymbolLength);
            var price = row.Price("price", required: false);
            var cusip = row.Id("cusip", required: false, max: 12);
            if (symbol is null) continue;
            if (parsed.Securities.ContainsKey(symbol)) { row.Problem("symbol", $"duplicate symbol {symbol}"); continue; }
            if (cusip is not null && parsed.Securities.Values.Any(s => s?.Security.Cusip == cusip)) { row.Problem("cusip", $"duplicate CUSIP {cusip}"); cusip = null; }
            if (name is null || assetClass is null || sector is null || kind is null || (row.Has("price") && price is null) || (row.Has("identical_group") && group is null)
                || (row.Has("cusip") && cusip is null))
            {
                parsed.Securities[symbol] = null; // defined, though bad: references to it are not reported again
                continue;
            }
            parsed.Securities[symbol] = (new Security(symbol, name, assetClass, sector, group, kind.Value, cusip), price);
        }
    }

    private static void ReadModels(ImportSource? source, ParsedImport parsed, ImportIssues issues)
    {
        foreach (var row in Rows(source, ["model", "sleeve", "weight"], issues))
        {
            var id = row.Id("model");
            var kind = row.Choice("kind", SleeveKinds, SleeveKind.Security);
            var key = kind == SleeveKind.AssetClass ? row.Text("sleeve") : row.Id("sleeve");
            var weight = row.Decimal("weight", 0m, true, 1m);
            var absolute = row.Decimal("band_absolute", 0m, true, 1m, required: false) ?? (row.Has("band_absolute") ? null : DriftBand.Default.Absolute);
            var relative = row.Decimal("band_relative", 0m, true, 10m, required: false) ?? (row.Has("band_relative") ? null : DriftBand.Default.Relative);
            var name = row.Text("name", required: false);
            var di = row.Bool("direct_indexing", false);
            if (id is null) continue;
            if (!parsed.Models.TryGetValue(id, out var model))
                parsed.Models[id] = model = new ModelDraft(id, row.Line, name ?? id, di ?? false);
            else
            {
                if (name is not null && name != model.Name) row.Problem("name", $"model {id} is named '{ImportIssue.Shown(model.Name)}' on line {model.Line}");
                if (di is not null && di != model.DirectIndexing) row.Problem("direct_indexing", $"model {id} says {model.DirectIndexing} on line {model.Line}");
            }
            if (key is null || kind is null || weight is null || absolute is null || relative is null) { model.Bad = true; continue; }
            if (model.Sleeves.Any(s => s.Sleeve.Kind == kind && s.Sleeve.Key == key))
            {
                row.Problem("sleeve", $"model {id} lists {key} twice");
                model.Bad = true;
                continue;
            }
            if (kind == SleeveKind.Model && key == id)
            {
                row.Problem("sleeve", $"model {id} contains itself");
                model.Bad = true;
                continue;
            }
            model.Sleeves.Add((new ModelSleeve(kind.Value, key, weight.Value, new DriftBand(absolute.Value, relative.Value)), row.Line));
            if (kind == SleeveKind.Security) parsed.ReferSymbol(key, source!.Name, row.Line, "sleeve");
            if (kind == SleeveKind.Model) parsed.ReferModel(key, source!.Name, row.Line, "sleeve");
        }
    }

    private static void ReadHouseholds(ImportSource? source, ParsedImport parsed, ImportIssues issues)
    {
        foreach (var row in Rows(source, ["household", "name", "advisor"], issues))
        {
            var id = row.Id("household");
            var name = row.Text("name");
            var advisor = row.Id("advisor");
            if (id is null) continue;
            if (parsed.Households.ContainsKey(id)) { row.Problem("household", $"duplicate household {id}"); continue; }
            parsed.Households[id] = name is null || advisor is null ? null : new HouseholdDraft(id, name, advisor, row.Line);
        }
    }

    private static void ReadAccounts(ImportSource? source, ParsedImport parsed, ImportIssues issues)
    {
        foreach (var row in Rows(source, ["account", "household", "type"], issues))
        {
            var id = row.Id("account");
            var household = row.Id("household");
            var name = row.Text("name", required: false);
            var type = row.Choice("type", AccountTypes);
            var model = row.Id("model", required: false);
            var discretionary = row.Bool("discretionary", true);
            var cash = row.Decimal("cash", 0m, true, ImportRules.MaxAmount, required: false) ?? (row.Has("cash") ? null : 0m);
            var relief = row.Choice("relief", Reliefs, LotRelief.Hifo);
            var separate = row.Bool("separate_taxpayer", false);
            var harvestDefault = type is AccountType.Taxable or AccountType.Trust;
            var harvest = row.Bool("harvest", harvestDefault);
            var fractional = row.Bool("fractional_shares", false);
            var minTrade = row.Decimal("min_trade", 0m, true, ImportRules.MaxAmount, required: false);
            var reinvest = row.Bool("reinvest_dividends", false);
            var execution = row.Choice("execution", ExecutionModes, required: false);
            if (id is null) continue;
            if (parsed.Accounts.ContainsKey(id)) { row.Problem("account", $"duplicate account {id}"); continue; }
            if (household is not null && !parsed.HouseholdFileGiven)
                row.Problem("household", $"household {household} must be in {HouseholdsFile} of the same import");
            else if (household is not null && !parsed.Households.ContainsKey(household))
                row.Problem("household", $"household {household} is not in {HouseholdsFile}");
            if (household is not null) parsed.HouseholdsWithAccounts.Add(household);
            if (model is not null) parsed.ReferModel(model, source!.Name, row.Line, "model");
            if (household is null || type is null || discretionary is null || cash is null || relief is null || separate is null || harvest is null
                || fractional is null || reinvest is null || (row.Has("min_trade") && minTrade is null) || (row.Has("execution") && execution is null)
                || (row.Has("model") && model is null) || (row.Has("name") && name is null))
            {
                parsed.Accounts[id] = null;
                continue;
            }
            var spec = new AccountSpec(id, household, name ?? id, type.Value, discretionary.Value, model, [], separate.Value, relief.Value,
                harvest.Value ? HarvestPolicy.Default : HarvestPolicy.Off, fractional.Value, minTrade, ReinvestDividends: reinvest.Value, Execution: execution);
            parsed.Accounts[id] = new AccountDraft(spec, cash.Value, row.Line);
        }
    }

    private static void ReadLots(ImportSource? source, ParsedImport parsed, ImportIssues issues, DateOnly today)
    {
        foreach (var row in Rows(source, ["account", "symbol", "lot", "quantity", "basis", "purchased"], issues))
        {
            var account = row.Id("account");
            var symbol = row.Symbol("symbol");
            var lot = row.Id("lot");
            var quantity = row.Quantity("quantity");
            var basis = row.Decimal("basis", 0m, true, ImportRules.MaxAmount);
            var purchased = row.Date("purchased", today);
            var since = row.Date("holding_since", today, required: false) ?? (row.Has("holding_since") ? null : purchased);
            if (purchased is { } p && since is { } s && s > p) { row.Problem("holding_since", $"must not be after purchased ({p:yyyy-MM-dd})"); since = null; }
            if (symbol is not null) parsed.ReferSymbol(symbol, source!.Name, row.Line, "symbol");
            if (account is null) continue;
            if (!parsed.Accounts.TryGetValue(account, out var draft))
            {
                row.Problem("account", parsed.AccountFileGiven ? $"account {account} is not in {AccountsFile}" : $"account {account} must be in {AccountsFile} of the same import");
                continue;
            }
            if (lot is not null && !parsed.LotIds.Add((account, lot))) { row.Problem("lot", $"duplicate lot {lot} in account {account}"); continue; }
            if (draft is null || symbol is null || lot is null || quantity is null || basis is null || purchased is null || since is null) continue;
            draft.Lots.Add(new TaxLot(lot, symbol, quantity.Value, basis.Value, purchased.Value, since.Value));
        }
    }

    [GeneratedRegex(@" line (\d+), field ([^:]+): (.*)$")]
    private static partial Regex CsvProblem();

    /// <summary>The data rows of one file, after the file-level checks: size, well-formed CSV, header with the
    /// required columns, row count, and each row's field count (bad rows are reported and skipped).</summary>
    internal static IEnumerable<ImportRow> Rows(ImportSource? source, string[] required, ImportIssues issues)
    {
        if (source is null) yield break;
        var name = source.Name;
        var bytes = Encoding.UTF8.GetByteCount(source.Text);
        if (bytes > ImportRules.MaxFileBytes)
        {
            issues.Add(new ImportIssue(name, 0, "(file)", "", $"the file is {bytes} bytes, more than the limit of {ImportRules.MaxFileBytes}"));
            yield break;
        }
        IReadOnlyList<CsvRecord> records;
        try
        {
            records = Csv.Rows(source.Text, name);
        }
        catch (BadInputException ex)
        {
            var m = CsvProblem().Match(ex.Message);
            issues.Add(m.Success
                ? new ImportIssue(name, int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), $"(field {m.Groups[2].Value.Trim()})", "", $"malformed CSV: {m.Groups[3].Value}")
                : new ImportIssue(name, 0, "(file)", "", $"malformed CSV: {ex.Message}"));
            yield break;
        }
        if (records.Count == 0)
        {
            issues.Add(new ImportIssue(name, 1, "(header)", "", $"the header row is missing (expected {string.Join(",", required)})"));
            yield break;
        }
        var header = records[0].Fields.Select(f => f.Trim().ToLowerInvariant()).ToList();
        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        var headerOk = true;
        for (var i = 0; i < header.Count; i++)
        {
            if (header[i].Length == 0) { issues.Add(new ImportIssue(name, records[0].Line, $"(column {i + 1})", "", "empty column name")); headerOk = false; }
            else if (!columns.TryAdd(header[i], i)) { issues.Add(new ImportIssue(name, records[0].Line, header[i], "", "duplicate column")); headerOk = false; }
        }
        foreach (var column in required.Where(c => !columns.ContainsKey(c)))
        {
            issues.Add(new ImportIssue(name, records[0].Line, column, "", $"required column is missing (the header row must name {string.Join(",", required)})"));
            headerOk = false;
        }
        if (!headerOk) yield break;
        if (records.Count - 1 > ImportRules.MaxRows)
        {
            issues.Add(new ImportIssue(name, records[ImportRules.MaxRows + 1].Line, "(file)", "", $"more than {ImportRules.MaxRows} data rows"));
            yield break;
        }
        foreach (var record in records.Skip(1))
        {
            if (record.Fields.Count != header.Count)
            {
                var field = record.Fields.Count < header.Count ? header[record.Fields.Count] : $"(extra field {header.Count + 1})";
                issues.Add(new ImportIssue(name, record.Line, field, "", $"{record.Fields.Count} fields where the header has {header.Count}"));
                continue;
            }
            yield return new ImportRow(name, record.Line, columns, record.Fields, issues);
        }
    }
}

internal sealed class ModelDraft(string id, int line, string name, bool directIndexing)
{
    public string Id { get; } = id;
    public int Line { get; } = line;
    public string Name { get; } = name;
    public bool DirectIndexing { get; } = directIndexing;
    public bool Bad { get; set; }
    public List<(ModelSleeve Sleeve, int Line)> Sleeves { get; } = [];
}

internal sealed record HouseholdDraft(string Id, string Name, string Advisor, int Line);

internal sealed class AccountDraft(AccountSpec spec, decimal cash, int line)
{
    public AccountSpec Spec { get; } = spec;
    public decimal Cash { get; } = cash;
    public int Line { get; } = line;
    public List<TaxLot> Lots { get; } = [];
}

/// <summary>The files read and checked on their own and against each other; references outside them are
/// settled by <see cref="Resolve"/>.</summary>
public sealed class ParsedImport
{
    private readonly ImportIssues _issues;
    private readonly List<(string Key, string File, int Line, string Field)> _symbolRefs = [];
    private readonly List<(string Key, string File, int Line, string Field)> _modelRefs = [];

    internal ParsedImport(ImportIssues issues) => _issues = issues;

    internal Dictionary<string, (Security Security, decimal? Price)?> Securities { get; } = new(StringComparer.Ordinal);
    internal Dictionary<string, ModelDraft> Models { get; } = new(StringComparer.Ordinal);
    internal Dictionary<string, HouseholdDraft?> Households { get; } = new(StringComparer.Ordinal);
    internal Dictionary<string, AccountDraft?> Accounts { get; } = new(StringComparer.Ordinal);
    internal HashSet<(string, string)> LotIds { get; } = [];
    internal HashSet<string> HouseholdsWithAccounts { get; } = new(StringComparer.Ordinal);
    internal string ModelsName { get; init; } = ImportParser.ModelsFile;
    internal string HouseholdsName { get; init; } = ImportParser.HouseholdsFile;
    internal bool HouseholdFileGiven => Households.Count > 0;
    internal bool AccountFileGiven => Accounts.Count > 0;

    /// <summary>Symbols the files reference (model sleeves, lots) but securities.csv does not define.</summary>
    public IReadOnlyList<string> ExternalSymbols => _symbolRefs.Select(r => r.Key).Where(k => !Securities.ContainsKey(k)).Distinct().ToList();

    /// <summary>Models the files reference (accounts, sub-model sleeves) but models.csv does not define.</summary>
    public IReadOnlyList<string> ExternalModels => _modelRefs.Select(r => r.Key).Where(k => !Models.ContainsKey(k)).Distinct().ToList();

    internal void ReferSymbol(string key, string file, int line, string field) => _symbolRefs.Add((key, file, line, field));

    internal void ReferModel(string key, string file, int line, string field) => _modelRefs.Add((key, file, line, field));

    internal void CrossCheck()
    {
        foreach (var model in Models.Values.Where(m => !m.Bad))
        {
            var sum = model.Sleeves.Sum(s => s.Sleeve.Weight);
            if (Math.Abs(sum - 1m) > global::Households.Domain.Models.ModelResolver.WeightTolerance)
                _issues.Add(new ImportIssue(ModelsName, model.Line, "weight", "", $"weights of model {model.Id} sum to {sum}, not 1"));
        }
        foreach (var cycle in Cycles())
            _issues.Add(new ImportIssue(ModelsName, Models[cycle].Line, "sleeve", cycle, $"model {cycle} is part of a cycle of models"));
        var accountsByHousehold = Accounts.Values.OfType<AccountDraft>().GroupBy(a => a.Spec.HouseholdId).ToDictionary(g => g.Key, g => g.Count());
        foreach (var household in Households.Values.OfType<HouseholdDraft>())
        {
            var count = accountsByHousehold.GetValueOrDefault(household.Id);
            if (!HouseholdsWithAccounts.Contains(household.Id))
                _issues.Add(new ImportIssue(HouseholdsName, household.Line, "household", household.Id, $"household {household.Id} has no accounts in {ImportParser.AccountsFile}"));
            if (count > 50)
                _issues.Add(new ImportIssue(HouseholdsName, household.Line, "household", household.Id, "a household holds at most 50 accounts"));
        }
    }

    private List<string> Cycles()
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        var inCycle = new List<string>();
        bool Visit(string id)
        {
            if (!Models.TryGetValue(id, out var model)) return false;
            switch (state.GetValueOrDefault(id))
            {
                case 1: return true;
                case 2: return false;
            }
            state[id] = 1;
            var found = false;
            foreach (var sub in model.Sleeves.Where(s => s.Sleeve.Kind == SleeveKind.Model)) found |= Visit(sub.Sleeve.Key);
            state[id] = 2;
            if (found) inCycle.Add(id);
            return found;
        }
        foreach (var id in Models.Keys) Visit(id);
        return inCycle.Distinct().OrderBy(id => Models[id].Line).ToList();
    }

    /// <summary>Settles outside references (for example with lookups against the server) and returns the plan or
    /// the report.</summary>
    public ImportResult Resolve(Func<string, bool> symbolExists, Func<string, bool> modelExists)
    {
        foreach (var (key, file, line, field) in _symbolRefs.Where(r => !Securities.ContainsKey(r.Key) && !symbolExists(r.Key)))
            _issues.Add(new ImportIssue(file, line, field, ImportIssue.Shown(key), $"unknown symbol {ImportIssue.Shown(key)} (not in {ImportParser.SecuritiesFile} nor on the server)"));
        foreach (var (key, file, line, field) in _modelRefs.Where(r => !Models.ContainsKey(r.Key) && !modelExists(r.Key)))
            _issues.Add(new ImportIssue(file, line, field, ImportIssue.Shown(key), $"unknown model {ImportIssue.Shown(key)} (not in {ImportParser.ModelsFile} nor on the server)"));
        if (_issues.Count > 0) return new ImportResult(null, _issues.Listed, _issues.Count);

        var securities = Securities.Values.Select(v => v!.Value).ToList();
        var prices = securities.Where(s => s.Price is not null).Select(s => new PriceQuote(s.Security.Symbol, s.Price!.Value)).ToArray();
        var households = Households.Values.Select(h => h!).Select(h =>
        {
            var accounts = Accounts.Values.Select(a => a!).Where(a => a.Spec.HouseholdId == h.Id)
                .Select(a => new AccountOpening(a.Spec, a.Cash, [.. a.Lots])).ToArray();
            return new HouseholdImport(new HouseholdSpec(h.Id, h.Name, h.Advisor, [.. accounts.Select(a => a.Spec.Id)]), accounts);
        }).ToArray();
        return new ImportResult(new ImportPlan([.. securities.Select(s => s.Security)], prices, DependencyOrder(), households), [], 0);
    }

    /// <summary>Sub-models before the models built of them (the server checks that every sub-model exists).</summary>
    private TargetModel[] DependencyOrder()
    {
        var ordered = new List<TargetModel>();
        var done = new HashSet<string>(StringComparer.Ordinal);
        void Add(ModelDraft m)
        {
            if (!done.Add(m.Id)) return;
            foreach (var sub in m.Sleeves.Where(s => s.Sleeve.Kind == SleeveKind.Model))
                if (Models.TryGetValue(sub.Sleeve.Key, out var child)) Add(child);
            ordered.Add(new TargetModel(m.Id, m.Name, [.. m.Sleeves.Select(s => s.Sleeve)], m.DirectIndexing));
        }
        foreach (var m in Models.Values) Add(m);
        return [.. ordered];
    }
}
