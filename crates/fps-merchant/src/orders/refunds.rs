//! Refunds of a paid order, in part or whole: recorded with their amount held against the
//! order and their own CallerReference and Timestamp (so a resend is the identical request),
//! sent, and brought up to date with FPS. A refusal gives the amount back; an unknown outcome
//! keeps it held until the reconciler finds out.

use super::checkout::refusal;
use super::error::OrderError;
use super::OrderService;
use crate::order::check_refund;
use crate::store::{CorruptValue, Event, Order, Refund, StoreError};
use fps_core::params::CallerReference;
use fps_core::{Amount, Currency};
use fps_wire::{Action, Outcome, Sending, Timestamp, TransactionStatus};

/// What [`OrderService::refresh_refunds`] found: the order's refunds as stored afterwards,
/// whether any of them changed (then the order may have too), and the first FPS error met.
#[derive(Debug)]
pub struct RefreshedRefunds {
    /// The refunds, as stored after the refresh.
    pub refunds: Vec<Refund>,
    /// Whether FPS's answers changed a refund.
    pub changed: bool,
    /// The first FPS error met (the refunds it was about stay as they were).
    pub error: Option<String>,
}

/// A new refund of `amount_minor` from order `reference`, not sent yet: its own CallerReference
/// and the Timestamp every sending of it is signed with.
pub(crate) fn new_refund(reference: &str, amount_minor: u64) -> Refund {
    Refund {
        caller_reference: format!(
            "{reference}-r{}",
            &uuid::Uuid::new_v4().simple().to_string()[..12]
        ),
        order_reference: reference.to_owned(),
        amount_minor,
        state: "requested".to_owned(),
        request_timestamp: Timestamp::now().as_str().to_owned(),
        transaction_id: None,
    }
}

/// The order event recording `refund` (of `amount`) before it is sent.
pub(crate) fn refund_requested(refund: &Refund, amount: Amount) -> Event {
    Event::new(
        "refund_requested",
        format!("{} {}", refund.caller_reference, amount),
    )
}

/// A refund that has not reached a final outcome.
pub(crate) fn refund_under_way(refund: &Refund) -> bool {
    matches!(refund.state.as_str(), "requested" | "Pending")
}

impl OrderService {
    /// Refunds a paid order, in part or whole (default: what is left): records the refund
    /// (its amount held against the order) under its own CallerReference and a Timestamp kept
    /// for resends, then sends Refund and records the classified outcome.
    pub async fn refund(
        &self,
        reference: &str,
        asked: Option<Amount>,
        description: Option<String>,
    ) -> Result<(Order, Vec<Refund>), OrderError> {
        let order = self.load(reference).await?;
        let left = order.settled_minor.saturating_sub(order.refunded_minor);
        let amount_minor = asked.map_or(left, |a| a.minor_units());
        check_refund(
            order.state,
            amount_minor,
            order.settled_minor,
            order.refunded_minor,
        )?;
        let amount = Amount::from_minor(amount_minor, Currency::Usd).map_err(|_| OrderError::Conflict {
            code: "AMOUNT_TOO_LARGE",
            message: "nothing is left to refund".to_owned(),
        })?;
        if order.transaction_id.is_none() {
            return Err(OrderError::Conflict {
                code: "WRONG_STATE",
                message: "the order has no transaction to refund".to_owned(),
            });
        }
        let refund = new_refund(reference, amount_minor);
        let event = refund_requested(&refund, amount);
        self.store
            .begin_refund(&refund, self.first_check(), &event)
            .await
            .map_err(|e| match e {
                StoreError::Conflict { .. } => OrderError::Conflict {
                    code: "AMOUNT_TOO_LARGE",
                    message: "another refund took the amount meanwhile".to_owned(),
                },
                other => other.into(),
            })?;
        self.send_refund(&order, &refund, description, Sending::First)
            .await?;
        let order = self.load(reference).await?;
        let refunds = self.store.refunds(reference).await?;
        Ok((order, refunds))
    }

    /// Sends (or resends, identically) a recorded refund and records the classified outcome.
    pub(crate) async fn send_refund(
        &self,
        order: &Order,
        refund: &Refund,
        description: Option<String>,
        sending: Sending,
    ) -> Result<(), OrderError> {
        let transaction_id = order
            .transaction_id
            .clone()
            .ok_or_else(|| StoreError::Invariant("refund of an order without a transaction".to_owned()))?;
        let caller_reference = CallerReference::new(&refund.caller_reference)
            .map_err(|_| StoreError::from(CorruptValue::new("refund reference", &refund.caller_reference)))?;
        let timestamp = Timestamp::from_stored(&refund.request_timestamp)
            .ok_or_else(|| StoreError::Invariant("refund without its timestamp".to_owned()))?;
        let amount = Amount::from_minor(refund.amount_minor, Currency::Usd)
            .map_err(|_| StoreError::from(CorruptValue::new("refund amount", refund.amount_minor)))?;
        let action = Action::Refund {
            transaction_id,
            caller_reference,
            amount: Some(amount),
            description,
        };
        match self
            .fps_call(
                &order.reference,
                "Refund",
                self.fps.refund(action, &timestamp, sending),
            )
            .await
        {
            Outcome::Applied(result) => {
                let event = Event::new(
                    "refund_sent",
                    format!(
                        "{} {} {}",
                        refund.caller_reference,
                        result.transaction_id,
                        result.transaction_status.as_str()
                    ),
                );
                self.finish_refund(
                    &refund.caller_reference,
                    result.transaction_status.as_str(),
                    Some(&result.transaction_id),
                    &event,
                )
                .await?;
                Ok(())
            }
            Outcome::Refused(source) => {
                let event = Event::new("refund_refused", source.to_string());
                self.finish_refund(&refund.caller_reference, "failed", None, &event)
                    .await?;
                Err(refusal(source, "FPS refused the refund; nothing was refunded"))
            }
            Outcome::Unknown(source) => {
                self.note(
                    Some(&order.reference),
                    Event::new("refund_unknown", source.to_string()),
                )
                .await;
                Err(OrderError::Fps {
                    context: "the refund's outcome is not known; it stays recorded as requested and its \
                              amount stays held until the shop finds out from FPS"
                        .to_owned(),
                    source,
                })
            }
        }
    }

    /// Asks FPS (GetTransactionStatus) about each of the order's refunds under way whose
    /// transaction is known, and records what it says.
    pub async fn refresh_refunds(&self, reference: &str) -> Result<RefreshedRefunds, StoreError> {
        let mut error = None;
        let mut changed = false;
        let refunds = self.store.refunds(reference).await?;
        for refund in refunds.iter().filter(|r| refund_under_way(r)) {
            let Some(transaction_id) = refund.transaction_id.as_deref() else {
                continue;
            };
            match self.transaction_status(reference, transaction_id).await {
                Ok(status) if status.transaction_status != TransactionStatus::Pending => {
                    let event = Event::new(
                        "refund_status_applied",
                        format!(
                            "{} {}",
                            refund.caller_reference,
                            status.transaction_status.as_str()
                        ),
                    );
                    self.finish_refund(
                        &refund.caller_reference,
                        status.transaction_status.as_str(),
                        Some(transaction_id),
                        &event,
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
            self.store.refunds(reference).await?
        } else {
            refunds
        };
        Ok(RefreshedRefunds {
            refunds,
            changed,
            error,
        })
    }
}
