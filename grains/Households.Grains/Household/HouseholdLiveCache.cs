using Households.Contracts;
using Households.Domain.Monitoring;
using Households.Grains.Silo;

namespace Households.Grains.Household;

/// <summary>A household's live figures (<see cref="IHouseholdGrain.GetLiveState"/>): accounts on this silo answer from
/// the sources they publish on the silo's live board, the others are asked. An answer is kept for the board's batch, the
/// household's change count and the accounts' sources it was computed from, and shared while still in flight.</summary>
public sealed class HouseholdLiveCache(PriceBoard board, LiveStateBoard liveBoard, IGrainFactory grains)
{
    // A source is null for an account on another silo (asked by a call; it tells its household when it changes).
    private (long Sequence, long Version, AccountLiveSource?[] Sources, Task<HouseholdLiveState?> Answer)? _kept;
    private long _version;
    // The batch and change count of the last answer computed and not kept: an answer is kept on the second read.
    private (long Sequence, long Version) _answered = (-1, -1);

    /// <summary>Something the live state shows changed: the next read asks the accounts again.</summary>
    public void Stale() => _version++;

    /// <summary>The live state at the board's current batch; <paramref name="proposals"/> as last written (a decision in
    /// progress shows once it is stored).</summary>
    public Task<HouseholdLiveState?> Get(HouseholdSpec spec, RebalanceProposal[] proposals)
    {
        var prices = board.Current;
        var ids = spec.AccountIds;
        if (_kept is { } kept && kept.Sequence == prices.Sequence && kept.Version == _version && !kept.Answer.IsFaulted && !kept.Answer.IsCanceled)
        {
            var same = true;
            for (var i = 0; i < ids.Length && same; i++) same = ReferenceEquals(kept.Sources[i], liveBoard.Find(ids[i]));
            if (same) return kept.Answer;
        }
        var sources = new AccountLiveSource?[ids.Length];
        for (var i = 0; i < ids.Length; i++) sources[i] = liveBoard.Find(ids[i]);
        var pending = Households.Domain.Firm.FirmFigures.Pending(proposals);
        var answer = Array.TrueForAll(sources, s => s is not null)
            ? Task.FromResult<HouseholdLiveState?>(LiveFigures.Household(spec.Id, spec.AdvisorId, Array.ConvertAll(sources, s => s!.At(prices)), pending))
            : Ask(spec, sources, prices, pending);
        // Kept only for a household read twice in one batch: an answer nobody asks for again is garbage that survives
        // collections (at thousands of reads a second of households read once a batch, the silo's largest GC cost).
        if (_answered == (prices.Sequence, _version)) _kept = (prices.Sequence, _version, sources, answer);
        else (_kept, _answered) = (null, (prices.Sequence, _version));
        return answer;
    }

    private async Task<HouseholdLiveState?> Ask(HouseholdSpec spec, AccountLiveSource?[] sources, PriceVector prices, int pending)
    {
        var accounts = await Task.WhenAll(spec.AccountIds.Select((id, i) =>
            sources[i] is { } local ? Task.FromResult(local.At(prices)) : grains.GetGrain<IAccountGrain>(id).GetLiveState()));
        return LiveFigures.Household(spec.Id, spec.AdvisorId, accounts, pending);
    }
}
