//! Keeping orders in step with FPS: applying a transaction status (from an IPN or from
//! GetTransactionStatus) forward only, and the IPN endpoint that verifies notifications first.

use axum::extract::State;
use axum::Json;
use serde_json::Value;

use super::checkout::record;
use super::error::{ApiError, RawText};
use super::order::{failure_reason, next_state, split_caller_reference, OrderState, Which};
use super::server::AppState;
use super::store::{Changes, Order, Refund, StoreError};
use crate::core::canonical::{decode_query, reject_duplicates, PlusIs};
use crate::fps::{TransactionStatus, Verification};

/// Moves `order` as `status` of its `which` transaction says, if that is forward. Returns the
/// order as stored afterwards. A concurrent change wins and is returned as it is.
pub async fn apply_status(
    app: &AppState,
    order: Order,
    which: Which,
    status: TransactionStatus,
) -> Result<Order, StoreError> {
    let Some(next) = next_state(order.state, order.mode, which, status) else {
        return Ok(order);
    };
    let settled = (next == OrderState::Paid).then(|| {
        if order.state == OrderState::Settling {
            order.settle_amount_minor.unwrap_or(order.amount_minor)
        } else {
            order.amount_minor
        }
    });
    let changes = Changes {
        transaction_status: (which == Which::Charge).then(|| status.as_str().to_owned()),
        settled_minor: settled,
        last_error: (next == OrderState::Failed).then(|| failure_reason(order.state).to_owned()),
        ..Changes::default()
    };
    match app
        .store
        .transition(&order.reference, &[order.state], next, changes)
        .await
    {
        Ok(order) => {
            tracing::info!(order = %order.reference, state = %order.state, "order moved by FPS status");
            Ok(order)
        }
        Err(StoreError::Conflict { .. }) => app
            .store
            .order(&order.reference)
            .await?
            .ok_or(StoreError::NotFound(order.reference)),
        Err(e) => Err(e),
    }
}

/// Which of the order's transactions `transaction_id` is.
pub fn which_transaction(order: &Order, transaction_id: &str) -> Which {
    let is_charge = order.transaction_id.as_deref() == Some(transaction_id);
    let is_settle = order.settle_transaction_id.as_deref() == Some(transaction_id);
    if is_settle && !is_charge {
        Which::Settle
    } else {
        Which::Charge
    }
}

/// Longest `transactionId` accepted from a notification.
pub const MAX_TRANSACTION_ID_BYTES: usize = 64;

/// An IPN form body, decoded (form style: `+` is a space) with duplicate names refused. Pure: no
/// I/O, so it is fuzzed on its own (`fuzz/fuzz_targets/ipn_form.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pairs: Vec<(String, String)>,
}

/// What a verified notification says about a transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationFields {
    /// `transactionId`: 1 to [`MAX_TRANSACTION_ID_BYTES`] bytes.
    pub transaction_id: String,
    /// `transactionStatus`, either spelling.
    pub status: TransactionStatus,
    /// `callerReference`, if present.
    pub caller_reference: Option<String>,
}

impl Notification {
    /// Decodes a form body; refuses bad encoding, oversize, too many pairs and duplicate names.
    pub fn parse(body: &str) -> Result<Self, String> {
        let pairs = decode_query(body, PlusIs::Space).map_err(|e| e.to_string())?;
        reject_duplicates(&pairs).map_err(|e| e.to_string())?;
        Ok(Notification { pairs })
    }

    /// A decoded value by name.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether the body carries a `signature` at all (checked before asking FPS).
    pub fn is_signed(&self) -> bool {
        self.get("signature").is_some()
    }

    /// The fields the backend acts on; read only once FPS verified the body.
    pub fn fields(&self) -> Result<NotificationFields, String> {
        let transaction_id = self
            .get("transactionId")
            .filter(|t| !t.is_empty() && t.len() <= MAX_TRANSACTION_ID_BYTES)
            .ok_or_else(|| "no transactionId".to_owned())?
            .to_owned();
        let status_text = self.get("transactionStatus").unwrap_or_default();
        let status = TransactionStatus::parse(status_text).ok_or_else(|| {
            format!(
                "unknown transactionStatus {:?}",
                status_text.chars().take(40).collect::<String>()
            )
        })?;
        Ok(NotificationFields {
            transaction_id,
            status,
            caller_reference: self.get("callerReference").map(str::to_owned),
        })
    }
}

