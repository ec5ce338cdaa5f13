using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Households.Grains.Silo;

/// <summary>Lets a storage failure reach the caller as itself. Orleans serializes exceptions only from namespaces it
/// knows (System, Microsoft, Azure); a grain call that failed on PostgreSQL (<c>Npgsql.PostgresException</c>, e.g.
/// 53300 "too many clients") could not be sent back, and the caller got a <c>CodecNotFoundException</c> instead of the
/// database's error. Silos and clients both register it.</summary>
public static class StorageExceptions
{
    public const string NpgsqlNamespace = "Npgsql";

    public static IServiceCollection AddStorageExceptionSerialization(this IServiceCollection services) =>
        services.Configure<ExceptionSerializationOptions>(o => o.SupportedNamespacePrefixes.Add(NpgsqlNamespace));
}
