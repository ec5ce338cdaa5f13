using Households.Contracts;

namespace Households.Grains.Silo;

/// <summary>How the firm executes (<c>Execution:</c> in configuration): the mode of accounts that name none, and the orders'
/// limit tolerance.</summary>
public sealed class ExecutionOptions
{
    /// <summary>The execution mode of an account whose <see cref="AccountSpec.Execution"/> is null: simulated (the demo and
    /// tests) unless the firm sends orders.</summary>
    public ExecutionMode Mode { get; set; } = ExecutionMode.Simulated;

    /// <summary>0: market orders. Above 0: limit orders priced this fraction through the reference price (a buy's limit above
    /// it, a sell's below), e.g. 0.005 for 50 bps.</summary>
    public decimal LimitTolerance { get; set; }

    /// <summary>Where the order file per batch goes (<see cref="OrderFileWriter"/>); none: orders are read from the API only.</summary>
    public string? OrdersDirectory { get; set; }

    /// <summary>How often the orders sent since the last file are written as one file.</summary>
    public TimeSpan OrdersFileInterval { get; set; } = TimeSpan.FromSeconds(1);

    public ExecutionMode ModeOf(AccountSpec account) => account.Execution ?? Mode;
}
