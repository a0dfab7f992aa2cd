//! The admin API (bearer `FPS_ADMIN_TOKEN`): list and inspect orders (refreshed with
//! GetTransactionStatus), settle, cancel and refund under the money rules.

use axum::body::Bytes;
use axum::extract::{FromRequestParts, RawQuery, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use subtle::ConstantTimeEq;

use super::checkout::{record, refusal};
use super::error::{ApiError, ApiPath};
use super::order::{attention, check_cancel, check_refund, check_settle, money, OrderState, Which};
use super::server::{request_timeout, AppState};
use super::store::{now, Changes, Order, Refund, StoreError};
use super::tracking::{apply_status, refresh_refunds};
use crate::core::canonical::{decode_query, reject_duplicates, PlusIs};
use crate::core::params::CallerReference;
use crate::core::{Amount, Currency};
use crate::fps::{Action, FpsError, Timestamp, TransactionStatus};

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
        "attempt": order.attempt,
        "needsAttention": attention(order.state, order.last_error.as_deref(), order.updated_at, super::store::now()),
        "createdAt": order.created_at,
        "updatedAt": order.updated_at,
    })
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

/// A stored order, or `UNKNOWN_ORDER` (404).
pub(super) async fn load(app: &AppState, reference: &str) -> Result<Order, ApiError> {
    app.store
        .order(reference)
        .await?
        .ok_or_else(|| ApiError::NotFound {
            code: "UNKNOWN_ORDER",
            message: "no such order".to_owned(),
        })
}

