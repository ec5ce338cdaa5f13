using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Households.Tests.Hostile;

/// <summary>One hostile request and the words its problem answer must contain (case-insensitive).</summary>
public sealed record HostileRequest(string Name, HttpMethod Method, string Path, Func<HttpContent?> Body, string[] Expect, string? IdempotencyKey = null);

/// <summary>Generated hostile API requests: every write and query endpoint crossed with the classes of bad input
/// (non-finite and out-of-range numbers, zero and negative amounts, unknown ids, dates out of range, oversize
/// payloads, malformed JSON, injection strings). The seeded state they run against is <see cref="HostileApiFixture"/>.</summary>
public static class HostileApiCases
{
    public const string Household = "HOST";
    public const string Taxable = "HOST-TAX";
    public const string Ira = "HOST-IRA";
    public const string Lot = "HL1";
    public const string Model = "HM1";

    /// <summary>Injection strings tried in identifiers and text fields.</summary>
    public static readonly (string Name, string Value)[] Injections =
    [
        ("sql", "x'; DROP TABLE households;--"),
        ("script", "<script>alert(1)</script>"),
        ("traversal", "../../etc/passwd"),
        ("crlf", "A\r\nSet-Cookie: session=stolen"),
        ("nul", "A\u0000B"),
        ("rtl", "INV\u202Egnp.exe"),
        ("10k", new string('A', 10_000)),
    ];

    private static string Inj(string name) => Injections.First(i => i.Name == name).Value;

    /// <summary>Marks a raw JSON token (a bare NaN, a number too long for a double) spliced in after serialization.</summary>
    private static JsonNode Raw(string token) => JsonValue.Create($"@@RAW:{token}@@")!;

    private const string HugeDecimal = "79228162514264337593543950336"; // decimal.MaxValue + 1

    /// <summary>Numbers no amount, quantity or price may take: non-finite (as strings, as bare tokens), overflow.</summary>
    private static readonly (string Name, JsonNode Value)[] NonFinite =
    [
        ("NaN-string", JsonValue.Create("NaN")!),
        ("Infinity-string", JsonValue.Create("Infinity")!),
        ("-Infinity-string", JsonValue.Create("-Infinity")!),
        ("NaN-token", Raw("NaN")),
        ("1e30", Raw("1e30")),
        ("decimal-max+1", Raw(HugeDecimal)),
    ];

    public static IReadOnlyDictionary<string, HostileRequest> All { get; } = Build().ToDictionary(c => c.Name);

    private static IEnumerable<HostileRequest> Build()
    {
        foreach (var c in CreateHousehold()) yield return c;
        foreach (var c in Trades()) yield return c;
        foreach (var c in Cash()) yield return c;
        foreach (var c in Restrictions()) yield return c;
        foreach (var c in Securities()) yield return c;
        foreach (var c in Models()) yield return c;
        foreach (var c in Prices()) yield return c;
        foreach (var c in Proposals()) yield return c;
        foreach (var c in Queries()) yield return c;
    }

    // ---------- households ----------

    private static JsonObject NewHousehold() => (JsonObject)JsonNode.Parse("""
        {"id":"HNEW","name":"New Family","advisorId":"ADV01","accounts":[{"id":"HNEW-T","type":"taxable","cash":100,
         "lots":[{"id":"HNEW-L1","symbol":"HQA","quantity":10,"basis":1000,"purchased":"2025-01-02","holdingSince":"2025-01-02"}]}]}
        """)!;

