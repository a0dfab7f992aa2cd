//! The emulator's test clock (like Stripe's test clocks): business time is real time plus an
//! offset that only moves forward, so a test can make days pass in a second (reserves expire,
//! idempotency records age, pending transactions complete). One clock per emulator instance,
//! shared by its store and handlers; the offset is persisted in the emulator's SQLite.
//!
//! The Timestamp/Expires check of signed requests does not use it: it compares with the real
//! clock, as FPS compares with its own ([`real_now_ms`]).

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

use super::state::SandboxState;
use super::store::StoreError;

/// The path of the clock's report and advance.
pub const CLOCK_PATH: &str = "/sandbox/clock";

/// Most seconds one advance may move the clock (400 days).
pub const MAX_ADVANCE_SECONDS: i64 = 400 * 24 * 3600;

/// Largest total offset (100 years), so the emulated time stays a valid date.
pub const MAX_OFFSET_MS: i64 = 100 * 366 * 24 * 3600 * 1000;

/// Milliseconds since the Unix epoch on the real clock.
pub fn real_now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Why the clock cannot move as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    /// Zero or negative: the clock only moves forward.
    #[error("the clock only moves forward: advance by a positive amount")]
    NotForward,
    /// More than [`MAX_ADVANCE_SECONDS`] in one call.
    #[error("advance by at most {MAX_ADVANCE_SECONDS} seconds (400 days) per call")]
    TooFar,
    /// The total offset would pass [`MAX_OFFSET_MS`].
    #[error("the clock is already as far ahead as it may go (100 years)")]
    Exhausted,
}

/// The business clock: real time plus a forward offset. Cloning shares the same clock.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    /// A clock `offset_ms` ahead of real time.
    pub fn with_offset(offset_ms: i64) -> Self {
        Clock {
            offset_ms: Arc::new(AtomicI64::new(offset_ms.clamp(0, MAX_OFFSET_MS))),
        }
    }

    /// Business time: Unix milliseconds on the emulated clock.
    pub fn now_ms(&self) -> i64 {
        real_now_ms().saturating_add(self.offset_ms())
    }

    /// How far ahead of real time the clock is, in milliseconds.
    pub fn offset_ms(&self) -> i64 {
        self.offset_ms.load(Ordering::SeqCst)
    }

    /// The offset after moving `by_ms` forward, checked against the bounds (not applied).
    pub fn advanced(&self, by_ms: i64) -> Result<i64, ClockError> {
        if by_ms <= 0 {
            return Err(ClockError::NotForward);
        }
        if by_ms > MAX_ADVANCE_SECONDS.saturating_mul(1000) {
            return Err(ClockError::TooFar);
        }
        self.offset_ms()
            .checked_add(by_ms)
            .filter(|total| *total <= MAX_OFFSET_MS)
            .ok_or(ClockError::Exhausted)
    }

    /// Puts a checked offset (see [`Clock::advanced`]) in force.
    pub fn set_offset(&self, offset_ms: i64) {
        self.offset_ms
            .store(offset_ms.clamp(0, MAX_OFFSET_MS), Ordering::SeqCst);
    }
}

/// Why an advance failed.
#[derive(Debug, thiserror::Error)]
pub enum AdvanceError {
    /// Out of the clock's bounds.
    #[error(transparent)]
    Clock(#[from] ClockError),
    /// The offset could not be persisted, or the due work failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl SandboxState {
    /// Moves the business clock `by_ms` forward (persisted), purges the idempotency records
    /// that aged out, completes the transactions and reserves now due, and wakes the IPN worker
    /// so notifications now due go out at once. Returns the new offset in milliseconds.
    pub async fn advance_clock(&self, by_ms: i64) -> Result<i64, AdvanceError> {
        let offset = {
            // No money action runs while the time jumps.
            let _guard = self.write_lock.lock().await;
            let offset = self.store.clock().advanced(by_ms)?;
            self.store.save_clock_offset(offset).await?;
            self.store.purge_request_records().await?;
            offset
        };
        tracing::info!(offset_ms = offset, "sandbox clock advanced");
        super::ledger::complete_due(self).await?;
        self.wake_ledger.notify_one();
        self.wake_ipn.notify_one();
        Ok(offset)
    }

    /// The clock as `GET /sandbox/clock` shows it.
    fn clock_report(&self) -> serde_json::Value {
        serde_json::json!({
            "now": super::ids::iso_date(self.now_ms()),
            "offsetSeconds": self.store.clock().offset_ms() / 1000,
        })
    }
}

/// The body of `POST /sandbox/clock`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Advance {
    advance_seconds: i64,
}

/// `GET` and `POST /sandbox/clock`: reports the business clock, or advances it by
/// `{"advanceSeconds": N}`, given the fault token as bearer (the same as `/sandbox/faults`).
pub async fn switch(
    State(state): State<Arc<SandboxState>>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(refused) = super::faults::refusal(&state, &headers, "test clock") {
        return refused;
    }
    let refuse = |status: StatusCode, message: String| {
        (status, Json(serde_json::json!({ "error": message }))).into_response()
    };
    if method == Method::POST {
        let usage = format!(
            "send {{\"advanceSeconds\": N}} with N a whole number of seconds from 1 to {MAX_ADVANCE_SECONDS}"
        );
        let advance: Advance = match serde_json::from_slice(&body) {
            Ok(advance) => advance,
            Err(e) => {
                let detail: String = e.to_string().chars().take(200).collect();
                return refuse(StatusCode::BAD_REQUEST, format!("{usage} ({detail})"));
            }
        };
        let by_ms = advance.advance_seconds.saturating_mul(1000);
        match state.advance_clock(by_ms).await {
            Ok(_) => {}
            Err(AdvanceError::Clock(e)) => {
                return refuse(StatusCode::BAD_REQUEST, format!("{e}: {usage}"));
            }
            Err(AdvanceError::Store(e)) => {
                tracing::error!(error = %e, "advancing the sandbox clock failed");
                return refuse(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "the sandbox database failed while advancing the clock".into(),
                );
            }
        }
    }
    (StatusCode::OK, Json(state.clock_report())).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_forward_within_bounds_and_is_shared_by_clones() {
        let clock = Clock::default();
        let shared = clock.clone();
        let before = clock.now_ms();
        let offset = clock.advanced(3_600_000).unwrap();
        assert_eq!(clock.offset_ms(), 0, "advanced only checks");
        shared.set_offset(offset);
        assert_eq!(clock.offset_ms(), 3_600_000);
        assert!(clock.now_ms() >= before + 3_600_000);
        assert!(real_now_ms() < clock.now_ms());
        assert_eq!(clock.advanced(0), Err(ClockError::NotForward));
        assert_eq!(clock.advanced(-5), Err(ClockError::NotForward));
        assert_eq!(
            clock.advanced(MAX_ADVANCE_SECONDS * 1000 + 1),
            Err(ClockError::TooFar)
        );
        assert!(clock.advanced(MAX_ADVANCE_SECONDS * 1000).is_ok());
        let far = Clock::with_offset(MAX_OFFSET_MS);
        assert_eq!(far.advanced(1000), Err(ClockError::Exhausted));
        let other = Clock::default();
        assert_eq!(other.offset_ms(), 0, "each emulator has its own clock");
    }
}
