//! The FPS errors the emulator answers with (a code of the shared vocabulary and a message), and
//! the HTTP status each is answered with. Not the client's `fps_wire::FpsError`, which is why a
//! call gave no result: the same name for the two ends of one wire.

use std::fmt;

pub use fps_wire::vocabulary::ErrorCode;

use super::store::StoreError;

/// An FPS error answer: code and message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct FpsError {
    /// The code.
    pub code: ErrorCode,
    /// The message.
    pub message: String,
}

impl FpsError {
    /// An error with a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        FpsError {
            code,
            message: message.into(),
        }
    }

    /// The HTTP status the error is answered with (per-code statuses are unconfirmed: 403 for
    /// authentication, 500 for the emulator's own failures, 400 otherwise).
    pub fn http_status(&self) -> u16 {
        match self.code {
            ErrorCode::SignatureDoesNotMatch | ErrorCode::InvalidClientTokenId => 403,
            ErrorCode::InternalError => 500,
            _ => 400,
        }
    }

    /// `InvalidParams` naming a missing parameter.
    pub fn missing(name: &str) -> Self {
        Self::new(ErrorCode::InvalidParams, format!("{name} is missing."))
    }

    /// `InvalidParams` naming a malformed parameter.
    pub fn invalid(name: &str, why: impl fmt::Display) -> Self {
        Self::new(
            ErrorCode::InvalidParams,
            format!("Value for {name} is invalid: {why}."),
        )
    }
}

impl From<StoreError> for FpsError {
    fn from(e: StoreError) -> Self {
        tracing::error!(error = %e, "sandbox storage failed");
        FpsError::new(
            ErrorCode::InternalError,
            "The sandbox could not store the request.",
        )
    }
}
