//! The delivery worker: a background task of `fps-checkout serve` (like the reconciler) that
//! posts the outbox's due events to the webhook URL, signed, at least once.
//!
//! Each event is leased to one backend by a conditional update before it is posted, so any
//! number of backends on one database deliver each event once (again only if a lease runs out
//! mid-delivery, or a replay asks). A 2xx answer ends it; anything else (another status, a
//! timeout, a refused connection, a redirect) makes it due again after an exponential backoff
//! capped at an hour, for three days, after which it is given up (a replay revives it).

use std::future::Future;
use std::sync::Arc;

use super::signature::{header_value, SIGNATURE_HEADER};
use super::WebhookConfig;
use crate::orders::OrderService;
use crate::store::{OutboxEvent, StoreError};

/// Events delivered per tick at most (each leased on its own just before it is posted).
pub const BATCH: u32 = 20;
/// The first retry's delay; each further one doubles it.
pub const FIRST_RETRY_SECONDS: i64 = 30;
/// Longest wait between two deliveries of one event.
pub const MAX_BACKOFF_SECONDS: i64 = 3600;
/// How long an event is retried before it is given up (Stripe's three days).
pub const GIVE_UP_AFTER_SECONDS: i64 = 3 * 24 * 3600;
/// Most bytes of a receiver's answer read (the rest is not waited for).
pub const MAX_RESPONSE_BYTES: usize = 16 * 1024;
/// Longest delivery error kept on the event.
const MAX_ERROR: usize = 300;

/// Why the worker could not be built.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// The HTTP client could not be built (TLS roots).
    #[error("webhook HTTP client: {0}")]
    Client(#[source] reqwest::Error),
}

/// What one tick did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryReport {
    /// Events leased and posted.
    pub attempted: usize,
    /// Of those, answered 2xx.
    pub delivered: usize,
    /// Of those failed, given up for good.
    pub given_up: usize,
}

/// The background task.
#[derive(Debug, Clone)]
pub struct Deliverer {
    service: OrderService,
    config: Arc<WebhookConfig>,
    http: reqwest::Client,
    owner: String,
}

impl Deliverer {
    /// A worker delivering the events of `service`'s store as `config` says, under a lease
    /// owner id of its own. Uses the service's clock (tests move it).
    pub fn new(service: OrderService, config: Arc<WebhookConfig>) -> Result<Self, DeliveryError> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("fps-checkout-webhook/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(DeliveryError::Client)?;
        Ok(Deliverer {
            service,
            config,
            http,
            owner: format!("webhook-{}", uuid::Uuid::new_v4().simple()),
        })
    }

    /// Ticks every poll interval until `stop` completes. A failing tick is logged and the next
    /// one runs as usual.
    pub async fn run(self, stop: impl Future<Output = ()>) {
        let mut stop = std::pin::pin!(stop);
        let mut ticker = tokio::time::interval(self.config.poll_interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticker.tick() => {}
                () = &mut stop => return,
            }
            match self.tick().await {
                Ok(report) if report.attempted > 0 => tracing::info!(
                    attempted = report.attempted,
                    delivered = report.delivered,
                    given_up = report.given_up,
                    "webhook deliveries"
                ),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "webhook tick failed"),
            }
        }
    }

    /// One tick: leases and posts due events one by one, up to [`BATCH`].
    pub async fn tick(&self) -> Result<DeliveryReport, StoreError> {
        let mut report = DeliveryReport::default();
        let lease = i64::try_from(self.config.timeout.as_secs()).unwrap_or(60) * 2 + 5;
        for _ in 0..BATCH {
            let now = self.service.now();
            let store = self.service.store();
            let Some(event) = store
                .claim_webhook_events(&self.owner, now, now + lease, 1)
                .await?
                .pop()
            else {
                break;
            };
            report.attempted += 1;
            let posted = self.post(&event).await;
            let at = self.service.now();
            match posted {
                Ok(()) => {
                    report.delivered += 1;
                    store
                        .release_webhook_event(&event.id, &self.owner, at, None, None)
                        .await?;
                }
                Err(error) => {
                    let next = retry_at(&event, at);
                    let error = match next {
                        Some(_) => error,
                        None => {
                            report.given_up += 1;
                            format!("given up after {} attempts: {error}", event.attempts + 1)
                        }
                    };
                    tracing::warn!(event = %event.id, kind = %event.kind, %error, "webhook delivery failed");
                    store
                        .release_webhook_event(&event.id, &self.owner, at, next, Some(&error))
                        .await?;
                }
            }
        }
        Ok(report)
    }

    /// Posts one event, signed now; `Ok` on a 2xx answer, else what went wrong (never the
    /// secret, never the answer's body).
    async fn post(&self, event: &OutboxEvent) -> Result<(), String> {
        let timestamp = crate::store::now();
        let signature = header_value(&self.config.secret, timestamp, event.body.as_bytes());
        let sent = self
            .http
            .post(self.config.url.as_str())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(SIGNATURE_HEADER, signature)
            .header("Fps-Event-Id", &event.id)
            .body(event.body.clone())
            .send()
            .await;
        let mut response = sent.map_err(|e| bounded(&describe(e)))?;
        let status = response.status();
        // Read a bounded part of the answer (for the connection's reuse), never all of it.
        let mut read = 0usize;
        while read <= MAX_RESPONSE_BYTES {
            match response.chunk().await {
                Ok(Some(chunk)) => read += chunk.len(),
                Ok(None) | Err(_) => break,
            }
        }
        if status.is_success() {
            Ok(())
        } else {
            Err(format!("the receiver answered {status}"))
        }
    }
}

/// When `event`, whose delivery at `at` just failed, is due again: an exponential backoff from
/// [`FIRST_RETRY_SECONDS`] capped at [`MAX_BACKOFF_SECONDS`]; `None` past
/// [`GIVE_UP_AFTER_SECONDS`] from its creation.
pub fn retry_at(event: &OutboxEvent, at: i64) -> Option<i64> {
    let next = at + backoff(event.attempts + 1);
    (next - event.created_at <= GIVE_UP_AFTER_SECONDS).then_some(next)
}

/// The wait after the `failures`-th failed delivery, in seconds.
pub fn backoff(failures: i64) -> i64 {
    let doublings = u32::try_from(failures.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
    FIRST_RETRY_SECONDS
        .saturating_mul(1_i64 << doublings)
        .min(MAX_BACKOFF_SECONDS)
}

/// A transport failure in words (timeout, connection, redirect), without the URL's query.
fn describe(error: reqwest::Error) -> String {
    if error.is_timeout() {
        "the receiver did not answer in time".to_owned()
    } else if error.is_connect() {
        "cannot connect to the receiver".to_owned()
    } else {
        error.without_url().to_string()
    }
}

fn bounded(text: &str) -> String {
    text.chars().take(MAX_ERROR).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_an_hour() {
        let waits: Vec<i64> = (1..=9).map(backoff).collect();
        assert_eq!(waits, [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(backoff(i64::MAX), MAX_BACKOFF_SECONDS);
        assert_eq!(backoff(0), FIRST_RETRY_SECONDS);
    }

    #[test]
    fn retries_end_three_days_after_the_event() {
        let event = OutboxEvent {
            id: "evt_1".into(),
            kind: "order.paid".into(),
            body: "{}".into(),
            created_at: 1000,
            attempts: 0,
        };
        assert_eq!(retry_at(&event, 1000), Some(1030));
        let late = 1000 + GIVE_UP_AFTER_SECONDS - 10;
        assert_eq!(retry_at(&event, late), None);
    }
}
