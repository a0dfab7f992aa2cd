//! The shopper's own order page API, opened by the secret link of [`super::order_link`]: see the
//! order, cancel it before money is taken, authorize it again after a failed payment or
//! settlement (a new CBUI request for the same order, under a new callerReference), and ask for
//! a refund of a paid order (which only the admin can grant).

use axum::body::Bytes;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::error::{ApiError, ApiPath};
use super::order::{caller_reference, check_reauthorize, check_shopper_cancel, money, OrderState};
use super::order_link::ORDER_KEY_HEADER;
use super::server::AppState;
use super::store::{Order, Refund, RefundRequest, RequestState};
use fps_core::{Amount, Currency};

/// The order page's key, from the `Fps-Order-Key` header (empty when absent: opens nothing).
#[derive(Debug)]
pub struct OrderKey(String);

impl<S: Send + Sync> FromRequestParts<S> for OrderKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let key = parts
            .headers
            .get(ORDER_KEY_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        // A key is 43 characters; anything much longer is not one (and is not copied).
        Ok(OrderKey(if key.len() <= 64 {
            key.to_owned()
        } else {
            String::new()
        }))
    }
}

/// The order `key` opens. A wrong key and an unknown order get the same answer, so the API
/// tells nobody which orders exist.
async fn open(app: &AppState, reference: &str, key: &OrderKey) -> Result<Order, ApiError> {
    let not_found = || ApiError::NotFound {
        code: "UNKNOWN_ORDER",
        message: "no order matches this link".to_owned(),
    };
    if !app.order_links.opens(reference, &key.0) {
        return Err(not_found());
    }
    app.store.order(reference).await?.ok_or_else(not_found)
}

/// A sentence for the shopper about where the order stands.
fn status_text(state: OrderState) -> &'static str {
    match state {
        OrderState::Open => "Waiting for your authorization with Amazon Payments.",
        OrderState::Charging | OrderState::Pending => "Your payment is being processed.",
        OrderState::Reserved => "Your card is authorized; you are charged when your order ships.",
        OrderState::Settling => "Your order is shipping; the reserved amount is being charged.",
        OrderState::Paid => "Paid. Thank you!",
        OrderState::Refunded => "Refunded.",
        OrderState::Cancelled => "Cancelled. Nothing was charged.",
        OrderState::Failed => "The payment did not go through. Nothing was charged.",
    }
}

/// The latest refund request as its shopper sees it, with the outcome of the refund its approval
/// issued (`refundStatus`: `requested` or `Pending` while under way, `Success`, or `failed`).
fn request_json(request: &RefundRequest, refunds: &[Refund]) -> Value {
    let refund = request
        .refund_reference
        .as_deref()
        .and_then(|r| refunds.iter().find(|f| f.caller_reference == r));
    json!({
        "status": request.state.as_str(),
        "amount": money(request.amount_minor),
        "reason": request.reason,
        "message": request.message,
        "refundStatus": refund.map(|r| r.state.as_str()),
    })
}

/// The order as its shopper sees it: no FPS ids, no audit trail. `requests` are the order's
/// refund requests, newest first, and `refunds` its refunds.
pub fn shopper_json(order: &Order, requests: &[RefundRequest], refunds: &[Refund]) -> Value {
    let items: Value = serde_json::from_str(&order.items).unwrap_or(Value::Null);
    let left = order.settled_minor.saturating_sub(order.refunded_minor);
    let pending = requests.iter().any(|r| r.state == RequestState::Pending);
    json!({
        "orderId": order.reference,
        "status": order.state.as_str(),
        "statusText": status_text(order.state),
        "amount": money(order.amount_minor),
        "currency": order.currency,
        "description": order.description,
        "items": items,
        "paymentMode": order.mode,
        "collectShippingAddress": order.ships,
        "shippingAddress": order.shipping_address,
        "paymentMethod": order.payment_method,
        "callerReference": caller_reference(&order.reference, order.attempt),
        "attempt": order.attempt,
        "refundedAmount": money(order.refunded_minor),
        "reason": (order.state == OrderState::Failed).then_some(order.last_error.as_deref()).flatten(),
        "canCancel": check_shopper_cancel(order.state).is_ok(),
        "canReauthorize": check_reauthorize(order.state, order.attempt).is_ok(),
        "refundableAmount": money(left),
        "canRequestRefund": order.state == OrderState::Paid && left > 0 && !pending,
        "refundRequest": requests.first().map(|r| request_json(r, refunds)),
    })
}

/// The order page's answer about `order`: the order with its refund requests and refunds.
async fn view(app: &AppState, order: &Order) -> Result<Json<Value>, ApiError> {
    let requests = app.store.refund_requests_of(&order.reference).await?;
    let refunds = app.store.refunds(&order.reference).await?;
    Ok(Json(shopper_json(order, &requests, &refunds)))
}

/// `GET /api/shop/orders/{ref}` with the page key: the order.
pub async fn show(
    State(app): State<AppState>,
    ApiPath(reference): ApiPath,
    key: OrderKey,
) -> Result<Json<Value>, ApiError> {
    let order = open(&app, &reference, &key).await?;
    view(&app, &order).await
}

/// `POST /api/shop/orders/{ref}/cancel` with the page key: cancels before money is taken (an
/// open order here alone, a pending or reserved one with FPS first).
pub async fn cancel(
    State(app): State<AppState>,
    ApiPath(reference): ApiPath,
    key: OrderKey,
) -> Result<Json<Value>, ApiError> {
    let order = open(&app, &reference, &key).await?;
    let order = app.orders.shopper_cancel(order).await?;
    tracing::info!(order = %reference, "order cancelled by the shopper");
    view(&app, &order).await
}

/// `POST /api/shop/orders/{ref}/reauthorize` with the page key: opens a failed order for a new
/// authorization. The answer's `callerReference` is the new attempt's, for a new Pay Now button.
pub async fn reauthorize(
    State(app): State<AppState>,
    ApiPath(reference): ApiPath,
    key: OrderKey,
) -> Result<Json<Value>, ApiError> {
    let order = open(&app, &reference, &key).await?;
    let order = app.orders.reauthorize(order).await?;
    tracing::info!(order = %reference, attempt = order.attempt, "order opened for a new authorization");
    view(&app, &order).await
}

/// Body of a refund request: the shopper's reason and, for part of the order, an amount.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefundRequestBody {
    /// Why (1 to [`super::orders::MAX_REASON_CHARS`] characters).
    pub reason: String,
    /// How much (`"5.00"`); all that is left to refund when absent.
    pub amount: Option<String>,
}

/// `POST /api/shop/orders/{ref}/refund-request` with the page key: asks the shop for a refund of
/// a paid order. Moves no money: the request waits for the admin (one pending per order).
pub async fn request_refund(
    State(app): State<AppState>,
    ApiPath(reference): ApiPath,
    key: OrderKey,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let order = open(&app, &reference, &key).await?;
    let body: RefundRequestBody = serde_json::from_slice(&body).map_err(|e| ApiError::Invalid {
        code: "INVALID_BODY",
        message: e.to_string().chars().take(200).collect(),
    })?;
    let asked = body
        .amount
        .as_deref()
        .map(|t| {
            Amount::parse_in(t, Currency::Usd).map_err(|e| ApiError::Invalid {
                code: e.code(),
                message: e.to_string(),
            })
        })
        .transpose()?;
    app.orders.request_refund(&order, asked, &body.reason).await?;
    view(&app, &order).await
}
