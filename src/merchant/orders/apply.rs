//! Applying what FPS says about a transaction: a status (from an IPN, GetTransactionStatus or
//! the reconciler) moves an order forward only, and a transaction id the order has not seen is
//! first bound to it: read with GetTransaction (FPS shows a caller only its own transactions)
//! and required to carry the order's CallerReference and amount.

use serde_json::{json, Value};

use super::{next_check_for, OrderService};
use crate::fps::{FpsError, TransactionDetails, TransactionStatus, Verification};
use crate::merchant::error::ApiError;
use crate::merchant::order::{
    caller_reference, failure_reason, next_state, split_caller_reference, Mode, OrderState, Which,
};
use crate::merchant::store::{Changes, Event, Order, Refund, StoreError};
use crate::merchant::tracking::{Notification, NotificationFields};

/// Why a transaction FPS named is not this order's (or this refund's).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BindError {
    /// FPS does not show it to this caller (another caller's, or none).
    #[error("FPS does not show transaction {0} to this shop")]
    NotOurs(String),
    /// It carries another CallerReference.
    #[error("transaction {id} carries callerReference {found:?}, not {expected}")]
    OtherReference {
        /// The transaction.
        id: String,
        /// What it carries.
        found: Option<String>,
        /// What the order needs.
        expected: String,
    },
    /// Its amount or operation differs from the order's.
    #[error("transaction {id} is {found}, not {expected}")]
    OtherCharge {
        /// The transaction.
        id: String,
        /// What it is.
        found: String,
        /// What the order needs.
        expected: String,
    },
}

/// Whether the transaction FPS describes is the order's current charge: its CallerReference,
/// its operation (Pay or Reserve by the order's mode) and its amount. Pure.
pub fn check_binding(order: &Order, details: &TransactionDetails) -> Result<(), BindError> {
    let expected = caller_reference(&order.reference, order.attempt);
    if details.caller_reference.as_deref() != Some(expected.as_str()) {
        return Err(BindError::OtherReference {
            id: details.transaction_id.clone(),
            found: details.caller_reference.clone(),
            expected,
        });
    }
    let operation = match order.mode {
        Mode::Pay => "Pay",
        Mode::Reserve => "Reserve",
    };
    let amount = details.amount.map(|a| a.minor_units());
    if details.operation.as_deref() != Some(operation) || amount != Some(order.amount_minor) {
        return Err(BindError::OtherCharge {
            id: details.transaction_id.clone(),
            found: format!(
                "{} of {}",
                details.operation.as_deref().unwrap_or("?"),
                amount.map_or_else(|| "?".to_owned(), crate::merchant::order::money)
            ),
            expected: format!(
                "{operation} of {}",
                crate::merchant::order::money(order.amount_minor)
            ),
        });
    }
    Ok(())
}

