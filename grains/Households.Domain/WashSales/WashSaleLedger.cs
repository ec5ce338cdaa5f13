using Households.Contracts;
using Households.Domain.Lots;

namespace Households.Domain.WashSales;

/// <summary>What recording a sale did: for each lot sold (in the order given), the id of the loss it created
/// (null for a gain, a zero result or a sale that cannot create a wash sale), and the adjustments to apply to
/// replacement shares bought before the sale.</summary>
public sealed record SaleOutcome(IReadOnlyList<long?> LossIds, IReadOnlyList<WashSaleAdjustment> Adjustments);

/// <summary>A pre-trade answer: how many of the shares a loss sale would wash today and which held shares cause it.
/// Purchases in the 30 days after the sale can still wash the rest (see <see cref="WashSaleLedger.BuyBlackouts"/>).</summary>
public sealed record WashSalePreview(decimal WashedQuantity, IReadOnlyList<ReplacementShares> Replacements)
{
    public bool IsWashSale => WashedQuantity > 0;
}

/// <summary>
/// The household's wash-sale ledger (IRC §1091; Treas. Reg. §1.1091-1, -2): one per household (the serialization
/// point), fed every purchase and every sale of every account in date order. It keeps the last 30 days of
/// purchases still held (candidate replacement shares) and the last 30 days of loss sales not fully matched
/// ("open" losses), so that
/// <list type="bullet">
/// <item>a loss sale is matched at once with replacement shares bought in the 30 days before it
/// (<see cref="RecordSale"/>), and</item>
/// <item>a later purchase within 30 days after an open loss is matched with it when it arrives
/// (<see cref="RecordPurchase"/>), retroactively disallowing (part of) the earlier loss.</item>
/// </list>
/// Replacement shares are taken in the order they were acquired; competing losses in the order of the sales;
/// each replacement share absorbs one loss only. Every match is returned as a <see cref="WashSaleAdjustment"/> for
/// the account holding the replacement (<see cref="LotBook.Apply"/>) and for the realized row of the loss
/// (<see cref="Tax.RealizedGains.Apply"/>). Because events are applied in date order and each match only uses what
/// is known at that moment, results never depend on how the events are batched.
/// </summary>
public sealed class WashSaleLedger
{
    /// <summary>The window is 30 days before and 30 days after the sale (61 days).</summary>
    public const int WindowDays = 30;

    private readonly SubstantiallyIdentical _identical;
    private readonly Dictionary<string, AccountTaxProfile> _accounts = new(StringComparer.Ordinal);
    private readonly List<Holding> _holdings = [];
    private readonly List<OpenLoss> _losses = [];
    private readonly HashSet<string> _takenIds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _lastPiece = new(StringComparer.Ordinal);
    private long _nextLossId = 1;
    private DateOnly? _today;

    public WashSaleLedger(SubstantiallyIdentical? identical = null) => _identical = identical ?? SubstantiallyIdentical.SameSecurityOnly;

    /// <summary>Shares of one lot piece bought in the last 30 days and still held.</summary>
    private sealed class Holding
    {
        public required AccountTaxProfile Profile;
        public required string LotId;
        public required string Root;
        public required string Key;
        public required DateOnly Purchased;
        public required decimal Quantity;
        public bool Used;
    }

    /// <summary>A loss sale whose shares are not all matched yet.</summary>
    private sealed class OpenLoss
    {
        public required long Id;
        public required AccountTaxProfile Profile;
        public required string Key;
        public required string SoldLotId;
        public required string SoldRoot;
        public required DateOnly SaleDate;
        public required DateOnly HoldingSince;
        public required decimal Quantity;
        public required decimal Loss;
        public decimal Matched;
        public decimal Disallowed;
        public decimal Unmatched => Quantity - Matched;
    }

    /// <summary>The persisted form of the ledger (the household grain's state).</summary>
    public WashSaleLedgerState Snapshot() => new(
        [.. _accounts.Values.Select(p => new WashSaleAccount(p.Account, p.Type, p.SeparateTaxpayer))],
        [.. _holdings.Select(h => new WashSaleHolding(h.Profile.Account, h.LotId, h.Root, h.Key, h.Purchased, h.Quantity, h.Used))],
        [.. _losses.Select(l => new OpenWashSaleLoss(l.Id, l.Profile.Account, l.Key, l.SoldLotId, l.SoldRoot, l.SaleDate, l.HoldingSince,
            l.Quantity, l.Loss, l.Matched, l.Disallowed))],
        [.. _takenIds.Order(StringComparer.Ordinal)],
        _nextLossId,
        _today);

