//! The admin API (bearer `FPS_ADMIN_TOKEN`): list and inspect orders (refreshed with
//! GetTransactionStatus), settle, cancel and refund, and decide the refunds shoppers ask for:
//! thin handlers over the order service.

use axum::body::Bytes;
use axum::extract::{FromRequestParts, RawQuery, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use subtle::ConstantTimeEq;

use super::error::{ApiError, ApiPath};
use super::order::money;
use super::orders::{attention, reserve_deadline};
use super::server::AppState;
use super::store::{Order, Refund, RefundRequest};
use fps_core::canonical::{decode_query, reject_duplicates, PlusIs};
use fps_core::{Amount, Currency};

/// Proof that the request carried the admin bearer token (compared in constant time).
#[derive(Debug)]
pub struct Admin;

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let given = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(ApiError::Unauthorized)?;
        let expected = state.config.admin_token.expose();
        if given.as_bytes().ct_eq(expected).into() {
            Ok(Admin)
        } else {
            Err(ApiError::Unauthorized)
        }
    }
}

/// An order as the admin API shows it.
pub fn order_json(order: &Order, refunds: &[Refund]) -> Value {
    let items: Value = serde_json::from_str(&order.items).unwrap_or(Value::Null);
    json!({
        "callerReference": order.reference,
        "status": order.state.as_str(),
        "mode": order.mode.as_str(),
        "amount": money(order.amount_minor),
        "currency": order.currency,
        "description": order.description,
        "items": items,
        "transactionId": order.transaction_id,
        "transactionStatus": order.transaction_status,
        "settleAmount": order.settle_amount_minor.map(money),
        "settleTransactionId": order.settle_transaction_id,
        "settledAmount": money(order.settled_minor),
        "refundedAmount": money(order.refunded_minor),
        "refunds": refunds.iter().map(|r| json!({
            "callerReference": r.caller_reference,
            "amount": money(r.amount_minor),
            "status": r.state,
            "transactionId": r.transaction_id,
        })).collect::<Vec<_>>(),
        "lastError": order.last_error,
        "ships": order.ships,
        "shippingAddress": order.shipping_address,
        "paymentMethod": order.payment_method,
        "attempt": order.attempt,
        "needsAttention": attention(order, super::store::now()),
        "reserveDeadline": reserve_deadline(order).map(iso_seconds),
        "createdAt": order.created_at,
        "updatedAt": order.updated_at,
    })
}

/// A Unix second as RFC 3339 (`2026-12-06T12:00:00Z`).
fn iso_seconds(at: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(at).map_or_else(|_| at.to_string(), fps_wire::transaction::iso)
}

/// `GET /api/orders[?limit=N]`: the newest orders (default 50, at most 500).
pub async fn list_orders(
    _admin: Admin,
    State(app): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let invalid = |message: String| ApiError::Invalid {
        code: "INVALID_QUERY",
        message,
    };
    let pairs =
        decode_query(query.as_deref().unwrap_or(""), PlusIs::Space).map_err(|e| invalid(e.to_string()))?;
    reject_duplicates(&pairs).map_err(|e| invalid(e.to_string()))?;
    let mut limit = 50;
    for (name, value) in pairs {
        match name.as_str() {
            "limit" => {
                limit = value
                    .parse::<u32>()
                    .map_err(|_| invalid(format!("limit must be a whole number, not {value:?}")))?
            }
            other => return Err(invalid(format!("unknown query parameter {other:?}"))),
        }
    }
    let limit = limit.clamp(1, 500);
    let orders = app.store.orders(limit).await?;
    let list: Vec<Value> = orders.iter().map(|o| order_json(o, &[])).collect();
    Ok(Json(json!({ "orders": list })))
}

/// `GET /api/orders/{ref}`: the order, refreshed first with GetTransactionStatus while FPS may
/// still change it, with its event trail (`events`: every state change, refusal and FPS
/// outcome) and `fpsRequests` (FPS's RequestId of each Query API call made for it). A failed refresh still shows the stored order, with `refreshError`.
pub async fn get_order(
    _admin: Admin,
    State(app): State<AppState>,
    ApiPath(reference): ApiPath,
) -> Result<Json<Value>, ApiError> {
    let (order, refunds, refresh_error) = app.orders.refresh(&reference).await?;
    let mut body = order_json(&order, &refunds);
    let events = app.store.events(Some(&reference)).await?;
    body["events"] = events
        .into_iter()
        .map(|(kind, detail)| json!({ "kind": kind, "detail": detail }))
        .collect();
    // FPS's RequestId of every Query API call made for the order (support quotes them).
    body["fpsRequests"] = json!(app.store.fps_requests(&reference).await?);
    // Refusals past the trail's cap of each kind are counted per day.
    body["refusalCounts"] = app
        .store
        .refusal_counts(Some(&reference))
        .await?
        .into_iter()
        .map(|(kind, day, count, detail)| {
            json!({ "kind": kind, "day": iso_seconds(day), "count": count, "latest": detail })
        })
        .collect();
    if let Some(error) = refresh_error {
        body["refreshError"] = Value::String(error);
    }
    Ok(Json(body))
}

