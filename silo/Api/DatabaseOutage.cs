using System.Net.Sockets;
using Npgsql;

namespace Households.Silo.Api;

/// <summary>Whether a failure means the books' database cannot be reached (stopped, restarting, the network cut) rather
/// than a fault of the request or of the product: such a write was not made and nothing was acknowledged, so the API
/// answers 503 with <c>Retry-After</c> and the client retries with the same idempotency key (issue #18, goal 9).</summary>
public static class DatabaseOutage
{
    /// <summary>Seconds a client is asked to wait before retrying a write refused during an outage.</summary>
    public const int RetryAfterSeconds = 5;

    /// <summary>True when <paramref name="failure"/> or any exception inside it says the database is unreachable.</summary>
    public static bool Is(Exception? failure)
    {
        for (var e = failure; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case NpgsqlException npgsql when npgsql.IsTransient || npgsql is PostgresException { SqlState: "57P01" or "57P02" or "57P03" }:
                case SocketException:
                    return true;
                case AggregateException aggregate when aggregate.InnerExceptions.Any(Is):
                    return true;
            }
        }
        return false;
    }
}
