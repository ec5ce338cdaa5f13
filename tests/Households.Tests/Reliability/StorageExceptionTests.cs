using Households.Grains.Silo;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Serialization;
using Orleans.Serialization.Codecs;
using Xunit;

namespace Households.Tests.Reliability;

/// <summary>A grain call that failed on PostgreSQL answers its caller with the database's error: the response carrying
/// an <c>Npgsql.PostgresException</c> can be serialized (seen in the multi-silo load test: 53300 "too many clients"
/// reached the client as a <c>CodecNotFoundException</c> and the client stopped).</summary>
public sealed class StorageExceptionTests
{
    private static Serializer SerializerWith(bool storageExceptions)
    {
        var services = new ServiceCollection().AddSerializer();
        if (storageExceptions) services.AddStorageExceptionSerialization();
        return services.BuildServiceProvider().GetRequiredService<Serializer>();
    }

    private static readonly PostgresException TooManyClients = new("sorry, too many clients already", "FATAL", "FATAL", "53300");

    [Fact]
    public void A_postgres_failure_crosses_the_wire_with_its_message()
    {
        var serializer = SerializerWith(storageExceptions: true);
        var copy = serializer.Deserialize<Exception>(serializer.SerializeToArray<Exception>(TooManyClients))!;
        Assert.Contains("53300", copy.Message);
        Assert.Contains("too many clients", copy.Message);
    }

    [Fact]
    public void Without_the_setting_the_failure_cannot_be_sent()
    {
        var serializer = SerializerWith(storageExceptions: false);
        Assert.Throws<CodecNotFoundException>(() => serializer.SerializeToArray<Exception>(TooManyClients));
    }
}