    private static IEnumerable<HostileRequest> CreateHousehold()
    {
        const string path = "/api/households";
        HostileRequest Set(string name, string field, JsonNode? value, params string[] expect) =>
            Post($"households/{name}", path, Mutate(NewHousehold(), field, value), expect);

        foreach (var (name, value) in Injections)
        {
            yield return Set($"id-{name}", "id", value, "id");
            yield return Set($"advisorId-{name}", "advisorId", value, "advisorId");
            yield return Set($"account-id-{name}", "accounts[0].id", value, "account id");
        }
        foreach (var name in new[] { "script", "crlf", "nul", "rtl", "10k" })
            yield return Set($"name-{name}", "name", Inj(name), "name");
        foreach (var name in new[] { "sql", "traversal", "10k" })
            yield return Set($"modelId-{name}", "accounts[0].modelId", Inj(name), "modelId");
        foreach (var name in new[] { "sql", "script", "nul" })
            yield return Set($"lot-id-{name}", "accounts[0].lots[0].id", Inj(name), "lot id");
        foreach (var name in new[] { "sql", "traversal", "rtl" })
            yield return Set($"lot-symbol-{name}", "accounts[0].lots[0].symbol", Inj(name), "symbol");
        foreach (var (name, value) in NonFinite)
        {
            yield return Set($"cash-{name}", "accounts[0].cash", value.DeepClone(), "cash");
            yield return Set($"lot-quantity-{name}", "accounts[0].lots[0].quantity", value.DeepClone(), "quantity");
        }
        yield return Set("cash-negative", "accounts[0].cash", -1, "cash");
        yield return Set("cash-above-max", "accounts[0].cash", 2e12, "cash");
        yield return Set("lot-quantity-zero", "accounts[0].lots[0].quantity", 0, "quantity");
        yield return Set("lot-quantity-negative", "accounts[0].lots[0].quantity", -5, "quantity");
        yield return Set("lot-basis-negative", "accounts[0].lots[0].basis", -1, "basis");
        yield return Set("lot-basis-infinity", "accounts[0].lots[0].basis", "Infinity", "basis");
        yield return Set("lot-basis-overflow", "accounts[0].lots[0].basis", Raw(HugeDecimal), "basis");
        foreach (var (name, value) in new (string, JsonNode)[]
                 {
                     ("0001", "0001-01-01"), ("9999", "9999-12-31"), ("month-13", "2025-13-01"), ("feb-30", "2025-02-30"),
                     ("word", "yesterday"), ("number", 20250102),
                 })
            yield return Set($"lot-purchased-{name}", "accounts[0].lots[0].purchased", value, "purchased");
        yield return Set("holdingSince-after-purchase", "accounts[0].lots[0].holdingSince", "2025-03-01", "holdingSince");
        yield return Set("type-unknown", "accounts[0].type", "savings", "type");
        yield return Set("type-number", "accounts[0].type", 7, "type");
        yield return Set("relief-unknown", "accounts[0].defaultRelief", "average", "defaultRelief");
        yield return Set("harvest-negative", "accounts[0].harvest", JsonNode.Parse("""{"enabled":true,"minLossPercent":-1,"minLossDollars":0}"""), "harvest");
        yield return Set("restriction-sql", "accounts[0].restrictions", JsonNode.Parse("""[{"kind":"exclude","symbol":"x'; DROP TABLE households;--","reason":"r"}]"""), "restrictions");
        yield return Set("accounts-string", "accounts", "x", "accounts");
        yield return Set("accounts-empty", "accounts", new JsonArray(), "accounts");
        yield return Set("name-number", "name", 5, "name");
        yield return Set("existing-household", "id", Household, "already exists");
        yield return Set("account-of-another-household", "accounts[0].id", Taxable, "already belongs");
        yield return Post("households/duplicate-account-ids", path, Mutate(NewHousehold(), "accounts",
            JsonNode.Parse("""[{"id":"HNEW-T","type":"taxable"},{"id":"HNEW-T","type":"ira"}]""")), ["unique"]);
        yield return Post("households/duplicate-lot-ids", path, Mutate(NewHousehold(), "accounts[0].lots",
            JsonNode.Parse("""[{"id":"L","symbol":"HQA","quantity":1,"basis":1,"purchased":"2025-01-02","holdingSince":"2025-01-02"},{"id":"L","symbol":"HQA","quantity":1,"basis":1,"purchased":"2025-01-02","holdingSince":"2025-01-02"}]""")), ["unique"]);
        yield return Post("households/100k-accounts", path, Mutate(NewHousehold(), "accounts",
            new JsonArray(Enumerable.Range(0, 100_000).Select(i => (JsonNode)new JsonObject { ["id"] = $"A{i}", ["type"] = "ira" }).ToArray())), ["at most"]);
        foreach (var c in MalformedJson("households", path, NewHousehold(), "request")) yield return c;
    }

