using System.Collections.Immutable;
using System.Reflection;
using System.Text.Json;
using Households.Contracts;
using Households.Grains.Accounts;
using Households.Grains.Silo;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Xunit;

namespace Households.Tests.Grains;

/// <summary>The records' lists are <see cref="ImmutableArray{T}"/> (issue #19): stored as arrays were, and never a default
/// array to a reader, however the record was made (Orleans, JSON, a constructor given <c>default</c>).</summary>
public sealed class ImmutableArrayContractTests
{
    private static readonly DateOnly Day = new(2026, 3, 2);
    private static readonly TradeRequest Request = new("fill-1", Day, "VTI", TradeSide.Sell, 40m, 180.25m, "L-VTI-1", LotRelief.Hifo, 1.5m);
    private static readonly TaxLot Lot = new("L-VTI-1", "VTI", 100m, 20_000m, Day.AddYears(-2), Day.AddYears(-2));
    private static readonly RealizedLot Realized = new(Day, "acct-1", "VTI", "L-VTI-1", 40m, 7_210m, 8_000m, -790m, 0m, -790m, HoldingTerm.Long, false);
    private static readonly LotSale Sale = new(Lot, Lot.Id, 40m, 7_210m, 8_000m, HoldingTerm.Long);

    /// <summary><see cref="TradeResult"/> as it was before it carried lists (ids 4, 7 and 8 absent).</summary>
    [GenerateSerializer]
    public sealed record TradeResultWithoutLists(
        [property: Id(0)] string IdempotencyKey,
        [property: Id(1)] string AccountId,
        [property: Id(2)] TradeRequest Request,
        [property: Id(3)] TaxLot? CreatedLot,
        [property: Id(5)] decimal CashAfter,
        [property: Id(6)] bool Replayed);

    /// <summary><see cref="TradeResult"/> as it was before issue #19: the same ids, with arrays.</summary>
    [GenerateSerializer]
    public sealed record TradeResultWithArrays(
        [property: Id(0)] string IdempotencyKey,
        [property: Id(1)] string AccountId,
        [property: Id(2)] TradeRequest Request,
        [property: Id(3)] TaxLot? CreatedLot,
        [property: Id(4)] RealizedLot[]? Realized,
        [property: Id(5)] decimal CashAfter,
        [property: Id(6)] bool Replayed,
        [property: Id(7)] LotSale[]? Sales,
        [property: Id(8)] WashSaleAdjustment[]? WashSales);

    private static readonly Serializer Stored = BooksLoader.StateSerializer();

    private static TTo Reread<TFrom, TTo>(TFrom value) => Stored.Deserialize<TTo>(Stored.SerializeToArray(value)) ?? throw new InvalidDataException("nothing read");

    [Fact]
    public void The_state_serializer_writes_immutable_arrays_with_the_arrays_codec_format()
    {
        var codecs = new ServiceCollection()
            .AddSerializer(s => s.AddAssembly(typeof(TaxLot).Assembly).AddAssembly(typeof(AccountState).Assembly))
            .BuildServiceProvider().GetRequiredService<ICodecProvider>();

        Assert.IsType<ArrayFormatImmutableArrayCodec<TaxLot>>(codecs.GetCodec<ImmutableArray<TaxLot>>());
    }

    [Fact]
    public void A_record_written_now_has_the_bytes_it_had_with_arrays_and_reads_back_as_arrays()
    {
        var now = new TradeResult("fill-1", "acct-1", Request, null, [Realized], 12_345.67m, false, [Sale], []);
        var before = new TradeResultWithArrays("fill-1", "acct-1", Request, null, [Realized], 12_345.67m, false, [Sale], []);

        Assert.Equal(Stored.SerializeToArray(before), Stored.SerializeToArray(now));
        var back = Reread<TradeResult, TradeResultWithArrays>(now);
        Assert.Equal(-790m, Assert.Single(back.Realized!).Gain);
        Assert.Equal(7_210m, Assert.Single(back.Sales!).Proceeds);
        Assert.Empty(back.WashSales!);
    }

    [Fact]
    public void Records_that_share_one_list_read_back_each_with_it()
    {
        // Two proposals with the same (empty) orders and the same trades: Orleans' codec for Nullable<T> cannot read a
        // reference to a list written before, so each is written whole.
        var trade = new OptimizedTrade("acct-1", "VTI", TradeSide.Sell, 40m, 7_210m, 0.3, 0.2, TradeReason.Drift, 0m, -790m, [Sale]);
        ImmutableArray<OptimizedTrade> trades = [trade];
        var proposals = new[] { "P-1", "P-2" }.Select(id => new RebalanceProposal(id, "H", ProposalStatus.Pending, default, default, [], trades, 0, 0, 0m,
            -790m, 1, null, null, [], null, null, [])).ToArray();

        var read = Stored.Deserialize<RebalanceProposal[]>(Stored.SerializeToArray(proposals))!;

        Assert.All(read, p => Assert.Equal((0, -790m), (p.Orders!.Value.Length, Assert.Single(p.Trades).LongTermGain)));
    }

