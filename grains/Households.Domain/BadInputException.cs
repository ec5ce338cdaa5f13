namespace Households.Domain;

/// <summary>Input that breaks a documented rule (a bad CSV value, an impossible trade). The message is one
/// line that names the field; callers map it to HTTP 400 or exit code 2 and change nothing. Serializable by
/// Orleans, so a grain's refusal reaches the API as this type with its message.</summary>
[GenerateSerializer, Alias("BadInputException")]
public sealed class BadInputException(string message) : Exception(message);