    // ---------- trades ----------

    private static JsonObject NewTrade() => (JsonObject)JsonNode.Parse("""
        {"idempotencyKey":"hostile-1","date":"2025-06-02","symbol":"HQA","side":"buy","quantity":1,"price":120}
        """)!;

    private static IEnumerable<HostileRequest> Trades()
    {
        var path = $"/api/accounts/{Taxable}/trades";
        HostileRequest Set(string name, string field, JsonNode? value, params string[] expect) =>
            Post($"trades/{name}", path, Mutate(NewTrade(), field, value), expect);

        foreach (var (name, value) in NonFinite)
        {
            yield return Set($"quantity-{name}", "quantity", value.DeepClone(), "quantity");
            yield return Set($"price-{name}", "price", value.DeepClone(), "price");
        }
        yield return Set("quantity-zero", "quantity", 0, "quantity");
        yield return Set("quantity-negative", "quantity", -1, "quantity");
        yield return Set("quantity-above-max", "quantity", 2e12, "quantity");
        yield return Set("quantity-string", "quantity", "1", "quantity");
        yield return Set("price-zero", "price", 0, "price");
        yield return Set("price-negative", "price", -120, "price");
        yield return Set("price-above-max", "price", 2e9, "price");
        yield return Set("commission-negative", "commission", -1, "commission");
        yield return Set("commission-infinity", "commission", "Infinity", "commission");
        yield return Set("commission-above-max", "commission", 2e12, "commission");
        foreach (var (name, value) in new[] { ("0001", "0001-01-01"), ("9999", "9999-12-31"), ("feb-30", "2025-02-30"), ("us-format", "06/02/2025"), ("empty", "") })
            yield return Set($"date-{name}", "date", value, "date");
        foreach (var (name, value) in Injections)
        {
            yield return Set($"symbol-{name}", "symbol", value, "symbol");
            yield return Set($"idempotencyKey-{name}", "idempotencyKey", value, "idempotencyKey");
        }
        yield return Set("side-unknown", "side", "hold", "side");
        yield return Set("side-number", "side", 1, "side");
        yield return Set("relief-unknown", "relief", "average", "relief");
        yield return Post("trades/sell-unknown-lot", path, Mutate(Mutate(NewTrade(), "side", "sell"), "lotId", "NOPE"), ["NOPE"]);
        yield return Post("trades/sell-lot-sql", path, Mutate(Mutate(NewTrade(), "side", "sell"), "lotId", Inj("sql")), ["lotId"]);
        yield return Post("trades/sell-lot-of-other-symbol", path, Mutate(Mutate(Mutate(NewTrade(), "side", "sell"), "lotId", Lot), "symbol", "HQB"), ["holds HQA"]);
        yield return Post("trades/sell-more-than-held", path, Mutate(Mutate(NewTrade(), "side", "sell"), "quantity", 51), ["exceeds"]);
        yield return Post("trades/sell-unheld-symbol", path, Mutate(Mutate(NewTrade(), "side", "sell"), "symbol", "HQB"), ["exceeds"]);
        yield return Post("trades/buy-beyond-cash", path, Mutate(NewTrade(), "quantity", 1000), ["cash"]);
        yield return Post("trades/sell-commission-beyond-proceeds", path, Mutate(Mutate(NewTrade(), "side", "sell"), "commission", 500), ["commission"]);
        yield return Post("trades/lotId-on-buy", path, Mutate(NewTrade(), "lotId", Lot), ["lotId"]);
        yield return Post("trades/no-key", path, Remove(NewTrade(), "idempotencyKey"), ["idempotencyKey"]);
        yield return new HostileRequest("trades/header-key-script", HttpMethod.Post, path, Json(Remove(NewTrade(), "idempotencyKey")), ["idempotencyKey"], "<script>x</script>");
        yield return Post("trades/unknown-account", "/api/accounts/NOPE/trades", NewTrade(), ["account"]);
        yield return Post("trades/account-sql", $"/api/accounts/{Uri.EscapeDataString(Inj("sql"))}/trades", NewTrade(), ["account"]);
        yield return Post("trades/account-of-10k", $"/api/accounts/{Inj("10k")}/trades", NewTrade(), ["account"]);
        foreach (var c in MalformedJson("trades", path, NewTrade(), "request")) yield return c;
    }

