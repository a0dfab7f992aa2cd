//! The shop's and the shopper's actions on an order under the money rules: settle, cancel,
//! re-authorize, and the refresh the admin page asks for (refunds: [`super::refunds`]). Each FPS answer is
//! classified; an unknown one leaves the order where it is, due a check by the reconciler.

use super::checkout::refusal;
use super::error::OrderError;
use super::OrderService;
use crate::order::{check_cancel, check_reauthorize, check_settle, check_shopper_cancel, OrderState, Which};
use crate::store::{Changes, CorruptValue, Event, NextCheck, Order, OrderMarketplace, Refund, StoreError};
use fps_core::{Amount, Currency};
use fps_wire::{Outcome, Sending, Timestamp, TransactionStatus};

/// A store conflict as the API reports a lost race.
pub(crate) fn conflict(e: StoreError) -> OrderError {
    match e {
        StoreError::Conflict { current, expected } => OrderError::Conflict {
            code: "WRONG_STATE",
            message: format!("order is {current}, not {expected} (changed meanwhile)"),
        },
        other => other.into(),
    }
}

impl OrderService {
    /// Settles a reserved order (at most the reserved amount, default all of it): moves it to
    /// `settling` with a Timestamp kept for resends, then sends Settle and applies the outcome.
    pub async fn settle(&self, reference: &str, asked: Option<Amount>) -> Result<Order, OrderError> {
        let order = self.load(reference).await?;
        let amount_minor = asked.map_or(order.amount_minor, |a| a.minor_units());
        check_settle(order.state, amount_minor, order.amount_minor)?;
        if order.transaction_id.is_none() {
            return Err(OrderError::Conflict {
                code: "WRONG_STATE",
                message: "the order has no reserve transaction".to_owned(),
            });
        }
        let timestamp = Timestamp::now();
        let changes = Changes {
            settle_amount_minor: Some(amount_minor),
            settle_timestamp: Some(timestamp.as_str().to_owned()),
            next_check: NextCheck::At(self.first_check()),
            ..Changes::default()
        };
        let event = Event::new("settle_requested", crate::order::money(amount_minor));
        let order = self
            .move_order(
                reference,
                &[OrderState::Reserved],
                OrderState::Settling,
                changes,
                event,
            )
            .await
            .map_err(conflict)?;
        self.send_settle(order, Sending::First).await
    }

    /// Sends (or resends, identically) the Settle of an order in `settling` and applies the
    /// classified outcome: a refusal puts the order back to `reserved`; unknown keeps it
    /// settling for the reconciler.
    pub(crate) async fn send_settle(&self, order: Order, sending: Sending) -> Result<Order, OrderError> {
        let reference = order.reference.clone();
        let reserve_id = order
            .transaction_id
            .clone()
            .ok_or_else(|| StoreError::Invariant("settling order without its reserve".to_owned()))?;
        let timestamp = order
            .settle_timestamp
            .as_deref()
            .and_then(Timestamp::from_stored)
            .ok_or_else(|| StoreError::Invariant("settling order without its timestamp".to_owned()))?;
        let asked = order.settle_amount_minor.filter(|a| *a != order.amount_minor);
        let amount = asked
            .map(|a| {
                Amount::from_minor(a, Currency::Usd)
                    .map_err(|_| StoreError::from(CorruptValue::new("settle amount", a)))
            })
            .transpose()?;
        match self
            .fps_call(
                &reference,
                "Settle",
                self.fps.settle(&reserve_id, amount, &timestamp, sending),
            )
            .await
        {
            Outcome::Applied(result) => {
                let settle_id = (result.transaction_id != reserve_id).then(|| result.transaction_id.clone());
                let which = if settle_id.is_some() {
                    Which::Settle
                } else {
                    Which::Charge
                };
                let changes = Changes {
                    settle_transaction_id: settle_id,
                    ..Changes::default()
                };
                let event = Event::new(
                    "settle_sent",
                    format!("{} {}", result.transaction_id, result.transaction_status.as_str()),
                );
                let order = match self
                    .move_order(
                        &reference,
                        &[OrderState::Settling],
                        OrderState::Settling,
                        changes,
                        event,
                    )
                    .await
                {
                    Ok(order) => order,
                    Err(StoreError::Conflict { .. }) => return self.load(&reference).await,
                    Err(e) => return Err(e.into()),
                };
                Ok(self
                    .apply_status(order, which, result.transaction_status, "settle_applied")
                    .await?)
            }
            Outcome::Refused(source) => {
                let detail = source.to_string();
                let changes = Changes {
                    last_error: Some(detail.clone()),
                    next_check: NextCheck::At(self.first_check()),
                    ..Changes::default()
                };
                self.move_order(
                    &reference,
                    &[OrderState::Settling],
                    OrderState::Reserved,
                    changes,
                    Event::new("settle_refused", detail),
                )
                .await
                .map_err(conflict)?;
                Err(refusal(
                    source,
                    "FPS refused the settle; the order is still reserved",
                ))
            }
            Outcome::Unknown(source) => {
                self.keep_unknown(
                    &reference,
                    OrderState::Settling,
                    "settle_unknown",
                    source.to_string(),
                )
                .await;
                Err(OrderError::Fps {
                    context: "the settle's outcome is not known; the order stays settling until the \
                              shop finds out from FPS"
                        .to_owned(),
                    source,
                })
            }
        }
    }