/// Whether the transaction FPS describes is `refund`: a Refund under its own CallerReference.
pub fn check_refund_binding(refund: &Refund, details: &TransactionDetails) -> Result<(), BindError> {
    if details.caller_reference.as_deref() != Some(refund.caller_reference.as_str()) {
        return Err(BindError::OtherReference {
            id: details.transaction_id.clone(),
            found: details.caller_reference.clone(),
            expected: refund.caller_reference.clone(),
        });
    }
    if details.operation.as_deref() != Some("Refund") {
        return Err(BindError::OtherCharge {
            id: details.transaction_id.clone(),
            found: details.operation.clone().unwrap_or_default(),
            expected: "Refund".to_owned(),
        });
    }
    Ok(())
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

impl OrderService {
    /// Moves `order` as `status` of its `which` transaction says, if that is forward; records
    /// `kind` as the event. Returns the order as stored afterwards (a concurrent change wins and
    /// is returned as it is).
    pub async fn apply_status(
        &self,
        order: Order,
        which: Which,
        status: TransactionStatus,
        kind: &'static str,
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
            next_check: next_check_for(next, self.first_check()),
            ..Changes::default()
        };
        let detail = format!("{which:?} transaction {}", status.as_str());
        let moved = self
            .move_order(
                &order.reference,
                &[order.state],
                next,
                changes,
                Event::new(kind, detail),
            )
            .await;
        self.or_current(moved, &order.reference).await
    }

    /// Binds a transaction the order has not seen to its current charge, then applies `status`.
    /// `Ok(None)` when FPS shows it is not the order's (recorded; nothing applied).
    pub(crate) async fn bind_and_apply(
        &self,
        order: Order,
        transaction_id: &str,
        status: Option<TransactionStatus>,
        kind: &'static str,
    ) -> Result<Option<Order>, BoundError> {
        let read = self.read_transaction(transaction_id).await?;
        let Some(details) = self
            .bound(&order.reference, read, |details| check_binding(&order, details))
            .await
        else {
            return Ok(None);
        };
        let changes = Changes {
            transaction_id: Some(transaction_id.to_owned()),
            ..Changes::default()
        };
        let event = Event::new(
            "transaction_bound",
            format!("{transaction_id} is this order's charge"),
        );
        let moved = self
            .move_order(
                &order.reference,
                &[OrderState::Charging],
                OrderState::Charging,
                changes,
                event,
            )
            .await;
        let order = self.or_current(moved, &order.reference).await?;
        let status = status.unwrap_or(details.transaction_status);
        Ok(Some(self.apply_status(order, Which::Charge, status, kind).await?))
    }

    /// GetTransaction of a transaction to bind; `None` when FPS shows no such transaction to
    /// this caller (another caller's, or none).
    async fn read_transaction(
        &self,
        transaction_id: &str,
    ) -> Result<Result<TransactionDetails, BindError>, FpsError> {
        match self.fps.transaction(transaction_id).await {
            Ok(details) => Ok(Ok(details)),
            Err(FpsError::Service {
                code: crate::fps::ErrorCode::InvalidTransactionId,
                ..
            }) => Ok(Err(BindError::NotOurs(transaction_id.to_owned()))),
            Err(e) => Err(e),
        }
    }

    /// The details read, if they pass `check`; otherwise the refusal is recorded on the order.
    async fn bound(
        &self,
        order: &str,
        read: Result<TransactionDetails, BindError>,
        check: impl FnOnce(&TransactionDetails) -> Result<(), BindError>,
    ) -> Option<TransactionDetails> {
        match read.and_then(|details| check(&details).map(|()| details)) {
            Ok(details) => Some(details),
            Err(why) => {
                self.refuse(Some(order), "transaction_not_bound", &why.to_string())
                    .await;
                None
            }
        }
    }

    /// `POST /fps/ipn`: verifies the notification with FPS (UrlEndPoint = the configured IPN
    /// URL, HttpParameters = the raw body) before anything is read from it, then applies it.
    /// Answers once stored, so FPS stops resending it; a notification about a transaction the
    /// shop does not know yet is not remembered as applied, so its resend is applied later.
    pub async fn notification(&self, body: &str) -> Result<Value, ApiError> {
        let invalid = |message: String| ApiError::Invalid {
            code: "INVALID_NOTIFICATION",
            message,
        };
        let notification = Notification::parse(body).map_err(invalid)?;
        if !notification.is_signed() {
            self.refuse(None, "ipn_unsigned", body).await;
            return Err(ApiError::Forbidden {
                code: "SIGNATURE_INVALID",
                message: "the notification carries no signature".to_owned(),
            });
        }
        // What is cheap first: a notification naming no order, refund or seller of this shop
        // costs no call to FPS and adds no row of its own (only the day's count of its kind).
        if !self.names_ours(&notification).await.map_err(ApiError::from)? {
            self.refuse(None, "ipn_unknown_subject", body).await;
            return Err(ApiError::NotFound {
                code: "UNKNOWN_ORDER",
                message: "the notification names no order, refund or seller of this shop; nothing applied"
                    .to_owned(),
            });
        }
        match self
            .fps
            .verify_signature(self.config.ipn_url.as_str(), body)
            .await
        {
            Ok(Verification::Success) => {}
            Ok(Verification::Failure) => {
                self.refuse(None, "ipn_forged", body).await;
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
        if let Some(token) = notification.token_cancellation() {
            let detail = format!(
                "token {} cancelled (callerReference {})",
                token.token_id,
                token.caller_reference.as_deref().unwrap_or("-")
            );
            let order = token
                .caller_reference
                .as_deref()
                .map(|r| split_caller_reference(r).0.to_owned());
            let known = match &order {
                Some(reference) => self.store.order(reference).await?.map(|o| o.reference),
                None => None,
            };
            self.note(known.as_deref(), Event::new("token_cancelled", detail))
                .await;
            return Ok(json!({ "result": "stored", "notificationType": "TokenCancellation" }));
        }
        let NotificationFields {
            transaction_id,
            status,
            caller_reference,
        } = notification.fields().map_err(invalid)?;
        if self
            .store
            .notification_seen(&transaction_id, status.as_str())
            .await?
        {
            return Ok(json!({ "result": "duplicate", "message": "already applied; nothing changed" }));
        }
        let (answer, applied) = self
            .apply_notification(&transaction_id, caller_reference.as_deref(), status)
            .await?;
        // Remembered only once applied: a crash in between makes the resent notification apply
        // again (forward only, so harmlessly), never be dropped as a duplicate.
        if applied {
            self.store
                .remember_notification(&transaction_id, status.as_str())
                .await?;
        }
        Ok(answer)
    }

    /// Whether a (not yet verified) notification names something of this shop: a transaction
    /// of an order or refund, or the CallerReference of an order, refund or seller sign-up.
    /// Malformed fields are refused here, before FPS is asked.
    async fn names_ours(&self, notification: &Notification) -> Result<bool, NotificationError> {
        let reference = if let Some(token) = notification.token_cancellation() {
            token.caller_reference
        } else {
            let fields = notification.fields().map_err(NotificationError::Invalid)?;
            if self
                .store
                .order_by_transaction(&fields.transaction_id)
                .await?
                .is_some()
                || self
                    .store
                    .refund_by_transaction(&fields.transaction_id)
                    .await?
                    .is_some()
            {
                return Ok(true);
            }
            fields.caller_reference
        };
        let Some(reference) = reference else {
            return Ok(false);
        };
        Ok(self
            .store
            .order(split_caller_reference(&reference).0)
            .await?
            .is_some()
            || self.store.refund(&reference).await?.is_some()
            || self.store.signup(&reference).await?.is_some())
    }

    /// Applies a verified notification to the order or refund it is about. The flag says
    /// whether it was applied (false: about a transaction the shop does not know).
    async fn apply_notification(
        &self,
        transaction_id: &str,
        caller_reference: Option<&str>,
        status: TransactionStatus,
    ) -> Result<(Value, bool), ApiError> {
        if let Some(order) = self.store.order_by_transaction(transaction_id).await? {
            let which = which_transaction(&order, transaction_id);
            let before = order.state;
            let order = self.apply_status(order, which, status, "ipn_applied").await?;
            if order.state == before {
                let detail = format!(
                    "{transaction_id} {} leaves the order {}",
                    status.as_str(),
                    order.state
                );
                self.note(Some(&order.reference), Event::new("ipn_not_applied", detail))
                    .await;
            }
            return Ok((
                json!({ "result": "stored", "orderId": order.reference, "status": order.state.as_str() }),
                true,
            ));
        }
        if let Some(refund) = self.refund_named(transaction_id, caller_reference).await? {
            let order_reference = refund.order_reference.clone();
            if self
                .finish_refund_bound(&refund, transaction_id, status, "ipn_applied")
                .await?
            {
                return Ok((json!({ "result": "stored", "orderId": order_reference }), true));
            }
            return Ok((
                json!({ "result": "stored", "message": "not this shop's refund; recorded" }),
                false,
            ));
        }
        // A charge whose answer was lost is known to FPS by our CallerReference: bound first.
        if let Some(reference) = caller_reference {
            let (reference, attempt) = split_caller_reference(reference);
            if let Some(order) = self.store.order(reference).await? {
                if order.state == OrderState::Charging
                    && order.transaction_id.is_none()
                    && order.attempt == attempt
                {
                    return match self
                        .bind_and_apply(order, transaction_id, Some(status), "ipn_applied")
                        .await
                    {
                        Ok(Some(order)) => Ok((
                            json!({ "result": "stored", "orderId": order.reference, "status": order.state.as_str() }),
                            true,
                        )),
                        Ok(None) => Ok((
                            json!({ "result": "stored", "message": "not this order's transaction; recorded" }),
                            false,
                        )),
                        Err(BoundError::Fps(source)) => Err(ApiError::Fps {
                            context:
                                "cannot read the transaction from FPS; send the notification again later"
                                    .to_owned(),
                            source,
                        }),
                        Err(BoundError::Store(e)) => Err(e.into()),
                    };
                }
            }
        }
        let detail = format!("{transaction_id} {}", status.as_str());
        self.refuse(None, "ipn_unknown_transaction", &detail).await;
        Ok((
            json!({ "result": "stored", "message": "no order has this transaction; recorded" }),
            false,
        ))
    }

    /// The refund a transaction id names, by its id or (when the notification overtook FPS's
    /// answer to the Refund call) by the refund's own CallerReference.
    async fn refund_named(
        &self,
        transaction_id: &str,
        caller_reference: Option<&str>,
    ) -> Result<Option<Refund>, StoreError> {
        if let Some(refund) = self.store.refund_by_transaction(transaction_id).await? {
            return Ok(Some(refund));
        }
        match caller_reference {
            Some(reference) => Ok(self
                .store
                .refund(reference)
                .await?
                .filter(|r| r.transaction_id.as_deref().map_or(true, |t| t == transaction_id))),
            None => Ok(None),
        }
    }

    /// Records `status` of a refund's transaction, binding the transaction to the refund first
    /// when the refund has not seen it. Returns false when FPS shows it is not the refund's.
    pub(crate) async fn finish_refund_bound(
        &self,
        refund: &Refund,
        transaction_id: &str,
        status: TransactionStatus,
        kind: &'static str,
    ) -> Result<bool, ApiError> {
        if refund.transaction_id.as_deref() != Some(transaction_id) {
            let read = self
                .read_transaction(transaction_id)
                .await
                .map_err(|source| ApiError::Fps {
                    context: "cannot read the refund's transaction from FPS; try again later".to_owned(),
                    source,
                })?;
            let checked = self
                .bound(&refund.order_reference, read, |details| {
                    check_refund_binding(refund, details)
                })
                .await;
            if checked.is_none() {
                return Ok(false);
            }
        }
        let event = Event::new(
            kind,
            format!(
                "refund {} {} {}",
                refund.caller_reference,
                transaction_id,
                status.as_str()
            ),
        );
        self.store
            .finish_refund(
                &refund.caller_reference,
                status.as_str(),
                Some(transaction_id),
                &event,
            )
            .await?;
        self.open_orders.forget(&refund.order_reference);
        Ok(true)
    }
}

/// Why binding a transaction could not be decided.
#[derive(Debug, thiserror::Error)]
pub enum BoundError {
    /// FPS could not be asked.
    #[error(transparent)]
    Fps(#[from] FpsError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<BoundError> for ApiError {
    fn from(e: BoundError) -> Self {
        match e {
            BoundError::Fps(source) => ApiError::Fps {
                context: "cannot read the transaction from FPS".to_owned(),
                source,
            },
            BoundError::Store(e) => e.into(),
        }
    }
}

/// Why a notification was refused before FPS was asked.
#[derive(Debug, thiserror::Error)]
pub enum NotificationError {
    /// Its fields are malformed.
    #[error("{0}")]
    Invalid(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<NotificationError> for ApiError {
    fn from(e: NotificationError) -> Self {
        match e {
            NotificationError::Invalid(message) => ApiError::Invalid {
                code: "INVALID_NOTIFICATION",
                message,
            },
            NotificationError::Store(e) => e.into(),
        }
    }
}
