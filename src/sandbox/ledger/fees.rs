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

/// Who pays FPS's fee (`ChargeFeeTo`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeePayer {
    /// The caller (the marketplace) pays it out of its fee, or on top.
    Caller,
    /// The recipient (the seller) pays it out of the payment: the 2010 default.
    Recipient,
}

impl FeePayer {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            FeePayer::Caller => "Caller",
            FeePayer::Recipient => "Recipient",
        }
    }

    /// Reads the wire value (anything but `Caller` is the default, `Recipient`).
    pub fn from_wire(value: &str) -> Self {
        if value == "Caller" {
            FeePayer::Caller
        } else {
            FeePayer::Recipient
        }
    }
}

/// The marketplace's cut asked for in a Pay or Reserve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MarketplaceFee {
    /// `MarketplaceFixedFee`, in cents.
    pub fixed_minor: i64,
    /// `MarketplaceVariableFee`, in basis points.
    pub variable_bp: i64,
}

impl MarketplaceFee {
    /// The fee on `amount_minor` cents: the fixed part plus the rounded percentage.
    pub fn on(self, amount_minor: i64) -> i64 {
        self.fixed_minor + percent_of(amount_minor, self.variable_bp)
    }

    /// Whether any fee was asked for.
    pub fn is_some(self) -> bool {
        self.fixed_minor > 0 || self.variable_bp > 0
    }
}

/// What a recipient accepted on the Recipient pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AcceptedFees {
    /// `maxFixedFee`, in cents (`None`: not limited).
    pub max_fixed_minor: Option<i64>,
    /// `maxVariableFee`, in basis points (`None`: not limited).
    pub max_variable_bp: Option<i64>,
    /// `recipientPaysFee`: whether the recipient agreed to pay FPS's fee.
    pub recipient_pays_fee: bool,
}

/// Why a payment's fees cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeeError {
    /// The fixed fee is above the recipient's `maxFixedFee`.
    #[error("MarketplaceFixedFee {asked} is more than the recipient's maxFixedFee {cap}.")]
    FixedAboveCap {
        /// Asked, as text.
        asked: String,
        /// The cap, as text.
        cap: String,
    },
    /// The variable fee is above the recipient's `maxVariableFee`.
    #[error("MarketplaceVariableFee {asked}% is more than the recipient's maxVariableFee {cap}%.")]
    VariableAboveCap {
        /// Asked, in percent.
        asked: String,
        /// The cap, in percent.
        cap: String,
    },
    /// `ChargeFeeTo=Recipient` for a recipient who did not agree to pay FPS's fee.
    #[error(
        "ChargeFeeTo is Recipient but the recipient did not agree to pay the fees (recipientPaysFee=False)."
    )]
    RecipientDoesNotPayFee,
    /// The fees the recipient would bear are more than the amount.
    #[error("The fees ({fees}) are more than the transaction amount ({amount}).")]
    FeesAboveAmount {
        /// The fees, as text.
        fees: String,
        /// The amount, as text.
        amount: String,
    },
}

/// How one payment's money is divided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    /// What the sender pays.
    pub amount_minor: i64,
    /// FPS's fee.
    pub fps_fee_minor: i64,
    /// The marketplace's fee (the caller's cut).
    pub marketplace_fee_minor: i64,
    /// Who pays FPS's fee.
    pub fee_paid_by: FeePayer,
    /// What the recipient keeps.
    pub recipient_net_minor: i64,
    /// What the caller gains (its fee, less FPS's fee if it pays that; may be negative).
    pub caller_net_minor: i64,
}

