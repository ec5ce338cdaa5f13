using Households.Contracts;

namespace Households.Domain.Decisions;

/// <summary>What a stored transition policy must satisfy; checked before anything is written.</summary>
public static class TransitionRules
{
    /// <summary>A budget above this (a trillion dollars) is a typo, not a plan.</summary>
    public const decimal MaxBudget = 1_000_000_000_000m;
    /// <summary>Schedules and account budgets a household may hold (one per account and symbol at most anyway).</summary>
    public const int MaxEntries = 200;

    public static void Check(TransitionPolicy? policy, IReadOnlyCollection<string> accountIds)
    {
        if (policy is null) throw new BadInputException("a transition policy is required");
        if (policy.Budget is { } b) Check(b, "budget");
        // A missing list reads as an empty one (ImmutableArrays.OrEmpty).
        var budgets = policy.AccountBudgets;
        var schedules = policy.SellDowns;
        if (budgets.Length > MaxEntries || schedules.Length > MaxEntries) throw new BadInputException($"at most {MaxEntries} account budgets and {MaxEntries} sell-down schedules");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < budgets.Length; i++)
        {
            var ab = budgets[i] ?? throw new BadInputException($"accountBudgets[{i}] is required");
            var account = Account(ab.Account, accountIds, $"accountBudgets[{i}].account");
            if (!seen.Add(account)) throw new BadInputException($"accountBudgets[{i}]: account {account} has two budgets");
            Check(ab.Budget ?? throw new BadInputException($"accountBudgets[{i}].budget is required"), $"accountBudgets[{i}].budget");
        }
        var pairs = new HashSet<(string, string)>();
        for (int i = 0; i < schedules.Length; i++)
        {
            var s = schedules[i] ?? throw new BadInputException($"sellDowns[{i}] is required");
            var account = Account(s.Account, accountIds, $"sellDowns[{i}].account");
            var symbol = InputRules.Id(s.Symbol, $"sellDowns[{i}].symbol");
            if (!pairs.Add((account, symbol))) throw new BadInputException($"sellDowns[{i}]: {account} has two schedules for {symbol}");
            if (s.MaxSharesPerQuarter <= 0) throw new BadInputException($"sellDowns[{i}].maxSharesPerQuarter must be positive");
            if (s.FloorShares < 0) throw new BadInputException($"sellDowns[{i}].floorShares must not be negative");
            var gifted = s.GiftedLots;
            for (int g = 0; g < gifted.Length; g++) InputRules.Id(gifted[g], $"sellDowns[{i}].giftedLots[{g}]");
        }
    }

    /// <summary>A budget: not negative, not absurd, a known unit.</summary>
    public static void Check(AnnualTaxBudget budget, string field)
    {
        if (budget.Amount < 0) throw new BadInputException($"{field} must not be negative");
        if (budget.Amount > MaxBudget) throw new BadInputException($"{field} must be at most {MaxBudget:N0}");
        if (!Enum.IsDefined(budget.Unit)) throw new BadInputException($"{field}: unit must be gains or tax");
    }

    private static string Account(string? id, IReadOnlyCollection<string> accountIds, string field)
    {
        var account = InputRules.Id(id, field);
        return accountIds.Contains(account) ? account : throw new BadInputException($"{field}: account {account} is not in the household");
    }
}
