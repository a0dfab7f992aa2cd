//! The reconciler: a background task of `fps-checkout serve` that brings every order whose FPS
//! outcome is unknown or pending to FPS's truth, so that every order ends right even when
//! answers, returns and notifications are lost (IPNs are a fast path, not a requirement).
//!
//! Each tick it leases a bounded batch of due orders (a conditional update per order, so any
//! number of backends on one database never work on one order at once) and for each asks FPS:
//! GetTransactionStatus where the transaction id is known; where it is not, the identical
//! request again while inside FPS's 7-day resend window, then GetAccountActivity by the
//! CallerReference. An order still open afterwards is checked again after a growing backoff.
//! Every decision is an order event.

use std::future::Future;
use std::time::Duration;

use time::OffsetDateTime;

use super::refunds::refund_under_way;
use super::{OrderService, RESEND_WINDOW_SECONDS, RESERVE_VALIDITY_SECONDS};
use crate::order::{caller_reference, OrderState, Which};
use crate::store::{Changes, Event, NextCheck, Order, Refund, StoreError};
use fps_wire::{ActivityQuery, FpsError, Sending, Timestamp, TransactionDetails, TransactionStatus};

/// Orders leased per tick.
pub const BATCH: u32 = 20;
/// Longest wait between two checks of an order whose outcome is still open.
pub const MAX_BACKOFF_SECONDS: i64 = 3600;
/// GetAccountActivity batches read when looking for a transaction by its CallerReference.
const MAX_ACTIVITY_PAGES: usize = 10;
/// A resend is tried only this long before the 7-day window closes (a margin for clocks).
const WINDOW_MARGIN_SECONDS: i64 = 3600;
/// How far before a request's Timestamp its transaction may have been received.
const RECEIVED_BEFORE_TIMESTAMP_SECONDS: i64 = 3600;

/// What one tick did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReconcileReport {
    /// Orders leased.
    pub claimed: usize,
    /// Orders with nothing left to ask FPS about afterwards.
    pub settled: usize,
    /// Orders whose check met an FPS or store error (checked again after a backoff).
    pub errors: usize,
}

/// The background task.
#[derive(Debug, Clone)]
pub struct Reconciler {
    service: OrderService,
    owner: String,
    interval: Duration,
}

impl Reconciler {
    /// A reconciler over `service` that ticks every `interval`, under a lease owner id of its own.
    pub fn new(service: OrderService, interval: Duration) -> Self {
        Reconciler {
            service,
            owner: format!("reconciler-{}", uuid::Uuid::new_v4().simple()),
            interval,
        }
    }

    /// Ticks until `stop` completes. A failing tick is logged and the next one runs as usual.
    pub async fn run(self, stop: impl Future<Output = ()>) {
        let mut stop = std::pin::pin!(stop);
        let mut ticker = tokio::time::interval(self.interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticker.tick() => {}
                () = &mut stop => return,
            }
            match self.tick().await {
                Ok(report) if report.claimed > 0 => {
                    tracing::info!(
                        claimed = report.claimed,
                        settled = report.settled,
                        errors = report.errors,
                        "reconciled"
                    );
                }
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "reconciler tick failed"),
            }
        }
    }

    /// One tick: leases up to [`BATCH`] due orders and checks each with FPS.
    pub async fn tick(&self) -> Result<ReconcileReport, StoreError> {
        let at = self.service.now();
        let lease = i64::try_from(self.service.settle_time().as_secs()).unwrap_or(60) * 4;
        let orders = self
            .service
            .store
            .claim_due(&self.owner, at, at + lease, BATCH)
            .await?;
        let mut report = ReconcileReport {
            claimed: orders.len(),
            ..ReconcileReport::default()
        };
        for order in orders {
            let reference = order.reference.clone();
            let checks = order.checks;
            let result = self.service.reconcile(order).await;
            let failed = result.is_err();
            if let Err(e) = &result {
                report.errors += 1;
                tracing::warn!(order = %reference, error = %e, "reconciling an order failed");
                self.service
                    .note(Some(&reference), Event::new("reconcile_error", e.to_string()))
                    .await;
            }
            let order = self.service.store.order(&reference).await?;
            let next = match order.as_ref() {
                Some(order) => self.service.next_check(order, checks, failed).await?,
                None => None,
            };
            if next.is_none() {
                report.settled += 1;
            }
            let checks = if next.is_some() {
                checks.saturating_add(1)
            } else {
                0
            };
            self.service
                .store
                .release(&reference, &self.owner, next, checks)
                .await?;
        }
        Ok(report)
    }
}

/// Why one order's check stopped.
#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    /// FPS could not be asked.
    #[error(transparent)]
    Fps(#[from] FpsError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<super::bind::BoundError> for ReconcileError {
    fn from(e: super::bind::BoundError) -> Self {
        match e {
            super::bind::BoundError::Fps(e) => ReconcileError::Fps(e),
            super::bind::BoundError::Store(e) => ReconcileError::Store(e),
        }
    }
}

