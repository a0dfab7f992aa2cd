//! The marketplace's fee on a payment: what it asks (`MarketplaceFixedFee`,
//! `MarketplaceVariableFee`), what the recipient accepted, who pays FPS (`ChargeFeeTo`), and how
//! the payment splits between the recipient, the caller and FPS.

use super::{fps_rate, percent_of};

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

#[cfg(test)]
mod tests {
    use super::*;

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
