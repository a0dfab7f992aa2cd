//! The shopper's own order page API, opened by the secret link of [`super::order_link`]: see the
//! order, cancel it before money is taken, and authorize it again after a failed payment or
//! settlement (a new CBUI request for the same order, under a new callerReference).

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::Json;
use serde_json::{json, Value};

use super::error::{ApiError, ApiPath};
use super::order::{caller_reference, check_reauthorize, check_shopper_cancel, money, OrderState};
use super::order_link::ORDER_KEY_HEADER;
use super::server::AppState;
use super::store::Order;

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
        OrderState::Reserved => "The amount is reserved; it will be charged when your order ships.",
        OrderState::Settling => "Your order is shipping; the reserved amount is being charged.",
        OrderState::Paid => "Paid. Thank you!",
        OrderState::Refunded => "Refunded.",
        OrderState::Cancelled => "Cancelled. Nothing was charged.",
        OrderState::Failed => "The payment did not go through. Nothing was charged.",
    }
}

/// The order as its shopper sees it: no FPS ids, no audit trail.
pub fn shopper_json(order: &Order) -> Value {
    let items: Value = serde_json::from_str(&order.items).unwrap_or(Value::Null);
    json!({
        "orderId": order.reference,
        "status": order.state.as_str(),
        "statusText": status_text(order.state),
        "amount": money(order.amount_minor),
        "currency": order.currency,
        "description": order.description,
        "items": items,
        "paymentMode": order.mode,
        "callerReference": caller_reference(&order.reference, order.attempt),
        "attempt": order.attempt,
        "refundedAmount": money(order.refunded_minor),
        "reason": (order.state == OrderState::Failed).then_some(order.last_error.as_deref()).flatten(),
        "canCancel": check_shopper_cancel(order.state).is_ok(),
        "canReauthorize": check_reauthorize(order.state, order.attempt).is_ok(),
    })
}

/// `GET /api/shop/orders/{ref}` with the page key: the order.
pub async fn show(
    State(app): State<AppState>,
    ApiPath(reference): ApiPath,
    key: OrderKey,
) -> Result<Json<Value>, ApiError> {
    let order = open(&app, &reference, &key).await?;
    Ok(Json(shopper_json(&order)))
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
    Ok(Json(shopper_json(&order)))
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
    Ok(Json(shopper_json(&order)))
}