fn money(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

fn percent(bp: i64) -> String {
    format!("{}.{:02}", bp / 100, bp % 100)
}

/// Splits a payment of `amount_minor` made with `payment_method`.
///
/// `accepted` is `None` when the caller is itself the recipient (no marketplace): then the
/// recipient is the caller, pays FPS's fee, and no marketplace fee may be asked (the API layer
/// refuses one before this point).
pub fn split(
    amount_minor: i64,
    payment_method: &str,
    marketplace: MarketplaceFee,
    fee_paid_by: FeePayer,
    accepted: Option<AcceptedFees>,
) -> Result<Split, FeeError> {
    let fps_fee = fps_rate(payment_method, amount_minor).fee(amount_minor);
    let Some(accepted) = accepted else {
        return Ok(Split {
            amount_minor,
            fps_fee_minor: fps_fee,
            marketplace_fee_minor: 0,
            fee_paid_by: FeePayer::Recipient,
            recipient_net_minor: amount_minor - fps_fee,
            caller_net_minor: 0,
        });
    };
    if let Some(cap) = accepted.max_fixed_minor {
        if marketplace.fixed_minor > cap {
            return Err(FeeError::FixedAboveCap {
                asked: money(marketplace.fixed_minor),
                cap: money(cap),
            });
        }
    }
    if let Some(cap) = accepted.max_variable_bp {
        if marketplace.variable_bp > cap {
            return Err(FeeError::VariableAboveCap {
                asked: percent(marketplace.variable_bp),
                cap: percent(cap),
            });
        }
    }
    if fee_paid_by == FeePayer::Recipient && !accepted.recipient_pays_fee {
        return Err(FeeError::RecipientDoesNotPayFee);
    }
    let market_fee = marketplace.on(amount_minor);
    let recipient_bears = match fee_paid_by {
        FeePayer::Recipient => market_fee + fps_fee,
        FeePayer::Caller => market_fee,
    };
    if recipient_bears > amount_minor {
        return Err(FeeError::FeesAboveAmount {
            fees: money(recipient_bears),
            amount: money(amount_minor),
        });
    }
    let caller_net = match fee_paid_by {
        FeePayer::Recipient => market_fee,
        FeePayer::Caller => market_fee - fps_fee,
    };
    Ok(Split {
        amount_minor,
        fps_fee_minor: fps_fee,
        marketplace_fee_minor: market_fee,
        fee_paid_by,
        recipient_net_minor: amount_minor - recipient_bears,
        caller_net_minor: caller_net,
    })
}

/// `MarketplaceRefundPolicy`: who gives back the money of a refund.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundPolicy {
    /// `MasterTxnOnly` (default): the recipient refunds it all; the marketplace keeps its fee.
    MasterTxnOnly,
    /// `MarketplaceTxnOnly`: the marketplace refunds out of its fee, at most the fee it took.
    MarketplaceTxnOnly,
    /// `MasterAndMarketplaceTxn`: both, in proportion to what each took of the payment.
    MasterAndMarketplaceTxn,
}

impl RefundPolicy {
    /// Reads the wire value (absent: `MasterTxnOnly`).
    pub fn from_wire(value: Option<&str>) -> Self {
        match value {
            Some("MarketplaceTxnOnly") => RefundPolicy::MarketplaceTxnOnly,
            Some("MasterAndMarketplaceTxn") => RefundPolicy::MasterAndMarketplaceTxn,
            _ => RefundPolicy::MasterTxnOnly,
        }
    }
}

