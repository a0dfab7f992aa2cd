//! Applying what FPS says about a transaction: a status (from an IPN, GetTransactionStatus or
//! the reconciler) moves an order forward only.

use super::{next_check_for, OrderService};
use crate::order::{failure_reason, next_state, OrderState, Which};
use crate::store::{Changes, Event, Order, StoreError};
use fps_wire::TransactionStatus;

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
}
