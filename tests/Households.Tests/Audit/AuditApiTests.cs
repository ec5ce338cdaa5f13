using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Households.Client.Commands;
using Households.Contracts;
using Households.Domain.Accounts;
using Households.Domain.Tax;
using Households.Persistence.Journal;
using Households.Silo.Api;
using Households.Tests.Api;
using Households.Tests.Cli;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Households.Tests.Audit;

/// <summary><c>GET /api/audit</c> and <c>households audit</c> on a fresh silo: two households created through the API
/// (their openings journaled by the household grain), then an engine fill, a decision and a withdrawal request
/// appended to the silo's own journal in the grains' formats.</summary>
public sealed class AuditApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static readonly SemaphoreSlim Seeded = new(1, 1);
    private static bool _seeded;

    private async Task Seed()
    {
        await Seeded.WaitAsync();
        try
        {
            if (_seeded) return;
            using var admin = factory.CreateClient();
            foreach (var (id, advisor) in new[] { ("AUD-1", "ADV-AUD"), ("AUD-2", "ADV-OTHER") })
            {
                var household = new
                {
                    id, name = $"Family {id}", advisorId = advisor,
                    accounts = new[] { new { id = $"{id}-TAX", type = "taxable", cash = 5_000m, discretionary = false } },
                };
                (await admin.PostAsJsonAsync("/api/households", household)).EnsureSuccessStatusCode();
            }
            var journal = factory.Services.GetRequiredService<IJournal>();
            var at = DateTimeOffset.UtcNow;
            var spec = new AccountSpec("AUD-1-TAX", "AUD-1", "AUD-1-TAX", AccountType.Taxable, false, null, [], false, LotRelief.Hifo, HarvestPolicy.Off);
            // 0.08 shares for $20: below the $50 minimum and a fraction in a whole-share account.
            var fill = new AccountBook(spec, 5_000m, []).Apply(new TradeRequest("AUD-1-P00001:0", new DateOnly(2026, 3, 2), "XYZ", TradeSide.Buy, 0.08m, 250m, null, null, 0m));
            var withdrawal = new CashMovement("w1", CashKind.Withdrawal, 1_000m, new DateOnly(2026, 3, 2), null);
            await journal.Append([
                .. TradeJournal.Entries("AUD-1", fill, at),
                new JournalEntry(0, "AUD-1", null, JournalKind.Decision, at, "decision:AUD-1:1", "no plan",
                    JournalFormat.Payload(new DecisionRecord("AUD-1", DecisionOutcome.NoPlan, [], [], "no cash to raise the withdrawal", 0))),
                new JournalEntry(0, "AUD-1", "AUD-1-TAX", JournalKind.Cash, at, "cash:w1", "Withdrawal of 1000.00", JournalFormat.Payload(withdrawal)),
            ]);
            _seeded = true;
        }
        finally { Seeded.Release(); }
    }

    private static void AssertAud1Defects(AuditReport report)
    {
        Assert.Equal((1, 1, 1, 1), (report.DustFills.Count, report.FractionalOrders.Count, report.FrozenDecisions.Count, report.UnpaidWithdrawals.Count));
        Assert.Equal((0, 0, 0), (report.SelfWashedSales.Count, report.SelfBlockedHarvests.Count, report.UnreadableEntries.Count));
        Assert.Equal((1, 1, 1), (report.Households, report.EngineFills, report.Decisions));
        Assert.Equal(50m, report.MinTrade);
        Assert.Contains("AUD-1-TAX worth 20.00, below the minimum trade of 50.00", report.DustFills.Findings[0].Explanation);
        Assert.Equal("Withdrawal w1 of 1000.00 from AUD-1-TAX is still unpaid although the account holds 4980.00 cash.",
            report.UnpaidWithdrawals.Findings[0].Explanation);
        Assert.False(report.Clean);
    }

    [Fact]
    public async Task The_audit_of_a_household_counts_its_defects_through_the_API_and_the_command_line()
    {
        await Seed();
        using var admin = factory.CreateClient();
        var response = await admin.GetAsync("/api/audit?household=AUD-1");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        AssertAud1Defects(JsonSerializer.Deserialize<AuditReport>(body, HouseholdsApiClient.Json)!);
        Assert.Contains("\"clean\":false", body);

        var json = await CliRunner.Run(factory, "audit", "--household", "AUD-1", "--json");
        Assert.Equal((1, ""), (json.Code, json.Err));
        Assert.Equal(body, json.Out.TrimEnd());

        var table = await CliRunner.Run(factory, "audit", "--household", "AUD-1");
        Assert.Equal(1, table.Code);
        Assert.Contains("dust fills", table.Out);
        Assert.Contains("fill:AUD-1-P00001:0", table.Out);
        Assert.Contains("4 defects.", table.Out);

        var clean = await CliRunner.Run(factory, "audit", "--household", "AUD-2");
        Assert.Equal((0, ""), (clean.Code, clean.Err));
        Assert.Contains("Clean.", clean.Out);
    }

    [Fact]
    public async Task An_advisor_audits_only_own_households_and_readers_the_firm()
    {
        await Seed();
        using var advisor = factory.CreateClientFor("advisor", "ADV-AUD");
        AssertAud1Defects((await advisor.GetFromJsonAsync<AuditReport>("/api/audit", HouseholdsApiClient.Json))!);
        var others = await advisor.GetAsync("/api/audit?household=AUD-2");
        Assert.Equal(HttpStatusCode.NotFound, others.StatusCode);

        using var reader = factory.CreateClientFor("reader");
        var firm = (await reader.GetFromJsonAsync<AuditReport>("/api/audit", HouseholdsApiClient.Json))!;
        Assert.Equal((2, 1), (firm.Households, firm.DustFills.Count));
        Assert.Null(firm.HouseholdId);
        // No price batch reached this silo: the monitor has measured no tolerance, and the audit does not say "0 out of tolerance".
        Assert.Equal(0L, factory.Services.GetRequiredService<Households.Grains.Silo.AccountMonitor>().Status.Scans);
        Assert.NotNull(firm.AccountsMonitored);
        Assert.Null(firm.AccountsOutOfTolerance);
        var table = await CliRunner.Run(factory, "audit");
        Assert.Contains("not measured: no price batch scanned yet", table.Out);
    }

    [Theory]
    [InlineData("/api/audit?from=yesterday", "from must be an ISO 8601 date")]
    [InlineData("/api/audit?to=2026-13-01", "to must be an ISO 8601 date")]
    [InlineData("/api/audit?from=2026-03-02&to=2026-03-01", "to must not be before from")]
    [InlineData("/api/audit?household=a%2Fb", "household may hold only")]
    public async Task Bad_query_parameters_are_a_problem_naming_the_field(string route, string detail)
    {
        using var admin = factory.CreateClient();
        var response = await admin.GetAsync(route);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith(detail, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Bad_input_on_the_command_line_is_exit_2_with_one_line()
    {
        var run = await CliRunner.Run(factory, "audit", "--from", "yesterday");
        Assert.Equal((2, ""), (run.Code, run.Out));
        Assert.Equal("error: --from must be an ISO 8601 date or date and time, e.g. 2026-03-01 or 2026-03-01T14:30:00Z\n", run.Err.ReplaceLineEndings("\n"));
        var missing = await CliRunner.Run(factory, "audit", "--household", "AUD-NONE");
        Assert.Equal(2, missing.Code);
        Assert.Contains("household AUD-NONE does not exist", missing.Err);
    }

    [Fact]
    public async Task Paging_reads_every_entry_even_one_appended_late_with_an_earlier_time()
    {
        var journal = new InMemoryJournal();
        var start = new DateTimeOffset(2026, 3, 2, 15, 0, 0, TimeSpan.Zero);
        JournalEntry Entry(int i, DateTimeOffset at) => new(0, "PG", "PG-TAX", JournalKind.Cash, at, $"cash:{i}", "", "{}");
        // 1,000 entries a second apart, then 1,500 sharing one later instant (more than a page), then one re-appended
        // outbox entry from long before: the highest id with one of the earliest times.
        await journal.Append([.. Enumerable.Range(0, 1_000).Select(i => Entry(i, start.AddSeconds(i)))]);
        await journal.Append([.. Enumerable.Range(1_000, 1_500).Select(i => Entry(i, start.AddSeconds(2_000.5)))]);
        await journal.Append([Entry(9_999, start.AddSeconds(100.25))]);

        var all = await AuditApi.ReadAll(journal, "PG", JournalKind.Cash, null, default);

        Assert.Equal(2_501, all.Count);
        Assert.Equal(Enumerable.Range(1, 2_501).Select(i => (long)i), all.Select(e => e.Id).Order());
        // Before a bound: the first 1,000 and the late one.
        Assert.Equal(1_001, (await AuditApi.ReadAll(journal, "PG", JournalKind.Cash, start.AddSeconds(1_000), default)).Count);
    }
    [Fact]
    public async Task Triggers_are_read_only_for_the_households_where_a_client_event_was_recorded()
    {
        var journal = new InMemoryJournal();
        var at = new DateTimeOffset(2026, 3, 2, 15, 0, 0, TimeSpan.Zero);
        JournalEntry Deposit(string household, int i) => new(0, household, $"{household}-TAX", JournalKind.Cash, at, $"cash:d{i}", "Deposit", "{}");
        JournalEntry Trigger(string household, int i) => new(0, household, $"{household}-TAX", JournalKind.Trigger, at, $"trigger:Harvest:XYZ:1:{i}", "Harvest", "{}");
        // Two households with triggers, one of which a client touched; the paid entry of a withdrawal is no event of its own.
        await journal.Append([Deposit("EV", 1), Trigger("EV", 1), Trigger("EV", 2), Trigger("QUIET", 1),
            new(0, "QUIET", "QUIET-TAX", JournalKind.Cash, at, "paid:w1", "Paid withdrawal", "{}")]);

        var read = await AuditApi.Entries(journal, [null], null, default);
        Assert.Equal(["EV", "EV"], read.Where(e => e.Kind == JournalKind.Trigger).Select(e => e.HouseholdId));
        Assert.Equal(2, read.Count(e => e.Kind == JournalKind.Cash));

        // Past a thousand households touched, the triggers are read firm-wide once and kept for those households only.
        await journal.Append([.. Enumerable.Range(0, 1_000).Select(i => Deposit($"H{i:0000}", i))]);
        await journal.Append([Trigger("H0999", 1), Trigger("QUIET", 2)]);
        read = await AuditApi.Entries(journal, [null], null, default);
        Assert.Equal(["EV", "EV", "H0999"], read.Where(e => e.Kind == JournalKind.Trigger).Select(e => e.HouseholdId).Order(StringComparer.Ordinal));
    }
}
