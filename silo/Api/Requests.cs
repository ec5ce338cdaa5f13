using Households.Contracts;

namespace Households.Silo.Api;

/// <summary>POST /api/households: a household and its accounts, each with opening cash and lots.</summary>
public sealed record CreateHouseholdRequest(string? Id, string? Name, string? AdvisorId, OpenAccountRequest[]? Accounts);

public sealed record OpenAccountRequest(
    string? Id,
    string? Name,
    AccountType? Type,
    bool? Discretionary,
    string? ModelId,
    Restriction[]? Restrictions,
    bool? SeparateTaxpayer,
    LotRelief? DefaultRelief,
    HarvestPolicy? Harvest,
    decimal? Cash,
    TaxLot[]? Lots,
    bool? FractionalShares = null,
    bool? ReinvestDividends = null,
    ExecutionMode? Execution = null,
    decimal? MinTrade = null);

/// <summary>POST /api/accounts/{id}/trades: a fill. The idempotency key comes from the <c>Idempotency-Key</c>
/// header or the body.</summary>
public sealed record RecordTradeRequest(
    string? IdempotencyKey,
    DateOnly? Date,
    string? Symbol,
    TradeSide? Side,
    decimal? Quantity,
    decimal? Price,
    string? LotId,
    LotRelief? Relief,
    decimal? Commission);

public sealed record PriceInjectionRequest(PriceQuote[]? Quotes);

public sealed record CashRequest(string? IdempotencyKey, CashKind? Kind, decimal? Amount, DateOnly? Date, string? Symbol);

/// <summary>The body of a rejection: the advisor's optional note (one name for one meaning: the engine's input is DecisionRequest).</summary>
public sealed record RejectionNote(string? Note);
