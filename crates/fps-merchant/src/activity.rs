//! Account activity and transaction details for the admin page, read from FPS: GetAccountActivity
//! for the caller's account, or for one registered seller (the caller's transactions that name
//! the seller's recipient token, and the refunds of them), a batch at a time, paged by FPS's own
//! `StartTimeForNextTransaction`; and GetTransaction for an order's payment. Admin only; never an
//! open proxy: the account is the caller or a registered seller, the transaction a stored
//! order's, and every query parameter is bounded and checked.

use axum::extract::{RawQuery, State};
use axum::Json;
use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::{Date, Duration, OffsetDateTime, Time};

use super::admin::Admin;
use super::error::{ApiError, ApiPath};
use super::order::money;
use super::server::AppState;
use fps_core::canonical::{decode_query, reject_duplicates, PlusIs};
use fps_wire::transaction::iso;
use fps_wire::{ActivityQuery, TransactionDetails};

/// Longest date range one activity query may span.
pub const MAX_RANGE_DAYS: i64 = 366;
/// Most transactions asked of FPS per page.
pub const MAX_LIMIT: u32 = 100;
/// Transactions per page unless `limit` says otherwise.
pub const DEFAULT_LIMIT: u32 = 20;
/// Longest query parameter value taken.
const MAX_VALUE: usize = 64;

/// Whose activity: the caller's account, or a registered seller's part of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Account {
    /// The caller (the shop or marketplace itself).
    Caller,
    /// A registered seller, by catalog handle.
    Seller(String),
}

/// A checked activity query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityRequest {
    /// Whose activity.
    pub account: Account,
    /// First moment included.
    pub from: OffsetDateTime,
    /// Last moment included, if any.
    pub to: Option<OffsetDateTime>,
    /// Where this page starts (FPS's `StartTimeForNextTransaction` of the previous page).
    pub after: Option<OffsetDateTime>,
    /// Transactions asked of FPS.
    pub limit: u32,
}

fn invalid(message: String) -> ApiError {
    ApiError::Invalid {
        code: "INVALID_QUERY",
        message,
    }
}

/// Reads `YYYY-MM-DD` (the start of that day, UTC; with `end_of_day` its last millisecond) or an
/// RFC 3339 date-time.
fn date(name: &str, text: &str, end_of_day: bool) -> Result<OffsetDateTime, ApiError> {
    if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(at);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let day = Date::parse(text, &format).map_err(|_| {
        invalid(format!(
            "{name} must be a date like 2026-11-30 or 2026-11-30T06:30:00Z, not {:?}",
            text
        ))
    })?;
    let time = if end_of_day {
        Time::from_hms_milli(23, 59, 59, 999).unwrap_or(Time::MIDNIGHT)
    } else {
        Time::MIDNIGHT
    };
    Ok(day.with_time(time).assume_utc())
}

impl ActivityRequest {
    /// Checks a raw query: `account` (`caller` or a seller handle), `from` (required), `to`,
    /// `after`, `limit` (1 to 100); nothing else, nothing twice, each value at most 64 bytes.
    pub fn parse(query: &str) -> Result<Self, ApiError> {
        let pairs = decode_query(query, PlusIs::Space).map_err(|e| invalid(e.to_string()))?;
        reject_duplicates(&pairs).map_err(|e| invalid(e.to_string()))?;
        let (mut account, mut from, mut to, mut after, mut limit) =
            (Account::Caller, None, None, None, DEFAULT_LIMIT);
        for (name, value) in &pairs {
            if value.len() > MAX_VALUE {
                return Err(invalid(format!("{name} is longer than {MAX_VALUE} bytes")));
            }
            match name.as_str() {
                "account" if value == "caller" => account = Account::Caller,
                "account"
                    if !value.is_empty()
                        && value
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') =>
                {
                    account = Account::Seller(value.clone())
                }
                "account" => {
                    return Err(invalid(format!(
                        "account must be caller or a seller handle, not {value:?}"
                    )))
                }
                "from" => from = Some(date("from", value, false)?),
                "to" => to = Some(date("to", value, true)?),
                "after" => {
                    after = Some(OffsetDateTime::parse(value, &Rfc3339).map_err(|_| {
                        invalid(format!(
                            "after must be the next page's date as the last page gave it, not {value:?}"
                        ))
                    })?)
                }
                "limit" => {
                    limit = value
                        .parse::<u32>()
                        .ok()
                        .filter(|n| (1..=MAX_LIMIT).contains(n))
                        .ok_or_else(|| {
                            invalid(format!("limit must be a whole number from 1 to {MAX_LIMIT}"))
                        })?
                }
                other => {
                    return Err(invalid(format!(
                        "unknown query parameter {:?}",
                        other.chars().take(32).collect::<String>()
                    )))
                }
            }
        }
        let from = from.ok_or_else(|| invalid("from is required".to_owned()))?;
        if let Some(to) = to {
            if to < from {
                return Err(invalid("to is before from".to_owned()));
            }
            if to - from > Duration::days(MAX_RANGE_DAYS) {
                return Err(invalid(format!("the range is longer than {MAX_RANGE_DAYS} days")));
            }
        }
        if let Some(after) = after {
            if after < from || to.is_some_and(|to| after > to) {
                return Err(invalid("after lies outside from..to".to_owned()));
            }
        }
        Ok(ActivityRequest {
            account,
            from,
            to,
            after,
            limit,
        })
    }
}