/// What GetAccountActivity showed about a CallerReference.
enum Found {
    /// The transaction under it.
    Transaction(Box<TransactionDetails>),
    /// None under it, and every batch since the request's time was read.
    Nothing,
    /// None in the batches read, but there were more.
    Unsure,
}

/// Unix seconds of a stored Timestamp.
fn stamp_seconds(text: Option<&str>) -> Option<i64> {
    Timestamp::from_stored(text?)?.unix_seconds()
}

impl OrderService {
    /// When the order is next due a check after one that saw it in its present state (`None`:
    /// nothing left to ask FPS). A growing backoff while the outcome stays open; a reserve is
    /// watched until it expires, at least hourly and at its deadline.
    async fn next_check(&self, order: &Order, checks: u32, failed: bool) -> Result<Option<i64>, StoreError> {
        let at = self.now();
        let interval = i64::try_from(self.settle_time().as_secs()).unwrap_or(60).max(1);
        let backoff = interval
            .saturating_mul(1_i64 << checks.min(16))
            .min(MAX_BACKOFF_SECONDS);
        let due = match order.state {
            OrderState::Charging | OrderState::Pending | OrderState::Settling => Some(at + backoff),
            OrderState::Reserved => {
                let deadline = stamp_seconds(order.charge_timestamp.as_deref())
                    .map_or(i64::MAX, |t| t + RESERVE_VALIDITY_SECONDS);
                let soon = if failed {
                    at + backoff
                } else {
                    at + MAX_BACKOFF_SECONDS
                };
                Some(soon.min(deadline.max(at + 60)))
            }
            OrderState::Paid => {
                let refunds = self.store.refunds(&order.reference).await?;
                refunds.iter().any(refund_under_way).then_some(at + backoff)
            }
            _ => None,
        };
        Ok(due)
    }

    /// Whether a request signed at `sent_at` (Unix seconds) may still be resent identically:
    /// inside FPS's 7-day window, less a margin for clocks.
    fn inside_window(&self, sent_at: Option<i64>) -> bool {
        sent_at.is_some_and(|t| self.now() - t < RESEND_WINDOW_SECONDS - WINDOW_MARGIN_SECONDS)
    }

    /// Brings one order to FPS's truth as far as FPS can tell now (see the module's text).
    pub async fn reconcile(&self, order: Order) -> Result<(), ReconcileError> {
        match order.state {
            OrderState::Charging => self.reconcile_charge(order).await,
            OrderState::Pending | OrderState::Reserved => {
                let Some(id) = order.transaction_id.clone() else {
                    return Ok(());
                };
                let status = self.transaction_status(&order.reference, &id).await?;
                self.apply_status(order, Which::Charge, status.transaction_status, "reconciled")
                    .await?;
                Ok(())
            }
            OrderState::Settling => self.reconcile_settle(order).await,
            OrderState::Paid => self.reconcile_refunds(&order).await,
            _ => Ok(()),
        }
    }

    async fn reconcile_charge(&self, order: Order) -> Result<(), ReconcileError> {
        if let Some(id) = order.transaction_id.clone() {
            let status = self.transaction_status(&order.reference, &id).await?;
            self.apply_status(order, Which::Charge, status.transaction_status, "reconciled")
                .await?;
            return Ok(());
        }
        let sent_at = stamp_seconds(order.charge_timestamp.as_deref());
        let inside = self.inside_window(sent_at);
        let reference = order.reference.clone();
        if inside {
            // The identical request: FPS answers it from its record if the first one arrived.
            match self.charge(order.clone(), Sending::Resend).await {
                Ok(_) => return Ok(()),
                Err(e) => {
                    let order = self.store.order(&reference).await?;
                    if order.as_ref().map(|o| o.state) != Some(OrderState::Charging) {
                        return Ok(());
                    }
                    self.note(
                        Some(&reference),
                        Event::new("reconcile_resend_unresolved", e.to_string()),
                    )
                    .await;
                }
            }
        }
        let expected = caller_reference(&order.reference, order.attempt);
        let operation = match order.mode {
            crate::order::Mode::Pay => "Pay",
            crate::order::Mode::Reserve => "Reserve",
        };
        match self.find_by_reference(&expected, operation, sent_at).await? {
            Found::Transaction(details) => {
                let id = details.transaction_id.clone();
                self.bind_and_apply(order, &id, Some(details.transaction_status), "reconciled")
                    .await?;
            }
            Found::Nothing if !inside && sent_at.is_some() => {
                let reason = "FPS has no payment under this order's reference; nothing was charged";
                let changes = Changes {
                    last_error: Some(reason.to_owned()),
                    next_check: NextCheck::Clear,
                    ..Changes::default()
                };
                let _ = self
                    .move_order(
                        &order.reference,
                        &[OrderState::Charging],
                        OrderState::Failed,
                        changes,
                        Event::new("reconciled", reason),
                    )
                    .await;
            }
            Found::Nothing | Found::Unsure => {
                self.note(
                    Some(&order.reference),
                    Event::new(
                        "reconcile_unresolved",
                        "FPS shows no transaction under this reference yet",
                    ),
                )
                .await;
            }
        }
        Ok(())
    }

