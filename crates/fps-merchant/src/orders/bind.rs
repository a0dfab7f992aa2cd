//! Binding a transaction to the order (or refund) it claims to be: what FPS signs proves only
//! that FPS signed it, so a transaction id the order has not seen is read with GetTransaction
//! (FPS shows a caller only its own transactions) and must carry the order's CallerReference,
//! operation and amount before it is applied.

use super::error::OrderError;
use super::OrderService;
use crate::order::{caller_reference, Mode, OrderState, Which};
use crate::store::{Changes, Event, Order, Refund, StoreError};
use fps_wire::{FpsError, TransactionDetails, TransactionStatus};

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
                amount.map_or_else(|| "?".to_owned(), crate::order::money)
            ),
            expected: format!("{operation} of {}", crate::order::money(order.amount_minor)),
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

impl OrderService {
    /// Binds a transaction the order has not seen to its current charge, then applies `status`.
    /// `Ok(None)` when FPS shows it is not the order's (recorded; nothing applied).
    pub(crate) async fn bind_and_apply(
        &self,
        order: Order,
        transaction_id: &str,
        status: Option<TransactionStatus>,
        kind: &'static str,
    ) -> Result<Option<Order>, BoundError> {
        let read = self.read_transaction(&order.reference, transaction_id).await?;
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

    /// GetTransaction (for `order`) of a transaction to bind; `None` when FPS shows no such transaction to
    /// this caller (another caller's, or none).
    async fn read_transaction(
        &self,
        order: &str,
        transaction_id: &str,
    ) -> Result<Result<TransactionDetails, BindError>, FpsError> {
        match self
            .fps_call(order, "GetTransaction", self.fps.transaction(transaction_id))
            .await
        {
            Ok(details) => Ok(Ok(details)),
            Err(FpsError::Service {
                code: fps_wire::ErrorCode::InvalidTransactionId,
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

    /// Records `status` of a refund's transaction, binding the transaction to the refund first
    /// when the refund has not seen it. Returns false when FPS shows it is not the refund's.
    pub(crate) async fn finish_refund_bound(
        &self,
        refund: &Refund,
        transaction_id: &str,
        status: TransactionStatus,
        kind: &'static str,
    ) -> Result<bool, OrderError> {
        if refund.transaction_id.as_deref() != Some(transaction_id) {
            let read = self
                .read_transaction(&refund.order_reference, transaction_id)
                .await
                .map_err(|source| OrderError::Fps {
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
        self.finish_refund(
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

impl From<BoundError> for OrderError {
    fn from(e: BoundError) -> Self {
        match e {
            BoundError::Fps(source) => OrderError::Fps {
                context: "cannot read the transaction from FPS".to_owned(),
                source,
            },
            BoundError::Store(e) => e.into(),
        }
    }
}
