using Households.Contracts;

namespace Households.Domain.Lots;

/// <summary>Holding period (IRC §1222, §1223; IRS Pub. 550 "Holding Period"): the period starts the day after
/// acquisition and includes the day of sale; long term when held more than one year. So bought 2022-02-05 and
/// sold 2023-02-05 is short term; sold 2023-02-06 is long term.</summary>
public static class HoldingPeriod
{
    public static HoldingTerm TermOf(DateOnly holdingSince, DateOnly sold) =>
        sold > holdingSince.AddYears(1) ? HoldingTerm.Long : HoldingTerm.Short;

    /// <summary>Days the shares were held: from the day after <paramref name="holdingSince"/> through the sale day.</summary>
    public static int DaysHeld(DateOnly holdingSince, DateOnly sold) => sold.DayNumber - holdingSince.DayNumber;

    /// <summary>IRC §1223(3): a replacement's holding period includes the period the sold shares were held, so it
    /// starts that many days before the replacement's purchase.</summary>
    public static DateOnly Tacked(DateOnly replacementPurchased, DateOnly soldHoldingSince, DateOnly sold) =>
        replacementPurchased.AddDays(-DaysHeld(soldHoldingSince, sold));
}
