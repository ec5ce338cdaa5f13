namespace Households.Domain;

/// <summary>Input that breaks a documented rule (a bad CSV value, an impossible trade). The message is one
/// line that names the field; callers map it to HTTP 400 or exit code 2 and change nothing.</summary>
public sealed class BadInputException(string message) : Exception(message);