/// `GET /api/orders/{ref}`: the order, refreshed first with GetTransactionStatus while FPS may
/// still change it, with its audit trail (`events`: refused returns, FPS failures). A failed
/// refresh still shows the stored order, with `refreshError`.
pub async fn get_order(
    _admin: Admin,
    State(app): State<AppState>,
    ApiPath(reference): ApiPath,
) -> Result<Json<Value>, ApiError> {
    let mut order = load(&app, &reference).await?;
    let mut refresh_error = None;
    let open = matches!(
        order.state,
        OrderState::Charging | OrderState::Pending | OrderState::Reserved | OrderState::Settling
    );
    let target = match (order.state, &order.settle_transaction_id, &order.transaction_id) {
        (OrderState::Settling, Some(settle), _) => Some((settle.clone(), Which::Settle)),
        (_, _, Some(charge)) => Some((charge.clone(), Which::Charge)),
        _ => None,
    };
    if let (true, Some((transaction_id, which))) = (open, target) {
        match app.fps.transaction_status(&transaction_id).await {
            Ok(status) => {
                order = apply_status(&app, order, which, status.transaction_status).await?;
                // A settle whose answer was lost: the reserve still Reserved means it did not
                // happen. Only once the settle request is surely over: while it is in flight,
                // FPS still says Reserved too.
                let settle_over = now() - order.updated_at
                    > i64::try_from(request_timeout(&app.config).as_secs()).unwrap_or(i64::MAX);
                if order.state == OrderState::Settling
                    && which == Which::Charge
                    && status.transaction_status == TransactionStatus::Reserved
                    && order.settle_transaction_id.is_none()
                    && settle_over
                {
                    order = settle_not_done(&app, &reference).await.unwrap_or(order);
                }
            }
            Err(e) => refresh_error = Some(e.to_string()),
        }
    }
    let refunds = if order.state == OrderState::Paid {
        let refreshed = refresh_refunds(&app, &reference).await?;
        if let Some(error) = refreshed.error {
            refresh_error.get_or_insert(error);
        }
        if refreshed.changed {
            order = load(&app, &reference).await?;
        }
        refreshed.refunds
    } else {
        app.store.refunds(&reference).await?
    };
    let mut body = order_json(&order, &refunds);
    let events = app.store.events(Some(&reference)).await?;
    body["events"] = events
        .into_iter()
        .map(|(kind, detail)| json!({ "kind": kind, "detail": detail }))
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

pub(crate) fn conflict(e: StoreError) -> ApiError {
    match e {
        StoreError::Conflict { current, expected } => ApiError::Conflict {
            code: "WRONG_STATE",
            message: format!("order is {current}, not {expected} (changed meanwhile)"),
        },
        other => other.into(),
    }
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
    let order = load(&app, &reference).await?;
    let amount_minor = asked.map_or(order.amount_minor, |a| a.minor_units());
    check_settle(order.state, amount_minor, order.amount_minor)?;
    let reserve_id = order.transaction_id.clone().ok_or_else(|| ApiError::Conflict {
        code: "WRONG_STATE",
        message: "the order has no reserve transaction".to_owned(),
    })?;
    app.store
        .transition(
            &reference,
            &[OrderState::Reserved],
            OrderState::Settling,
            Changes {
                settle_amount_minor: Some(amount_minor),
                ..Changes::default()
            },
        )
        .await
        .map_err(conflict)?;
    let amount = asked.filter(|a| a.minor_units() != order.amount_minor);
    match app.fps.settle(&reserve_id, amount).await {
        Ok(result) => {
            let settle_id = (result.transaction_id != reserve_id).then(|| result.transaction_id.clone());
            let order = app
                .store
                .transition(
                    &reference,
                    &[OrderState::Settling],
                    OrderState::Settling,
                    Changes {
                        settle_transaction_id: settle_id,
                        ..Changes::default()
                    },
                )
                .await
                .map_err(conflict)?;
            let which = if order.settle_transaction_id.is_some() {
                Which::Settle
            } else {
                Which::Charge
            };
            let order = apply_status(&app, order, which, result.transaction_status).await?;
            Ok(Json(order_json(&order, &[])))
        }
        Err(source) if !source.outcome_unknown() => {
            let detail = source.to_string();
            record(&app, Some(&reference), "settle_refused", &detail).await;
            app.store
                .transition(
                    &reference,
                    &[OrderState::Settling],
                    OrderState::Reserved,
                    Changes {
                        last_error: Some(detail),
                        ..Changes::default()
                    },
                )
                .await
                .map_err(conflict)?;
            Err(refusal(
                source,
                "FPS refused the settle; the order is still reserved",
            ))
        }
        Err(source) => {
            record(&app, Some(&reference), "settle_unknown", &source.to_string()).await;
            // FPS answered (a 5xx, a garbled body): the call is over, so its status says
            // whether it settled. After a timeout or a broken connection FPS may still be at
            // work; GET /api/orders/{ref} decides once the request is surely over.
            if matches!(source, FpsError::Http { .. } | FpsError::Malformed { .. }) {
                settle_outcome(&app, &reference, &reserve_id).await;
            }
            Err(ApiError::Fps {
                context: "the settle's outcome is not known; the order stays settling until \
                          GET /api/orders/{ref} finds out from FPS"
                    .to_owned(),
                source,
            })
        }
    }
}

/// Finds out from FPS whether a settle whose answer was unusable happened: the reserve still
/// `Reserved` means it did not (the order is reserved again); anything else is applied.
/// Best effort: if FPS cannot say, the order stays settling for the admin GET to resolve.
async fn settle_outcome(app: &AppState, reference: &str, reserve_id: &str) {
    let Ok(status) = app.fps.transaction_status(reserve_id).await else {
        return;
    };
    let Ok(Some(order)) = app.store.order(reference).await else {
        return;
    };
    if status.transaction_status == TransactionStatus::Reserved {
        settle_not_done(app, reference).await;
    } else {
        let _ = apply_status(app, order, Which::Charge, status.transaction_status).await;
    }
}

/// A settle FPS never performed (the reserve is still `Reserved` once the request is surely
/// over): the order goes back from `settling` to `reserved`, to be settled again. Returns the
/// order as moved; `None` when it had moved meanwhile or the store failed (logged).
async fn settle_not_done(app: &AppState, reference: &str) -> Option<Order> {
    match app
        .store
        .transition(
            reference,
            &[OrderState::Settling],
            OrderState::Reserved,
            Changes::default(),
        )
        .await
    {
        Ok(order) => {
            tracing::info!(order = %reference, "settle not done by FPS; the order is reserved again");
            Some(order)
        }
        Err(StoreError::Conflict { .. }) => None,
        Err(e) => {
            tracing::error!(order = %reference, error = %e, "cannot put the order back to reserved");
            None
        }
    }
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
    let order = load(&app, &reference).await?;
    check_cancel(order.state)?;
    let order = cancel_with_fps(&app, &order, body.description).await?;
    Ok(Json(order_json(&order, &[])))
}

/// Cancels a pending or reserved order's transaction with FPS, then the order; FPS refusing
/// leaves the order as it was. Shared by the admin's and the shopper's cancel.
pub(crate) async fn cancel_with_fps(
    app: &AppState,
    order: &Order,
    description: Option<String>,
) -> Result<Order, ApiError> {
    let reference = &order.reference;
    let transaction_id = order.transaction_id.clone().ok_or_else(|| ApiError::Conflict {
        code: "WRONG_STATE",
        message: "the order has no transaction to cancel".to_owned(),
    })?;
    match app.fps.cancel(&transaction_id, description).await {
        Ok(result) => {
            let status = match result.transaction_status {
                TransactionStatus::Cancelled => "Cancelled",
                other => other.as_str(),
            };
            let order = app
                .store
                .transition(
                    reference,
                    &[OrderState::Pending, OrderState::Reserved],
                    OrderState::Cancelled,
                    Changes {
                        transaction_status: Some(status.to_owned()),
                        ..Changes::default()
                    },
                )
                .await
                .map_err(conflict)?;
            Ok(order)
        }
        Err(source) => {
            record(app, Some(reference), "cancel_failed", &source.to_string()).await;
            Err(refusal(source, "FPS did not cancel; the order is unchanged"))
        }
    }
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
    let order = load(&app, &reference).await?;
    let left = order.settled_minor.saturating_sub(order.refunded_minor);
    let amount_minor = asked.map_or(left, |a| a.minor_units());
    check_refund(
        order.state,
        amount_minor,
        order.settled_minor,
        order.refunded_minor,
    )?;
    let amount = Amount::from_minor(amount_minor, Currency::Usd).map_err(|_| ApiError::Conflict {
        code: "AMOUNT_TOO_LARGE",
        message: "nothing is left to refund".to_owned(),
    })?;
    let transaction_id = order.transaction_id.clone().ok_or_else(|| ApiError::Conflict {
        code: "WRONG_STATE",
        message: "the order has no transaction to refund".to_owned(),
    })?;
    let refund_reference = format!(
        "{reference}-r{}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    );
    let caller_reference =
        CallerReference::new(&refund_reference).map_err(|e| StoreError::Database(e.to_string()))?;
    let timestamp = Timestamp::now();
    let refund = Refund {
        caller_reference: refund_reference.clone(),
        order_reference: reference.clone(),
        amount_minor,
        state: "requested".to_owned(),
        request_timestamp: timestamp.as_str().to_owned(),
        transaction_id: None,
    };
    app.store.begin_refund(&refund).await.map_err(|e| match e {
        StoreError::Conflict { .. } => ApiError::Conflict {
            code: "AMOUNT_TOO_LARGE",
            message: "another refund took the amount meanwhile".to_owned(),
        },
        other => other.into(),
    })?;
    let action = Action::Refund {
        transaction_id,
        caller_reference,
        amount: Some(amount),
        description: body.description,
    };
    match app.fps.refund(action, &timestamp).await {
        Ok(result) => {
            app.store
                .finish_refund(
                    &refund_reference,
                    result.transaction_status.as_str(),
                    Some(&result.transaction_id),
                )
                .await?;
        }
        Err(source) if !source.outcome_unknown() => {
            app.store.finish_refund(&refund_reference, "failed", None).await?;
            record(&app, Some(&reference), "refund_refused", &source.to_string()).await;
            return Err(refusal(source, "FPS refused the refund; nothing was refunded"));
        }
        Err(source) => {
            record(&app, Some(&reference), "refund_unknown", &source.to_string()).await;
            return Err(unknown_refund(source));
        }
    }
    let order = load(&app, &reference).await?;
    let refunds = app.store.refunds(&reference).await?;
    Ok(Json(order_json(&order, &refunds)))
}

fn unknown_refund(source: FpsError) -> ApiError {
    ApiError::Fps {
        context: "the refund's outcome is not known; it stays recorded as requested and its amount \
                  stays reserved until FPS reports it"
            .to_owned(),
        source,
    }
}
