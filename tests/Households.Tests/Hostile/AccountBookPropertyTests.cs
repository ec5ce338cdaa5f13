using CsCheck;
using Households.Contracts;
using Households.Domain;
using Households.Domain.Accounts;
using Xunit;

namespace Households.Tests.Hostile;

/// <summary>Properties of the live books (<see cref="AccountBook"/> over its <see cref="Households.Domain.Lots.LotBook"/>)
/// under random sequences of buys, sells by every relief method, wash-sale adjustments (which split lots), cash
/// deposits, dividends and withdrawals, with hostile operations mixed in. After every step: shares conserved per
/// symbol, basis conserved (bought + non-permanent disallowed − relieved = open), cash equal to its ledger and never
/// negative (no margin), no lot with zero or negative quantity or negative basis; a refused operation changes nothing.
/// (ReplayPropertyTests covers the same identities for the file replay; this covers the account books and cash.)</summary>
public class AccountBookPropertyTests
{
    private static readonly string[] Symbols = ["XYZ", "ABC", "QQQ"];

    private static readonly AccountSpec Spec = new("P1", "H1", "Property account", AccountType.Taxable, true, null, [], false,
        LotRelief.Hifo, HarvestPolicy.Off);

    /// <summary>One random step. Kind picks the operation; the other numbers parameterize it.</summary>
    private readonly record struct Op(int Kind, int Symbol, int Quantity, int PriceCents, int CommissionCents, int Pick, int Extra, bool Flag);

    private static Gen<Op> OpGen(int maxKind) =>
        Gen.Select(Gen.Int[0, maxKind], Gen.Int[0, 2], Gen.Int[1, 400], Gen.Int[1, 40_000], Gen.Int[0, 1_500], Gen.Int[1, 100], Gen.Int[0, 60_000], Gen.Bool,
            (k, s, q, p, c, pick, e, f) => new Op(k, s, q, p, c, pick, e, f));

    /// <summary>Mostly ordinary operations (kinds 0-8), some hostile (9-11).</summary>
    private static readonly Gen<(int Cash, Op[] Ops)> Mixed = Gen.Select(Gen.Int[0, 2_000_000], OpGen(11).Array[1, 80]);

    /// <summary>Hostile-heavy: every third step on average is an operation the books must refuse.</summary>
    private static readonly Gen<(int Cash, Op[] Ops)> Hostile = Gen.Select(Gen.Int[0, 200_000],
        Gen.Select(Gen.Int[0, 2], OpGen(11), OpGen(11), (which, a, b) => which == 0 ? a with { Kind = 9 + a.Kind % 3 } : b).Array[1, 80]);

    /// <summary>The running ledger the books are checked against.</summary>
    private sealed class Ledger
    {
        public readonly Dictionary<string, decimal> Bought = new(), Sold = new();
        public decimal BasisBought, BasisRelieved, DisallowedAdded, Cash;
        public int Refused, HostileRefused;
    }

    [Fact]
    public void Shares_basis_and_cash_are_conserved_and_no_lot_is_empty_over_random_operations()
    {
        Mixed.Sample(h =>
        {
            var ledger = Run(h.Cash, h.Ops);
            Assert.True(ledger.Cash >= 0);
        }, iter: 400);
    }

    [Fact]
    public void Refused_operations_change_nothing_and_hostile_ones_are_always_refused()
    {
        var refusedTotal = 0;
        Hostile.Sample(h =>
        {
            var ledger = Run(h.Cash, h.Ops);
            Interlocked.Add(ref refusedTotal, ledger.Refused);
        }, iter: 400);
        Assert.True(refusedTotal > 1000, $"only {refusedTotal} refusals: the generator does not reach the refusal paths");
    }

    private static Ledger Run(int openingCashCents, Op[] ops)
    {
        var book = new AccountBook(Spec, openingCashCents / 100m, []);
        var ledger = new Ledger { Cash = book.Cash };
        var date = new DateOnly(2024, 1, 2);
        for (var i = 0; i < ops.Length; i++)
        {
            var op = ops[i];
            date = date.AddDays(op.Pick % 4);
            var before = (book.Cash, Lots: book.Lots.Snapshot().ToList());
            var hostile = op.Kind >= 9;
            try
            {
                Apply(book, ledger, op, i, date);
                Assert.False(hostile, $"step {i}: hostile operation {op} was accepted");
            }
            catch (BadInputException)
            {
                ledger.Refused++;
                if (hostile) ledger.HostileRefused++;
                Assert.Equal(before.Cash, book.Cash);
                Assert.Equal(before.Lots, book.Lots.Snapshot());
            }
            Check(book, ledger, i);
        }
        return ledger;
    }

