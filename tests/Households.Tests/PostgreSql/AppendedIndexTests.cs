using Households.Contracts;
using Households.Grains.Advisors;
using Households.Grains.Household;
using Households.Grains.Models;
using Households.Grains.Securities;
using Households.Grains.Silo;
using Households.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit;
using static Households.Tests.Cluster.TestFirm;

namespace Households.Tests.PostgreSql;

/// <summary>The grains that index many households on the PostgreSQL profile (issue #18 goal 2): a household's report to its
/// advisor-queue shard, a notice, an account following a model and a household joining the firm's directory are appended as
/// what they changed, not the shard's index, the ten thousand delivery ids, the follower list or the directory written whole;
/// another cluster reads the snapshot with them folded in; a stopping silo compacts.</summary>
public sealed class AppendedIndexTests(PostgresFixture db) : IClassFixture<PostgresFixture>
{
    private const string Hook = "http://127.0.0.1:9/households-test-hook";

    // One webhook (never reached: the dispatcher looks once an hour), so each notice adds a delivery to the outbox.
    private Task<IHost> StartSilo() => PostgresSilo.Start(db.ConnectionString, $"pg-{Guid.NewGuid():N}", "households-pg-test",
        services => services.Configure<NotificationOptions>(o =>
        {
            o.Webhooks = [new WebhookEndpoint { Url = Hook, Secret = "s3cret" }];
            o.DispatchInterval = TimeSpan.FromHours(1);
        }));