    // ---------- cash ----------

    private static JsonObject NewCash() => (JsonObject)JsonNode.Parse("""{"idempotencyKey":"cash-1","kind":"deposit","amount":100,"date":"2025-06-02"}""")!;

    private static IEnumerable<HostileRequest> Cash()
    {
        var path = $"/api/accounts/{Taxable}/cash";
        HostileRequest Set(string name, string field, JsonNode? value, params string[] expect) =>
            Post($"cash/{name}", path, Mutate(NewCash(), field, value), expect);
        foreach (var (name, value) in NonFinite) yield return Set($"amount-{name}", "amount", value.DeepClone(), "amount");
        yield return Set("amount-zero", "amount", 0, "amount");
        yield return Set("amount-negative", "amount", -5, "amount");
        yield return Set("amount-above-max", "amount", 2e12, "amount");
        yield return Set("kind-unknown", "kind", "loan", "kind");
        yield return Set("kind-number", "kind", 3, "kind");
        yield return Set("kind-missing", "kind", null, "kind");
        yield return Set("date-0001", "date", "0001-01-01", "date");
        yield return Set("date-9999", "date", "9999-12-31", "date");
        yield return Set("date-malformed", "date", "2025-13-40", "date");
        foreach (var name in new[] { "sql", "nul", "10k" }) yield return Set($"idempotencyKey-{name}", "idempotencyKey", Inj(name), "idempotencyKey");
        yield return Post("cash/dividend-without-symbol", path, Mutate(NewCash(), "kind", "dividend"), ["symbol"]);
        yield return Post("cash/dividend-symbol-script", path, Mutate(Mutate(NewCash(), "kind", "dividend"), "symbol", Inj("script")), ["symbol"]);
        yield return Post("cash/unknown-account", "/api/accounts/NOPE/cash", NewCash(), ["account"]);
        foreach (var c in MalformedJson("cash", path, NewCash(), "request").Take(4)) yield return c;
    }

    // ---------- restrictions ----------

    private static IEnumerable<HostileRequest> Restrictions()
    {
        var path = $"/api/accounts/{Taxable}/restrictions";
        HostileRequest Put(string name, string json, params string[] expect) =>
            new($"restrictions/{name}", HttpMethod.Put, path, () => Text(json), expect);
        foreach (var name in new[] { "sql", "script", "traversal", "nul" })
            yield return new($"restrictions/symbol-{name}", HttpMethod.Put, path,
                Json(new JsonArray(new JsonObject { ["kind"] = "exclude", ["symbol"] = Inj(name), ["reason"] = "r" })), ["symbol"]);
        foreach (var name in new[] { "script", "rtl", "crlf" })
            yield return new($"restrictions/sector-{name}", HttpMethod.Put, path,
                Json(new JsonArray(new JsonObject { ["kind"] = "exclude", ["sector"] = Inj(name), ["reason"] = "r" })), ["sector"]);
        yield return Put("reason-nul", """[{"kind":"exclude","symbol":"HQB","reason":"a\u0000b"}]""", "reason");
        yield return Put("kind-unknown", """[{"kind":"ban","symbol":"HQB","reason":"r"}]""", "kind");
        yield return Put("both-symbol-and-sector", """[{"kind":"exclude","symbol":"HQB","sector":"Tech","reason":"r"}]""", "either");
        yield return Put("neither", """[{"kind":"exclude","reason":"r"}]""", "either");
        yield return Put("null-element", "[null]", "kind");
        yield return Put("object-not-array", """{"kind":"exclude"}""", "restrictions");
        yield return Put("100k-elements", "[" + string.Join(",", Enumerable.Repeat("""{"kind":"hold","symbol":"Q"}""", 100_000)) + "]", "at most");
        yield return new("restrictions/unknown-account", HttpMethod.Put, "/api/accounts/NOPE/restrictions", () => Text("[]"), ["account"]);
    }

    // ---------- securities ----------

    private static JsonObject NewSecurity() => (JsonObject)JsonNode.Parse("""{"symbol":"HQC","name":"C","assetClass":"US Equity","sector":"Tech","kind":"stock"}""")!;

