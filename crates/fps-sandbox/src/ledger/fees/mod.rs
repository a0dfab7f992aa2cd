//! Fee arithmetic in integer cents: the emulator's FPS fee schedule, the marketplace's fixed and
//! variable fees, who pays FPS (`ChargeFeeTo`), and how a payment splits between the recipient,
//! the caller (marketplace) and FPS. Pure: no I/O, no clock.
//!
//! # Rounding
//! A percentage of an amount is computed exactly in hundredths of a percent (basis points) and
//! rounded to the nearest cent, halves up (`0.5` cent becomes `1`). FPS documented no rounding
//! rule that survives (`fps-protocol.md` marks it unconfirmed); half-up is what its published fee
//! examples are consistent with and what card processors use.
//!
//! # FPS fee schedule (the emulator's, after Amazon's published 2008-2010 FPS pricing)
//! | payment method | fee |
//! |---|---|
//! | `ABT` (Amazon Payments balance) | 1.5 % + $0.01 |
//! | `ACH` (bank account) | 1.5 % + $0.05, at most $1.00 |
//! | `CC` (card), $10.00 and more | 2.9 % + $0.30 |
//! | `CC` (card), under $10.00 | 5.0 % + $0.05 |
//!
//! The fee never exceeds the amount it is charged on.

mod marketplace;
mod refunds;

pub use marketplace::{split, AcceptedFees, FeeError, FeePayer, MarketplaceFee, Split};
pub use refunds::{marketplace_refund_share, RefundPolicy};

/// Basis points in 100 %.
const FULL_BP: i64 = 10_000;

/// How FPS charges one payment method: a percentage plus a fixed part, with an optional cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeeRate {
    /// The variable part, in basis points (1.5 % = 150).
    pub percent_bp: i64,
    /// The fixed part, in cents.
    pub fixed_minor: i64,
    /// The largest fee, in cents, if capped.
    pub cap_minor: Option<i64>,
}

impl FeeRate {
    /// The fee on `amount_minor` cents.
    pub fn fee(self, amount_minor: i64) -> i64 {
        let fee = percent_of(amount_minor, self.percent_bp) + self.fixed_minor;
        let fee = self.cap_minor.map_or(fee, |cap| fee.min(cap));
        fee.min(amount_minor).max(0)
    }
}

/// Card payments from this amount on pay the standard card rate; below it the micropayment rate.
pub const CARD_MICRO_BELOW_MINOR: i64 = 1_000;

/// The FPS fee rate for a payment method (`ABT`, `ACH`, `CC`) and amount.
pub fn fps_rate(payment_method: &str, amount_minor: i64) -> FeeRate {
    match payment_method {
        "ABT" => FeeRate {
            percent_bp: 150,
            fixed_minor: 1,
            cap_minor: None,
        },
        "ACH" => FeeRate {
            percent_bp: 150,
            fixed_minor: 5,
            cap_minor: Some(100),
        },
        _ if amount_minor < CARD_MICRO_BELOW_MINOR => FeeRate {
            percent_bp: 500,
            fixed_minor: 5,
            cap_minor: None,
        },
        _ => FeeRate {
            percent_bp: 290,
            fixed_minor: 30,
            cap_minor: None,
        },
    }
}

/// `amount_minor * bp / 10000`, rounded to the nearest cent, halves up. Non-negative inputs.
pub fn percent_of(amount_minor: i64, bp: i64) -> i64 {
    let scaled = i128::from(amount_minor) * i128::from(bp);
    let whole = (scaled + i128::from(FULL_BP / 2)) / i128::from(FULL_BP);
    i64::try_from(whole).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_half_up_to_the_cent() {
        assert_eq!(percent_of(1_000, 290), 29); // 2.9 % of $10.00 = 0.29
        assert_eq!(percent_of(50, 100), 1); // 1 % of $0.50 = 0.5 cent -> 1
        assert_eq!(percent_of(49, 100), 0); // 0.49 cent -> 0
        assert_eq!(percent_of(150, 150), 2); // 1.5 % of $1.50 = 2.25 cents -> 2
        assert_eq!(percent_of(1_234, 1_250), 154); // 12.5 % of 12.34 = 154.25 -> 154
        assert_eq!(percent_of(1_236, 1_250), 155); // 154.5 -> 155
        assert_eq!(percent_of(0, 500), 0);
        assert_eq!(percent_of(1_000_000, 10_000), 1_000_000);
    }

    #[test]
    fn fps_schedule_by_method_and_amount() {
        let fee = |method: &str, minor: i64| fps_rate(method, minor).fee(minor);
        // ABT: 1.5 % + 1 cent. $9.00: 13.5 cents -> 14, + 1.
        assert_eq!(fee("ABT", 900), 15);
        assert_eq!(fee("ABT", 100), 3); // 1.5 -> 2, + 1
                                        // ACH: 1.5 % + 5 cents, capped at $1.00.
        assert_eq!(fee("ACH", 1_000), 20);
        assert_eq!(fee("ACH", 10_000), 100); // 150 + 5 -> capped
                                             // CC from $10.00: 2.9 % + 30 cents.
        assert_eq!(fee("CC", 1_000), 59);
        assert_eq!(fee("CC", 2_500), 103); // 72.5 -> 73, + 30
                                           // CC under $10.00: 5 % + 5 cents.
        assert_eq!(fee("CC", 999), 55); // 49.95 -> 50, + 5
        assert_eq!(fee("CC", 10), 6); // 0.5 -> 1, + 5
                                      // Never more than the amount.
        assert_eq!(fee("CC", 2), 2);
    }
}
