//! Amazon Simple Pay subscriptions through the Query API (2010-08-28): GetSubscriptionDetails,
//! GetTransactionsForSubscription and CancelSubscriptionAndRefund, typed. Subscriptions are made
//! by Simple Pay's buttons, not by CBUI, so a checkout built on CBUI has none; the emulator
//! answers every subscription id as unknown (SANDBOX.md).

use serde::Deserialize;

use super::client::{FpsClient, Timestamp};
use super::error::FpsError;
use super::request::Action;
use super::response::{fee_minor, parse_success, quoted, status, AmountXml, TransactionStatus};
use super::vocabulary::ActionName;
use fps_core::params::CallerReference;
use fps_core::Amount;

/// Longest `CancelReason` sent.
const MAX_REASON: usize = 160;

/// What CancelSubscriptionAndRefund takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionRefund {
    /// `SubscriptionId`.
    pub subscription_id: String,
    /// The refund's own reference (makes a resend safe).
    pub caller_reference: CallerReference,
    /// `RefundAmount`: none refunds nothing beyond cancelling.
    pub amount: Option<Amount>,
    /// `CancelReason` (at most 160 characters are sent).
    pub cancel_reason: Option<String>,
}

impl SubscriptionRefund {
    /// The action's parameters.
    pub fn params(&self) -> Vec<(&'static str, String)> {
        let mut out = vec![
            ("SubscriptionId", self.subscription_id.clone()),
            ("CallerReference", self.caller_reference.as_str().to_owned()),
        ];
        if let Some(amount) = &self.amount {
            out.push(("RefundAmount.Value", amount.to_string()));
            out.push(("RefundAmount.CurrencyCode", amount.currency().code().to_owned()));
        }
        if let Some(reason) = &self.cancel_reason {
            out.push(("CancelReason", reason.chars().take(MAX_REASON).collect()));
        }
        out
    }
}

/// The parts of `SubscriptionDetails` a caller acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionDetails {
    /// `SubscriptionId`.
    pub subscription_id: String,
    /// `Description`.
    pub description: Option<String>,
    /// `SubscriptionStatus`, as FPS wrote it.
    pub status: Option<String>,
    /// `SubscriptionAmount`, in cents.
    pub amount_minor: Option<u64>,
    /// `NumberOfTransactionsProcessed`.
    pub transactions_processed: Option<u32>,
    /// `SenderEmail`.
    pub sender_email: Option<String>,
    /// `NextTransactionDate`, as FPS wrote it.
    pub next_transaction_date: Option<String>,
}

/// A `SubscriptionTransaction`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionTransaction {
    /// `TransactionId`.
    pub transaction_id: String,
    /// `TransactionDate`, as FPS wrote it.
    pub date: Option<String>,
    /// `TransactionSerialNumber`.
    pub serial_number: Option<u32>,
    /// `TransactionAmount`, in cents.
    pub amount_minor: Option<u64>,
    /// `TransactionStatus`.
    pub status: TransactionStatus,
}

#[derive(Deserialize)]
struct DetailsXml {
    #[serde(rename = "SubscriptionId")]
    subscription_id: String,
    #[serde(rename = "Description")]
    description: Option<String>,
    #[serde(rename = "SubscriptionStatus")]
    status: Option<String>,
    #[serde(rename = "SubscriptionAmount")]
    amount: Option<AmountXml>,
    #[serde(rename = "NumberOfTransactionsProcessed")]
    processed: Option<u32>,
    #[serde(rename = "SenderEmail")]
    sender_email: Option<String>,
    #[serde(rename = "NextTransactionDate")]
    next_transaction_date: Option<String>,
}

#[derive(Deserialize)]
struct DetailsResultXml {
    #[serde(rename = "SubscriptionDetails")]
    details: DetailsXml,
}

#[derive(Deserialize)]
struct TransactionXml {
    #[serde(rename = "TransactionId")]
    transaction_id: String,
    #[serde(rename = "TransactionDate")]
    date: Option<String>,
    #[serde(rename = "TransactionSerialNumber")]
    serial_number: Option<u32>,
    #[serde(rename = "TransactionAmount")]
    amount: Option<AmountXml>,
    #[serde(rename = "TransactionStatus")]
    status: String,
}

#[derive(Deserialize)]
struct TransactionsResultXml {
    #[serde(rename = "SubscriptionTransaction", default)]
    transactions: Vec<TransactionXml>,
}

#[derive(Deserialize)]
struct RefundResultXml {
    #[serde(rename = "RefundTransactionId")]
    refund_transaction_id: String,
}

impl FpsClient {
    /// GetSubscriptionDetails of a Simple Pay subscription.
    pub async fn subscription_details(&self, subscription_id: &str) -> Result<SubscriptionDetails, FpsError> {
        let action = Action::GetSubscriptionDetails {
            subscription_id: subscription_id.to_owned(),
        };
        subscription_details(&self.call(&action, &Timestamp::now()).await?)
    }

    /// GetTransactionsForSubscription of a Simple Pay subscription.
    pub async fn subscription_transactions(
        &self,
        subscription_id: &str,
    ) -> Result<Vec<SubscriptionTransaction>, FpsError> {
        let action = Action::GetTransactionsForSubscription {
            subscription_id: subscription_id.to_owned(),
        };
        subscription_transactions(&self.call(&action, &Timestamp::now()).await?)
    }

