//! FPS's `Transaction` element as GetTransaction and GetAccountActivity answer it, read by name
//! into [`TransactionDetails`], and GetAccountActivity's batch with its paging date.

use serde::Deserialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::error::FpsError;
use super::response::{
    fee_minor, parse_success, quoted, response_amount, status, AmountXml, TransactionStatus,
};
use super::vocabulary::ActionName;
use fps_core::Amount;

/// Most transactions GetAccountActivity returns in one batch (`MaxBatchSize`).
pub const MAX_BATCH_SIZE: u32 = 200;

/// A `RelatedTransaction`: another transaction and how it relates (`Refund`, `Parent`, ...).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelatedTransaction {
    /// Its id.
    pub transaction_id: String,
    /// `RelationType`.
    pub relation_type: Option<String>,
}

/// A `StatusHistory` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEntry {
    /// `Date`, as FPS wrote it.
    pub date: Option<String>,
    /// `TransactionStatus`.
    pub status: Option<String>,
    /// `StatusCode`.
    pub status_code: Option<String>,
    /// `Amount`, in minor units.
    pub amount_minor: Option<u64>,
}

/// A `TransactionPart` (GetAccountActivity): one party and the fees it paid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionPart {
    /// `Sender`, `Recipient` or `Caller`.
    pub role: String,
    /// The party's name.
    pub name: Option<String>,
    /// `FeesPaid`, in minor units.
    pub fees_paid_minor: Option<u64>,
}

/// A transaction as FPS describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionDetails {
    /// The transaction's id.
    pub transaction_id: String,
    /// FPS's request id of the GetTransaction that read it (`None` in an activity listing).
    pub request_id: Option<String>,
    /// The caller's reference.
    pub caller_reference: Option<String>,
    /// `CallerDescription`.
    pub caller_description: Option<String>,
    /// `SenderDescription`.
    pub sender_description: Option<String>,
    /// `DateReceived`, as FPS wrote it.
    pub date_received: Option<String>,
    /// `DateCompleted`, as FPS wrote it.
    pub date_completed: Option<String>,
    /// The amount.
    pub amount: Option<Amount>,
    /// `Pay`, `Reserve`, `Settle`, `Refund`, ...
    pub operation: Option<String>,
    /// `CC`, `ACH`, `ABT`.
    pub payment_method: Option<String>,
    /// Its status.
    pub transaction_status: TransactionStatus,
    /// The status code.
    pub status_code: Option<String>,
    /// The status message.
    pub status_message: Option<String>,
    /// `FPSFees`, in minor units (zero allowed).
    pub fps_fees_minor: Option<u64>,
    /// `MarketplaceFees`, in minor units (zero allowed).
    pub marketplace_fees_minor: Option<u64>,
    /// `FPSFeesPaidBy`: `Caller` or `Recipient`.
    pub fps_fees_paid_by: Option<String>,
    /// `SenderTokenId`.
    pub sender_token_id: Option<String>,
    /// `RecipientTokenId`.
    pub recipient_token_id: Option<String>,
    /// `SenderName`.
    pub sender_name: Option<String>,
    /// `SenderEmail`.
    pub sender_email: Option<String>,
    /// `RecipientName`.
    pub recipient_name: Option<String>,
    /// `RecipientEmail`.
    pub recipient_email: Option<String>,
    /// `RelatedTransaction`s.
    pub related: Vec<RelatedTransaction>,
    /// `StatusHistory`, oldest first.
    pub history: Vec<StatusEntry>,
    /// `TransactionPart`s (GetAccountActivity only).
    pub parts: Vec<TransactionPart>,
}

/// One batch of GetAccountActivity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountActivity {
    /// `BatchSize`.
    pub batch_size: Option<u32>,
    /// `StartTimeForNextTransaction`: where the next batch starts, when there is one.
    pub start_time_for_next: Option<OffsetDateTime>,
    /// The transactions.
    pub transactions: Vec<TransactionDetails>,
}

/// What GetAccountActivity is asked: transactions received from `start` to `end`, oldest
/// first (`SortOrderByDate=Ascending`), at most `max_batch_size` of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityQuery {
    /// `StartDate`.
    pub start: OffsetDateTime,
    /// `EndDate`.
    pub end: Option<OffsetDateTime>,
    /// `MaxBatchSize`, 1 to [`MAX_BATCH_SIZE`].
    pub max_batch_size: u32,
}

