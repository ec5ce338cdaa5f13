using Households.Contracts;
using Households.Domain;
using Households.Grains.Household;
using Households.Grains.Silo;
using Households.Grains;
using Microsoft.Extensions.Options;

namespace Households.Silo.Hosting;

/// <summary>The demo firm's simulated clients: each pending proposal is approved once it has waited
/// <see cref="DemoOptions.ClientApproval"/> of business time, through the same <see cref="IHouseholdGrain.Approve"/> an
/// advisor's click calls (re-validated, re-optimized when prices moved). Off unless set: a firm's own proposals wait for
/// its own clients. With it, the demo's advisory accounts follow their plans a client day late, as a firm's do, instead of
/// drifting with nobody to answer.</summary>
public sealed class DemoClients(IGrainFactory grains, IOptions<DemoOptions> options, [FromKeyedServices(BusinessClock.Key)] TimeProvider clock,
    ILogger<DemoClients> log) : BackgroundService
{
    private const int Page = 500;
    /// <summary>Recorded as the approver of the simulated clients' approvals.</summary>
    private static readonly Approver DemoClient = new("demo-client", null, "system");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var wait = options.Value.ClientApproval;
        if (wait <= TimeSpan.Zero) return;
        using var timer = new PeriodicTimer(options.Value.ClientCheck);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try { await ApproveDue(wait); }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                log.LogWarning(ex, "Demo clients: approvals failed this round; trying again at the next");
            }
        }
    }

    private async Task ApproveDue(TimeSpan wait)
    {
        var directory = grains.GetGrain<IFirmDirectoryGrain>(FirmDirectoryGrain.Key);
        for (var skip = 0; ; skip += Page)
        {
            var page = await directory.List(skip, Page);
            // Every household at once: one at a time, a round waits behind each household's own decisions and the clients
            // of a 20-household demo answered a few proposals a simulated week.
            await Task.WhenAll(page.Items.Select(summary => ApproveDueIn(summary.Id, wait)));
            if (skip + Page >= page.Total) return;
        }
    }

    private async Task ApproveDueIn(string householdId, TimeSpan wait)
    {
        var household = grains.GetGrain<IHouseholdGrain>(householdId);
        var proposals = await household.GetProposals();
        var now = clock.GetUtcNow();
        foreach (var proposal in proposals.Where(p => p.Status == ProposalStatus.Pending && now - p.CreatedAt >= wait))
        {
            try
            {
                var done = await household.Approve(proposal.Id, DemoClient);
                log.LogDebug("Demo client of {Household} approved {Proposal}: {Status}", householdId, proposal.Id, done.Status);
            }
            catch (BadInputException ex) { log.LogDebug("Demo client of {Household}: {Proposal} not approved: {Reason}", householdId, proposal.Id, ex.Message); }
        }
    }
}