    /// <summary>Restores a ledger from <see cref="Snapshot"/>; the groups are firm configuration, not state.</summary>
    public static WashSaleLedger Restore(WashSaleLedgerState state, SubstantiallyIdentical? identical = null)
    {
        var ledger = new WashSaleLedger(identical);
        foreach (var a in state.Accounts) ledger.RegisterAccount(new AccountTaxProfile(a.Account, a.Type, a.SeparateTaxpayer));
        foreach (var h in state.Holdings)
            ledger._holdings.Add(new Holding
            {
                Profile = ledger.Profile(h.Account), LotId = h.LotId, Root = h.Root, Key = h.Key, Purchased = h.Purchased,
                Quantity = h.Quantity, Used = h.Used,
            });
        foreach (var l in state.Losses)
            ledger._losses.Add(new OpenLoss
            {
                Id = l.LossId, Profile = ledger.Profile(l.Account), Key = l.Key, SoldLotId = l.SoldLotId, SoldRoot = l.SoldRoot,
                SaleDate = l.SaleDate, HoldingSince = l.HoldingSince, Quantity = l.Quantity, Loss = l.Loss, Matched = l.Matched,
                Disallowed = l.Disallowed,
            });
        ledger.ReserveIds(state.TakenIds);
        ledger._nextLossId = state.NextLossId;
        ledger._today = state.Today;
        return ledger;
    }

    /// <summary>Declares an account of the household (all accounts must be declared before their trades).</summary>
    public void RegisterAccount(AccountTaxProfile profile)
    {
        if (_accounts.TryGetValue(profile.Account, out var known) && known != profile)
            throw new BadInputException($"account {profile.Account} is already declared as {known.Type}");
        _accounts[profile.Account] = profile;
    }

    public AccountTaxProfile? ProfileOf(string account) => _accounts.GetValueOrDefault(account);

    /// <summary>Wash-sale keys bought in the last 30 days (on or after <paramref name="today"/> − 30) in any of these
    /// accounts, with the latest purchase: a loss on a lot of such a key sold today would be washed by that purchase.</summary>
    public Dictionary<string, DateOnly> RecentPurchaseKeys(IEnumerable<string> accounts, DateOnly today)
    {
        var scope = accounts.ToHashSet(StringComparer.Ordinal);
        var since = today.AddDays(-WindowDays);
        var keys = new Dictionary<string, DateOnly>(StringComparer.Ordinal);
        foreach (var h in _holdings)
            if (scope.Contains(h.Profile.Account) && h.Purchased >= since && h.Purchased <= today && !h.Profile.SeparateTaxpayer)
                keys[h.Key] = keys.TryGetValue(h.Key, out var d) && d > h.Purchased ? d : h.Purchased;
        return keys;
    }

    /// <summary>Lot ids the ledger must not give to split pieces (ids used elsewhere, for example in a file).</summary>
    public void ReserveIds(IEnumerable<string> ids)
    {
        foreach (var id in ids) _takenIds.Add(id);
    }

    /// <summary>Records a purchase (a new lot, dividend reinvestments included) and matches it with open losses of the
    /// same taxpayer and wash-sale key sold in the 30 days before, in the order of the sales. Returns the adjustments
    /// to apply, all to the new lot (which is split as it absorbs successive losses).</summary>
    public IReadOnlyList<WashSaleAdjustment> RecordPurchase(string account, TaxLot lot)
    {
        var profile = Profile(account);
        Advance(lot.Purchased);
        _takenIds.Add(lot.Id);
        var holding = new Holding
        {
            Profile = profile, LotId = lot.Id, Root = lot.Id, Key = _identical.KeyOf(lot.Symbol),
            Purchased = lot.Purchased, Quantity = lot.Quantity,
        };
        _holdings.Add(holding);
        var adjustments = new List<WashSaleAdjustment>();
        foreach (var loss in _losses)
        {
            if (holding.Quantity == 0 || holding.Used) break;
            if (loss.Unmatched == 0 || loss.Key != holding.Key || loss.Profile.Taxpayer != profile.Taxpayer) continue;
            if (loss.SaleDate.AddDays(WindowDays) < lot.Purchased) continue;
            var (adjustment, remainder) = Match(loss, holding);
            adjustments.Add(adjustment);
            if (remainder is null) break;
            holding = remainder;
        }
        _losses.RemoveAll(l => l.Unmatched == 0);
        return adjustments;
    }