    async fn reconcile_settle(&self, order: Order) -> Result<(), ReconcileError> {
        if let Some(id) = order.settle_transaction_id.clone() {
            let status = self.transaction_status(&order.reference, &id).await?;
            self.apply_status(order, Which::Settle, status.transaction_status, "reconciled")
                .await?;
            return Ok(());
        }
        let sent_at = stamp_seconds(order.settle_timestamp.as_deref());
        let inside = self.inside_window(sent_at);
        if inside {
            if let Err(e) = self.send_settle(order.clone(), Sending::Resend).await {
                self.note(
                    Some(&order.reference),
                    Event::new("reconcile_resend_unresolved", e.to_string()),
                )
                .await;
            }
            return Ok(());
        }
        // Past the window: the reserve's own status says whether it was settled.
        let Some(reserve) = order.transaction_id.clone() else {
            return Ok(());
        };
        let status = self.transaction_status(&order.reference, &reserve).await?;
        if status.transaction_status == TransactionStatus::Reserved {
            let changes = Changes {
                next_check: NextCheck::At(self.now()),
                ..Changes::default()
            };
            let _ = self
                .move_order(
                    &order.reference,
                    &[OrderState::Settling],
                    OrderState::Reserved,
                    changes,
                    Event::new(
                        "reconciled",
                        "FPS did not settle the reserve; it is reserved again",
                    ),
                )
                .await;
        } else {
            self.apply_status(order, Which::Charge, status.transaction_status, "reconciled")
                .await?;
        }
        Ok(())
    }

    async fn reconcile_refunds(&self, order: &Order) -> Result<(), ReconcileError> {
        let refresh = self.refresh_refunds(&order.reference).await?;
        for refund in refresh
            .refunds
            .iter()
            .filter(|r| refund_under_way(r) && r.transaction_id.is_none())
        {
            self.reconcile_unsent_refund(order, refund).await?;
        }
        Ok(())
    }

    /// A refund whose answer was lost: resent identically inside the window, otherwise looked
    /// up by its CallerReference (none there once the window is over: it never happened).
    async fn reconcile_unsent_refund(&self, order: &Order, refund: &Refund) -> Result<(), ReconcileError> {
        let sent_at = stamp_seconds(Some(&refund.request_timestamp));
        let inside = self.inside_window(sent_at);
        if inside {
            if let Err(e) = self.send_refund(order, refund, None, Sending::Resend).await {
                self.note(
                    Some(&order.reference),
                    Event::new("reconcile_resend_unresolved", e.to_string()),
                )
                .await;
            }
            let now_refund = self.store.refund(&refund.caller_reference).await?;
            if now_refund.is_some_and(|r| !refund_under_way(&r) || r.transaction_id.is_some()) {
                return Ok(());
            }
        }
        match self
            .find_by_reference(&refund.caller_reference, "Refund", sent_at)
            .await?
        {
            Found::Transaction(details) => {
                let _ = self
                    .finish_refund_bound(
                        refund,
                        &details.transaction_id,
                        details.transaction_status,
                        "reconciled",
                    )
                    .await;
            }
            Found::Nothing if !inside => {
                let event = Event::new(
                    "reconciled",
                    format!(
                        "FPS has no refund under {}; nothing was refunded",
                        refund.caller_reference
                    ),
                );
                self.finish_refund(&refund.caller_reference, "failed", None, &event)
                    .await?;
            }
            Found::Nothing | Found::Unsure => {}
        }
        Ok(())
    }

    /// Looks through GetAccountActivity, from shortly before the request's Timestamp, for the
    /// caller's transaction of `operation` under `reference`.
    async fn find_by_reference(
        &self,
        reference: &str,
        operation: &str,
        sent_at: Option<i64>,
    ) -> Result<Found, FpsError> {
        let from = sent_at.unwrap_or_else(|| self.now()) - RECEIVED_BEFORE_TIMESTAMP_SECONDS;
        let mut start = OffsetDateTime::from_unix_timestamp(from).unwrap_or(OffsetDateTime::UNIX_EPOCH);
        for _ in 0..MAX_ACTIVITY_PAGES {
            let batch = self
                .metrics
                .fps_call(
                    "GetAccountActivity",
                    self.fps.account_activity(ActivityQuery {
                        start,
                        end: None,
                        max_batch_size: fps_wire::transaction::MAX_BATCH_SIZE,
                    }),
                )
                .await?;
            if let Some(found) = batch.transactions.into_iter().find(|t| {
                t.caller_reference.as_deref() == Some(reference) && t.operation.as_deref() == Some(operation)
            }) {
                return Ok(Found::Transaction(Box::new(found)));
            }
            match batch.start_time_for_next {
                Some(next) if next > start => start = next,
                _ => return Ok(Found::Nothing),
            }
        }
        Ok(Found::Unsure)
    }
}