    private static IEnumerable<HostileRequest> Securities()
    {
        const string path = "/api/securities";
        HostileRequest Set(string name, string field, JsonNode? value, params string[] expect) =>
            new($"securities/{name}", HttpMethod.Post, path, Json(new JsonArray(Mutate(NewSecurity(), field, value))), expect);
        foreach (var (name, value) in Injections) yield return Set($"symbol-{name}", "symbol", value, "symbol");
        yield return Set("sector-script", "sector", Inj("script"), "sector");
        yield return Set("name-nul", "name", Inj("nul"), "name");
        yield return Set("assetClass-empty", "assetClass", "", "assetClass");
        yield return Set("kind-unknown", "kind", "tulip", "kind");
        yield return Set("identicalGroup-sql", "identicalGroup", Inj("sql"), "identicalGroup");
        yield return new("securities/empty", HttpMethod.Post, path, () => Text("[]"), ["empty"]);
        // One bad security in a batch: the good one (a rename of HQA) must not land either.
        yield return new("securities/one-bad-in-batch", HttpMethod.Post, path, Json(new JsonArray(
            new JsonObject { ["symbol"] = "HQA", ["name"] = "Renamed", ["assetClass"] = "US Equity", ["sector"] = "Tech", ["kind"] = "stock" },
            Mutate(NewSecurity(), "symbol", Inj("script")))), ["symbol"]);
        yield return new("securities/100k-elements", HttpMethod.Post, path, () => Text("[" + string.Join(",",
            Enumerable.Range(0, 100_000).Select(i => "{\"symbol\":\"S" + i + "\",\"name\":\"n\",\"assetClass\":\"a\",\"sector\":\"s\",\"kind\":\"stock\"}")) + "]"), ["at most"]);
    }

    // ---------- models ----------

    private static JsonObject NewModel() => (JsonObject)JsonNode.Parse("""
        {"id":"HM1","name":"M","sleeves":[{"kind":"security","key":"HQA","weight":1,"band":{"absolute":0.05,"relative":0.25}}],"directIndexing":false}
        """)!;

    private static IEnumerable<HostileRequest> Models()
    {
        var path = $"/api/models/{Model}";
        HostileRequest Set(string name, string field, JsonNode? value, params string[] expect) =>
            new($"models/{name}", HttpMethod.Put, path, Json(Mutate(NewModel(), field, value)), expect);
        foreach (var (name, value) in NonFinite.Take(4)) yield return Set($"weight-{name}", "sleeves[0].weight", value.DeepClone(), "weight");
        yield return Set("weight-negative", "sleeves[0].weight", -0.5, "weight");
        yield return Set("weight-two", "sleeves[0].weight", 2, "weight");
        yield return Set("weight-overflow", "sleeves[0].weight", Raw("1e30"), "weight");
        yield return Set("weights-sum-half", "sleeves[0].weight", 0.5, "sum");
        foreach (var name in new[] { "sql", "script", "traversal" }) yield return Set($"key-{name}", "sleeves[0].key", Inj(name), "sleeve key");
        yield return Set("unknown-security", "sleeves[0].key", "NOPE", "NOPE");
        yield return Set("unknown-sub-model", "sleeves[0]", JsonNode.Parse("""{"kind":"model","key":"NOPE","weight":1,"band":{"absolute":0.05,"relative":0.25}}"""), "NOPE");
        yield return Set("self-reference", "sleeves[0]", JsonNode.Parse("""{"kind":"model","key":"HM1","weight":1,"band":{"absolute":0.05,"relative":0.25}}"""), "itself");
        yield return Set("band-negative", "sleeves[0].band", JsonNode.Parse("""{"absolute":-1,"relative":0.25}"""), "band");
        yield return Set("name-rtl", "name", Inj("rtl"), "name");
        yield return Set("sleeves-empty", "sleeves", new JsonArray(), "sleeves");
        yield return Set("id-mismatch", "id", "OTHER", "id");
        yield return new("models/id-sql", HttpMethod.Put, $"/api/models/{Uri.EscapeDataString(Inj("sql"))}", Json(Mutate(NewModel(), "id", Inj("sql"))), ["model id"]);
        foreach (var c in MalformedJson("models", path, NewModel(), "model", HttpMethod.Put).Take(4)) yield return c;
    }