impl ActivityQuery {
    /// The query's parameters.
    pub fn params(&self) -> Vec<(&'static str, String)> {
        let mut out = vec![
            ("StartDate", iso(self.start)),
            (
                "MaxBatchSize",
                self.max_batch_size.clamp(1, MAX_BATCH_SIZE).to_string(),
            ),
            ("SortOrderByDate", "Ascending".to_owned()),
        ];
        if let Some(end) = self.end {
            out.push(("EndDate", iso(end)));
        }
        out
    }
}

/// A date as requests carry it (`2026-11-30T06:30:00.123Z`).
pub fn iso(at: OffsetDateTime) -> String {
    at.to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned())
}

#[derive(Deserialize)]
struct RelatedXml {
    #[serde(rename = "TransactionId")]
    transaction_id: String,
    #[serde(rename = "RelationType")]
    relation_type: Option<String>,
}

#[derive(Deserialize)]
struct HistoryXml {
    #[serde(rename = "Date")]
    date: Option<String>,
    #[serde(rename = "TransactionStatus")]
    status: Option<String>,
    #[serde(rename = "StatusCode")]
    status_code: Option<String>,
    #[serde(rename = "Amount")]
    amount: Option<AmountXml>,
}

#[derive(Deserialize)]
struct PartXml {
    #[serde(rename = "Role")]
    role: String,
    #[serde(rename = "Name")]
    name: Option<String>,
    #[serde(rename = "FeesPaid")]
    fees_paid: Option<AmountXml>,
}

#[derive(Deserialize)]
struct TransactionXml {
    #[serde(rename = "TransactionId")]
    transaction_id: String,
    #[serde(rename = "CallerReference")]
    caller_reference: Option<String>,
    #[serde(rename = "CallerDescription")]
    caller_description: Option<String>,
    #[serde(rename = "SenderDescription")]
    sender_description: Option<String>,
    #[serde(rename = "DateReceived")]
    date_received: Option<String>,
    #[serde(rename = "DateCompleted")]
    date_completed: Option<String>,
    #[serde(rename = "TransactionAmount")]
    transaction_amount: Option<AmountXml>,
    #[serde(rename = "FPSOperation")]
    operation: Option<String>,
    #[serde(rename = "PaymentMethod")]
    payment_method: Option<String>,
    #[serde(rename = "TransactionStatus")]
    transaction_status: String,
    #[serde(rename = "StatusCode")]
    status_code: Option<String>,
    #[serde(rename = "StatusMessage")]
    status_message: Option<String>,
    #[serde(rename = "FPSFees")]
    fps_fees: Option<AmountXml>,
    #[serde(rename = "MarketplaceFees")]
    marketplace_fees: Option<AmountXml>,
    #[serde(rename = "FPSFeesPaidBy")]
    fps_fees_paid_by: Option<String>,
    #[serde(rename = "SenderTokenId")]
    sender_token_id: Option<String>,
    #[serde(rename = "RecipientTokenId")]
    recipient_token_id: Option<String>,
    #[serde(rename = "SenderName")]
    sender_name: Option<String>,
    #[serde(rename = "SenderEmail")]
    sender_email: Option<String>,
    #[serde(rename = "RecipientName")]
    recipient_name: Option<String>,
    #[serde(rename = "RecipientEmail")]
    recipient_email: Option<String>,
    #[serde(rename = "RelatedTransaction", default)]
    related: Vec<RelatedXml>,
    #[serde(rename = "StatusHistory", default)]
    history: Vec<HistoryXml>,
    #[serde(rename = "TransactionPart", default)]
    parts: Vec<PartXml>,
}

#[derive(Deserialize)]
struct GetTransactionResultXml {
    #[serde(rename = "Transaction")]
    transaction: TransactionXml,
}

#[derive(Deserialize)]
struct ActivityResultXml {
    #[serde(rename = "BatchSize")]
    batch_size: Option<String>,
    #[serde(rename = "StartTimeForNextTransaction")]
    start_time_for_next: Option<String>,
    #[serde(rename = "Transaction", default)]
    transactions: Vec<TransactionXml>,
}

fn trimmed(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned())
}

