namespace Households.Grains.Silo;

/// <summary>
/// A stored state whose write may append a change to its last stored snapshot instead of rewriting it (issue #18 goal 2:
/// writes that scale with the changes, not with the state). The storage folds the changes into the snapshot on every
/// read, stores the state whole (a new snapshot, its changes dropped) every <see cref="PostgresGrainStorage.SnapshotEvery"/>
/// changes and whenever a write is not one change, and the grain compacts it as it deactivates (<see cref="TakeCompaction"/>).
/// A storage that keeps no changes writes the state whole every time.
/// </summary>
public interface IAppendableState
{
    /// <summary>The change the state made since its last write when that change is all it made; taken (cleared) by the write.</summary>
    object? TakeChange();

    /// <summary>Folds a stored change, in the order stored, into the state just read.</summary>
    void Fold(object change);

    /// <summary>Changes stored since the snapshot this state was read from or last written as; kept by the storage.</summary>
    int ChangesSinceSnapshot { get; set; }

    /// <summary>Whether the next write only folds the stored changes into a new snapshot (the grain deactivating): it keeps
    /// the version, since the state it stores is the one the version already names; taken (cleared) by the write.</summary>
    bool TakeCompaction();
}