    private static void Apply(AccountBook book, Ledger ledger, Op op, int step, DateOnly date)
    {
        var symbol = Symbols[op.Symbol];
        var quantity = op.Quantity / 4m; // fractional shares too
        var price = op.PriceCents / 100m;
        var commission = op.CommissionCents / 100m;
        var lots = book.Lots.LotsOf(symbol).ToList();
        switch (op.Kind)
        {
            case 0 or 1 or 2:
                Record(ledger, book.Apply(new TradeRequest($"k{step}", date, symbol, TradeSide.Buy, quantity, price, null, null, commission)));
                break;
            case 3 or 4:
            {
                // Sell a fraction of the holding (or of one lot) by one of the five relief methods.
                var method = (LotRelief)(op.Extra % 5);
                string? lotId = null;
                var available = book.Lots.QuantityOf(symbol);
                if (method == LotRelief.SpecificLot && lots.Count > 0)
                {
                    var lot = lots[op.Pick % lots.Count];
                    lotId = op.Flag ? book.Lots.RootOf(lot.Id) : lot.Id;
                    available = lots.Where(l => l.Id == lotId || book.Lots.RootOf(l.Id) == lotId).Sum(l => l.Quantity);
                }
                var sell = Math.Max(0.25m, Math.Round(available * op.Pick / 100m, 2));
                Record(ledger, book.Apply(new TradeRequest($"k{step}", date, symbol, TradeSide.Sell, sell, price, lotId,
                    lotId is null ? method : null, Math.Min(commission, sell * price))));
                break;
            }
            case 5 or 6:
            {
                // A wash-sale adjustment on an open lot: a partial one splits the lot.
                var all = book.Lots.Lots;
                if (all.Count == 0) { book.Apply(new CashMovement($"c{step}", CashKind.Deposit, price, date, null)); ledger.Cash += price; break; }
                var lot = all[op.Pick % all.Count];
                var matched = Math.Max(0.25m, Math.Round(lot.Quantity * op.Pick / 100m, 2));
                if (matched > lot.Quantity) matched = lot.Quantity;
                var adjustment = new WashSaleAdjustment(step, "P1", date, "sold", "P1", lot.Id, matched, op.Extra / 100m,
                    lot.HoldingSince.AddDays(-op.Pick), op.Flag, matched < lot.Quantity ? $"{book.Lots.RootOf(lot.Id)}.{step + 2}" : null);
                book.Apply([adjustment]);
                if (!adjustment.Permanent) ledger.DisallowedAdded += adjustment.Disallowed;
                break;
            }
            case 7:
                ledger.Cash = Expect(ledger.Cash + price * 10, book.Apply(new CashMovement($"c{step}", op.Flag ? CashKind.Dividend : CashKind.Deposit, price * 10, date, symbol)));
                break;
            case 8:
                // A withdrawal of up to twice the cash: the part beyond the cash is refused (no margin).
                var amount = Math.Max(0.01m, Math.Round(book.Cash * op.Pick / 50m, 2));
                ledger.Cash = Expect(ledger.Cash - amount, book.Apply(new CashMovement($"c{step}", CashKind.Withdrawal, amount, date, null)));
                break;
            case 9:
                // Hostile trades: zero, negative, oversold, over cash, unknown lot, commission beyond proceeds, date out of range.
                book.Apply((op.Pick % 7) switch
                {
                    0 => new TradeRequest($"k{step}", date, symbol, TradeSide.Buy, 0, price, null, null, 0),
                    1 => new TradeRequest($"k{step}", date, symbol, TradeSide.Buy, quantity, -price, null, null, 0),
                    2 => new TradeRequest($"k{step}", date, symbol, TradeSide.Sell, book.Lots.QuantityOf(symbol) + quantity, price, null, null, 0),
                    3 => new TradeRequest($"k{step}", date, symbol, TradeSide.Buy, quantity, (book.Cash + 1) / quantity + 1, null, null, 0),
                    4 => new TradeRequest($"k{step}", date, symbol, TradeSide.Sell, quantity, price, "NOPE", null, 0),
                    5 => new TradeRequest($"k{step}", date, symbol, TradeSide.Sell, 0.25m, price, null, null, 0.25m * price + 0.01m),
                    _ => new TradeRequest($"k{step}", new DateOnly(1, 1, 1), symbol, TradeSide.Buy, quantity, price, null, null, 0),
                });
                break;
            case 10:
                // Hostile cash: a withdrawal beyond the cash, a zero or negative amount, a dividend without a symbol.
                book.Apply((op.Pick % 4) switch
                {
                    0 => new CashMovement($"c{step}", CashKind.Withdrawal, book.Cash + 0.01m, date, null),
                    1 => new CashMovement($"c{step}", CashKind.Deposit, 0, date, null),
                    2 => new CashMovement($"c{step}", CashKind.Deposit, -price, date, null),
                    _ => new CashMovement($"c{step}", CashKind.Dividend, price, date, null),
                });
                break;
            default:
            {
                // Hostile adjustments: a batch whose last adjustment does not fit (too many shares, unknown lot).
                var all = book.Lots.Lots;
                var first = all.Count > 0
                    ? new WashSaleAdjustment(step, "P1", date, "sold", "P1", all[0].Id, all[0].Quantity, 1m, all[0].HoldingSince, false, null)
                    : null;
                var bad = all.Count > 0 && op.Flag
                    ? new WashSaleAdjustment(step, "P1", date, "sold", "P1", all[^1].Id, all[^1].Quantity + 1, 1m, all[^1].HoldingSince, false, null)
                    : new WashSaleAdjustment(step, "P1", date, "sold", "P1", "NOPE", 1, 1m, date, false, null);
                book.Apply(first is null ? [bad] : [first, bad]);
                break;
            }
        }
    }

