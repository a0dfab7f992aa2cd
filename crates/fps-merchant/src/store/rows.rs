//! The rows as the database holds them (`#[derive(sqlx::FromRow)]`, integers signed as SQL
//! stores them) and their typed conversion to the domain [`Order`] and [`Refund`]: a stored
//! value that does not convert is a [`CorruptValue`], never a panic or a silent default.

use super::model::{Order, Refund};
use crate::order::{Mode, OrderState};
use crate::sender::ShippingAddress;

/// A stored value that is not valid for its domain type (a row written by something else, or a
/// column changed by hand).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("stored {what} {value:?} is not valid")]
pub struct CorruptValue {
    /// Which value (`state`, `amount`, ...).
    pub what: &'static str,
    /// What was stored.
    pub value: String,
}

impl CorruptValue {
    /// `value` stored as `what` does not convert.
    pub fn new(what: &'static str, value: impl ToString) -> Self {
        CorruptValue {
            what,
            value: value.to_string(),
        }
    }
}

/// The columns of [`OrderRow`], for `SELECT`.
pub(super) const ORDER_COLUMNS: &str =
    "reference, items, description, amount_minor, currency, mode, state, return_url, \
     sender_token_id, charge_timestamp, transaction_id, transaction_status, settle_amount_minor, \
     settle_transaction_id, settle_timestamp, settled_minor, refunded_minor, last_error, attempt, \
     created_at, updated_at, next_check_at, checks, ships, shipping_address, payment_method";

/// The columns of [`RefundRow`], for `SELECT`.
pub(super) const REFUND_COLUMNS: &str =
    "caller_reference, order_reference, amount_minor, state, request_timestamp, transaction_id";

/// One row of `orders` (the columns [`ORDER_COLUMNS`] names).
#[derive(Debug, sqlx::FromRow)]
pub(super) struct OrderRow {
    reference: String,
    items: String,
    description: String,
    amount_minor: i64,
    currency: String,
    mode: String,
    state: String,
    return_url: Option<String>,
    sender_token_id: Option<String>,
    charge_timestamp: Option<String>,
    transaction_id: Option<String>,
    transaction_status: Option<String>,
    settle_amount_minor: Option<i64>,
    settle_transaction_id: Option<String>,
    settle_timestamp: Option<String>,
    settled_minor: i64,
    refunded_minor: i64,
    last_error: Option<String>,
    attempt: i64,
    created_at: i64,
    updated_at: i64,
    next_check_at: Option<i64>,
    checks: i64,
    ships: i64,
    shipping_address: Option<String>,
    payment_method: Option<String>,
}

impl TryFrom<OrderRow> for Order {
    type Error = CorruptValue;

    fn try_from(row: OrderRow) -> Result<Self, CorruptValue> {
        Ok(Order {
            mode: Mode::parse(&row.mode).ok_or_else(|| CorruptValue::new("mode", &row.mode))?,
            state: OrderState::parse(&row.state).ok_or_else(|| CorruptValue::new("state", &row.state))?,
            amount_minor: unsigned(row.amount_minor)?,
            settle_amount_minor: row.settle_amount_minor.map(unsigned).transpose()?,
            settled_minor: unsigned(row.settled_minor)?,
            refunded_minor: unsigned(row.refunded_minor)?,
            attempt: u32::try_from(row.attempt).map_err(|_| CorruptValue::new("attempt", row.attempt))?,
            // A backoff count only grows; past u32 it makes no difference.
            checks: u32::try_from(row.checks).unwrap_or(u32::MAX),
            ships: row.ships != 0,
            shipping_address: row
                .shipping_address
                .map(|text| {
                    ShippingAddress::from_json(&text)
                        .ok_or_else(|| CorruptValue::new("shipping address", text))
                })
                .transpose()?,
            payment_method: row.payment_method,
            reference: row.reference,
            items: row.items,
            description: row.description,
            currency: row.currency,
            return_url: row.return_url,
            sender_token_id: row.sender_token_id,
            charge_timestamp: row.charge_timestamp,
            transaction_id: row.transaction_id,
            transaction_status: row.transaction_status,
            settle_transaction_id: row.settle_transaction_id,
            settle_timestamp: row.settle_timestamp,
            last_error: row.last_error,
            created_at: row.created_at,
            updated_at: row.updated_at,
            next_check_at: row.next_check_at,
        })
    }
}

/// One row of `refunds` (the columns [`REFUND_COLUMNS`] names).
#[derive(Debug, sqlx::FromRow)]
pub(super) struct RefundRow {
    caller_reference: String,
    order_reference: String,
    amount_minor: i64,
    state: String,
    request_timestamp: String,
    transaction_id: Option<String>,
}

impl TryFrom<RefundRow> for Refund {
    type Error = CorruptValue;

    fn try_from(row: RefundRow) -> Result<Self, CorruptValue> {
        Ok(Refund {
            caller_reference: row.caller_reference,
            order_reference: row.order_reference,
            amount_minor: unsigned(row.amount_minor)?,
            state: row.state,
            request_timestamp: row.request_timestamp,
            transaction_id: row.transaction_id,
        })
    }
}

/// A stored amount (minor units, never negative).
pub(super) fn unsigned(value: i64) -> Result<u64, CorruptValue> {
    u64::try_from(value).map_err(|_| CorruptValue::new("amount", value))
}

/// An amount as SQL stores it (saturating: no amount the shop handles comes near).
pub(super) fn signed(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}