    [Fact]
    public void A_stored_record_whose_arrays_were_null_reads_with_empty_lists()
    {
        var read = Reread<TradeResultWithArrays, TradeResult>(new("fill-1", "acct-1", Request, null, null, 12.5m, true, [Sale], null));

        Assert.True(read.Realized.IsEmpty);
        Assert.Equal(40m, Assert.Single(read.Sales).Quantity);
        Assert.True(read.WashSales.IsEmpty);
    }

    [Fact]
    public void A_stored_record_written_before_it_had_lists_reads_with_empty_ones()
    {
        // Orleans leaves a field the payload lacks as the record was allocated (no constructor runs): the getters answer empty.
        var read = Reread<TradeResultWithoutLists, TradeResult>(new("fill-1", "acct-1", Request, null, 12.5m, true));

        Assert.Equal((12.5m, true), (read.CashAfter, read.Replayed));
        Assert.Equal(0, read.Realized.Length + read.Sales.Length + read.WashSales.Length);
        Assert.Empty(read.Sales.Select(s => s.Proceeds));
    }

    [Fact]
    public void Json_that_omits_a_list_reads_as_an_empty_list()
    {
        var json = JsonSerializer.Serialize(new TradeResult("fill-1", "acct-1", Request, null, [Realized], 12.5m, false, [Sale], []), JsonSerializerOptions.Web);
        var withoutLists = json.Replace(",\"sales\":[", ",\"ignored\":[", StringComparison.Ordinal);
        var read = JsonSerializer.Deserialize<TradeResult>(withoutLists, JsonSerializerOptions.Web)!;

        Assert.Contains("\"ignored\":", withoutLists, StringComparison.Ordinal);
        Assert.True(read.Sales.IsEmpty);
        Assert.Equal(-790m, Assert.Single(read.Realized).Gain);
        Assert.True(JsonSerializer.Deserialize<SellDownSchedule>("{\"account\":\"a\",\"symbol\":\"AAPL\",\"maxSharesPerQuarter\":10,\"floorShares\":0}",
            JsonSerializerOptions.Web)!.GiftedLots.IsEmpty);
    }

    [Fact]
    public void Json_with_null_for_a_list_is_refused()
    {
        // As before for a missing required member: JSON null is not an ImmutableArray (the API answers 400).
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<SellDownSchedule>(
            "{\"account\":\"a\",\"symbol\":\"AAPL\",\"maxSharesPerQuarter\":10,\"floorShares\":0,\"giftedLots\":null}", JsonSerializerOptions.Web));
    }

    [Fact]
    public void A_list_given_as_default_reads_as_empty()
    {
        var result = new TradeResult("fill-1", "acct-1", Request, null, default, 12.5m, false, [Sale], default) with { Sales = default };

        Assert.True(result.Realized.IsEmpty);
        Assert.True(result.Sales.IsEmpty);
        Assert.Equal("[]", JsonSerializer.Serialize(result.WashSales));
    }

    [Fact]
    public void Records_keep_their_members_in_constructor_order_so_their_json_does_not_change()
    {
        // A list member is declared in the record's body (to answer empty for default); the members after it follow it there.
        var moved = new List<string>();
        foreach (var type in typeof(TaxLot).Assembly.GetExportedTypes().Where(t => t.GetCustomAttribute<ImmutableAttribute>() is not null))
        {
            var parameters = type.GetConstructors().MaxBy(c => c.GetParameters().Length)?.GetParameters().Select(p => p.Name!).ToList() ?? [];
            var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name).Where(parameters.Contains).ToList();
            if (!properties.SequenceEqual(parameters.Where(properties.Contains))) moved.Add($"{type.Name}: {string.Join(", ", properties)}");
        }
        Assert.True(moved.Count == 0, "records whose properties are not in constructor order:\n" + string.Join("\n", moved));
        Assert.Equal(["id", "householdId", "status", "createdAt", "expiresAt", "causes", "trades", "trackingErrorBefore"],
            JsonDocument.Parse(JsonSerializer.Serialize(new RebalanceProposal("P-1", "H", ProposalStatus.Pending, default, default, [], [], 0, 0, 0m, 0m, 1,
                null, null, [], null), JsonSerializerOptions.Web)).RootElement.EnumerateObject().Select(p => p.Name).Take(8));
    }
}
