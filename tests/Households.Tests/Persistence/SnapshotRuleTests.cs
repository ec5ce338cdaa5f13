using Households.Grains.Silo;
using Xunit;

namespace Households.Tests.Persistence;

/// <summary>When a state that appends its changes is stored whole again (issue #18 goal 2): after 16 changes that weigh a
/// quarter of its snapshot, or after 1,024 whatever they weigh.</summary>
public sealed class SnapshotRuleTests
{
    private static NextWrite ReadAs(long snapshotBytes)
    {
        var next = new NextWrite();
        next.Written(false, snapshotBytes);
        return next;
    }

    [Fact]
    public void A_household_whose_fills_outweigh_its_snapshot_is_stored_whole_after_sixteen()
    {
        // A 60 KB household, fills of 20 KB: the 16th change brings 320 KB, well past a quarter of the snapshot.
        var next = ReadAs(60_000);
        for (var i = 0; i < 15; i++) next.Written(true, 20_000);
        Assert.False(next.SnapshotDue);
        next.Written(true, 20_000);
        Assert.True(next.SnapshotDue);
        next.Written(false, 61_000);
        Assert.Equal((0, 0L, 61_000L, false), (next.ChangesSinceSnapshot, next.ChangeBytes, next.SnapshotBytes, next.SnapshotDue));
    }

    [Fact]
    public void A_large_index_of_small_reports_is_not_rewritten_every_sixteen_and_a_read_folds_at_most_1024()
    {
        // The notices' 10,000 delivery ids (400 KB), a notice of 200 B: 16 notices are 3.2 KB. The snapshot is due when the
        // notices since it weigh 100 KB (500 of them): each costs its 200 B and at most 800 B of snapshot.
        var notices = ReadAs(400_000);
        for (var i = 0; i < 499; i++) notices.Written(true, 200);
        Assert.False(notices.SnapshotDue);
        notices.Written(true, 200);
        Assert.True(notices.SnapshotDue);

        // Changes of 10 B on a 1 MB snapshot would take 25,000 to weigh a quarter: the 1,024th is stored whole.
        var tiny = ReadAs(1_000_000);
        for (var i = 0; i < 1_023; i++) tiny.Written(true, 10);
        Assert.False(tiny.SnapshotDue);
        tiny.Written(true, 10);
        Assert.True(tiny.SnapshotDue);

        // A batched state's next copy takes over what the storage kept of the row.
        var copy = new NextWrite();
        copy.Continue(tiny);
        Assert.Equal((1_024, 10_240L, 1_000_000L, true), (copy.ChangesSinceSnapshot, copy.ChangeBytes, copy.SnapshotBytes, copy.SnapshotDue));
    }
}