/// How much of a refund of `refund_minor` the marketplace gives back, for an original payment of
/// `amount_minor` of which the marketplace took `marketplace_fee_minor`. The recipient gives back
/// the rest. FPS keeps its fee (the emulator's rule; no refund of FPS fees is documented).
pub fn marketplace_refund_share(
    policy: RefundPolicy,
    refund_minor: i64,
    amount_minor: i64,
    marketplace_fee_minor: i64,
) -> i64 {
    match policy {
        RefundPolicy::MasterTxnOnly => 0,
        RefundPolicy::MarketplaceTxnOnly => refund_minor.min(marketplace_fee_minor),
        RefundPolicy::MasterAndMarketplaceTxn if amount_minor > 0 => {
            // Rounded half up, like every other share.
            let scaled = i128::from(refund_minor) * i128::from(marketplace_fee_minor);
            let whole = (2 * scaled + i128::from(amount_minor)) / (2 * i128::from(amount_minor));
            i64::try_from(whole)
                .unwrap_or(i64::MAX)
                .min(marketplace_fee_minor)
        }
        RefundPolicy::MasterAndMarketplaceTxn => 0,
    }
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

    fn seller(max_fixed: Option<i64>, max_variable: Option<i64>, pays: bool) -> Option<AcceptedFees> {
        Some(AcceptedFees {
            max_fixed_minor: max_fixed,
            max_variable_bp: max_variable,
            recipient_pays_fee: pays,
        })
    }

    #[test]
    fn marketplace_split_by_who_pays_fps() {
        let fee = MarketplaceFee {
            fixed_minor: 25,
            variable_bp: 500,
        };
        // $9.00 by balance: marketplace 25 + 45 = 70, FPS 15.
        let s = split(
            900,
            "ABT",
            fee,
            FeePayer::Recipient,
            seller(Some(25), Some(500), true),
        )
        .unwrap();
        assert_eq!(
            (
                s.marketplace_fee_minor,
                s.fps_fee_minor,
                s.recipient_net_minor,
                s.caller_net_minor
            ),
            (70, 15, 815, 70)
        );
        let s = split(900, "ABT", fee, FeePayer::Caller, seller(None, None, false)).unwrap();
        assert_eq!(
            (
                s.marketplace_fee_minor,
                s.fps_fee_minor,
                s.recipient_net_minor,
                s.caller_net_minor
            ),
            (70, 15, 830, 55)
        );
        assert_eq!(s.fee_paid_by, FeePayer::Caller);
        // No marketplace: the caller is the recipient and pays FPS.
        let s = split(900, "CC", MarketplaceFee::default(), FeePayer::Caller, None).unwrap();
        assert_eq!(
            (s.fps_fee_minor, s.recipient_net_minor, s.caller_net_minor),
            (50, 850, 0)
        );
        assert_eq!(s.fee_paid_by, FeePayer::Recipient);
    }

    #[test]
    fn marketplace_fees_respect_what_the_recipient_accepted() {
        let fixed = MarketplaceFee {
            fixed_minor: 30,
            variable_bp: 0,
        };
        assert!(matches!(
            split(
                900,
                "ABT",
                fixed,
                FeePayer::Recipient,
                seller(Some(25), None, true)
            ),
            Err(FeeError::FixedAboveCap { .. })
        ));
        let variable = MarketplaceFee {
            fixed_minor: 0,
            variable_bp: 1_000,
        };
        let err = split(
            900,
            "ABT",
            variable,
            FeePayer::Recipient,
            seller(None, Some(500), true),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "MarketplaceVariableFee 10.00% is more than the recipient's maxVariableFee 5.00%."
        );
        assert_eq!(
            split(
                900,
                "ABT",
                variable,
                FeePayer::Recipient,
                seller(None, None, false)
            ),
            Err(FeeError::RecipientDoesNotPayFee)
        );
        // $0.50 by card: FPS 3 + 5 = 8; a 40-cent fee fits, 45 cents does not.
        let fits = MarketplaceFee {
            fixed_minor: 42,
            variable_bp: 0,
        };
        assert_eq!(
            split(50, "CC", fits, FeePayer::Recipient, seller(None, None, true))
                .unwrap()
                .recipient_net_minor,
            0
        );
        let too_much = MarketplaceFee {
            fixed_minor: 43,
            variable_bp: 0,
        };
        assert!(matches!(
            split(50, "CC", too_much, FeePayer::Recipient, seller(None, None, true)),
            Err(FeeError::FeesAboveAmount { .. })
        ));
        // Paid by the caller, the recipient bears only the marketplace fee.
        assert!(split(50, "CC", too_much, FeePayer::Caller, seller(None, None, false)).is_ok());
    }

    #[test]
    fn refund_shares_by_policy() {
        use RefundPolicy::*;
        assert_eq!(marketplace_refund_share(MasterTxnOnly, 900, 900, 70), 0);
        assert_eq!(marketplace_refund_share(MarketplaceTxnOnly, 900, 900, 70), 70);
        assert_eq!(marketplace_refund_share(MarketplaceTxnOnly, 50, 900, 70), 50);
        assert_eq!(
            marketplace_refund_share(MasterAndMarketplaceTxn, 900, 900, 70),
            70
        );
        // Half the payment back: 35 cents of the fee.
        assert_eq!(
            marketplace_refund_share(MasterAndMarketplaceTxn, 450, 900, 70),
            35
        );
        // 100/900 * 70 = 7.78 -> 8.
        assert_eq!(marketplace_refund_share(MasterAndMarketplaceTxn, 100, 900, 70), 8);
        assert_eq!(RefundPolicy::from_wire(None), MasterTxnOnly);
    }

    proptest::proptest! {
        #[test]
        fn split_accounts_for_every_cent(
            amount in 2i64..=1_000_000,
            fixed in 0i64..500,
            variable in 0i64..=2_000,
            method in proptest::sample::select(vec!["ABT", "ACH", "CC"]),
            caller_pays in proptest::bool::ANY,
        ) {
            let payer = if caller_pays { FeePayer::Caller } else { FeePayer::Recipient };
            let fee = MarketplaceFee { fixed_minor: fixed, variable_bp: variable };
            if let Ok(s) = split(amount, method, fee, payer, seller(None, None, true)) {
                proptest::prop_assert_eq!(
                    s.recipient_net_minor + s.caller_net_minor + s.fps_fee_minor,
                    amount
                );
                proptest::prop_assert!(s.recipient_net_minor >= 0);
                proptest::prop_assert!(s.fps_fee_minor <= amount);
            }
        }
    }
}
