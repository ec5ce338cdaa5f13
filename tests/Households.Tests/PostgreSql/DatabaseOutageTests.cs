using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Households.Contracts;
using Households.Grains.Prices;
using Households.Grains.Securities;
using Households.Grains.Silo;
using Households.Persistence;
using Households.Tests.Api;
using Households.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit;
using Xunit.Abstractions;
using static Households.Tests.Cluster.TestFirm;

namespace Households.Tests.PostgreSql;

/// <summary>The database goes away and comes back (issue #18, goal 9), at small scale: a silo on the PostgreSQL profile
/// reaches its database through a <see cref="TcpGate"/> the test shuts for a few seconds. Reads keep answering from
/// memory (a household asleep when it went away from the silo's live board), a write is refused with 503 and <c>Retry-After</c> and changes nothing, and after the database is back the
/// client's retry with the same idempotency key lands exactly once in the books and the journal.</summary>
public sealed class DatabaseOutageTests(PostgresFixture db, ITestOutputHelper output) : IClassFixture<PostgresFixture>
{
    private sealed class GatedSilo(string connectionString) : SiloFactory(false)
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("ConnectionStrings:Households", connectionString);
        }
    }

    private static object Buy(string key) =>
        new { idempotencyKey = key, date = new DateOnly(2026, 2, 2), symbol = "OUTEQ", side = "buy", quantity = 10m, price = 110m };

    [Fact]
    public async Task While_the_database_is_away_reads_answer_writes_get_503_and_the_retry_afterwards_lands_once()
    {
        await PostgresSchema.ApplyAsync(db.ConnectionString);
        var server = new NpgsqlConnectionStringBuilder(db.ConnectionString);
        await using var gate = new TcpGate(server.Host!, server.Port);
        var through = new NpgsqlConnectionStringBuilder(db.ConnectionString) { Host = "127.0.0.1", Port = gate.Port, Timeout = 3 };
        await using var silo = new GatedSilo(through.ConnectionString);
        var http = silo.CreateClient();
        var grains = silo.Services.GetRequiredService<IGrainFactory>();
        await grains.GetGrain<IUniverseGrain>(UniverseGrain.Key).Upsert([Fund("OUTEQ", "US Equity"), Fund("OUTBD", "US Bonds")]);
        await grains.GetGrain<IModelGrain>("OUTM").Define(TwoFundModel("OUTM", "OUTEQ", "OUTBD", 0.6m, DriftBand.Default));
        await grains.GetGrain<IHouseholdGrain>("OUTHH").Create(new HouseholdSpec("OUTHH", "Outage household", "ADV01", ["OUTA1"]),
            // Advisory (not discretionary): the batches below drift the account (and its cash is a quarter of it), and a
            // market decision of its own executing after the outage would move the cash this test counts; it proposes.
            [new AccountOpening(Account("OUTA1", "OUTHH", AccountType.Taxable, "OUTM") with { Discretionary = false }, 5000m,
                [Lot("OUTL1", "OUTEQ", 60, 100m, new DateOnly(2025, 3, 3)), Lot("OUTL2", "OUTBD", 40, 100m, new DateOnly(2025, 3, 3))])]);
        Assert.Equal(HttpStatusCode.Created, (await http.PostAsJsonAsync("/api/accounts/OUTA1/trades", Buy("out-1"))).StatusCode);
        // A second household that is asleep when the database goes away: its grains deactivate after it opens.
        await grains.GetGrain<IHouseholdGrain>("OUTHH2").Create(new HouseholdSpec("OUTHH2", "Sleeping household", "ADV02", ["OUTA2"]),
            [new AccountOpening(Account("OUTA2", "OUTHH2", AccountType.Ira, null), 1000m, // no model, no harvest: nothing wakes it
                [Lot("OUTL3", "OUTEQ", 10, 100m, new DateOnly(2025, 3, 3)), Lot("OUTL4", "OUTBD", 20, 100m, new DateOnly(2025, 3, 3))])]);
        var management = grains.GetGrain<IManagementGrain>(0);
        var asleep = new[] { grains.GetGrain<IHouseholdGrain>("OUTHH2").GetGrainId(), grains.GetGrain<IAccountGrain>("OUTA2").GetGrainId() };
        foreach (var id in asleep) await management.DeactivateGrain(id);
        // The management grain reads the membership table: after the outage its first calls may meet a pooled connection
        // the gate cut (the pool drops it on that use), so it is asked again.
        async Task<int> Awake()
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    return (await management.GetActiveGrains(asleep[0].Type)).Count(g => g == asleep[0])
                        + (await management.GetActiveGrains(asleep[1].Type)).Count(g => g == asleep[1]);
                }
                catch (NpgsqlException) when (attempt < 10) { await Task.Delay(500); }
            }
        }
        for (var waited = 0; await Awake() > 0 && waited < 50; waited++) await Task.Delay(100);
        Assert.Equal(0, await Awake());

        var monitor = silo.Services.GetRequiredService<AccountMonitor>();
        var feed = grains.GetGrain<IPriceFeedGrain>(PriceFeedGrain.Key);
        await feed.Publish([new PriceQuote("OUTEQ", 110m), new PriceQuote("OUTBD", 100m)]);

        gate.Shut();
        // Monitoring goes on: a price batch published during the outage is scanned.
        var sequence = await feed.Publish([new PriceQuote("OUTEQ", 97m), new PriceQuote("OUTBD", 101m)]);
        for (var waited = 0; monitor.Status.BatchSequence < sequence && waited < 100; waited++) await Task.Delay(100);
        Assert.True(monitor.Status.BatchSequence >= sequence, $"the batch published during the outage was not scanned ({monitor.Status.BatchSequence} < {sequence})");
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/households/OUTHH/live")).StatusCode);
        // The sleeping household answers too, from the silo's live board (its stored header and its account's parked
        // books), at the batch published during the outage: 1,000 cash + 10 × 97 + 20 × 101 = 3,990.
        var sleeping = await http.GetAsync("/api/households/OUTHH2/live");
        Assert.Equal(HttpStatusCode.OK, sleeping.StatusCode);
        var figures = JsonDocument.Parse(await sleeping.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(3990m, figures.GetProperty("marketValue").GetDecimal());
        Assert.Equal(("ADV02", sequence), (figures.GetProperty("advisorId").GetString(), figures.GetProperty("priceSequence").GetInt64()));
        Assert.Equal(3900m, await Cash(http));
        var refused = await http.PostAsJsonAsync("/api/accounts/OUTA1/trades", Buy("out-2"));
        var problem = await refused.Content.ReadAsStringAsync();
        output.WriteLine($"during the outage: {(int)refused.StatusCode} {problem}");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(5), refused.Headers.RetryAfter?.Delta);
        Assert.Equal("Database unavailable", JsonDocument.Parse(problem).RootElement.GetProperty("title").GetString());
        Assert.Equal(3900m, await Cash(http)); // nothing changed
        await Task.Delay(TimeSpan.FromSeconds(5));
        Assert.Equal(3900m, await Cash(http));

        gate.Open();
        // The client retries with the same key until the silo's connections are back; each answer is 503 or the fill.
        HttpResponseMessage retry;
        var attempts = 0;
        do
        {
            if (attempts++ > 0) await Task.Delay(TimeSpan.FromSeconds(1));
            retry = await http.PostAsJsonAsync("/api/accounts/OUTA1/trades", Buy("out-2"));
            Assert.Contains(retry.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.ServiceUnavailable });
        }
        while (retry.StatusCode != HttpStatusCode.Created && attempts < 30);
        output.WriteLine($"the retry landed after {attempts} attempt(s)");
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsJsonAsync("/api/accounts/OUTA1/trades", Buy("out-2"))).StatusCode); // a replay
        Assert.Equal(2800m, await Cash(http));
        Assert.Equal(0, await Awake()); // the sleeping household's reads woke no grain (asked once the database is back)

        // The books equal the journal: each key's fill journaled once.
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT idempotency_key, count(*) FROM households_journal WHERE account_id = 'OUTA1' AND kind = 'Fill' GROUP BY 1 ORDER BY 1", connection);
        // The journal entries ride in the write's outbox and are appended after it: on a busy machine the last one may
        // land a moment after the acknowledgement.
        var fills = new List<string>();
        for (var waited = 0; fills.Count < 2 && waited < 20; waited++)
        {
            if (waited > 0) await Task.Delay(500);
            fills.Clear();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) fills.Add($"{reader.GetString(0)}×{reader.GetInt64(1)}");
        }
        Assert.Equal(["fill:out-1×1", "fill:out-2×1"], fills);
    }

    private static async Task<decimal> Cash(HttpClient http)
    {
        var account = await http.GetFromJsonAsync<JsonElement>("/api/accounts/OUTA1");
        return account.GetProperty("cash").GetDecimal();
    }
}
