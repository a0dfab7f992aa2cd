//! GetAccountBalance (API 2010-08-28): the caller's account balance, read into signed cents.
//! `AccountBalance` holds `TotalBalance`, `PendingInBalance`, `PendingOutBalance` and
//! `AvailableBalances` (`DisburseBalance`, `RefundBalance`), each an amount
//! (`<CurrencyCode>USD</CurrencyCode><Value>1.000000</Value>`).

use serde::Deserialize;

use super::error::FpsError;
use super::response::{fee_minor, parse_success, quoted, AmountXml};
use super::vocabulary::ActionName;

/// A caller's account balance, in cents of its currency (US dollars: FPS kept no other).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountBalance {
    /// Everything on the account now (`TotalBalance`); negative when it owes.
    pub total_minor: i64,
    /// Money on its way in: pending payments to the account (`PendingInBalance`).
    pub pending_in_minor: i64,
    /// Money on its way out: pending refunds and payments from it (`PendingOutBalance`).
    pub pending_out_minor: i64,
    /// What may be withdrawn now (`AvailableBalances > DisburseBalance`).
    pub disburse_minor: i64,
    /// What refunds may draw on now (`AvailableBalances > RefundBalance`).
    pub refund_minor: i64,
}

#[derive(Deserialize)]
struct ResultXml {
    #[serde(rename = "AccountBalance")]
    account_balance: BalanceXml,
}

#[derive(Deserialize)]
struct BalanceXml {
    #[serde(rename = "TotalBalance")]
    total: AmountXml,
    #[serde(rename = "PendingInBalance")]
    pending_in: Option<AmountXml>,
    #[serde(rename = "PendingOutBalance")]
    pending_out: Option<AmountXml>,
    #[serde(rename = "AvailableBalances")]
    available: Option<AvailableXml>,
}

#[derive(Deserialize)]
struct AvailableXml {
    #[serde(rename = "DisburseBalance")]
    disburse: Option<AmountXml>,
    #[serde(rename = "RefundBalance")]
    refund: Option<AmountXml>,
}

/// Reads an amount that may be negative, in cents (the value as answers write it, six decimals).
fn signed_minor(name: &str, amount: &AmountXml) -> Result<i64, FpsError> {
    let value = amount.value.trim();
    let (negative, magnitude) = match value.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, value),
    };
    let minor = fee_minor(magnitude, amount.currency_code.as_deref())
        .and_then(|m| i64::try_from(m).ok())
        .ok_or_else(|| FpsError::Malformed {
            action: ActionName::GetAccountBalance.as_str(),
            reason: format!("bad {name} {}", quoted(value)),
        })?;
    Ok(if negative { -minor } else { minor })
}

/// Reads the result of GetAccountBalance. A missing pending or available amount reads as zero;
/// a missing `TotalBalance` or an unreadable amount is malformed.
pub fn account_balance(body: &str) -> Result<AccountBalance, FpsError> {
    let (xml, _): (ResultXml, _) = parse_success(ActionName::GetAccountBalance, body)?;
    let b = xml.account_balance;
    let optional = |name: &str, amount: Option<&AmountXml>| amount.map_or(Ok(0), |a| signed_minor(name, a));
    let available = b.available.as_ref();
    Ok(AccountBalance {
        total_minor: signed_minor("TotalBalance", &b.total)?,
        pending_in_minor: optional("PendingInBalance", b.pending_in.as_ref())?,
        pending_out_minor: optional("PendingOutBalance", b.pending_out.as_ref())?,
        disburse_minor: optional("DisburseBalance", available.and_then(|a| a.disburse.as_ref()))?,
        refund_minor: optional("RefundBalance", available.and_then(|a| a.refund.as_ref()))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANSWER: &str = r#"<?xml version="1.0"?>
<GetAccountBalanceResponse xmlns="http://fps.amazonaws.com/doc/2010-08-28/"><GetAccountBalanceResult><AccountBalance><TotalBalance><CurrencyCode>USD</CurrencyCode><Value>12.340000</Value></TotalBalance><PendingInBalance><CurrencyCode>USD</CurrencyCode><Value>5.000000</Value></PendingInBalance><PendingOutBalance><CurrencyCode>USD</CurrencyCode><Value>0.000000</Value></PendingOutBalance><AvailableBalances><DisburseBalance><CurrencyCode>USD</CurrencyCode><Value>12.340000</Value></DisburseBalance><RefundBalance><CurrencyCode>USD</CurrencyCode><Value>-1.500000</Value></RefundBalance></AvailableBalances></AccountBalance></GetAccountBalanceResult><ResponseMetadata><RequestId>b1b1b1b1-0000-0000-0000-000000000000:0</RequestId></ResponseMetadata></GetAccountBalanceResponse>"#;

    #[test]
    fn reads_every_amount_in_cents() {
        assert_eq!(
            account_balance(ANSWER).unwrap(),
            AccountBalance {
                total_minor: 1234,
                pending_in_minor: 500,
                pending_out_minor: 0,
                disburse_minor: 1234,
                refund_minor: -150,
            }
        );
    }

    #[test]
    fn refuses_a_bad_amount_or_another_action() {
        let bad = ANSWER.replace(
            "12.340000</Value></TotalBalance>",
            "12.345000</Value></TotalBalance>",
        );
        assert!(matches!(account_balance(&bad), Err(FpsError::Malformed { .. })));
        let other = ANSWER.replace("GetAccountBalanceResponse", "GetAccountActivityResponse");
        assert!(matches!(account_balance(&other), Err(FpsError::Malformed { .. })));
        let without_total = ANSWER.replace("TotalBalance", "SomethingElse");
        assert!(account_balance(&without_total).is_err());
    }
}