/// A transaction as the admin page shows it: FPS's figures, nothing recomputed.
pub fn transaction_json(t: &TransactionDetails) -> Value {
    let fee = |m: Option<u64>| m.map(money);
    json!({
        "transactionId": t.transaction_id,
        "callerReference": t.caller_reference,
        "callerDescription": t.caller_description,
        "dateReceived": t.date_received,
        "dateCompleted": t.date_completed,
        "operation": t.operation,
        "paymentMethod": t.payment_method,
        "status": t.transaction_status.as_str(),
        "statusCode": t.status_code,
        "statusMessage": t.status_message,
        "amount": t.amount.map(|a| money(a.minor_units())),
        "fpsFees": fee(t.fps_fees_minor),
        "marketplaceFees": fee(t.marketplace_fees_minor),
        "fpsFeesPaidBy": t.fps_fees_paid_by,
        "senderName": t.sender_name,
        "senderEmail": t.sender_email,
        "recipientName": t.recipient_name,
        "recipientEmail": t.recipient_email,
        "senderTokenId": t.sender_token_id,
        "recipientTokenId": t.recipient_token_id,
        "related": t.related.iter().map(|r| json!({
            "transactionId": r.transaction_id,
            "relationType": r.relation_type,
        })).collect::<Vec<_>>(),
        "history": t.history.iter().map(|h| json!({
            "date": h.date,
            "status": h.status,
            "statusCode": h.status_code,
            "amount": fee(h.amount_minor),
        })).collect::<Vec<_>>(),
        "parts": t.parts.iter().map(|p| json!({
            "role": p.role,
            "name": p.name,
            "feesPaid": fee(p.fees_paid_minor),
        })).collect::<Vec<_>>(),
    })
}

/// `GET /api/activity?account=&from=&to=&after=&limit=` (admin): one page of GetAccountActivity,
/// oldest first; `next` is FPS's `StartTimeForNextTransaction`, to send back as `after`.
pub async fn activity(
    _admin: Admin,
    State(app): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let request = ActivityRequest::parse(query.as_deref().unwrap_or(""))?;
    let recipient_token = match &request.account {
        Account::Caller => None,
        Account::Seller(handle) => {
            let seller = app
                .store
                .seller(handle)
                .await?
                .ok_or_else(|| ApiError::NotFound {
                    code: "UNKNOWN_SELLER",
                    message: "no registered seller of this name".to_owned(),
                })?;
            Some(seller.recipient_token_id)
        }
    };
    let batch = app
        .orders
        .metrics()
        .fps_call(
            "GetAccountActivity",
            app.fps.account_activity(ActivityQuery {
                start: request.after.unwrap_or(request.from),
                end: request.to,
                max_batch_size: request.limit,
            }),
        )
        .await
        .map_err(|source| ApiError::Fps {
            context: "cannot read the account activity from FPS".to_owned(),
            source,
        })?;
    let mut shown = Vec::new();
    for t in &batch.transactions {
        let belongs = match (&request.account, recipient_token.as_deref()) {
            (Account::Seller(handle), Some(token)) => {
                t.recipient_token_id.as_deref() == Some(token) || refunds_sale_of(&app, t, handle).await?
            }
            _ => true,
        };
        if belongs {
            shown.push(transaction_json(t));
        }
    }
    Ok(Json(json!({
        "account": match &request.account {
            Account::Caller => "caller".to_owned(),
            Account::Seller(handle) => handle.clone(),
        },
        "source": "GetAccountActivity",
        "from": iso(request.from),
        "to": request.to.map(iso),
        "batchSize": batch.batch_size,
        "transactions": shown,
        "next": batch.start_time_for_next.map(iso),
    })))
}

