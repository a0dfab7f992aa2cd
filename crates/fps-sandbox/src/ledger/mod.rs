//! The money rules of the seeds: Pay and Reserve against tokens, settle once and at most the
//! reserve, refund only settled money and at most what was paid, cancel only pending or reserved
//! transactions, and the Pending -> final moves after the configured delay.
//!
//! Every function here that changes state expects the caller to hold `SandboxState::write_lock`.

pub mod balance;
mod cancels;
mod charges;
pub mod fees;
pub mod instruments;
mod parties;
pub mod postings;
mod refunds;
mod status;

pub use cancels::{cancel, cancel_by_sender, cancel_token, cancel_token_by_owner};
pub use charges::{charge, settle, Charge, ChargeRequest, MAX_TRANSACTION_MINOR};
pub use parties::{
    caller_transaction, declines_capture, is_decline_amount, BROKEN_RECIPIENT_TOKENS, BROKEN_SENDER_TOKENS,
    CAPTURE_DECLINED_SENDER,
};
pub use refunds::{refund, RefundRequest};
pub use status::complete_due;

use super::error::{ErrorCode, FpsError};

/// `InvalidTransactionState`: the transaction is not in a state the call can act on.
fn state_error(message: impl Into<String>) -> FpsError {
    FpsError::new(ErrorCode::InvalidTransactionState, message)
}
