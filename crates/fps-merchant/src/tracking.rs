//! Instant Payment Notifications: the form parser (pure, fuzzed) and the thin `POST /fps/ipn`
//! handler; the order service verifies and applies them.

use axum::extract::State;
use axum::Json;
use serde_json::Value;

use super::error::{ApiError, RawText};
use super::server::AppState;
use fps_core::canonical::{decode_query, reject_duplicates, PlusIs};
use fps_wire::TransactionStatus;

/// Longest `transactionId` accepted from a notification.
pub const MAX_TRANSACTION_ID_BYTES: usize = 64;

/// An IPN form body, decoded (form style: `+` is a space) with duplicate names refused. Pure: no
/// I/O, so it is fuzzed on its own (`fuzz/fuzz_targets/ipn_form.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pairs: Vec<(String, String)>,
}

/// What a verified notification says about a transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationFields {
    /// `transactionId`: 1 to [`MAX_TRANSACTION_ID_BYTES`] bytes.
    pub transaction_id: String,
    /// `transactionStatus`, either spelling.
    pub status: TransactionStatus,
    /// `callerReference`, if present.
    pub caller_reference: Option<String>,
}

impl Notification {
    /// Decodes a form body; refuses bad encoding, oversize, too many pairs and duplicate names.
    pub fn parse(body: &str) -> Result<Self, String> {
        let pairs = decode_query(body, PlusIs::Space).map_err(|e| e.to_string())?;
        reject_duplicates(&pairs).map_err(|e| e.to_string())?;
        Ok(Notification { pairs })
    }

    /// A decoded value by name.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether the body carries a `signature` at all (checked before asking FPS).
    pub fn is_signed(&self) -> bool {
        self.get("signature").is_some()
    }

    /// The fields the backend acts on; read only once FPS verified the body.
    pub fn fields(&self) -> Result<NotificationFields, String> {
        let transaction_id = self
            .get("transactionId")
            .filter(|t| !t.is_empty() && t.len() <= MAX_TRANSACTION_ID_BYTES)
            .ok_or_else(|| "no transactionId".to_owned())?
            .to_owned();
        let status_text = self.get("transactionStatus").unwrap_or_default();
        let status = TransactionStatus::parse(status_text).ok_or_else(|| {
            format!(
                "unknown transactionStatus {:?}",
                status_text.chars().take(40).collect::<String>()
            )
        })?;
        Ok(NotificationFields {
            transaction_id,
            status,
            caller_reference: self.get("callerReference").map(str::to_owned),
        })
    }
}

/// What a verified `TokenCancellation` notification says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenCancellation {
    /// `tokenId`.
    pub token_id: String,
    /// `callerReference` of the pipeline that installed the token, if present.
    pub caller_reference: Option<String>,
}

impl Notification {
    /// The token a `TokenCancellation` notification names; `None` for any other notification.
    pub fn token_cancellation(&self) -> Option<TokenCancellation> {
        if self.get("notificationType") != Some("TokenCancellation") {
            return None;
        }
        let token_id = self
            .get("tokenId")
            .filter(|t| !t.is_empty() && t.len() <= MAX_TRANSACTION_ID_BYTES)?;
        Some(TokenCancellation {
            token_id: token_id.to_owned(),
            caller_reference: self
                .get("callerReference")
                .filter(|r| r.len() <= 128)
                .map(str::to_owned),
        })
    }
}

/// `POST /fps/ipn`: an Instant Payment Notification, verified with FPS and applied by the order
/// service (forward only; answered 200 once stored, so FPS stops resending it).
pub async fn ipn(State(app): State<AppState>, RawText(body): RawText) -> Result<Json<Value>, ApiError> {
    Ok(Json(app.orders.notification(&body).await?))
}
