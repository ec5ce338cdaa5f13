using Households.Contracts;
using Households.Grains.Advisors;
using Households.Tests.Cluster;
using Xunit;

namespace Households.Tests.Advisors;

/// <summary>The advisor queue's index in 64 shards by household: a report costs a 64th of the firm's index, and the
/// single index a firm kept before the shards hands each shard its households once.</summary>
public sealed class AdvisorQueueShardTests
{
    [Fact]
    public void A_household_always_reports_to_the_same_shard_and_a_firm_spreads_over_all_of_them()
    {
        // FNV-1a of the id's characters: the same in every process (string.GetHashCode is not).
        Assert.Equal("firm/50", AdvisorQueueGrain.KeyOf("HH000001"));
        Assert.Equal(1, Households.Domain.StableShare.Of("HH000001", 3));
        var counts = Enumerable.Range(1, 64_000).Select(i => AdvisorQueueGrain.KeyOf($"HH{i:D6}")).CountBy(k => k).ToDictionary();
        Assert.Equal(64, counts.Count);
        Assert.All(counts.Keys, k => Assert.Matches("^firm/[0-6][0-9]$", k));
        // 1,000 a shard on average; no shard holds twice that or half of it.
        Assert.InRange(counts.Values.Max(), 1_000, 2_000);
        Assert.InRange(counts.Values.Min(), 500, 1_000);
    }

    private static HouseholdPending Pending(string household, string advisor, DateTimeOffset at)
    {
        var proposal = new RebalanceProposal($"{household}-P00001", household, ProposalStatus.Pending, at, at.AddDays(2), [], [], 0.02, 0.01, -1_000m, 0m, 1,
            null, null, [], null);
        return new HouseholdPending(household, $"The {household} family", advisor, new MarginalTaxRates(0.37m, 0.2m, 0.37m, 0.2m, 0.37m, 0.2m, "test"), [], false, [proposal], at);
    }

    [Fact]
    public async Task The_firms_former_single_index_hands_every_household_to_its_shard_once()
    {
        var fixture = new ClusterFixture();
        await fixture.InitializeAsync();
        try
        {
            var grains = fixture.Client;
            var now = DateTimeOffset.UtcNow;
            // The index as a firm kept it before the shards: one grain, key "firm".
            var former = grains.GetGrain<IAdvisorQueueGrain>(AdvisorQueueGrain.FirmIndexKey);
            var households = Enumerable.Range(1, 40).Select(i => $"SHH{i:D3}").ToArray();
            foreach (var h in households) await former.Report(Pending(h, h.EndsWith('1') ? "ADV01" : "ADV02", now));
            for (var wait = 0; (await former.Pending(null)).Length < households.Length && wait < 100; wait++) await Task.Delay(50);
            Assert.Equal(households.Length, (await former.Pending(null)).Length);
            Assert.True(households.Select(AdvisorQueueGrain.KeyOf).Distinct().Count() > 10, "the households fall in many shards");

            // The first read of the sharded queue activates every shard; each takes its households over.
            var all = await AdvisorQueueGrain.Pending(grains, null);
            Assert.Equal(households.Order(), all.Select(p => p.HouseholdId).Order());
            Assert.Empty(await former.Pending(null));
            var adv01 = await AdvisorQueueGrain.Pending(grains, "ADV01");
            Assert.Equal(["SHH001", "SHH011", "SHH021", "SHH031"], adv01.Select(p => p.HouseholdId).Order());

            // Each household lives in its own shard only; a newer report there replaces it, an empty one removes it.
            var shard = grains.GetGrain<IAdvisorQueueGrain>(AdvisorQueueGrain.KeyOf("SHH001"));
            Assert.Contains((await shard.Pending(null)), p => p.HouseholdId == "SHH001");
            await shard.Report(Pending("SHH001", "ADV01", now.AddMinutes(1)) with { Proposals = [] });
            for (var wait = 0; (await AdvisorQueueGrain.Pending(grains, "ADV01")).Length != 3 && wait < 100; wait++) await Task.Delay(50);
            Assert.Equal(["SHH011", "SHH021", "SHH031"], (await AdvisorQueueGrain.Pending(grains, "ADV01")).Select(p => p.HouseholdId).Order());
            Assert.Equal(39, (await AdvisorQueueGrain.Pending(grains, null)).Length);
        }
        finally { await fixture.DisposeAsync(); }
    }
}
