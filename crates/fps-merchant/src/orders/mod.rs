//! The order service: the one owner of every state change of an order. Returns received,
//! charges (Pay or Reserve), settles, refunds, cancels, notifications and statuses applied,
//! re-authorizations and the reconciler's decisions all go through [`OrderService::move_order`]:
//! a conditional update in the store that appends an order event in the same transaction and
//! drops the order from the open-orders cache. Handlers extract, call the service and map its
//! errors; none writes an order's state itself.
//!
//! Every FPS answer is classified ([`fps_wire::Outcome`]): only a refusal (FPS stating that it
//! did nothing) fails an order or tells anyone nothing was charged; an unknown outcome leaves the
//! order where it is, due a check by the reconciler ([`reconcile`]), which resends the identical
//! request inside FPS's 7-day window and otherwise asks FPS what happened.

mod apply;
mod bind;
mod checkout;
mod error;
mod manage;
mod notify;
pub mod reconcile;
mod refund_requests;
mod refunds;
mod returns;

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::config::Config;
use super::metrics::{CallOutcome, Metrics};
use super::open_orders::OpenOrders;
use super::order::OrderState;
use super::store::{now, Changes, Event, NextCheck, Order, Store, StoreError};
use fps_wire::FpsClient;

pub use apply::which_transaction;
pub use bind::{check_binding, check_refund_binding, BindError};
pub use checkout::ReturnAnswer;
pub use error::OrderError;
pub use reconcile::{ReconcileReport, Reconciler};
pub use refund_requests::{MAX_DECLINE_MESSAGE_CHARS, MAX_REASON_CHARS};

/// How long FPS answers an identical resend from its record (seed 003: "within 7 days").
pub const RESEND_WINDOW_SECONDS: i64 = 7 * 24 * 3600;

/// How long FPS holds a reserve before it expires unsettled.
pub const RESERVE_VALIDITY_SECONDS: i64 = 7 * 24 * 3600;

/// The order service (cheap to clone: handles only).
#[derive(Debug, Clone)]
pub struct OrderService {
    store: Store,
    fps: FpsClient,
    open_orders: Arc<OpenOrders>,
    config: Arc<Config>,
    /// Seconds added to the real clock by [`OrderService::advance_clock`] (tests only move it).
    clock_offset: Arc<AtomicI64>,
    /// Whether state changes write the fulfilment webhook's events ([`Changes::announce`]).
    announce: bool,
    /// What `GET /metrics` shows: FPS calls, refusals, requests in flight.
    metrics: Arc<Metrics>,
}

impl OrderService {
    /// A service over the store, the FPS client and the open-orders cache of `/fps/sign`.
    pub fn new(store: Store, fps: FpsClient, open_orders: Arc<OpenOrders>, config: Arc<Config>) -> Self {
        OrderService {
            store,
            fps,
            open_orders,
            config,
            clock_offset: Arc::default(),
            announce: false,
            metrics: Arc::default(),
        }
    }

    /// The backend's metrics (shared by every clone of the service).
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// The service writing (`true`) or not the fulfilment webhook's events with each state
    /// change it announces: on when a webhook URL is configured, so that without one nothing
    /// accumulates in the outbox.
    pub fn announcing(mut self, on: bool) -> Self {
        self.announce = on;
        self
    }

    /// The service's time, Unix seconds: the real clock plus any [`Self::advance_clock`].
    /// Decides when orders are due a check and whether FPS's 7-day resend window is open.
    pub fn now(&self) -> i64 {
        now() + self.clock_offset.load(Ordering::Relaxed)
    }

    /// Moves the service's clock forward (a test clock, as the emulator's `/sandbox/clock`):
    /// lets a test watch the reconciler meet a closed resend window or a reserve's deadline.
    pub fn advance_clock(&self, by: Duration) {
        let seconds = i64::try_from(by.as_secs()).unwrap_or(i64::MAX);
        self.clock_offset.fetch_add(seconds, Ordering::Relaxed);
    }

    /// The store (read access for handlers that only show orders).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// How long after a change an FPS call that a request made is surely over: the request
    /// timeout, past which the server has answered whatever happened.
    pub fn settle_time(&self) -> Duration {
        super::server::request_timeout(&self.config)
    }

    /// The Unix second at which an order whose outcome is unknown is first checked: once the
    /// request that made the call is surely over, so the reconciler does not race it.
    fn first_check(&self) -> i64 {
        self.now() + i64::try_from(self.settle_time().as_secs()).unwrap_or(60)
    }

    /// The one place an order's state changes: from one of `from` to `to`, with `changes`,
    /// recording `event` in the same transaction. A concurrent change wins: then
    /// [`StoreError::Conflict`] and nothing is written.
    pub(crate) async fn move_order(
        &self,
        reference: &str,
        from: &[OrderState],
        to: OrderState,
        changes: Changes,
        event: Event,
    ) -> Result<Order, StoreError> {
        self.open_orders.forget(reference);
        let changes = Changes {
            announce: self.announce,
            ..changes
        };
        let order = self
            .store
            .transition(reference, from, to, changes, &event)
            .await?;
        tracing::info!(order = %reference, state = %order.state, event = event.kind, "order moved");
        Ok(order)
    }

    /// Records FPS's answer to a refund ([`Store::finish_refund`]), announcing the order's
    /// refund to the webhook when it is the last.
    pub(crate) async fn finish_refund(
        &self,
        caller_reference: &str,
        state: &str,
        transaction_id: Option<&str>,
        event: &Event,
    ) -> Result<(), StoreError> {
        self.store
            .finish_refund(caller_reference, state, transaction_id, event, self.announce)
            .await
    }