    /// <summary>Records a sale of one account (all lots it relieved). Sold shares stop being replacement candidates;
    /// then each loss in a taxable or trust account is matched with replacement shares still held that were bought
    /// in the 30 days before (other lots than the one sold), earliest acquired first; what stays unmatched stays open
    /// for 30 days for later purchases.</summary>
    public SaleOutcome RecordSale(string account, DateOnly date, IReadOnlyList<LotSale> sales)
    {
        var profile = Profile(account);
        Advance(date);
        foreach (var sale in sales)
        {
            var i = _holdings.FindIndex(h => h.Profile.Account == account && h.LotId == sale.Lot.Id);
            if (i < 0) continue;
            _holdings[i].Quantity -= Math.Min(sale.Quantity, _holdings[i].Quantity);
            if (_holdings[i].Quantity == 0) _holdings.RemoveAt(i);
        }
        var lossIds = new long?[sales.Count];
        var adjustments = new List<WashSaleAdjustment>();
        for (var s = 0; s < sales.Count; s++)
        {
            var sale = sales[s];
            if (!profile.RealizesGains || sale.Gain >= 0) continue;
            var loss = new OpenLoss
            {
                Id = _nextLossId++, Profile = profile, Key = _identical.KeyOf(sale.Lot.Symbol), SoldLotId = sale.Lot.Id,
                SoldRoot = sale.Root, SaleDate = date, HoldingSince = sale.Lot.HoldingSince, Quantity = sale.Quantity,
                Loss = -sale.Gain,
            };
            lossIds[s] = loss.Id;
            for (var h = 0; h < _holdings.Count && loss.Unmatched > 0; h++)
            {
                var holding = _holdings[h];
                if (!IsReplacementFor(holding, loss)) continue;
                var (adjustment, _) = Match(loss, holding);
                adjustments.Add(adjustment);
            }
            if (loss.Unmatched > 0) _losses.Add(loss);
        }
        return new SaleOutcome(lossIds, adjustments);
    }

    /// <summary>A corporate action changed a lot's shares without a purchase or a sale (a split, a ticker change, a merger's
    /// exchange): IRC §1091(a) counts only shares "acquired by purchase or by an exchange on which the entire amount of gain or
    /// loss was recognized", so the shares are no new replacement candidates; a lot that was one still is, for as many shares
    /// as it now holds, under the key of the security it now is.</summary>
    public void Restate(string account, string lotId, string symbol, decimal ratio)
    {
        foreach (var h in _holdings.Where(h => h.Profile.Account == account && h.LotId == lotId))
        {
            h.Quantity *= ratio;
            h.Key = _identical.KeyOf(symbol);
        }
    }

    /// <summary>The security's open losses follow it through a split (so many more or fewer shares now replace them) and a
    /// ticker or CUSIP change (the same stock under a new name: a purchase under the new ticker within the window is still a
    /// purchase of substantially identical stock, IRC §1091(a); Pub. 550). A loss under a firm group's key may have been sold
    /// in another member of the group, so a split leaves the group's losses as they are.</summary>
    public void FollowSecurity(string symbol, string newSymbol, decimal ratio)
    {
        var key = _identical.KeyOf(symbol);
        var newKey = _identical.KeyOf(newSymbol);
        if (key != symbol && ratio != 1m) return;
        foreach (var l in _losses.Where(l => l.Key == key))
        {
            l.Quantity *= ratio;
            l.Matched *= ratio;
            l.Key = newKey;
        }
    }

    /// <summary>True when a loss sold in <paramref name="symbol"/> (or its group) is still open for matching.</summary>
    public bool HasOpenLoss(string symbol)
    {
        var key = _identical.KeyOf(symbol);
        return _losses.Any(l => l.Key == key && l.Unmatched > 0);
    }

    /// <summary>Pre-trade check: would selling <paramref name="quantity"/> shares of lot <paramref name="lotId"/> at a
    /// loss on <paramref name="date"/> be a wash sale because of shares already held, and which ones? Changes nothing.</summary>
    public WashSalePreview PreviewLossSale(string account, string symbol, string lotId, decimal quantity, DateOnly date, string? root = null)
    {
        var profile = Profile(account);
        if (!profile.RealizesGains) return new WashSalePreview(0m, []);
        var loss = new OpenLoss
        {
            Id = 0, Profile = profile, Key = _identical.KeyOf(symbol), SoldLotId = lotId, SoldRoot = root ?? lotId,
            SaleDate = date, HoldingSince = date, Quantity = quantity, Loss = 0m,
        };
        var found = new List<ReplacementShares>();
        foreach (var holding in _holdings)
        {
            if (loss.Unmatched == 0) break;
            if (!IsReplacementFor(holding, loss)) continue;
            // The sold lot's own held shares are not replacements, whatever piece is named.
            if (holding.Profile.Account == account && holding.LotId == lotId) continue;
            var take = Math.Min(holding.Quantity, loss.Unmatched);
            loss.Matched += take;
            found.Add(new ReplacementShares(holding.Profile.Account, holding.LotId, take, holding.Purchased, holding.Profile.ReplacementIsPermanent));
        }
        return new WashSalePreview(loss.Matched, found);
    }