    // ---------- prices ----------

    private static IEnumerable<HostileRequest> Prices()
    {
        const string path = "/api/prices";
        static JsonObject Quotes(params (JsonNode Symbol, JsonNode Price)[] quotes) =>
            new() { ["quotes"] = new JsonArray(quotes.Select(q => (JsonNode)new JsonObject { ["symbol"] = q.Symbol, ["price"] = q.Price }).ToArray()) };
        foreach (var (name, value) in NonFinite) yield return Post($"prices/price-{name}", path, Quotes(("HQA", value.DeepClone())), ["price"]);
        yield return Post("prices/price-zero", path, Quotes(("HQA", 0)), ["price"]);
        yield return Post("prices/price-negative", path, Quotes(("HQA", -1)), ["price"]);
        yield return Post("prices/price-above-max", path, Quotes(("HQA", 2e9)), ["price"]);
        foreach (var name in new[] { "sql", "script", "10k", "nul", "crlf" }) yield return Post($"prices/symbol-{name}", path, Quotes((Inj(name), 10)), ["symbol"]);
        yield return Post("prices/one-bad-in-batch", path, Quotes(("HQA", 999), ("HQB", -1)), ["quotes[1].price"]);
        yield return Post("prices/empty", path, new JsonObject { ["quotes"] = new JsonArray() }, ["quotes"]);
        yield return Post("prices/missing", path, new JsonObject(), ["quotes"]);
        yield return new("prices/100001-quotes", HttpMethod.Post, path, () => Text("""{"quotes":[""" + string.Join(",",
            Enumerable.Repeat("""{"symbol":"HQA","price":1}""", 100_001)) + "]}"), ["at most"]);
        foreach (var c in MalformedJson("prices", path, Quotes(("HQA", 10)), "request").Take(4)) yield return c;
    }

    // ---------- proposals ----------

    private static IEnumerable<HostileRequest> Proposals()
    {
        foreach (var verb in new[] { "approve", "reject" })
        {
            yield return new($"proposals/{verb}-unknown", HttpMethod.Post, $"/api/households/{Household}/proposals/NOPE/{verb}", () => null, ["NOPE"]);
            yield return new($"proposals/{verb}-sql", HttpMethod.Post, $"/api/households/{Household}/proposals/{Uri.EscapeDataString(Inj("sql"))}/{verb}", () => null, ["does not exist"]);
            yield return new($"proposals/{verb}-10k", HttpMethod.Post, $"/api/households/{Household}/proposals/{Inj("10k")}/{verb}", () => null, ["does not exist"]);
            yield return new($"proposals/{verb}-unknown-household", HttpMethod.Post, $"/api/households/NOPE/proposals/NOPE-P00001/{verb}", () => null, ["household"]);
        }
        yield return new("proposals/reject-note-number", HttpMethod.Post, $"/api/households/{Household}/proposals/NOPE/reject", () => Text("""{"note":5}"""), ["note"]);
        yield return new("proposals/reject-note-truncated", HttpMethod.Post, $"/api/households/{Household}/proposals/NOPE/reject", () => Text("""{"note":"""), ["body"]);
        yield return new("proposals/orders-unknown-proposal", HttpMethod.Get, $"/api/households/{Household}/orders.csv?proposal=NOPE", () => null, ["proposal"]);
        yield return new("proposals/rebalance-unknown-household", HttpMethod.Post, "/api/households/NOPE/rebalance", () => null, ["household"]);
    }

    // ---------- queries: wash-sale check, buy blackouts, journal, paging ----------

