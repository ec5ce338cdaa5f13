using Households.Contracts;
using Households.Persistence.Journal;

namespace Households.Grains;

/// <summary>How the books find a record they no longer keep by key (<see cref="Households.Domain.Reliability.IdempotencyWindow"/>):
/// the account's journal entry under the key, read back if it is of the kind expected.</summary>
public static class JournalLookup
{
    public static async Task<T?> FindRecord<T>(this IJournal journal, string accountId, string key, JournalKind kind) where T : class =>
        await journal.Find(accountId, key) is { } entry && entry.Kind == kind ? Households.Domain.Tax.JournalFormat.Read<T>(entry.Payload) : null;
}
