using System.Runtime.InteropServices;
using Households.Grains.Silo;
using Microsoft.Extensions.DependencyInjection;
using Households.Contracts;
using Households.Domain;
using Microsoft.Extensions.Logging;

namespace Households.Grains.Prices;

/// <summary>Produces quotes for simulation mode; the silo supplies the seeded market simulator.</summary>
public interface IPriceSimulator
{
    PriceQuote[] Next();
}

public interface IPriceSimulatorFactory
{
    IPriceSimulator Create(SimulationSettings settings);
}

/// <summary>The firm's price feed: one message per silo per batch, never one per account. Sequence numbers are
/// at least the publishing time in milliseconds, so they keep rising across reactivations without storage.</summary>
public sealed class PriceFeedGrain(IPriceSimulatorFactory simulators, TimeProvider realClock,
    [FromKeyedServices(BusinessClock.Key)] TimeProvider clock, ILogger<PriceFeedGrain> log) : Grain, IPriceFeedGrain
{
    public const string Key = "firm";
    public static readonly TimeSpan SubscriptionLifetime = TimeSpan.FromSeconds(60);
    public const int MaxQuotesPerBatch = 100_000;

    private readonly Dictionary<string, (IPriceBatchObserver Observer, DateTimeOffset Seen)> _subscribers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, decimal> _latest = new(StringComparer.Ordinal);
    private long _sequence;
    private DateTimeOffset _lastPublished;
    private IGrainTimer? _timer;
    private IPriceSimulator? _simulator;

    public Task<long> Subscribe(string siloName, IPriceBatchObserver observer)
    {
        _subscribers[siloName] = (observer, realClock.GetUtcNow());
        return Task.FromResult(_sequence);
    }

    public Task<long> Publish(PriceQuote[] quotes)
    {
        Validate(quotes);
        return Task.FromResult(PublishValidated(quotes));
    }

    public Task EnsureSimulating(SimulationSettings settings)
    {
        if (!settings.Enabled || _timer is not null) return Task.CompletedTask;
        if (settings.Interval < TimeSpan.FromMilliseconds(10)) throw new BadInputException("simulation interval must be at least 10 ms");
        _simulator = simulators.Create(settings);
        PublishValidated(_simulator.Next());
        _timer = this.RegisterGrainTimer(Tick, settings.Interval, settings.Interval);
        log.LogInformation("Market simulator started: seed {Seed}, every {Interval}, {StepDays} trading days a step",
            settings.Seed, settings.Interval, settings.StepDays);
        return Task.CompletedTask;
    }

    public Task<PriceBatch?> GetLast() => Task.FromResult(_sequence == 0
        ? null
        : new PriceBatch(_sequence, _lastPublished, _lastPublished, [.. _latest.Select(kv => new PriceQuote(kv.Key, kv.Value))]));

    private Task Tick()
    {
        if (_simulator is not null) PublishValidated(_simulator.Next());
        return Task.CompletedTask;
    }

    private long PublishValidated(PriceQuote[] quotes)
    {
        var now = clock.GetUtcNow();
        _sequence = Math.Max(_sequence + 1, now.ToUnixTimeMilliseconds());
        _lastPublished = now;
        foreach (var q in quotes) _latest[q.Symbol] = q.Price;
        var batch = new PriceBatch(_sequence, now, now, ImmutableCollectionsMarshal.AsImmutableArray(quotes));
        foreach (var (name, (observer, seen)) in _subscribers.ToList())
        {
            // A subscription's liveness is the silo's, in real time; the batch's stamp is business time.
            if (realClock.GetUtcNow() - seen > SubscriptionLifetime) { _subscribers.Remove(name); continue; }
            observer.OnPriceBatch(batch).Ignore();
        }
        return _sequence;
    }

    public static void Validate(PriceQuote[]? quotes)
    {
        if (quotes is null || quotes.Length == 0) throw new BadInputException("quotes must not be empty");
        if (quotes.Length > MaxQuotesPerBatch) throw new BadInputException($"a batch holds at most {MaxQuotesPerBatch} quotes");
        for (var i = 0; i < quotes.Length; i++)
        {
            var q = quotes[i] ?? throw new BadInputException($"quotes[{i}] is null");
            InputRules.Id(q.Symbol, $"quotes[{i}].symbol", 32);
            if (q.Price <= 0) throw new BadInputException($"quotes[{i}].price must be > 0");
            if (q.Price > InputRules.MaxPrice) throw new BadInputException($"quotes[{i}].price must be at most {InputRules.MaxPrice}");
        }
    }
}