    /// <summary>The wash-sale keys <paramref name="account"/> should not buy on or after <paramref name="date"/>, each
    /// through the last day a purchase would still wash an open loss of the same taxpayer.</summary>
    public IReadOnlyList<BuyBlackout> BuyBlackouts(string account, DateOnly date)
    {
        var profile = Profile(account);
        return _losses
            .Where(l => l.Unmatched > 0 && l.Profile.Taxpayer == profile.Taxpayer && l.SaleDate.AddDays(WindowDays) >= date)
            .GroupBy(l => l.Key)
            .Select(g => new BuyBlackout(g.Key, g.Max(l => l.SaleDate.AddDays(WindowDays)), g.Sum(l => l.Unmatched), profile.ReplacementIsPermanent))
            .OrderBy(b => b.WashSaleKey, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>True when buying <paramref name="symbol"/> in <paramref name="account"/> on <paramref name="date"/>
    /// would wash an open loss.</summary>
    public bool PurchaseWouldWash(string account, string symbol, DateOnly date)
    {
        var key = _identical.KeyOf(symbol);
        return BuyBlackouts(account, date).Any(b => b.WashSaleKey == key);
    }

    /// <summary>Open losses (not yet fully matched) as (loss id, account, key, sale date, unmatched shares).</summary>
    public IReadOnlyList<(long LossId, string Account, string Key, DateOnly SaleDate, decimal Unmatched)> OpenLosses =>
        _losses.Select(l => (l.Id, l.Profile.Account, l.Key, l.SaleDate, l.Unmatched)).ToList();

    private bool IsReplacementFor(Holding holding, OpenLoss loss) =>
        !holding.Used
        && holding.Quantity > 0
        && holding.Key == loss.Key
        && holding.Profile.Taxpayer == loss.Profile.Taxpayer
        && holding.Purchased.AddDays(WindowDays) >= loss.SaleDate
        // Shares remaining from the lot that was sold (any piece of the same purchase) are not replacements.
        && !(holding.Profile.Account == loss.Profile.Account && holding.Root == loss.SoldRoot);

    /// <summary>Matches as many of the holding's shares as the loss still needs. The matched shares keep the lot id
    /// and are used up; the rest (if any) becomes a new piece right after it. Returns the adjustment and the remainder.</summary>
    private (WashSaleAdjustment, Holding?) Match(OpenLoss loss, Holding holding)
    {
        var take = Math.Min(holding.Quantity, loss.Unmatched);
        // The last match of a loss takes what is left of it, so disallowed amounts add up to the loss exactly.
        var disallowed = loss.Matched + take == loss.Quantity ? loss.Loss - loss.Disallowed : loss.Loss * take / loss.Quantity;
        loss.Matched += take;
        loss.Disallowed += disallowed;
        var permanent = holding.Profile.ReplacementIsPermanent;
        Holding? remainder = null;
        if (take < holding.Quantity)
        {
            remainder = new Holding
            {
                Profile = holding.Profile, LotId = NextPieceId(holding.Profile.Account, holding.Root), Root = holding.Root,
                Key = holding.Key, Purchased = holding.Purchased, Quantity = holding.Quantity - take,
            };
            _holdings.Insert(_holdings.IndexOf(holding) + 1, remainder);
        }
        holding.Quantity = take;
        holding.Used = true;
        var holdingSince = permanent ? holding.Purchased : HoldingPeriod.Tacked(holding.Purchased, loss.HoldingSince, loss.SaleDate);
        return (new WashSaleAdjustment(loss.Id, loss.Profile.Account, loss.SaleDate, loss.SoldLotId, holding.Profile.Account,
            holding.LotId, take, disallowed, holdingSince, permanent, remainder?.LotId), remainder);
    }

    private string NextPieceId(string account, string root)
    {
        var key = account + "\n" + root;
        var n = _lastPiece.GetValueOrDefault(key, 1);
        string id;
        do id = $"{root}.{++n}"; while (!_takenIds.Add(id));
        _lastPiece[key] = n;
        return id;
    }

    private AccountTaxProfile Profile(string account) =>
        _accounts.GetValueOrDefault(account) ?? throw new BadInputException($"account {account} is not declared");

    /// <summary>Throws <see cref="BadInputException"/> when <paramref name="date"/> is before the last event: call it
    /// before changing a lot book so that an out-of-order trade changes nothing.</summary>
    public void EnsureInOrder(DateOnly date)
    {
        if (_today is { } today && date < today)
            throw new BadInputException($"trade date {date:yyyy-MM-dd} is before {today:yyyy-MM-dd}: trades must come in date order");
    }

    /// <summary>Events come in date order. When the date moves on, purchases and losses older than the window are
    /// dropped: they can no longer match anything.</summary>
    private void Advance(DateOnly date)
    {
        EnsureInOrder(date);
        if (_today == date) return;
        _today = date;
        var horizon = date.AddDays(-WindowDays);
        _holdings.RemoveAll(h => h.Purchased < horizon || h.Used);
        _losses.RemoveAll(l => l.SaleDate < horizon || l.Unmatched == 0);
    }
}
