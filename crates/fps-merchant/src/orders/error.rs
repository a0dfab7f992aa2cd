//! The order service's one error type: what a request to change or read an order can fail with,
//! in the domain's words. The HTTP layer maps each to a status ([`crate::error::ApiError`]); the
//! service itself knows nothing of HTTP.

use fps_wire::FpsError;

use crate::order::RuleError;
use crate::store::StoreError;

/// Everything an order operation can fail with.
#[derive(Debug, thiserror::Error)]
pub enum OrderError {
    /// The caller's input is malformed (an amount, a reason).
    #[error("{message}")]
    Invalid {
        /// Stable code.
        code: &'static str,
        /// For people.
        message: String,
    },
    /// Refused: the input is well formed but may not do this (an unverified return, a
    /// transaction that is not this order's).
    #[error("{message}")]
    Forbidden {
        /// Stable code.
        code: &'static str,
        /// For people.
        message: String,
    },
    /// No such order, refund or transaction.
    #[error("{message}")]
    NotFound {
        /// Stable code.
        code: &'static str,
        /// For people.
        message: String,
    },
    /// The order is in the wrong state, or another request moved it first.
    #[error("{message}")]
    Conflict {
        /// Stable code.
        code: &'static str,
        /// For people.
        message: String,
    },
    /// FPS refused the payment (a refusal: it states it did nothing).
    #[error("payment declined by FPS ({fps_code}): {message}")]
    Declined {
        /// FPS's error code.
        fps_code: String,
        /// FPS's message.
        message: String,
    },
    /// FPS failed or could not be reached; `context` says what became of the order.
    #[error("{context}: {source}")]
    Fps {
        /// What the service was doing, and what became of the order.
        context: String,
        /// The failure.
        source: FpsError,
    },
    /// An order rule refused the change (wrong state, too much, too many attempts).
    #[error(transparent)]
    Rule(#[from] RuleError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}