/// `POST /fps/ipn`: an Instant Payment Notification. Verified with FPS (UrlEndPoint = the
/// configured IPN URL, HttpParameters = the raw body) before anything is read from it; applied
/// forward only; answered 200 once stored, so FPS stops resending it.
pub async fn ipn(State(app): State<AppState>, RawText(body): RawText) -> Result<Json<Value>, ApiError> {
    let invalid = |message: String| ApiError::Invalid {
        code: "INVALID_NOTIFICATION",
        message,
    };
    let notification = Notification::parse(&body).map_err(invalid)?;
    if !notification.is_signed() {
        record(&app, None, "ipn_unsigned", &body).await;
        return Err(ApiError::Forbidden {
            code: "SIGNATURE_INVALID",
            message: "the notification carries no signature".to_owned(),
        });
    }
    match app.fps.verify_signature(app.config.ipn_url.as_str(), &body).await {
        Ok(Verification::Success) => {}
        Ok(Verification::Failure) => {
            record(&app, None, "ipn_forged", &body).await;
            return Err(ApiError::Forbidden {
                code: "SIGNATURE_INVALID",
                message: "FPS did not confirm this notification's signature".to_owned(),
            });
        }
        Err(source) => {
            return Err(ApiError::Fps {
                context: "cannot verify the notification with FPS; send it again later".to_owned(),
                source,
            })
        }
    }
    let NotificationFields {
        transaction_id,
        status,
        caller_reference,
    } = notification.fields().map_err(invalid)?;

    if app
        .store
        .notification_seen(&transaction_id, status.as_str())
        .await?
    {
        return Ok(Json(
            serde_json::json!({ "result": "duplicate", "message": "already applied; nothing changed" }),
        ));
    }
    let answer = apply_notification(&app, &transaction_id, caller_reference.as_deref(), status).await?;
    // Remembered only once applied: a crash in between makes the resent notification apply
    // again (forward only, so harmlessly), never be dropped as a duplicate.
    app.store
        .remember_notification(&transaction_id, status.as_str())
        .await?;
    Ok(Json(answer))
}

/// Applies a verified notification to the order or refund it is about.
async fn apply_notification(
    app: &AppState,
    transaction_id: &str,
    caller_reference: Option<&str>,
    status: TransactionStatus,
) -> Result<Value, ApiError> {
    if let Some(order) = app.store.order_by_transaction(transaction_id).await? {
        let which = which_transaction(&order, transaction_id);
        let before = order.state;
        let order = apply_status(app, order, which, status).await?;
        if order.state == before {
            record(
                app,
                Some(&order.reference),
                "ipn_not_applied",
                &format!(
                    "{transaction_id} {} leaves the order {}",
                    status.as_str(),
                    order.state
                ),
            )
            .await;
        }
        return Ok(
            serde_json::json!({ "result": "stored", "orderId": order.reference, "status": order.state.as_str() }),
        );
    }
    // A refund is found by its transaction id, or (when the notification overtakes FPS's answer
    // to the Refund call) by its own CallerReference.
    let refund = match app.store.refund_by_transaction(transaction_id).await? {
        Some(refund) => Some(refund),
        None => match caller_reference {
            Some(reference) => app
                .store
                .refund(reference)
                .await?
                .filter(|r| r.transaction_id.as_deref().map_or(true, |t| t == transaction_id)),
            None => None,
        },
    };
    if let Some(refund) = refund {
        app.store
            .finish_refund(&refund.caller_reference, status.as_str(), Some(transaction_id))
            .await?;
        return Ok(serde_json::json!({ "result": "stored", "orderId": refund.order_reference }));
    }
    // A charge whose answer was lost (timeout) is known to FPS by our CallerReference.
    if let Some(reference) = caller_reference {
        let (reference, attempt) = split_caller_reference(reference);
        if let Some(order) = app.store.order(reference).await? {
            if order.state == OrderState::Charging
                && order.transaction_id.is_none()
                && order.attempt == attempt
            {
                let order = app
                    .store
                    .transition(
                        &order.reference,
                        &[OrderState::Charging],
                        OrderState::Charging,
                        Changes {
                            transaction_id: Some(transaction_id.to_owned()),
                            ..Changes::default()
                        },
                    )
                    .await?;
                let order = apply_status(app, order, Which::Charge, status).await?;
                return Ok(
                    serde_json::json!({ "result": "stored", "orderId": order.reference, "status": order.state.as_str() }),
                );
            }
        }
    }
    record(
        app,
        None,
        "ipn_unknown_transaction",
        &format!("{transaction_id} {}", status.as_str()),
    )
    .await;
    Ok(serde_json::json!({ "result": "stored", "message": "no order has this transaction; recorded" }))
}

/// What [`refresh_refunds`] found: the order's refunds as stored afterwards, whether any of them
/// changed (then the order may have too), and the first FPS error met, if any.
#[derive(Debug)]
pub struct RefreshedRefunds {
    /// The refunds, as stored after the refresh.
    pub refunds: Vec<Refund>,
    /// Whether FPS's answers changed a refund.
    pub changed: bool,
    /// The first FPS error met (the refunds it was about stay as they were).
    pub error: Option<String>,
}

/// Asks FPS (GetTransactionStatus) about each of the order's refunds that is still under way
/// and records what it says, so an order whose refund notification was lost still completes.
pub async fn refresh_refunds(app: &AppState, reference: &str) -> Result<RefreshedRefunds, StoreError> {
    let mut error = None;
    let mut changed = false;
    let refunds = app.store.refunds(reference).await?;
    for refund in &refunds {
        let under_way = matches!(refund.state.as_str(), "requested" | "Pending");
        let Some(transaction_id) = refund.transaction_id.as_deref().filter(|_| under_way) else {
            continue;
        };
        match app.fps.transaction_status(transaction_id).await {
            Ok(status) if status.transaction_status != TransactionStatus::Pending => {
                app.store
                    .finish_refund(
                        &refund.caller_reference,
                        status.transaction_status.as_str(),
                        Some(transaction_id),
                    )
                    .await?;
                changed = true;
            }
            Ok(_) => {}
            Err(e) => {
                error.get_or_insert(e.to_string());
            }
        }
    }
    let refunds = if changed {
        app.store.refunds(reference).await?
    } else {
        refunds
    };
    Ok(RefreshedRefunds {
        refunds,
        changed,
        error,
    })
}
