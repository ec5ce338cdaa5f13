using Microsoft.Extensions.Logging;

namespace Households.Grains.Silo;

/// <summary>
/// A stored state whose write may append a change to its last stored snapshot instead of rewriting it (issue #18 goal 2:
/// writes that scale with the changes, not with the state). The storage folds the changes into the snapshot on every
/// read, stores the state whole (a new snapshot, its changes dropped) once the changes since the snapshot are due one
/// (<see cref="NextWrite.SnapshotDue"/>) and whenever a write is not one change, and the grain compacts it as it deactivates (<see cref="NextWrite.Compact"/>).
/// A storage that keeps no changes writes the state whole every time.
/// </summary>
public interface IAppendableState
{
    /// <summary>What the next write may be instead of the whole state, and how many changes follow the snapshot.</summary>
    NextWrite Next();

    /// <summary>Folds a stored change, in the order stored, into the state just read.</summary>
    void Fold(object change);
}

/// <summary>Not stored: the change the state made since its last write when that change is all it made, whether the next
/// write only compacts (the grain deactivating: it keeps the version, since the state it stores is the one the version
/// already names), and what is stored after the snapshot the state was read from or last written as (how many changes, their
/// bytes and the snapshot's), which decides when the next snapshot is due.</summary>
public sealed class NextWrite
{
    private object? _change;
    private bool _compact;

    /// <summary>Kept by the storage (<see cref="Written"/>).</summary>
    public int ChangesSinceSnapshot { get; private set; }

    /// <summary>Kept by the storage: the bytes of the snapshot the state was read from or last written as.</summary>
    public long SnapshotBytes { get; private set; }

    /// <summary>Kept by the storage: the bytes of the changes stored after that snapshot.</summary>
    public long ChangeBytes { get; private set; }

    /// <summary>Changes appended after a snapshot before the state is stored whole again, if they weigh enough.</summary>
    public const int SnapshotEvery = 16;

    /// <summary>Changes appended after a snapshot at most: a read folds no more than this many.</summary>
    public const int MaxChanges = 1024;

    /// <summary>Whether the next write stores the state whole: after <see cref="SnapshotEvery"/> changes that weigh a quarter of
    /// the snapshot, or after <see cref="MaxChanges"/>. A large index (an advisor-queue shard, the notices' ten thousand
    /// delivery ids) is not rewritten for every 16 small reports: its snapshots cost each change at most four times what
    /// the change itself does, while a household's fills, which weigh more than its snapshot, snapshot every 16.</summary>
    public bool SnapshotDue => ChangesSinceSnapshot >= MaxChanges || (ChangesSinceSnapshot >= SnapshotEvery && ChangeBytes * 4 >= SnapshotBytes);

    /// <summary>After a write: one change more, or a new snapshot of <paramref name="bytes"/>.</summary>
    public void Written(bool appended, long bytes)
    {
        if (appended) (ChangesSinceSnapshot, ChangeBytes) = (ChangesSinceSnapshot + 1, ChangeBytes + bytes);
        else (ChangesSinceSnapshot, ChangeBytes, SnapshotBytes) = (0, 0, bytes);
    }

    /// <summary>Takes over what the storage kept of the row from the state last written (a batched state writes a new copy).</summary>
    public void Continue(NextWrite last) => (ChangesSinceSnapshot, SnapshotBytes, ChangeBytes) = (last.ChangesSinceSnapshot, last.SnapshotBytes, last.ChangeBytes);

    /// <summary>Marks the next write as this change alone (null: the state whole).</summary>
    public void Change(object? change) => _change = change;

    /// <summary>The change marked, taken (cleared) by the write.</summary>
    public object? TakeChange()
    {
        var change = _change;
        _change = null;
        return change;
    }

    /// <summary>Folds the changes stored since the snapshot into it, under the same version, through <paramref name="write"/>
    /// (the grain deactivating), when there are any. A failure is logged: nothing is lost, the next read folds them in.</summary>
    public async Task Compact(Func<Task> write, ILogger log, string owner)
    {
        if (ChangesSinceSnapshot == 0) return;
        // A compaction keeps the version: an activation elsewhere that read it (a duplicate after a silo's death) writes on.
        _compact = true;
        try { await write(); }
        catch (Exception ex) { log.LogWarning("{Grain}: snapshot on deactivation not written ({Changes} changes stay appended): {Reason}", owner, ChangesSinceSnapshot, ex.Message); }
        finally { _compact = false; }
    }

    /// <summary>Whether the write compacts, taken (cleared) by the write.</summary>
    public bool TakeCompaction()
    {
        var compact = _compact;
        _compact = false;
        return compact;
    }
}