    /// Cancels a pending or reserved order with FPS (the admin's cancel), then the order.
    pub async fn cancel(&self, reference: &str, description: Option<String>) -> Result<Order, OrderError> {
        let order = self.load(reference).await?;
        check_cancel(order.state)?;
        self.cancel_with_fps(&order, description).await
    }

    /// The shopper's cancel: an open order here alone; a pending or reserved one with FPS first.
    pub async fn shopper_cancel(&self, order: Order) -> Result<Order, OrderError> {
        check_shopper_cancel(order.state)?;
        if order.state == OrderState::Open {
            let event = Event::new("cancelled_by_shopper", "before authorization");
            return self
                .move_order(
                    &order.reference,
                    &[OrderState::Open],
                    OrderState::Cancelled,
                    Changes::default(),
                    event,
                )
                .await
                .map_err(conflict);
        }
        self.cancel_with_fps(&order, Some("Cancelled by the shopper".to_owned()))
            .await
    }

    /// Cancels a pending or reserved order's transaction with FPS, then the order. A refusal
    /// leaves the order as it was; an unknown outcome too, due a check by the reconciler.
    async fn cancel_with_fps(&self, order: &Order, description: Option<String>) -> Result<Order, OrderError> {
        let reference = &order.reference;
        let transaction_id = order.transaction_id.clone().ok_or_else(|| OrderError::Conflict {
            code: "WRONG_STATE",
            message: "the order has no transaction to cancel".to_owned(),
        })?;
        match self
            .fps_call(reference, "Cancel", self.fps.cancel(&transaction_id, description))
            .await
        {
            Outcome::Applied(result) => {
                let status = match result.transaction_status {
                    TransactionStatus::Cancelled => "Cancelled",
                    other => other.as_str(),
                };
                let changes = Changes {
                    transaction_status: Some(status.to_owned()),
                    next_check: NextCheck::Clear,
                    ..Changes::default()
                };
                let moved = self
                    .move_order(
                        reference,
                        &[OrderState::Pending, OrderState::Reserved],
                        OrderState::Cancelled,
                        changes,
                        Event::new("cancelled", format!("{transaction_id} {status}")),
                    )
                    .await;
                match moved {
                    Ok(order) => Ok(order),
                    // The cancellation's notification got there first: the order is cancelled.
                    Err(StoreError::Conflict {
                        current: OrderState::Cancelled,
                        ..
                    }) => self.load(reference).await,
                    Err(other) => Err(conflict(other)),
                }
            }
            Outcome::Refused(source) => {
                self.note(Some(reference), Event::new("cancel_refused", source.to_string()))
                    .await;
                Err(refusal(source, "FPS did not cancel; the order is unchanged"))
            }
            Outcome::Unknown(source) => {
                self.note(Some(reference), Event::new("cancel_unknown", source.to_string()))
                    .await;
                let _ = self.store.check_by(reference, self.first_check()).await;
                Err(OrderError::Fps {
                    context: "the cancel's outcome is not known; the shop finds out from FPS".to_owned(),
                    source,
                })
            }
        }
    }

    /// Opens a failed order for a new authorization (attempt + 1).
    pub async fn reauthorize(&self, order: Order) -> Result<Order, OrderError> {
        check_reauthorize(order.state, order.attempt)?;
        let reason = order.last_error.clone().unwrap_or_default();
        let event = Event::new(
            "reauthorize",
            format!("attempt {} after: {reason}", order.attempt + 1),
        );
        self.open_orders.forget(&order.reference);
        self.store
            .reauthorize(&order.reference, order.attempt, &event)
            .await
            .map_err(conflict)
    }

    /// Stores a new open order, with its marketplace terms when a seller's product is sold. An
    /// order whose terms cannot be stored is failed at once, so it is never charged as the
    /// shop's own.
    pub async fn open(
        &self,
        order: &Order,
        marketplace: Option<&OrderMarketplace>,
    ) -> Result<(), StoreError> {
        self.store.create_order(order).await?;
        let Some(terms) = marketplace else {
            return Ok(());
        };
        if let Err(e) = self.store.set_order_marketplace(terms).await {
            let reason = e.to_string();
            let changes = Changes {
                last_error: Some(reason.clone()),
                ..Changes::default()
            };
            let event = Event::new("open_failed", reason);
            let _ = self
                .move_order(
                    &order.reference,
                    &[OrderState::Open],
                    OrderState::Failed,
                    changes,
                    event,
                )
                .await;
            return Err(e);
        }
        Ok(())
    }

    /// The order brought up to date with FPS for the admin page: its transaction's status while
    /// FPS may still change it, then its refunds under way. Returns the order, its refunds, and
    /// the first FPS error met (the order is shown as stored then).
    pub async fn refresh(&self, reference: &str) -> Result<(Order, Vec<Refund>, Option<String>), OrderError> {
        let mut order = self.load(reference).await?;
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
            match self.transaction_status(reference, &transaction_id).await {
                Ok(status) => {
                    order = self
                        .apply_status(order, which, status.transaction_status, "status_applied")
                        .await?;
                }
                Err(e) => refresh_error = Some(e.to_string()),
            }
        }
        let refunds = if order.state == OrderState::Paid {
            let refreshed = self.refresh_refunds(reference).await?;
            if let Some(error) = refreshed.error {
                refresh_error.get_or_insert(error);
            }
            if refreshed.changed {
                order = self.load(reference).await?;
            }
            refreshed.refunds
        } else {
            self.store.refunds(reference).await?
        };
        Ok((order, refunds, refresh_error))
    }
}
