//! How a refund is shared: `MarketplaceRefundPolicy` and the marketplace's part of a refund.

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
}