    private static decimal Expect(decimal expected, decimal actual)
    {
        Assert.Equal(expected, actual);
        return actual;
    }

    private static void Record(Ledger ledger, TradeResult result)
    {
        var symbol = result.Request.Symbol;
        if (result.CreatedLot is { } lot)
        {
            ledger.Bought[symbol] = ledger.Bought.GetValueOrDefault(symbol) + lot.Quantity;
            ledger.BasisBought += lot.Basis;
            Assert.Equal(result.Request.Quantity * result.Request.Price + result.Request.Commission, lot.Basis);
            ledger.Cash -= lot.Basis;
        }
        foreach (var sale in result.Sales)
        {
            ledger.Sold[symbol] = ledger.Sold.GetValueOrDefault(symbol) + sale.Quantity;
            ledger.BasisRelieved += sale.Basis;
        }
        if (result.Request.Side == TradeSide.Sell)
        {
            var net = result.Request.Quantity * result.Request.Price - result.Request.Commission;
            ledger.Cash += net;
            Assert.Equal(result.Request.Quantity, result.Sales.Sum(s => s.Quantity));
            Assert.True(Math.Abs(net - result.Sales.Sum(s => s.Proceeds)) <= 0.000000000000000001m, "proceeds allocated to lots add up to the net proceeds");
        }
        Assert.Equal(ledger.Cash, result.CashAfter);
    }

    private static void Check(AccountBook book, Ledger ledger, int step)
    {
        foreach (var symbol in Symbols)
            Assert.Equal(ledger.Bought.GetValueOrDefault(symbol) - ledger.Sold.GetValueOrDefault(symbol), book.Lots.QuantityOf(symbol));
        var open = book.Lots.Lots;
        var openBasis = open.Sum(l => l.Basis);
        var expected = ledger.BasisBought + ledger.DisallowedAdded - ledger.BasisRelieved;
        Assert.True(Math.Abs(expected - openBasis) <= 0.000000000000000001m, $"step {step}: basis {openBasis}, expected {expected}");
        Assert.Equal(ledger.Cash, book.Cash);
        Assert.True(book.Cash >= 0, $"step {step}: cash {book.Cash}");
        foreach (var lot in open)
        {
            Assert.True(lot.Quantity > 0, $"step {step}: lot {lot.Id} holds {lot.Quantity}");
            Assert.True(lot.Basis >= 0, $"step {step}: lot {lot.Id} basis {lot.Basis}");
        }
        Assert.Equal(open.Count, open.Select(l => l.Id).Distinct().Count());
    }
}