    /// CancelSubscriptionAndRefund, signed at `timestamp` (keep it to resend the identical
    /// request): the refund's transaction id.
    pub async fn cancel_subscription_and_refund(
        &self,
        refund: SubscriptionRefund,
        timestamp: &Timestamp,
    ) -> Result<String, FpsError> {
        let action = Action::CancelSubscriptionAndRefund(refund);
        refund_transaction_id(&self.call(&action, timestamp).await?)
    }
}

fn cents(action: ActionName, amount: Option<&AmountXml>) -> Result<Option<u64>, FpsError> {
    match amount {
        None => Ok(None),
        Some(a) => fee_minor(&a.value, a.currency_code.as_deref())
            .map(Some)
            .ok_or_else(|| FpsError::Malformed {
                action: action.as_str(),
                reason: format!("bad amount {}", quoted(&a.value)),
            }),
    }
}

/// Reads the result of GetSubscriptionDetails.
pub fn subscription_details(body: &str) -> Result<SubscriptionDetails, FpsError> {
    const ACTION: ActionName = ActionName::GetSubscriptionDetails;
    let (xml, _): (DetailsResultXml, _) = parse_success(ACTION, body)?;
    let d = xml.details;
    Ok(SubscriptionDetails {
        amount_minor: cents(ACTION, d.amount.as_ref())?,
        subscription_id: d.subscription_id,
        description: d.description,
        status: d.status,
        transactions_processed: d.processed,
        sender_email: d.sender_email,
        next_transaction_date: d.next_transaction_date,
    })
}

/// Reads the result of GetTransactionsForSubscription.
pub fn subscription_transactions(body: &str) -> Result<Vec<SubscriptionTransaction>, FpsError> {
    const ACTION: ActionName = ActionName::GetTransactionsForSubscription;
    let (xml, _): (TransactionsResultXml, _) = parse_success(ACTION, body)?;
    xml.transactions
        .into_iter()
        .map(|t| {
            Ok(SubscriptionTransaction {
                amount_minor: cents(ACTION, t.amount.as_ref())?,
                status: status(ACTION.as_str(), &t.status)?,
                transaction_id: t.transaction_id,
                date: t.date,
                serial_number: t.serial_number,
            })
        })
        .collect()
}

/// Reads the result of CancelSubscriptionAndRefund: the refund's transaction id.
pub fn refund_transaction_id(body: &str) -> Result<String, FpsError> {
    const ACTION: ActionName = ActionName::CancelSubscriptionAndRefund;
    let (xml, _): (RefundResultXml, _) = parse_success(ACTION, body)?;
    let id = xml.refund_transaction_id.trim();
    if id.is_empty() {
        return Err(FpsError::Malformed {
            action: ACTION.as_str(),
            reason: "empty RefundTransactionId".to_owned(),
        });
    }
    Ok(id.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(action: &str, result: &str) -> String {
        format!(
            "<{action}Response xmlns=\"http://fps.amazonaws.com/doc/2010-08-28/\"><{action}Result>{result}\
             </{action}Result><ResponseMetadata><RequestId>r:0</RequestId></ResponseMetadata></{action}Response>"
        )
    }

    #[test]
    fn reads_the_three_answers() {
        let details = subscription_details(&answer(
            "GetSubscriptionDetails",
            "<SubscriptionDetails><SubscriptionId>S1</SubscriptionId><SubscriptionStatus>Active</SubscriptionStatus>\
             <SubscriptionAmount><CurrencyCode>USD</CurrencyCode><Value>5.000000</Value></SubscriptionAmount>\
             <NumberOfTransactionsProcessed>2</NumberOfTransactionsProcessed></SubscriptionDetails>",
        ))
        .unwrap();
        assert_eq!(details.subscription_id, "S1");
        assert_eq!(details.amount_minor, Some(500));
        assert_eq!(details.transactions_processed, Some(2));
        let list = subscription_transactions(&answer(
            "GetTransactionsForSubscription",
            "<SubscriptionTransaction><TransactionId>T1</TransactionId><TransactionSerialNumber>1</TransactionSerialNumber>\
             <TransactionStatus>Success</TransactionStatus></SubscriptionTransaction>",
        ))
        .unwrap();
        assert_eq!(list[0].status, TransactionStatus::Success);
        assert_eq!(list[0].serial_number, Some(1));
        let refund = answer(
            "CancelSubscriptionAndRefund",
            "<RefundTransactionId>R1</RefundTransactionId>",
        );
        assert_eq!(refund_transaction_id(&refund).unwrap(), "R1");
        assert!(refund_transaction_id(&refund.replace("R1", " ")).is_err());
    }

    #[test]
    fn refund_parameters() {
        let refund = SubscriptionRefund {
            subscription_id: "S1".into(),
            caller_reference: CallerReference::new("sub-refund-1").unwrap(),
            amount: Some(Amount::parse("2").unwrap()),
            cancel_reason: Some("r".repeat(400)),
        };
        let params = refund.params();
        assert!(params.contains(&("RefundAmount.Value", "2.00".into())));
        assert!(params.contains(&("SubscriptionId", "S1".into())));
        let reason = params.iter().find(|(n, _)| *n == "CancelReason").unwrap();
        assert_eq!(reason.1.len(), MAX_REASON);
    }
}
