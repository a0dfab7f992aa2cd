//! Instant Payment Notifications, taken by the service: what is cheap is checked first (the
//! form, a subject of this shop), then FPS verifies the body, then it is applied to the order or
//! refund it names (a transaction the shop has not seen is bound first).

use serde_json::{json, Value};

use super::apply::which_transaction;
use super::bind::BoundError;
use super::error::OrderError;
use super::OrderService;
use crate::order::{split_caller_reference, OrderState};
use crate::store::{Event, Refund, StoreError};
use crate::tracking::{Notification, NotificationFields};
use fps_wire::{TransactionStatus, Verification};

impl OrderService {
    /// `POST /fps/ipn`: verifies the notification with FPS (UrlEndPoint = the configured IPN
    /// URL, HttpParameters = the raw body) before anything is read from it, then applies it.
    /// Answers once stored, so FPS stops resending it; a notification about a transaction the
    /// shop does not know yet is not remembered as applied, so its resend is applied later.
    pub async fn notification(&self, body: &str) -> Result<Value, OrderError> {
        let invalid = |message: String| OrderError::Invalid {
            code: "INVALID_NOTIFICATION",
            message,
        };
        let notification = Notification::parse(body).map_err(invalid)?;
        if !notification.is_signed() {
            self.refuse(None, "ipn_unsigned", body).await;
            return Err(OrderError::Forbidden {
                code: "SIGNATURE_INVALID",
                message: "the notification carries no signature".to_owned(),
            });
        }
        // What is cheap first: a notification naming no order, refund or seller of this shop
        // costs no call to FPS and adds no row of its own (only the day's count of its kind).
        if !self.names_ours(&notification).await.map_err(OrderError::from)? {
            self.refuse(None, "ipn_unknown_subject", body).await;
            return Err(OrderError::NotFound {
                code: "UNKNOWN_ORDER",
                message: "the notification names no order, refund or seller of this shop; nothing applied"
                    .to_owned(),
            });
        }
        match self
            .metrics
            .fps_call(
                "VerifySignature",
                self.fps.verify_signature(self.config.ipn_url.as_str(), body),
            )
            .await
        {
            Ok(Verification::Success) => {}
            Ok(Verification::Failure) => {
                self.refuse(None, "ipn_forged", body).await;
                return Err(OrderError::Forbidden {
                    code: "SIGNATURE_INVALID",
                    message: "FPS did not confirm this notification's signature".to_owned(),
                });
            }
            Err(source) => {
                return Err(OrderError::Fps {
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
    ) -> Result<(Value, bool), OrderError> {
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
                        Err(BoundError::Fps(source)) => Err(OrderError::Fps {
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

impl From<NotificationError> for OrderError {
    fn from(e: NotificationError) -> Self {
        match e {
            NotificationError::Invalid(message) => OrderError::Invalid {
                code: "INVALID_NOTIFICATION",
                message,
            },
            NotificationError::Store(e) => e.into(),
        }
    }
}
