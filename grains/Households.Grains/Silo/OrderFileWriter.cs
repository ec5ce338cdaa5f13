using System.Collections.Concurrent;
using System.Globalization;
using Households.Contracts;
using Households.Domain.Execution;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Households.Grains.Silo;

/// <summary>The order file per batch for an order management system that picks up files (docs/formats.md §15): the orders this
/// silo's households sent since the last file, written every <see cref="ExecutionOptions.OrdersFileInterval"/> to
/// <see cref="ExecutionOptions.OrdersDirectory"/> as <c>orders-{UTC time}-{silo sequence}.csv</c> (written under a temporary
/// name, then renamed, so a reader never sees half a file). Households hand their orders over after they are stored; the
/// file is a delivery, not the record: <c>GET /api/orders</c> answers every open order whatever happened to a file.</summary>
public sealed class OrderFileWriter(IOptions<ExecutionOptions> options, ILogger<OrderFileWriter> log, TimeProvider clock) : BackgroundService
{
    private readonly ConcurrentQueue<BrokerOrder> _sent = new();
    private long _files;

    public bool Enabled => !string.IsNullOrWhiteSpace(options.Value.OrdersDirectory);

    /// <summary>Orders just stored by a household: they go into the next file.</summary>
    public void Sent(IEnumerable<BrokerOrder> orders)
    {
        if (!Enabled) return;
        foreach (var o in orders) _sent.Enqueue(o);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled) return;
        Directory.CreateDirectory(options.Value.OrdersDirectory!);
        var interval = options.Value.OrdersFileInterval > TimeSpan.Zero ? options.Value.OrdersFileInterval : TimeSpan.FromSeconds(1);
        using var timer = new PeriodicTimer(interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) Flush();
        }
        catch (OperationCanceledException) { }
        Flush(); // what was sent before the stop still goes out
    }

    /// <summary>Writes one file of the orders waiting, if any; returns its path.</summary>
    public string? Flush()
    {
        var batch = new List<BrokerOrder>();
        while (_sent.TryDequeue(out var o)) batch.Add(o);
        if (batch.Count == 0) return null;
        var name = string.Create(CultureInfo.InvariantCulture, $"orders-{clock.GetUtcNow().UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{Interlocked.Increment(ref _files):D6}.csv");
        var path = Path.Combine(options.Value.OrdersDirectory!, name);
        try
        {
            File.WriteAllText(path + ".tmp", OrderFiles.Csv(batch));
            File.Move(path + ".tmp", path, overwrite: false);
            return path;
        }
        catch (IOException ex)
        {
            // Kept for the next file: the orders are stored and served by the API meanwhile.
            foreach (var o in batch) _sent.Enqueue(o);
            log.LogWarning("Order file {Path} not written ({Reason}); {Count} orders wait for the next one", path, ex.Message, batch.Count);
            return null;
        }
    }
}