fn read(action: &'static str, t: TransactionXml) -> Result<TransactionDetails, FpsError> {
    let malformed = |reason: String| FpsError::Malformed { action, reason };
    let amount = t
        .transaction_amount
        .map(|a| {
            response_amount(&a.value, a.currency_code.as_deref())
                .ok_or_else(|| malformed("bad TransactionAmount".to_owned()))
        })
        .transpose()?;
    let fee = |name: &str, a: Option<AmountXml>| -> Result<Option<u64>, FpsError> {
        a.map(|a| {
            fee_minor(&a.value, a.currency_code.as_deref()).ok_or_else(|| malformed(format!("bad {name}")))
        })
        .transpose()
    };
    let mut history = Vec::new();
    for h in t.history {
        history.push(StatusEntry {
            date: trimmed(h.date),
            status: trimmed(h.status),
            status_code: trimmed(h.status_code),
            amount_minor: fee("StatusHistory Amount", h.amount)?,
        });
    }
    let mut parts = Vec::new();
    for p in t.parts {
        parts.push(TransactionPart {
            role: p.role.trim().to_owned(),
            name: trimmed(p.name),
            fees_paid_minor: fee("FeesPaid", p.fees_paid)?,
        });
    }
    Ok(TransactionDetails {
        request_id: None,
        transaction_id: t.transaction_id.trim().to_owned(),
        caller_reference: t.caller_reference,
        caller_description: t.caller_description,
        sender_description: t.sender_description,
        date_received: trimmed(t.date_received),
        date_completed: trimmed(t.date_completed),
        amount,
        operation: trimmed(t.operation),
        payment_method: trimmed(t.payment_method),
        transaction_status: status(action, &t.transaction_status)?,
        status_code: trimmed(t.status_code),
        status_message: t.status_message,
        fps_fees_minor: fee("FPSFees", t.fps_fees)?,
        marketplace_fees_minor: fee("MarketplaceFees", t.marketplace_fees)?,
        fps_fees_paid_by: trimmed(t.fps_fees_paid_by),
        sender_token_id: trimmed(t.sender_token_id),
        recipient_token_id: trimmed(t.recipient_token_id),
        sender_name: t.sender_name,
        sender_email: trimmed(t.sender_email),
        recipient_name: t.recipient_name,
        recipient_email: trimmed(t.recipient_email),
        related: t
            .related
            .into_iter()
            .map(|r| RelatedTransaction {
                transaction_id: r.transaction_id.trim().to_owned(),
                relation_type: trimmed(r.relation_type),
            })
            .collect(),
        history,
        parts,
    })
}

/// Reads the result of GetTransaction.
pub fn transaction_details(body: &str) -> Result<TransactionDetails, FpsError> {
    const ACTION: ActionName = ActionName::GetTransaction;
    let (xml, request_id): (GetTransactionResultXml, _) = parse_success(ACTION, body)?;
    Ok(TransactionDetails {
        request_id,
        ..read(ACTION.as_str(), xml.transaction)?
    })
}

