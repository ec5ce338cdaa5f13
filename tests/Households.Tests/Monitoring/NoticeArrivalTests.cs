using Households.Contracts;
using Households.Domain.Monitoring;
using Households.Grains.Accounts;
using Households.Grains.Silo;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;
using static Households.Tests.Cluster.TestFirm;

namespace Households.Tests.Monitoring;

/// <summary>A monitor notice an account's cooldowns refuse whole stops counting toward the silo's deciding households at
/// once: it never reaches a household, and holding its slot for the 5 s wake window starved the silo under a shock's
/// repeated batches.</summary>
public sealed class NoticeArrivalTests
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 15, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_notice_the_cooldowns_refuse_whole_frees_its_slot_and_an_event_notice_never_held_one()
    {
        var pacing = new NoticePacing(1000, 1000, Start, maxDeciding: 64);
        // Only the refused path runs here: nothing reaches a household, so no grain factory is needed.
        var account = new AccountTriggers("NA1", new TriggerLatency(), new DecisionOptions(), new PriceBoard(new SecurityIndex()), TimeProvider.System,
            grains: null!, NullLogger.Instance, load: pacing);
        var spec = Account("NA1", "NAHH", AccountType.Taxable, null);
        var now = TimeProvider.System.GetUtcNow();
        Trigger[] harvest = [new(TriggerKind.Harvest, "NA1", "XYZ", -600, 0, 500, 41, now, now)];

        Assert.True(pacing.TrySend(harvest, now, out _));
        Assert.True(pacing.TrySend(harvest, now, out _));
        Assert.Equal(2, pacing.OnTheirWay);
        // The first notice, before the account belongs to a household: admitted, but it reaches no one.
        account.Admit(harvest, spec: null);
        Assert.Equal(1, pacing.OnTheirWay);
        // The same condition again within its cooldown: refused whole, its slot freed.
        account.Admit(harvest, spec);
        Assert.Equal(0, pacing.OnTheirWay);

        // A client's cash event is never held nor counted: its notice frees nothing.
        Assert.True(pacing.TrySend(harvest, now, out _));
        account.Admit([new Trigger(TriggerKind.Cash, "NA1", "withdrawal", 1000, 0, 0, 41, now, now)], spec: null);
        Assert.Equal(1, pacing.OnTheirWay);
    }
}