    private static IEnumerable<HostileRequest> Queries()
    {
        HostileRequest Get(string name, string path, params string[] expect) => new($"queries/{name}", HttpMethod.Get, path, () => null, expect);
        var check = $"/api/accounts/{Taxable}/wash-sale-check";
        foreach (var (name, q) in new[] { ("NaN", "NaN"), ("Infinity", "Infinity"), ("1e30", "1e30"), ("word", "abc"), ("overflow", HugeDecimal) })
            yield return Get($"wash-check-quantity-{name}", $"{check}?lot={Lot}&quantity={q}", "quantity");
        yield return Get("wash-check-quantity-zero", $"{check}?lot={Lot}&quantity=0", "quantity");
        yield return Get("wash-check-quantity-negative", $"{check}?lot={Lot}&quantity=-1", "quantity");
        yield return Get("wash-check-quantity-beyond-lot", $"{check}?lot={Lot}&quantity=51", "exceeds");
        yield return Get("wash-check-lot-missing", $"{check}?quantity=1", "lot");
        yield return Get("wash-check-lot-unknown", $"{check}?lot=NOPE&quantity=1", "NOPE");
        yield return Get("wash-check-lot-sql", $"{check}?lot={Uri.EscapeDataString(Inj("sql"))}&quantity=1", "lot");
        yield return Get("wash-check-lot-crlf", $"{check}?lot={Uri.EscapeDataString(Inj("crlf"))}&quantity=1", "lot");
        foreach (var (name, d) in new[] { ("0001", "0001-01-01"), ("9999", "9999-12-31"), ("feb-30", "2025-02-30") })
            yield return Get($"wash-check-date-{name}", $"{check}?lot={Lot}&quantity=1&date={d}", "date");
        yield return Get("wash-check-unknown-account", $"/api/accounts/NOPE/wash-sale-check?lot={Lot}&quantity=1", "account");
        var blackouts = $"/api/accounts/{Taxable}/buy-blackouts";
        foreach (var (name, d) in new[] { ("0001", "0001-01-01"), ("9999", "9999-12-31"), ("garbage", "soon") })
            yield return Get($"blackouts-date-{name}", $"{blackouts}?date={d}", "date");
        yield return Get("blackouts-unknown-account", "/api/accounts/NOPE/buy-blackouts", "account");
        yield return Get("journal-kind-sql", $"/api/journal?kind={Uri.EscapeDataString(Inj("sql"))}", "kind");
        foreach (var (name, l) in new[] { ("zero", "0"), ("negative", "-1"), ("huge", "100000000"), ("word", "many"), ("overflow", "99999999999") })
            yield return Get($"journal-limit-{name}", $"/api/journal?household={Household}&limit={l}", "limit");
        yield return Get("journal-to-before-from", $"/api/journal?household={Household}&from=2025-06-02T00:00:00Z&to=2025-06-01T00:00:00Z", "to");
        yield return Get("journal-from-malformed", $"/api/journal?household={Household}&from=yesterday", "from");
        yield return Get("journal-kind-unknown", $"/api/journal?household={Household}&kind=bogus", "kind");
        yield return Get("journal-before-negative", $"/api/journal?household={Household}&before=-1", "before");
        foreach (var name in new[] { "sql", "script", "nul", "10k" })
            yield return Get($"journal-household-{name}", $"/api/journal?household={Uri.EscapeDataString(Inj(name))}", "household");
        yield return Get("journal-account-traversal", $"/api/journal?account={Uri.EscapeDataString(Inj("traversal"))}", "account");
        foreach (var (name, q) in new[]
                 {
                     ("page-zero", "page=0"), ("page-negative", "page=-1"), ("page-word", "page=abc"), ("page-max-int", "page=2147483647"),
                     ("page-overflow", "page=99999999999"), ("pageSize-zero", "pageSize=0"), ("pageSize-huge", "pageSize=100000"), ("pageSize-negative", "pageSize=-5"),
                 })
            yield return Get($"paging-{name}", $"/api/households?{q}", name.StartsWith("pageSize") ? "pageSize" : "page");
        yield return Get("household-unknown", "/api/households/NOPE", "household");
        yield return Get("household-sql", $"/api/households/{Uri.EscapeDataString(Inj("sql"))}", "household");
        yield return Get("household-10k", $"/api/households/{Inj("10k")}", "household");
        yield return Get("account-traversal", $"/api/accounts/{Uri.EscapeDataString(Inj("traversal"))}", "account");
        yield return Get("security-unknown", "/api/securities/NOPE", "security");
        yield return Get("model-unknown", "/api/models/NOPE", "model");
        yield return Get("tax-unknown-household", "/api/households/NOPE/tax", "household");
    }