/// Reads the result of GetAccountActivity.
pub fn account_activity(body: &str) -> Result<AccountActivity, FpsError> {
    const ACTION: ActionName = ActionName::GetAccountActivity;
    let malformed = |reason: String| FpsError::Malformed {
        action: ACTION.as_str(),
        reason,
    };
    let (xml, _): (ActivityResultXml, _) = parse_success(ACTION, body)?;
    let batch_size = xml
        .batch_size
        .map(|b| {
            b.trim()
                .parse::<u32>()
                .map_err(|_| malformed(format!("bad BatchSize {}", quoted(&b))))
        })
        .transpose()?;
    let start_time_for_next = xml
        .start_time_for_next
        .map(|t| {
            OffsetDateTime::parse(t.trim(), &Rfc3339)
                .map_err(|_| malformed(format!("bad StartTimeForNextTransaction {}", quoted(&t))))
        })
        .transpose()?;
    let transactions = xml
        .transactions
        .into_iter()
        .map(|t| read(ACTION.as_str(), t))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(AccountActivity {
        batch_size,
        start_time_for_next,
        transactions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACTIVITY: &str = "<GetAccountActivityResponse xmlns=\"http://fps.amazonaws.com/doc/2010-08-28/\">\
        <GetAccountActivityResult><BatchSize>1</BatchSize>\
        <StartTimeForNextTransaction>2026-11-30T06:30:00.123Z</StartTimeForNextTransaction>\
        <Transaction><TransactionId>T1</TransactionId><CallerReference>o-1</CallerReference>\
        <DateReceived>2026-11-30T06:29:59.001Z</DateReceived>\
        <TransactionAmount><CurrencyCode>USD</CurrencyCode><Value>10.000000</Value></TransactionAmount>\
        <FPSFees><CurrencyCode>USD</CurrencyCode><Value>0.600000</Value></FPSFees>\
        <MarketplaceFees><CurrencyCode>USD</CurrencyCode><Value>0.750000</Value></MarketplaceFees>\
        <FPSFeesPaidBy>Recipient</FPSFeesPaidBy><RecipientTokenId>R1</RecipientTokenId>\
        <FPSOperation>Settle</FPSOperation><PaymentMethod>CC</PaymentMethod>\
        <TransactionStatus>Success</TransactionStatus><StatusCode>Success</StatusCode>\
        <SenderName>Test Buyer</SenderName><RecipientName>Potter</RecipientName>\
        <RelatedTransaction><TransactionId>T2</TransactionId><RelationType>Refund</RelationType></RelatedTransaction>\
        <StatusHistory><Date>2026-11-30T06:29:59.001Z</Date><TransactionStatus>Pending</TransactionStatus>\
        <StatusCode>PendingNetworkResponse</StatusCode><Amount><CurrencyCode>USD</CurrencyCode><Value>10.000000</Value></Amount></StatusHistory>\
        <StatusHistory><Date>2026-11-30T06:30:01Z</Date><TransactionStatus>Success</TransactionStatus></StatusHistory>\
        <TransactionPart><Role>Sender</Role><Name>Test Buyer</Name><FeesPaid><CurrencyCode>USD</CurrencyCode><Value>0.000000</Value></FeesPaid></TransactionPart>\
        <TransactionPart><Role>Recipient</Role><Name>Potter</Name><FeesPaid><CurrencyCode>USD</CurrencyCode><Value>1.350000</Value></FeesPaid></TransactionPart>\
        </Transaction></GetAccountActivityResult>\
        <ResponseMetadata><RequestId>r:0</RequestId></ResponseMetadata></GetAccountActivityResponse>";

    #[test]
    fn reads_an_activity_batch_with_parts_history_and_paging_date() {
        let a = account_activity(ACTIVITY).unwrap();
        assert_eq!(a.batch_size, Some(1));
        assert_eq!(
            a.start_time_for_next.map(iso).as_deref(),
            Some("2026-11-30T06:30:00.123Z")
        );
        let t = &a.transactions[0];
        assert_eq!(t.amount.unwrap().minor_units(), 1000);
        assert_eq!((t.fps_fees_minor, t.marketplace_fees_minor), (Some(60), Some(75)));
        assert_eq!(t.recipient_token_id.as_deref(), Some("R1"));
        assert_eq!(t.related[0].relation_type.as_deref(), Some("Refund"));
        assert_eq!(t.history.len(), 2);
        assert_eq!(t.history[0].amount_minor, Some(1000));
        assert_eq!(t.history[1].amount_minor, None);
        assert_eq!(t.parts[1].role, "Recipient");
        assert_eq!(t.parts[1].fees_paid_minor, Some(135));
        let empty = ACTIVITY
            .split("<StartTimeForNextTransaction>")
            .next()
            .unwrap()
            .replace("<BatchSize>1</BatchSize>", "<BatchSize>0</BatchSize>")
            + "</GetAccountActivityResult></GetAccountActivityResponse>";
        let none = account_activity(&empty).unwrap();
        assert!(none.transactions.is_empty() && none.start_time_for_next.is_none());
    }

    #[test]
    fn refuses_bad_paging_dates_sizes_and_amounts() {
        for (from, to) in [
            ("2026-11-30T06:30:00.123Z", "yesterday"),
            ("<BatchSize>1<", "<BatchSize>one<"),
            ("<Value>1.350000</Value>", "<Value>1.355</Value>"),
            (
                "<TransactionStatus>Success</TransactionStatus><StatusCode>Success",
                "<TransactionStatus>Odd</TransactionStatus><StatusCode>Success",
            ),
        ] {
            let bad = ACTIVITY.replacen(from, to, 1);
            assert!(
                matches!(account_activity(&bad), Err(FpsError::Malformed { .. })),
                "{to}"
            );
        }
    }

    #[test]
    fn query_parameters() {
        let start = OffsetDateTime::parse("2026-11-01T00:00:00Z", &Rfc3339).unwrap();
        let q = ActivityQuery {
            start,
            end: None,
            max_batch_size: 1000,
        };
        let params = q.params();
        assert!(params.contains(&("StartDate", "2026-11-01T00:00:00Z".to_owned())));
        assert!(params.contains(&("MaxBatchSize", "200".to_owned())));
        assert!(params.contains(&("SortOrderByDate", "Ascending".to_owned())));
        assert!(!params.iter().any(|(n, _)| *n == "EndDate"));
    }
}
