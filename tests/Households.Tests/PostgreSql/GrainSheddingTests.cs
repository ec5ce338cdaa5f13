using Households.Persistence;
using Households.Silo.Hosting;
using Households.Tests.Api;
using Households.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Xunit;

namespace Households.Tests.PostgreSql;

/// <summary>On the PostgreSQL profile a silo sheds its least recently used grains under memory pressure (their books are
/// in the database, a deactivated account stays watched from its parked snapshot); the embedded profile, whose books
/// live in the silo's memory, does not.</summary>
public sealed class GrainSheddingTests(PostgresFixture db) : IClassFixture<PostgresFixture>
{
    private sealed class PostgresSilo(string connectionString) : SiloFactory(false)
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("ConnectionStrings:Households", connectionString);
        }
    }

    private sealed class EmbeddedSilo() : SiloFactory(false);

    [Fact]
    public async Task The_PostgreSQL_silo_sheds_grains_at_80_percent_of_memory_down_to_70_and_the_embedded_one_never()
    {
        await PostgresSchema.ApplyAsync(db.ConnectionString);
        await using (var silo = new PostgresSilo(db.ConnectionString))
        {
            var options = silo.Services.GetRequiredService<IOptions<GrainCollectionOptions>>().Value;
            Assert.True(options.EnableActivationSheddingOnMemoryPressure);
            Assert.Equal(80, options.MemoryUsageLimitPercentage);
            Assert.Equal(70, options.MemoryUsageTargetPercentage);
            Assert.Equal(TimeSpan.FromMinutes(5), options.ActivationTimeout);
            Assert.Equal(80, HouseholdsSiloSetup.MemoryUsageLimitPercentage);
        }
        await using var embedded = new EmbeddedSilo();
        Assert.False(embedded.Services.GetRequiredService<IOptions<GrainCollectionOptions>>().Value.EnableActivationSheddingOnMemoryPressure);
    }
}
