//! `GET /metrics` (admin bearer token): the backend's measurements in the Prometheus text format
//! (OpenMetrics), through the Prometheus project's own client, `prometheus-client` (no global
//! registry: each backend state owns one). Counted as they happen: FPS calls by action and
//! outcome (applied, refused, unknown) with a latency histogram, refusals of input by reason, and
//! requests in flight. Read from the database at each scrape, so every backend sharing it
//! reports the same: orders by state, the reconciler's backlog and the webhook's backlog.

use std::future::Future;
use std::time::Instant;

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

use super::admin::Admin;
use super::error::ApiError;
use super::order::OrderState;
use super::server::AppState;
use super::store::StoreError;
use fps_wire::outcome::proves_nothing_done;
use fps_wire::{FpsError, Outcome, Sending};

/// Labels of one metric (`name`, value).
type Labels = Vec<(&'static str, &'static str)>;

/// Every metric of one backend.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    fps_calls: Family<Labels, Counter>,
    fps_latency: Family<Labels, Histogram>,
    refusals: Family<Labels, Counter>,
    in_flight: Gauge,
    orders: Family<Labels, Gauge>,
    reconcile_backlog: Gauge,
    reconcile_due: Gauge,
    webhook_backlog: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// A registry with every metric registered, all at zero.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("fps_checkout");
        let fps_calls = Family::<Labels, Counter>::default();
        registry.register(
            "fps_calls",
            "FPS Query API calls by action and outcome (applied, refused, unknown)",
            fps_calls.clone(),
        );
        let fps_latency = Family::<Labels, Histogram>::new_with_constructor(|| {
            // 5 ms to about 10 s.
            Histogram::new(exponential_buckets(0.005, 2.0, 12))
        });
        registry.register(
            "fps_call_duration_seconds",
            "Time of one FPS call, resends included, by action",
            fps_latency.clone(),
        );
        let refusals = Family::<Labels, Counter>::default();
        registry.register("refusals", "Refused input by reason", refusals.clone());
        let in_flight = Gauge::default();
        registry.register(
            "requests_in_flight",
            "HTTP requests being handled",
            in_flight.clone(),
        );
        let orders = Family::<Labels, Gauge>::default();
        registry.register("orders", "Orders by state (from the database)", orders.clone());
        let reconcile_backlog = Gauge::default();
        registry.register(
            "reconciler_backlog",
            "Orders whose FPS outcome is still open (from the database)",
            reconcile_backlog.clone(),
        );
        let reconcile_due = Gauge::default();
        registry.register(
            "reconciler_due",
            "Orders due a reconciler check now (lag: more than a tick's batch means it falls behind)",
            reconcile_due.clone(),
        );
        let webhook_backlog = Gauge::default();
        registry.register(
            "webhook_backlog",
            "Fulfilment webhook events not yet delivered (from the database)",
            webhook_backlog.clone(),
        );
        Metrics {
            registry,
            fps_calls,
            fps_latency,
            refusals,
            in_flight,
            orders,
            reconcile_backlog,
            reconcile_due,
            webhook_backlog,
        }
    }

    /// Times `call` (FPS `action`) and counts its outcome.
    pub async fn fps_call<R: CallOutcome>(&self, action: &'static str, call: impl Future<Output = R>) -> R {
        let started = Instant::now();
        let result = call.await;
        self.fps_latency
            .get_or_create(&vec![("action", action)])
            .observe(started.elapsed().as_secs_f64());
        self.fps_calls
            .get_or_create(&vec![("action", action), ("outcome", result.outcome())])
            .inc();
        result
    }

    /// Counts one refusal of input of `reason` (an event kind).
    pub fn refused(&self, reason: &'static str) {
        self.refusals.get_or_create(&vec![("reason", reason)]).inc();
    }

    /// Counts a request in flight until the returned guard is dropped.
    pub fn request_started(&self) -> InFlight {
        self.in_flight.inc();
        InFlight(self.in_flight.clone())
    }

    /// The text exposition, after reading the database's figures.
    async fn render(&self, state: &AppState) -> Result<String, StoreError> {
        let store = &state.store;
        let counts = store.order_counts().await?;
        for order_state in OrderState::ALL {
            let n = counts
                .iter()
                .find(|(s, _)| s == order_state.as_str())
                .map_or(0, |(_, n)| *n);
            self.orders
                .get_or_create(&vec![("state", order_state.as_str())])
                .set(n);
        }
        let (backlog, due) = store.reconcile_backlog(state.orders.now()).await?;
        self.reconcile_backlog.set(backlog);
        self.reconcile_due.set(due);
        self.webhook_backlog.set(store.webhook_backlog().await?);
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = encode(&mut text, &self.registry);
        Ok(text)
    }
}