/// Body of settle and refund: an optional amount (`"5.00"`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmountBody {
    /// The amount; the rule's default when absent.
    pub amount: Option<String>,
    /// A note for FPS's records.
    pub description: Option<String>,
}

fn amount_body(bytes: &Bytes) -> Result<AmountBody, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(AmountBody::default());
    }
    serde_json::from_slice(bytes).map_err(|e| ApiError::Invalid {
        code: "INVALID_BODY",
        message: e.to_string().chars().take(200).collect(),
    })
}

fn parse_amount(text: Option<&str>) -> Result<Option<Amount>, ApiError> {
    text.map(|t| {
        Amount::parse_in(t, Currency::Usd).map_err(|e| ApiError::Invalid {
            code: e.code(),
            message: e.to_string(),
        })
    })
    .transpose()
}

/// `POST /api/orders/{ref}/settle`: once, while reserved, at most the reserved amount.
pub async fn settle(
    _admin: Admin,
    State(app): State<AppState>,
    ApiPath(reference): ApiPath,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let body = amount_body(&body)?;
    let asked = parse_amount(body.amount.as_deref())?;
    let order = app.orders.settle(&reference, asked).await?;
    Ok(Json(order_json(&order, &[])))
}

/// `POST /api/orders/{ref}/cancel`: only while pending or reserved.
pub async fn cancel(
    _admin: Admin,
    State(app): State<AppState>,
    ApiPath(reference): ApiPath,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let body = amount_body(&body)?;
    if body.amount.is_some() {
        return Err(ApiError::Invalid {
            code: "INVALID_BODY",
            message: "cancel takes no amount".to_owned(),
        });
    }
    let order = app.orders.cancel(&reference, body.description).await?;
    Ok(Json(order_json(&order, &[])))
}

/// `POST /api/orders/{ref}/refund`: only when paid; all refunds together at most what was taken.
pub async fn refund(
    _admin: Admin,
    State(app): State<AppState>,
    ApiPath(reference): ApiPath,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let body = amount_body(&body)?;
    let asked = parse_amount(body.amount.as_deref())?;
    let (order, refunds) = app.orders.refund(&reference, asked, body.description).await?;
    Ok(Json(order_json(&order, &refunds)))
}

/// A refund request as the admin page lists it, with what its order has left to refund.
fn request_json(request: &RefundRequest, order: Option<&Order>) -> Value {
    json!({
        "id": request.id,
        "orderReference": request.order_reference,
        "amount": money(request.amount_minor),
        "reason": request.reason,
        "status": request.state.as_str(),
        "message": request.message,
        "refundReference": request.refund_reference,
        "createdAt": iso_seconds(request.created_at),
        "orderStatus": order.map(|o| o.state.as_str()),
        "orderAmount": order.map(|o| money(o.amount_minor)),
        "refundableAmount": order.map(|o| money(o.settled_minor.saturating_sub(o.refunded_minor))),
    })
}

/// How many pending requests the list shows.
const MAX_LISTED_REQUESTS: u32 = 200;

/// `GET /api/refund-requests`: the pending refund requests, oldest first (at most 200).
pub async fn list_refund_requests(
    _admin: Admin,
    State(app): State<AppState>,
) -> Result<Json<Value>, ApiError> {
    let requests = app.store.pending_refund_requests(MAX_LISTED_REQUESTS).await?;
    let mut list = Vec::with_capacity(requests.len());
    for request in &requests {
        let order = app.store.order(&request.order_reference).await?;
        list.push(request_json(request, order.as_ref()));
    }
    Ok(Json(json!({ "requests": list })))
}

/// `POST /api/refund-requests/{id}/approve`: issues the Refund the shopper asked for (once).
pub async fn approve_refund_request(
    _admin: Admin,
    State(app): State<AppState>,
    ApiPath(id): ApiPath,
) -> Result<Json<Value>, ApiError> {
    let (order, refunds) = app.orders.approve_refund_request(&id).await?;
    let request = app.orders.load_refund_request(&id).await?;
    Ok(Json(json!({
        "request": request_json(&request, Some(&order)),
        "order": order_json(&order, &refunds),
    })))
}

/// Body of a decline: the message the shopper sees.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeclineBody {
    /// For the shopper (1 to [`super::orders::MAX_DECLINE_MESSAGE_CHARS`] characters).
    pub message: String,
}

/// `POST /api/refund-requests/{id}/decline` with `{"message": ...}`: declines; moves no money.
pub async fn decline_refund_request(
    _admin: Admin,
    State(app): State<AppState>,
    ApiPath(id): ApiPath,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let body: DeclineBody = serde_json::from_slice(&body).map_err(|e| ApiError::Invalid {
        code: "INVALID_BODY",
        message: e.to_string().chars().take(200).collect(),
    })?;
    let request = app.orders.decline_refund_request(&id, &body.message).await?;
    let order = app.store.order(&request.order_reference).await?;
    Ok(Json(json!({ "request": request_json(&request, order.as_ref()) })))
}
