using Households.Contracts;
using Households.Domain.Audit;
using Households.Grains.Models;
using Households.Persistence.Journal;
using Households.Silo.Api;
using Households.Grains.Securities;
using Households.Silo.Hosting;
using Orleans.Core.Internal;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Xunit;
using static Households.Tests.Cluster.TestFirm;

namespace Households.Tests.Cluster;

/// <summary>A model change is stored, then told to the accounts on the model: a model grain that dies between the two
/// (its silo killed) owes the notice, and pays it when it next activates.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ModelNoticeTests(ClusterFixture fixture)
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);
    private IClusterClient Client => fixture.Client;

    private static TargetModel Model(decimal equity) => new("MNM", $"MNM {equity * 100:0}% equity",
        [new ModelSleeve(SleeveKind.Security, "MNA", equity, new DriftBand(0.05m, 0)), new ModelSleeve(SleeveKind.Security, "MNB", 1 - equity, new DriftBand(0.05m, 0))], false);

    private Task<AccountView> TargetOfMna(decimal target) => ClusterFixture.Eventually(() => Client.GetGrain<IAccountGrain>("MN1-IRA").GetView(),
        v => v.Drift.Any(d => d.Level == DriftLevel.Security && d.Key == "MNA" && Math.Abs(d.Target - (double)target) < 1e-12), 20_000);

    /// <summary>Deactivates the model grain and waits until no silo holds it, so what the test stores is what it reads next.</summary>
    private async Task Deactivated(IModelGrain model)
    {
        await model.Cast<IGrainManagementExtension>().DeactivateOnIdle();
        var management = Client.GetGrain<IManagementGrain>(0);
        for (var i = 0; i < 200 && await management.GetActivationAddress(model) is not null; i++) await Task.Delay(50);
        Assert.Null(await management.GetActivationAddress(model));
    }

    [Fact]
    public async Task A_change_stored_but_never_told_reaches_the_accounts_when_the_model_next_activates_and_only_then()
    {
        await Client.GetGrain<IUniverseGrain>(UniverseGrain.Key).Upsert([Fund("MNA", "US Equity"), Fund("MNB", "US Bonds")]);
        var model = Client.GetGrain<IModelGrain>("MNM");
        await model.Define(Model(0.5m));
        await fixture.PublishAndScan(("MNA", 100m), ("MNB", 100m));
        await Client.GetGrain<IHouseholdGrain>("MN1").Create(new HouseholdSpec("MN1", "Model notices", "ADV11", ["MN1-IRA"]),
            [new AccountOpening(Account("MN1-IRA", "MN1", AccountType.Ira, "MNM") with { Discretionary = false }, 0m,
                [Lot("MN1-1", "MNA", 50, 100m, Today.AddDays(-400)), Lot("MN1-2", "MNB", 50, 100m, Today.AddDays(-400))])]);
        await TargetOfMna(0.5m);
        var account = Client.GetGrain<IAccountGrain>("MN1-IRA");

        // A model that owes nothing tells nothing when it activates again (a stored model from before this rule owes nothing).
        await Deactivated(model);
        Assert.Equal("MNM 50% equity", (await model.Get())!.Name);
        await Task.Delay(500);
        Assert.DoesNotContain(await account.GetTriggers(), t => t.Kind == TriggerKind.ModelChange);

        // Its silo died after Define stored version 2 with the notice owed, before any follower heard: as storage holds it.
        await Deactivated(model);
        var storage = fixture.Cluster.GetSiloServiceProvider(fixture.Cluster.GetActiveSilos().First().SiloAddress)
            .GetRequiredKeyedService<IGrainStorage>(HostingProfile.StorageName);
        var stored = new GrainState<ModelState>();
        var grainId = model.GetGrainId();
        await storage.ReadStateAsync("model", grainId, stored);
        Assert.NotNull(stored.State);
        Assert.Equal("MNM 50% equity", stored.State.Model!.Name);
        Assert.False(stored.State.FollowersToTell);
        Assert.Contains("MN1-IRA", stored.State.Followers);
        stored.State.Model = Model(0.7m);
        stored.State.Version++;
        stored.State.FollowersToTell = true;
        await storage.WriteStateAsync("model", grainId, stored);
        Assert.Equal(0.5, (await account.GetView()).Drift.Single(d => d.Level == DriftLevel.Security && d.Key == "MNA").Target, 12);

        // Anything that activates the model (here a read; after a death, the survivors' accounts resolving it) pays the debt.
        Assert.Equal("MNM 70% equity", (await model.Get())!.Name);
        await TargetOfMna(0.7m);
        Assert.Contains(await account.GetTriggers(), t => t.Kind == TriggerKind.ModelChange && t.Subject == "MNM");
        var proposals = await ClusterFixture.Eventually(Client.GetGrain<IHouseholdGrain>("MN1").GetProposals, p => p.Length > 0, 20_000);
        Assert.Contains(proposals[0].Causes, c => c.Kind == TriggerKind.ModelChange);
        Assert.Equal(TradeSide.Buy, Assert.Single(proposals[0].Trades, t => t.Symbol == "MNA").Side);

        // The account journaled what it heard, as a client's event its household must decide, and the audit finds it decided.
        var journal = fixture.SiloService<IJournal>();
        var heard = Assert.Single(await journal.Query(new JournalQuery("MN1", "MN1-IRA", null, null, JournalKind.ModelChange, 10, null)));
        Assert.Equal("Model MNM of MN1-IRA changed (version 2)", heard.Summary);
        var audit = JournalAudit.Run(await AuditApi.Entries(journal, ["MN1"], null, CancellationToken.None), AuditSettings.Default);
        Assert.Equal((1, 0), (audit.ClientEvents, audit.ClientEventsNotDecided!.Count));

        // Paid once: the stored debt is cleared.
        await Deactivated(model);
        await storage.ReadStateAsync("model", grainId, stored);
        Assert.False(stored.State.FollowersToTell);
        Assert.Equal(2, stored.State.Version);
    }
}