/// Whether `t` is a refund of a payment of the seller's: its `Parent` is the payment of an order
/// of the shop's own records sold by `handle` (refunds name no recipient token).
async fn refunds_sale_of(app: &AppState, t: &TransactionDetails, handle: &str) -> Result<bool, ApiError> {
    if t.operation.as_deref() != Some("Refund") {
        return Ok(false);
    }
    for parent in t
        .related
        .iter()
        .filter(|r| r.relation_type.as_deref() == Some("Parent"))
    {
        if let Some(order) = app.store.order_by_transaction(&parent.transaction_id).await? {
            if let Some(terms) = app.store.order_marketplace(&order.reference).await? {
                return Ok(terms.seller == handle);
            }
        }
    }
    Ok(false)
}

/// `GET /api/orders/{reference}/transaction` (admin): GetTransaction of the order's payment
/// (`transaction` is null before the order was charged).
pub async fn order_transaction(
    _admin: Admin,
    State(app): State<AppState>,
    ApiPath(reference): ApiPath,
) -> Result<Json<Value>, ApiError> {
    let order = app.orders.load(&reference).await?;
    let Some(id) = order.transaction_id.as_deref() else {
        return Ok(Json(json!({ "callerReference": reference, "transaction": null })));
    };
    let details = app
        .orders
        .metrics()
        .fps_call("GetTransaction", app.fps.transaction(id))
        .await
        .map_err(|source| ApiError::Fps {
            context: "cannot read the transaction from FPS".to_owned(),
            source,
        })?;
    Ok(Json(json!({
        "callerReference": reference,
        "source": "GetTransaction",
        "transaction": transaction_json(&details),
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(query: &str) -> String {
        match ActivityRequest::parse(query) {
            Err(ApiError::Invalid { code, message }) => format!("{code}: {message}"),
            other => panic!("{query}: {other:?}"),
        }
    }

    #[test]
    fn reads_dates_accounts_and_limits() {
        let r = ActivityRequest::parse("from=2026-11-01&to=2026-11-30&limit=5&account=riverbend").unwrap();
        assert_eq!(iso(r.from), "2026-11-01T00:00:00Z");
        assert_eq!(r.to.map(iso).as_deref(), Some("2026-11-30T23:59:59.999Z"));
        assert_eq!(r.limit, 5);
        assert_eq!(r.account, Account::Seller("riverbend".into()));
        let r =
            ActivityRequest::parse("from=2026-11-01T06%3A00%3A00%2B01%3A00&after=2026-11-02T00%3A00%3A00.5Z")
                .unwrap();
        assert_eq!(iso(r.from), "2026-11-01T05:00:00Z");
        assert_eq!(r.account, Account::Caller);
        assert_eq!(r.limit, DEFAULT_LIMIT);
        assert!(r.after.is_some() && r.to.is_none());
    }

    #[test]
    fn refuses_bad_dates_ranges_and_parameters() {
        for (query, says) in [
            ("", "from is required"),
            ("from=yesterday", "from must be a date"),
            ("from=2026-13-01", "from must be a date"),
            ("from=2026-11-30&to=2026-11-01", "to is before from"),
            ("from=2024-01-01&to=2026-01-01", "longer than 366 days"),
            ("from=2026-11-01&limit=0", "limit"),
            ("from=2026-11-01&limit=101", "limit"),
            ("from=2026-11-01&limit=ten", "limit"),
            ("from=2026-11-01&after=2026-10-01T00%3A00%3A00Z", "outside"),
            ("from=2026-11-01&after=soon", "after must be"),
            ("from=2026-11-01&account=..%2Fx", "account"),
            ("from=2026-11-01&account=", "account"),
            ("from=2026-11-01&from=2026-11-02", "INVALID_QUERY"),
            ("from=2026-11-01&colour=red", "unknown query parameter"),
        ] {
            let text = code(query);
            assert!(
                text.starts_with("INVALID_QUERY") && text.contains(says),
                "{query}: {text}"
            );
        }
        let long = format!("from=2026-11-01&account={}", "a".repeat(65));
        assert!(code(&long).contains("longer than 64"));
    }
}
