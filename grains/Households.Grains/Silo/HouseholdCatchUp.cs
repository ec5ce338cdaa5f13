using Households.Contracts;
using Microsoft.Extensions.Logging;

namespace Households.Grains.Silo;

/// <summary>Asks households to catch up the fills their accounts applied and they may not have recorded (a silo died in
/// between), from the silo rather than a grain's turn: each request tried again a few times, since just after a death a
/// call may still meet the dead silo. Used by the survivors' takeover of a dead silo's accounts (<see cref="BooksWarmStart"/>)
/// and by the accounts holding unrecorded fills (<see cref="AccountsAwaitingHousehold"/>).</summary>
public static class HouseholdCatchUp
{
    private const int Attempts = 5;

    /// <summary>Asks each of <paramref name="households"/> in the background; logs what was recorded only now, and failures.</summary>
    public static void Ask(IGrainFactory grains, IReadOnlyCollection<string> households, string why, ILogger log)
    {
        if (households.Count > 0) Task.Run(() => Run(grains, households, why, log)).Ignore();
    }

    private static async Task Run(IGrainFactory grains, IReadOnlyCollection<string> households, string why, ILogger log)
    {
        int recorded = 0, failed = 0;
        await Parallel.ForEachAsync(households, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (household, _) =>
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    Interlocked.Add(ref recorded, (await grains.GetGrain<IHouseholdGrain>(household).CatchUp()).Length);
                    return;
                }
                catch (Exception ex) when (attempt < Attempts)
                {
                    log.LogWarning("Catch-up of household {Household} ({Why}) failed (attempt {Attempt}: {Error}); trying again", household, why, attempt, ex.Message);
                    await Task.Delay(TimeSpan.FromSeconds(attempt));
                }
                catch (Exception ex)
                {
                    Interlocked.Increment(ref failed);
                    log.LogWarning(ex, "Catch-up of household {Household} ({Why}) failed {Attempts} times; it catches up before it next uses its ledger", household, why, Attempts);
                    return;
                }
            }
        });
        log.LogWarning("Households asked to catch up ({Why}): {Households}, {Fills} fills recorded only now, {Failed} failed", why, households.Count, recorded, failed);
    }
}
