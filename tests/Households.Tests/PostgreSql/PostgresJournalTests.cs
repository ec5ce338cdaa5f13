using Households.Persistence;
using Households.Persistence.Journal;
using Households.Tests.Journal;
using Npgsql;
using Xunit;

namespace Households.Tests.PostgreSql;

public sealed class PostgresJournalTests(PostgresFixture db) : JournalContract, IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private NpgsqlDataSource? _source;

    protected override IJournal Journal => new PostgresJournal(_source!);

    public async Task InitializeAsync()
    {
        await PostgresSchema.ApplyAsync(db.ConnectionString);
        _source = NpgsqlDataSource.Create(db.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        if (_source is not null) await _source.DisposeAsync();
    }

    [Fact]
    public async Task Payload_is_stored_as_queryable_json()
    {
        await Journal.Append([new(0, "JSONHH", "JSONHH-A", Households.Contracts.JournalKind.Fill, DateTimeOffset.UtcNow, "k", "sold", """{"quantity":100}""")]);
        await using var command = _source!.CreateCommand("SELECT (payload->'record'->>'quantity')::int, payload->>'summary' FROM households_journal WHERE household_id = @h");
        command.Parameters.AddWithValue("h", "JSONHH");
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(100, reader.GetInt32(0));
        Assert.Equal("sold", reader.GetString(1));
    }
}