    /// A move's result, or the order as it now is when a concurrent change won the race (an
    /// IPN or the reconciler moved it first: what happened is what it shows).
    pub(crate) async fn or_current(
        &self,
        moved: Result<Order, StoreError>,
        reference: &str,
    ) -> Result<Order, StoreError> {
        match moved {
            Err(StoreError::Conflict { .. }) => self
                .store
                .order(reference)
                .await?
                .ok_or_else(|| StoreError::NotFound(reference.to_owned())),
            other => other,
        }
    }

    /// Keeps an order whose call's outcome is unknown where it is (`state`), with the failure as
    /// its last error and an event of `kind`, due a reconciler check once the call is surely
    /// over. A concurrent move wins (the order is then already past it).
    pub(crate) async fn keep_unknown(
        &self,
        reference: &str,
        state: OrderState,
        kind: &'static str,
        detail: String,
    ) {
        let changes = Changes {
            last_error: Some(detail.clone()),
            next_check: NextCheck::At(self.first_check()),
            ..Changes::default()
        };
        let _ = self
            .move_order(reference, &[state], state, changes, Event::new(kind, detail))
            .await;
    }

    /// Records `event` on the order's trail (refusals, unknown outcomes, findings); a store
    /// failure here is logged, never returned, so it cannot hide the answer being given.
    pub(crate) async fn note(&self, order: Option<&str>, event: Event) {
        if let Err(e) = self.store.record_event(order, &event).await {
            tracing::error!(error = %e, kind = event.kind, "cannot record event");
        }
    }

    /// Records refused input (on the order's trail while it has few of this kind, otherwise
    /// counted per kind and day: see [`Store::record_refusal`]) and logs a bounded excerpt.
    pub(crate) async fn refuse(&self, order: Option<&str>, kind: &'static str, detail: &str) {
        tracing::warn!(order = %bounded(order.unwrap_or("-"), 64), kind, detail = %bounded(detail, 200), "refused");
        self.metrics.refused(kind);
        if let Err(e) = self.store.record_refusal(order, &Event::new(kind, detail)).await {
            tracing::error!(error = %e, kind, "cannot record a refusal");
        }
    }

    /// Makes the FPS call `call` (`action`) for `order`: timed and counted in the metrics, and
    /// FPS's `RequestId` of its answer recorded for the order (support quotes it to Amazon). A
    /// store failure here is logged, never returned: the call's result is what matters.
    pub(crate) async fn fps_call<R: CallOutcome>(
        &self,
        order: &str,
        action: &'static str,
        call: impl std::future::Future<Output = R>,
    ) -> R {
        let result = self.metrics.fps_call(action, call).await;
        if let Some(request_id) = result.request_id() {
            if let Err(e) = self
                .store
                .record_fps_request(order, action, request_id, result.outcome())
                .await
            {
                tracing::error!(error = %e, order = %bounded(order, 64), action, "cannot record FPS's request id");
            }
        }
        result
    }

    /// GetTransactionStatus of `transaction_id` for `order`, through [`Self::fps_call`] (timed,
    /// its RequestId recorded on the order).
    pub(crate) async fn transaction_status(
        &self,
        order: &str,
        transaction_id: &str,
    ) -> Result<fps_wire::StatusResult, fps_wire::FpsError> {
        self.fps_call(
            order,
            "GetTransactionStatus",
            self.fps.transaction_status(transaction_id),
        )
        .await
    }

    /// The order, or `UNKNOWN_ORDER` (404).
    pub async fn load(&self, reference: &str) -> Result<Order, OrderError> {
        self.store
            .order(reference)
            .await?
            .ok_or_else(|| OrderError::NotFound {
                code: "UNKNOWN_ORDER",
                message: "no such order".to_owned(),
            })
    }
}

/// The next check of an order whose FPS outcome is still open, as a [`NextCheck`]: `at` when
/// the state waits for FPS, cleared otherwise.
fn next_check_for(state: OrderState, at: i64) -> NextCheck {
    match state {
        OrderState::Charging | OrderState::Pending | OrderState::Settling | OrderState::Reserved => {
            NextCheck::At(at)
        }
        OrderState::Open
        | OrderState::Paid
        | OrderState::Refunded
        | OrderState::Cancelled
        | OrderState::Failed => NextCheck::Clear,
    }
}

/// When a reserved (or settling) order's reserve expires at FPS, Unix seconds: 7 days after
/// the Reserve was sent.
pub fn reserve_deadline(order: &Order) -> Option<i64> {
    if order.mode != crate::order::Mode::Reserve
        || !matches!(order.state, OrderState::Reserved | OrderState::Settling)
    {
        return None;
    }
    let sent = fps_wire::Timestamp::from_stored(order.charge_timestamp.as_deref()?)?.unix_seconds()?;
    Some(sent + RESERVE_VALIDITY_SECONDS)
}

/// Why the order needs the shop's attention now, if it does.
pub fn attention(order: &Order, now: i64) -> Option<String> {
    crate::order::attention(
        order.state,
        order.last_error.as_deref(),
        order.updated_at,
        reserve_deadline(order),
        now,
    )
}

/// `text` cut to `max` characters (log lines and event details of untrusted input).
pub(crate) fn bounded(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}