    // ---------- malformed bodies, shared by every write ----------

    private static IEnumerable<HostileRequest> MalformedJson(string area, string path, JsonObject valid, string parameter, HttpMethod? method = null)
    {
        var m = method ?? HttpMethod.Post;
        var text = Serialize(valid);
        var firstProperty = valid.First().Key;
        HostileRequest Case(string name, Func<HttpContent?> body, params string[] expect) => new($"{area}/{name}", m, path, body, expect);
        yield return Case("json-truncated", () => Text(text[..(text.Length / 2)]), parameter);
        yield return Case("json-duplicate-property", () => Text(text.Insert(1, $"\"{firstProperty}\":{valid[firstProperty]!.ToJsonString()},")), "duplicate");
        yield return Case("json-empty-body", () => Text(""), parameter);
        yield return Case("json-array-not-object", () => Text("[]"), parameter);
        yield return Case("json-null", () => Text("null"), parameter);
        yield return Case("json-deep-nesting", () => Text(text.Insert(text.Length - 1, ",\"deep\":" + new string('[', 10_000) + new string(']', 10_000))), "depth");
        yield return Case("json-trailing-comma", () => Text(text.Insert(text.Length - 1, ",")), parameter);
        yield return Case("json-single-quotes", () => Text(text.Replace('"', '\'')), parameter);
        yield return Case("json-comment", () => Text("/* hi */" + text), parameter);
        yield return Case("json-5MB", () => Text(text.Insert(text.Length - 1, ",\"padding\":\"" + new string('x', 5 * 1024 * 1024) + "\"")), "exceeds the limit");
        yield return Case("json-5MB-chunked", () => Chunked(text.Insert(text.Length - 1, ",\"padding\":\"" + new string('x', 5 * 1024 * 1024) + "\"")), "exceeds the limit");
        // The first string value starts with a broken two-byte sequence (0xC3 then '(').
        var firstString = text.IndexOf(":\"", StringComparison.Ordinal) + 2;
        byte[] invalid = [.. Encoding.UTF8.GetBytes(text[..firstString]), 0xC3, 0x28, .. Encoding.UTF8.GetBytes(text[firstString..])];
        yield return Case("json-invalid-utf8", () => new ByteArrayContent(invalid) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } }, parameter);
    }

    // ---------- helpers ----------

    private static HostileRequest Post(string name, string path, JsonNode body, string[] expect) => new(name, HttpMethod.Post, path, Json(body), expect);

    private static Func<HttpContent?> Json(JsonNode body)
    {
        var text = Serialize(body);
        return () => Text(text);
    }

    private static string Serialize(JsonNode node) =>
        System.Text.RegularExpressions.Regex.Replace(node.ToJsonString(), "\"@@RAW:([^@]*)@@\"", "$1");

    private static HttpContent Text(string json) => new StringContent(json, Encoding.UTF8, "application/json");

    /// <summary>A body without a declared length (sent chunked by a real client), read through a non-seekable stream.</summary>
    private static HttpContent Chunked(string json)
    {
        var content = new StreamContent(new NonSeekable(new MemoryStream(Encoding.UTF8.GetBytes(json))));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static JsonObject Mutate(JsonObject root, string path, JsonNode? value)
    {
        JsonNode node = root;
        var parts = path.Split('.');
        for (var i = 0; i < parts.Length; i++)
        {
            var (name, index) = Part(parts[i]);
            var last = i == parts.Length - 1;
            if (last && index is null) { node.AsObject()[name] = value; break; }
            var child = node.AsObject()[name]!;
            if (index is { } ix)
            {
                if (last) { child.AsArray()[ix] = value; break; }
                child = child.AsArray()[ix]!;
            }
            node = child;
        }
        return root;

        static (string, int?) Part(string p) => p.IndexOf('[') is var b and >= 0 ? (p[..b], int.Parse(p[(b + 1)..^1])) : (p, null);
    }

    private static JsonObject Remove(JsonObject root, string name)
    {
        root.Remove(name);
        return root;
    }

    private sealed class NonSeekable(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