/// A request counted in flight; dropping it ends the count.
#[derive(Debug)]
pub struct InFlight(Gauge);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// How a call's result is counted: `applied`, `refused` (FPS stated it did nothing) or
/// `unknown`, as [`fps_wire::Outcome`] classifies money-changing calls.
pub trait CallOutcome {
    /// The outcome label.
    fn outcome(&self) -> &'static str;

    /// FPS's `RequestId` of the answer, when FPS answered with one.
    fn request_id(&self) -> Option<&str>;
}

/// A successful answer's `RequestId`, where the answer keeps it.
pub trait AnsweredRequest {
    /// The `RequestId`, if the answer carries one.
    fn request_id(&self) -> Option<&str>;
}

impl AnsweredRequest for fps_wire::TransactionResult {
    fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
}

impl AnsweredRequest for fps_wire::StatusResult {
    fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
}

impl AnsweredRequest for fps_wire::TransactionDetails {
    fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
}

/// VerifySignature's answer is a bare status: fps-wire does not keep its `RequestId`.
impl AnsweredRequest for fps_wire::Verification {
    fn request_id(&self) -> Option<&str> {
        None
    }
}

/// An account's activity is not one order's call.
impl AnsweredRequest for fps_wire::transaction::AccountActivity {
    fn request_id(&self) -> Option<&str> {
        None
    }
}

/// The `RequestId` of FPS's error answer (`-` when it had none).
fn error_request_id(e: &FpsError) -> Option<&str> {
    match e {
        FpsError::Service { request_id, .. } if request_id != "-" => Some(request_id),
        _ => None,
    }
}

impl<T: AnsweredRequest> CallOutcome for Outcome<T> {
    fn outcome(&self) -> &'static str {
        match self {
            Outcome::Applied(_) => "applied",
            Outcome::Refused(_) => "refused",
            Outcome::Unknown(_) => "unknown",
        }
    }

    fn request_id(&self) -> Option<&str> {
        match self {
            Outcome::Applied(answer) => answer.request_id(),
            Outcome::Refused(e) | Outcome::Unknown(e) => error_request_id(e),
        }
    }
}

impl<T: AnsweredRequest> CallOutcome for Result<T, FpsError> {
    fn outcome(&self) -> &'static str {
        match self {
            Ok(_) => "applied",
            Err(e) if proves_nothing_done(e, Sending::First) => "refused",
            Err(_) => "unknown",
        }
    }

    fn request_id(&self) -> Option<&str> {
        match self {
            Ok(answer) => answer.request_id(),
            Err(e) => error_request_id(e),
        }
    }
}

/// `GET /metrics`: the text exposition (admin token required).
pub async fn scrape(_: Admin, State(app): State<AppState>) -> Result<Response, ApiError> {
    let text = app.orders.metrics().render(&app).await?;
    Ok((
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        text,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_are_classified_as_the_order_service_does() {
        let refused = FpsError::Service {
            code: fps_wire::ErrorCode::InvalidParams,
            message: String::new(),
            http_status: 400,
            request_id: "-".to_owned(),
        };
        // FPS's `-` (no RequestId in the answer) is not recorded as one.
        assert_eq!(
            Err::<fps_wire::Verification, FpsError>(refused).request_id(),
            None
        );
        let verified = Ok::<_, FpsError>(fps_wire::Verification::Success);
        assert_eq!(verified.outcome(), "applied");
        assert_eq!(verified.request_id(), None);
        let refused = Err::<fps_wire::Verification, FpsError>(FpsError::Service {
            code: fps_wire::ErrorCode::InvalidParams,
            message: String::new(),
            http_status: 400,
            request_id: "r-9:0".to_owned(),
        });
        assert_eq!(refused.outcome(), "refused");
        assert_eq!(refused.request_id(), Some("r-9:0"));
        let unknown = Outcome::<fps_wire::TransactionResult>::Unknown(FpsError::Timeout { seconds: 1 });
        assert_eq!(unknown.outcome(), "unknown");
        assert_eq!(unknown.request_id(), None);
        let applied = Outcome::Applied(fps_wire::TransactionResult {
            transaction_id: "T1".to_owned(),
            transaction_status: fps_wire::TransactionStatus::Pending,
            request_id: Some("r-1:0".to_owned()),
        });
        assert_eq!(applied.request_id(), Some("r-1:0"));
    }

    #[test]
    fn in_flight_counts_until_dropped() {
        let metrics = Metrics::new();
        let a = metrics.request_started();
        let b = metrics.request_started();
        assert_eq!(metrics.in_flight.get(), 2);
        drop(a);
        drop(b);
        assert_eq!(metrics.in_flight.get(), 0);
    }
}
