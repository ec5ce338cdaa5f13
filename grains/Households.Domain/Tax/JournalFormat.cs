using System.Text.Json;
using System.Text.Json.Serialization;

namespace Households.Domain.Tax;

/// <summary>How journal payloads are written: web JSON (camelCase) with enums as names, so an auditor reads
/// "sell", "short" and "harvest" rather than numbers.</summary>
public static class JournalFormat
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static string Payload<T>(T record) => JsonSerializer.Serialize(record, Json);

    /// <summary>Reads a payload back (journal replay).</summary>
    public static T Read<T>(string payload) => JsonSerializer.Deserialize<T>(payload, Json)
        ?? throw new FormatException($"journal payload is not a {typeof(T).Name}");
}
