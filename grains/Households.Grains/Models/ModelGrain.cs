using Households.Contracts;
using Households.Domain.Models;
using Households.Grains.Silo;
using Microsoft.Extensions.Logging;

namespace Households.Grains.Models;

/// <summary>A model as stored; followers and parents added are appended to the last snapshot (<see cref="ModelFollowed"/>).</summary>
[GenerateSerializer]
public sealed class ModelState : IAppendableState
{
    [Id(0)] public TargetModel? Model { get; set; }
    [Id(1)] public int Version { get; set; }
    /// <summary>Accounts on this model, told when it changes.</summary>
    [Id(2)] public HashSet<string> Followers { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Models built of this one, told when it changes (models of models).</summary>
    [Id(3)] public HashSet<string> Parents { get; set; } = new(StringComparer.Ordinal);
    /// <summary>A change is stored whose followers and parents may not all have been told: set in the change's own write,
    /// cleared once they were; a grain that died between the two tells them when it next activates.</summary>
    [Id(4)] public bool FollowersToTell { get; set; }

    // Not stored: what the next write may be.
    [NonSerialized] private NextWrite? _next;

    /// <inheritdoc/>
    public NextWrite Next() => _next ??= new();

    void IAppendableState.Fold(object change) => StoredChanges<ModelState>.Fold(this, change);
}

/// <summary>Accounts that follow a model and models built of it, added, as stored (issue #18 goal 2): a firm's import of a
/// hundred thousand accounts on one model writes the followers it adds, not the follower list each time.</summary>
[GenerateSerializer, Immutable, Alias("ModelFollowed")]
public sealed record ModelFollowed([property: Id(0)] string[] Followers, [property: Id(1)] string[] Parents) : IStateChange<ModelState>
{
    /// <inheritdoc/>
    public void ApplyTo(ModelState state)
    {
        state.Followers.UnionWith(Followers);
        state.Parents.UnionWith(Parents);
    }
}

/// <summary>The notice of a stored change owed to a model's followers and parents, or paid (<see cref="ModelState.FollowersToTell"/>):
/// a data change, so a model followed by a hundred thousand accounts does not rewrite their list to say so.</summary>
[GenerateSerializer, Immutable, Alias("ModelNoticeOwed")]
public sealed record ModelNoticeOwed([property: Id(0)] bool Owed) : IStateChange<ModelState>
{
    /// <inheritdoc/>
    public void ApplyTo(ModelState state) => state.FollowersToTell = Owed;
}

/// <summary>A firm model. Resolution fetches the sub-models it names and flattens them in the domain.</summary>
public sealed class ModelGrain([PersistentState("model", "households")] IPersistentState<ModelState> state, SecurityMaster master,
    Orleans.Serialization.DeepCopier<ModelState> copier, ILogger<ModelGrain> log)
    : Grain, IModelGrain
{
    // Every account on the model resolves it when it activates (a million at a firm's start): resolve once per
    // version and hand out the same immutable target, forgotten when this model or a sub-model changes.
    private ResolvedTarget? _resolved;

    public async Task Define(TargetModel model)
    {
        ModelResolver.Validate(model);
        if (model.Id != this.GetPrimaryKeyString()) throw new Domain.BadInputException($"model id {model.Id} does not match {this.GetPrimaryKeyString()}");
        // The same content again changes nothing and tells no follower (a firm re-publishing its models must not fire a
        // model-change decision in every account), unless the stored change was never told: a retry finishes it.
        if (Stored.Model is { } current && ModelResolver.SameContent(current, model))
        {
            if (Stored.FollowersToTell) await Tell(model.Id);
            return;
        }
        // Resolving the candidate proves every sub-model exists and no cycle forms.
        var models = await FetchClosure(model);
        await EnsureSecurities(models.Values);
        ModelResolver.Resolve(model.Id, Stored.Version + 1, id => models.GetValueOrDefault(id), master.Find);
        var changed = Stored.Model is not null;
        Writes.Change(s =>
        {
            Defined(s, model);
            if (changed) s.FollowersToTell = true;
        });
        _resolved = null;
        await Writes.Write();
        foreach (var child in model.Sleeves.Where(s => s.Kind == SleeveKind.Model).Select(s => s.Key).Distinct())
            await GrainFactory.GetGrain<IModelGrain>(child).AddParent(model.Id);
        if (changed) await Tell(model.Id);
    }

    /// <summary>A model that died after storing a change and before telling its followers tells them once active: in a turn
    /// of its own, not in the activation, which a parent being defined may be waiting on (its read of this model) while
    /// this model would wait on that parent.</summary>
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (Stored is { FollowersToTell: true, Model: { } model })
        {
            log.LogWarning("Model {Model}: version {Version} was stored but its followers were not all told; telling them now", model.Id, Stored.Version);
            IDisposable? owed = null;
            owed = this.RegisterGrainTimer(async () =>
            {
                owed?.Dispose();
                if (Stored.FollowersToTell) await Tell(model.Id);
            }, new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan) { KeepAlive = true });
        }
        return Task.CompletedTask;
    }

    /// <summary>The model as defined; a new version only when its content changed, so applying it again (on a state
    /// re-read after a storage conflict) changes nothing more.</summary>
    private static void Defined(ModelState s, TargetModel model)
    {
        if (s.Model is { } current && ModelResolver.SameContent(current, model)) return;
        s.Model = model;
        s.Version++;
    }

    // Follow interleaves with every other call: all writes go through one batcher so two never overlap, each with a
    // copy of the state (a follower added while a write runs must not change what that write is serializing). Followers
    // and parents are set additions, so every change here is idempotent (see BatchedState).
    private BatchedState<ModelState>? _stored;
    private BatchedState<ModelState> Writes => _stored ??= new(state, copier, log, $"model {this.GetPrimaryKeyString()}", () => _resolved = null);
    private ModelState Stored => Writes.Live;

    public async Task Follow(string accountId)
    {
        if (Stored.Followers.Contains(accountId)) return;
        Writes.Change(new ModelFollowed([accountId], []));
        await Writes.Write();
    }

    public async Task AddParent(string parentModelId)
    {
        if (Stored.Parents.Contains(parentModelId)) return;
        Writes.Change(new ModelFollowed([], [parentModelId]));
        await Writes.Write();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        state.State.Next().Compact(state.WriteStateAsync, log, $"model {this.GetPrimaryKeyString()}");

    public async Task OnSubModelChanged(string changedModelId)
    {
        _resolved = null;
        // Owed before the sub-model hears back: it clears its own debt once every parent has stored this one.
        Writes.Change(new ModelNoticeOwed(true));
        await Writes.Write();
        await Tell(changedModelId);
    }

    /// <summary>Tells every account on this model to re-resolve its target (one-way: an account re-resolving calls back here)
    /// and every parent to tell its own, waiting for the parents to store that they owe it; then clears the debt.</summary>
    private async Task Tell(string changedModelId)
    {
        var self = this.GetPrimaryKeyString();
        foreach (var account in Stored.Followers) GrainFactory.GetGrain<IAccountGrain>(account).OnModelChanged(self).Ignore();
        await Task.WhenAll(Stored.Parents.Where(p => p != changedModelId)
            .Select(parent => GrainFactory.GetGrain<IModelGrain>(parent).OnSubModelChanged(changedModelId)));
        Writes.Change(new ModelNoticeOwed(false));
        await Writes.Write();
    }

    public Task<TargetModel?> Get() => Task.FromResult(Stored.Model);

    public async Task<ResolvedTarget> Resolve()
    {
        var model = Stored.Model ?? throw new Domain.BadInputException($"model {this.GetPrimaryKeyString()} does not exist");
        if (_resolved is { } cached && cached.Version == Stored.Version) return cached;
        var models = await FetchClosure(model);
        await EnsureSecurities(models.Values);
        return _resolved = ModelResolver.Resolve(model.Id, Stored.Version, id => models.GetValueOrDefault(id), master.Find);
    }

    private async Task<Dictionary<string, TargetModel>> FetchClosure(TargetModel root)
    {
        var models = new Dictionary<string, TargetModel>(StringComparer.Ordinal) { [root.Id] = root };
        var pending = new Queue<TargetModel>([root]);
        while (pending.TryDequeue(out var model))
        {
            foreach (var sleeve in model.Sleeves.Where(s => s.Kind == SleeveKind.Model && !models.ContainsKey(s.Key)))
            {
                var child = await GrainFactory.GetGrain<IModelGrain>(sleeve.Key).Get()
                    ?? throw new Domain.BadInputException($"model {model.Id}: sub-model {sleeve.Key} does not exist");
                models[child.Id] = child;
                pending.Enqueue(child);
            }
        }
        return models;
    }

    private async Task EnsureSecurities(IEnumerable<TargetModel> models)
    {
        foreach (var key in models.SelectMany(m => m.Sleeves).Where(s => s.Kind == SleeveKind.Security).Select(s => s.Key))
        {
            if (master.Contains(key)) continue;
            if (await master.FindOrRefresh(key, GrainFactory) is null) throw new Domain.BadInputException($"security {key} is not in the firm's master");
        }
    }
}
