//! The settlement switch (`/sandbox/settlement`, behind the fault token): when card and bank
//! transactions complete. By default they are `Pending` for the configured pending delay; a test
//! may make them complete in the answer (as ABT payments do), or stay `Pending` for a delay of
//! its own, which the test clock then ends (`/sandbox/clock`). It changes only when transactions
//! made from now on complete, never their outcome (decline amounts and accounts still fail).

use std::sync::{Arc, RwLock};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};

use super::clock::MAX_ADVANCE_SECONDS;
use super::state::SandboxState;

/// The path of the switch.
pub const SETTLEMENT_PATH: &str = "/sandbox/settlement";

/// Longest pending delay a test may set: what one clock advance can end (400 days).
pub const MAX_PENDING_MS: u64 = MAX_ADVANCE_SECONDS as u64 * 1000;

/// When card and bank transactions (Pay, Reserve, Settle, Refund) complete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(try_from = "SettlementWire", into = "SettlementWire")]
pub enum Settlement {
    /// `Pending` for the configured pending delay (the emulator's usual behaviour).
    #[default]
    Configured,
    /// Complete in the answer: `Success`, `Reserved` or `Failure` at once, as an ABT Pay.
    Instant,
    /// `Pending` for `delayMs` of business time (1 to [`MAX_PENDING_MS`]): a test holds them
    /// and ends the wait by advancing the test clock.
    Pending {
        /// The delay, in milliseconds of business time.
        delay_ms: u64,
    },
}

/// The JSON form: `{"mode": "configured" | "instant" | "pending", "delayMs": N}`, `delayMs`
/// with `pending` only.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SettlementWire {
    mode: SettlementMode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    delay_ms: Option<u64>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
enum SettlementMode {
    Configured,
    Instant,
    Pending,
}

impl TryFrom<SettlementWire> for Settlement {
    type Error = String;

    fn try_from(wire: SettlementWire) -> Result<Self, String> {
        match (wire.mode, wire.delay_ms) {
            (SettlementMode::Configured, None) => Ok(Settlement::Configured),
            (SettlementMode::Instant, None) => Ok(Settlement::Instant),
            (SettlementMode::Pending, Some(delay_ms)) if (1..=MAX_PENDING_MS).contains(&delay_ms) => {
                Ok(Settlement::Pending { delay_ms })
            }
            (SettlementMode::Pending, _) => {
                Err(format!("mode pending needs delayMs from 1 to {MAX_PENDING_MS}"))
            }
            (_, Some(_)) => Err("delayMs is only for mode pending".into()),
        }
    }
}

impl From<Settlement> for SettlementWire {
    fn from(settlement: Settlement) -> Self {
        let (mode, delay_ms) = match settlement {
            Settlement::Configured => (SettlementMode::Configured, None),
            Settlement::Instant => (SettlementMode::Instant, None),
            Settlement::Pending { delay_ms } => (SettlementMode::Pending, Some(delay_ms)),
        };
        SettlementWire { mode, delay_ms }
    }
}

/// The switch shared by the handlers and the ledger.
#[derive(Debug, Default)]
pub struct SettlementSwitch(RwLock<Settlement>);

impl SettlementSwitch {
    /// The settlement in force.
    pub fn current(&self) -> Settlement {
        self.0.read().map(|s| *s).unwrap_or_default()
    }

    /// Puts `settlement` in force.
    pub fn set(&self, settlement: Settlement) {
        if let Ok(mut slot) = self.0.write() {
            *slot = settlement;
        }
    }
}

/// `GET` and `POST /sandbox/settlement`: shows or sets when card and bank transactions
/// complete, given the fault token as bearer token (404 without a configured token).
pub async fn switch(
    State(state): State<Arc<SandboxState>>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let answer = |status: StatusCode, value: serde_json::Value| (status, Json(value)).into_response();
    if let Some(refused) = super::faults::refusal(&state, &headers, "settlement switch") {
        return refused;
    }
    if method == Method::POST {
        let settlement: Settlement = match serde_json::from_slice(&body) {
            Ok(settlement) => settlement,
            Err(e) => {
                let message: String = e.to_string().chars().take(300).collect();
                return answer(StatusCode::BAD_REQUEST, serde_json::json!({ "error": message }));
            }
        };
        tracing::warn!(?settlement, "sandbox settlement set");
        state.settlement.set(settlement);
    }
    answer(
        StatusCode::OK,
        serde_json::to_value(state.settlement.current()).unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_checks_settlements() {
        let read = |text: &str| serde_json::from_str::<Settlement>(text);
        assert_eq!(read(r#"{"mode":"instant"}"#).unwrap(), Settlement::Instant);
        assert_eq!(read(r#"{"mode":"configured"}"#).unwrap(), Settlement::Configured);
        let held = read(r#"{"mode":"pending","delayMs":3600000}"#).unwrap();
        assert_eq!(held, Settlement::Pending { delay_ms: 3_600_000 });
        for refused in [
            r#"{"mode":"pending","delayMs":0}"#,
            r#"{"mode":"pending","delayMs":99999999999999}"#,
            r#"{"mode":"pending"}"#,
            r#"{"mode":"later"}"#,
            r#"{"mode":"instant","delayMs":5}"#,
            r#"{"mode":"instant","x":5}"#,
            r#"{}"#,
        ] {
            assert!(read(refused).is_err(), "{refused}");
        }
        assert_eq!(
            serde_json::to_value(Settlement::Pending { delay_ms: 5 }).unwrap(),
            serde_json::json!({"mode": "pending", "delayMs": 5})
        );
        assert_eq!(
            serde_json::to_value(Settlement::Instant).unwrap(),
            serde_json::json!({"mode": "instant"})
        );
    }
}