    private async Task<(long Changes, long Version)> Stored(string state, string key)
    {
        await using var connection = new Npgsql.NpgsqlConnection(db.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("""
            SELECT (SELECT count(*) FROM households_state_changes WHERE state_name = $1 AND grain_key = $2), etag
            FROM households_grain_state WHERE state_name = $1 AND grain_key = $2
            """, connection);
        command.Parameters.AddWithValue(state);
        command.Parameters.AddWithValue(key);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? (reader.GetInt64(0), reader.GetInt64(1)) : (-1, -1);
    }

    private static HouseholdPending Pending(string household, DateTimeOffset at, int proposals = 1) =>
        new(household, $"The {household} family", "ADV09", new MarginalTaxRates(0.37m, 0.2m, 0.37m, 0.2m, 0.37m, 0.2m, "test"), [], false,
            [.. Enumerable.Range(1, proposals).Select(i => new RebalanceProposal($"{household}-P{i:D5}", household, ProposalStatus.Pending, at,
                at.AddDays(2), [], [], 0.02, 0.01, -1_000m, 0m, 1, null, null, [], null))], at);

    [Fact]
    public async Task Reports_to_a_queue_shard_are_appended_and_read_back_by_another_cluster()
    {
        await PostgresSchema.ApplyAsync(db.ConnectionString);
        // Three households of one shard.
        var households = Enumerable.Range(1, 2_000).Select(i => $"PGQ{i:D4}").GroupBy(AdvisorQueueGrain.KeyOf).First(g => g.Count() >= 3).Take(3).ToArray();
        var shardKey = AdvisorQueueGrain.KeyOf(households[0]);
        var now = DateTimeOffset.UtcNow;
        var first = await StartSilo();
        var shard = first.Services.GetRequiredService<IGrainFactory>().GetGrain<IAdvisorQueueGrain>(shardKey);
        // The shard takes over the firm's former index as it activates (a whole write); then three reports and a newer report
        // of the first household (two proposals now) are appended: reports that arrive while a write runs share the next one,
        // so each write is one change holding one or more reports.
        Assert.Empty(await shard.Pending(null));
        var activated = await Stored("advisorqueue", shardKey);
        Assert.Equal(0L, activated.Changes);
        foreach (var h in households) await shard.Report(Pending(h, now));
        await shard.Report(Pending(households[0], now.AddSeconds(1), proposals: 2));
        // Reports are one-way: wait until every household's report and the newer one are stored.
        async Task<bool> AllStored() => (await Changes("advisorqueue", shardKey)).OfType<StoredChanges<AdvisorQueueState>>()
            .SelectMany(c => c.Changes).OfType<HouseholdReported>().ToArray() is var stored
            && households.All(h => stored.Any(r => r.Pending.HouseholdId == h)) && stored.Any(r => r.Pending.Proposals.Length == 2);
        for (var wait = 0; wait < 200 && !await AllStored(); wait++) await Task.Delay(50);
        Assert.True(await AllStored());
        var reported = await Stored("advisorqueue", shardKey);
        Assert.InRange(reported.Changes, 1, 4);
        Assert.Equal(activated.Version + reported.Changes, reported.Version); // every write since the snapshot appended

        await using (var other = (IAsyncDisposable)await StartSilo())
        {
            var read = await ((IHost)other).Services.GetRequiredService<IGrainFactory>().GetGrain<IAdvisorQueueGrain>(shardKey).Pending("ADV09");
            Assert.Equal(households.Order(), read.Select(p => p.HouseholdId).Order());
            Assert.Equal(2, read.Single(p => p.HouseholdId == households[0]).Proposals.Length);
            // A newer report with nothing pending takes the third household out: one more change.
            var otherShard = ((IHost)other).Services.GetRequiredService<IGrainFactory>().GetGrain<IAdvisorQueueGrain>(shardKey);
            await otherShard.Report(Pending(households[2], now.AddSeconds(2)) with { Proposals = [] });
            for (var wait = 0; (await Stored("advisorqueue", shardKey)).Changes <= reported.Changes && wait < 100; wait++) await Task.Delay(50);
            Assert.Equal((reported.Changes + 1, reported.Version + 1), await Stored("advisorqueue", shardKey));
            Assert.Equal(households.Take(2).Order(), (await otherShard.Pending(null)).Select(p => p.HouseholdId).Order());
            await ((IHost)other).StopAsync();
        }
        // The other cluster's shard stored its index whole as it deactivated, under the version it had.
        Assert.Equal((0L, reported.Version + 1), await Stored("advisorqueue", shardKey));
        await first.StopAsync();
        first.Dispose();
    }

    private Task<object[]> Changes(string state, string key) => StoredChangeRows.Read(db.ConnectionString, state, key);

    [Fact]
    public async Task Followers_of_a_model_and_households_joining_the_directory_are_appended()
    {
        await PostgresSchema.ApplyAsync(db.ConnectionString);
        var first = await StartSilo();
        var grains = first.Services.GetRequiredService<IGrainFactory>();
        await grains.GetGrain<IUniverseGrain>(UniverseGrain.Key).Upsert([Fund("PGIEQ", "US Equity"), Fund("PGIBD", "US Bonds")]);
        var model = grains.GetGrain<IModelGrain>("PGIM");
        await model.Define(TwoFundModel("PGIM", "PGIEQ", "PGIBD", 0.6m, DriftBand.Default));
        // Three accounts follow, one at a time: three changes, each the one follower it adds.
        foreach (var account in new[] { "PGIA1", "PGIA2", "PGIA3" }) await model.Follow(account);
        await model.Follow("PGIA2"); // already following: nothing written
        var followed = await Changes("model", "PGIM");
        Assert.Equal(["PGIA1", "PGIA2", "PGIA3"], followed.Select(c =>
            Assert.Single(Assert.IsType<ModelFollowed>(Assert.Single(Assert.IsType<StoredChanges<ModelState>>(c).Changes)).Followers)));
        // A new definition is stored whole with the followers' notice owed; the notice paid is one change.
        await model.Define(TwoFundModel("PGIM", "PGIEQ", "PGIBD", 0.7m, DriftBand.Default));
        Assert.False(Assert.IsType<ModelNoticeOwed>(Assert.Single(Assert.IsType<StoredChanges<ModelState>>(Assert.Single(await Changes("model", "PGIM"))).Changes)).Owed);

        var directory = grains.GetGrain<IFirmDirectoryGrain>(FirmDirectoryGrain.Key);
        var before = (await directory.List(0, 500)).Total;
        await directory.Register(new HouseholdSummary("PGIH1", "One", "ADV09", 2));
        await directory.Register(new HouseholdSummary("PGIH2", "Two", "ADV09", 1));
        await directory.Register(new HouseholdSummary("PGIH1", "One, renamed", "ADV09", 3));
        var registered = (await Changes("directory", FirmDirectoryGrain.Key))
            .Select(c => Assert.IsType<HouseholdsRegistered>(Assert.Single(Assert.IsType<StoredChanges<DirectoryState>>(c).Changes))).ToArray();
        Assert.Equal(["PGIH2", "PGIH1"], registered.TakeLast(2).Select(r => Assert.Single(r.Households).Id));

        await using (var other = (IAsyncDisposable)await StartSilo())
        {
            var otherGrains = ((IHost)other).Services.GetRequiredService<IGrainFactory>();
            // The directory folds the three registrations: two households more, the first with its newer summary.
            var page = await otherGrains.GetGrain<IFirmDirectoryGrain>(FirmDirectoryGrain.Key).ListByAdvisor("ADV09", 0, 500);
            Assert.Equal([("PGIH1", "One, renamed", 3), ("PGIH2", "Two", 1)], page.Items.Where(h => h.Id.StartsWith("PGIH", StringComparison.Ordinal)).Select(h => (h.Id, h.Name, h.Accounts)));
            Assert.Equal(before + 2, (await otherGrains.GetGrain<IFirmDirectoryGrain>(FirmDirectoryGrain.Key).List(0, 500)).Total);
            // The model folds its followers and the paid notice; a fourth follower is one more change.
            Assert.Equal(0.7m, (await otherGrains.GetGrain<IModelGrain>("PGIM").Get())!.Sleeves[0].Weight);
            await otherGrains.GetGrain<IModelGrain>("PGIM").Follow("PGIA4");
            Assert.Equal(2, (await Changes("model", "PGIM")).Length);
            await ((IHost)other).StopAsync();
        }
        // Stopping compacted both: the changes folded into the rows.
        Assert.Empty(await Changes("model", "PGIM"));
        Assert.Empty(await Changes("directory", FirmDirectoryGrain.Key));
        await first.StopAsync();
        first.Dispose();
    }

    [Fact]
    public async Task Notices_are_appended_and_a_notice_seen_before_the_restart_is_not_sent_again()
    {
        await PostgresSchema.ApplyAsync(db.ConnectionString);
        var at = DateTimeOffset.UtcNow;
        AdvisorNotice Notice(string id) => new(0, "proposal-pending", "PGNH", "ADV09", id, $"proposal {id} needs approval", at, $"proposal-pending:PGNH:{id}", null);
        var first = await StartSilo();
        var notices = first.Services.GetRequiredService<IGrainFactory>().GetGrain<IAdvisorNotificationsGrain>(AdvisorNotificationsGrain.Key);
        await notices.Notify(Notice("P1"));
        var opened = await Stored("notifications", AdvisorNotificationsGrain.Key);
        await notices.Notify(Notice("P2"));
        await notices.Notify(Notice("P3"));
        await notices.Notify(Notice("P2")); // seen: nothing sent, nothing written
        // The next two were appended (the first wrote the row, or was appended to one an earlier test left).
        Assert.Equal((opened.Changes + 2, opened.Version + 2), await Stored("notifications", AdvisorNotificationsGrain.Key));
        Assert.Equal(["P1", "P2", "P3"], (await notices.Since(0, null)).Items.Select(n => n.ProposalId));

        await using (var other = (IAsyncDisposable)await StartSilo())
        {
            var read = ((IHost)other).Services.GetRequiredService<IGrainFactory>().GetGrain<IAdvisorNotificationsGrain>(AdvisorNotificationsGrain.Key);
            // The outbox folded: a delivery of each notice to the one webhook, none attempted yet.
            var outbox = (await read.Outbox()).Where(d => d.DeliveryId.Contains(":PGNH:", StringComparison.Ordinal)).ToArray();
            Assert.Equal(["proposal-pending:PGNH:P1", "proposal-pending:PGNH:P2", "proposal-pending:PGNH:P3"], outbox.Select(d => d.DeliveryId));
            Assert.All(outbox, d => Assert.Equal((Hook, 0), (d.Endpoint, d.Attempts)));
            // The delivery ids folded: P3 again is not sent again; P4 is.
            await read.Notify(Notice("P3"));
            await read.Notify(Notice("P4"));
            Assert.Equal(["P4"], (await read.Since(0, null)).Items.Select(n => n.ProposalId));
            Assert.Equal(opened.Changes + 3, (await Stored("notifications", AdvisorNotificationsGrain.Key)).Changes);
            await ((IHost)other).StopAsync();
        }
        Assert.Equal(0L, (await Stored("notifications", AdvisorNotificationsGrain.Key)).Changes);
        await first.StopAsync();
        first.Dispose();
    }
}
