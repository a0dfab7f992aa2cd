//! Cancel of a pending or reserved transaction, and CancelToken; by the caller (the Query API)
//! or by the sender on the account pages.

use super::parties::caller_transaction;
use super::state_error;
use super::status::announce;
use crate::config::CallerAccount;
use crate::error::{ErrorCode, FpsError};
use crate::ipn;
use crate::state::SandboxState;
use crate::store::TransactionRecord;

/// Cancel: a pending or reserved transaction only.
pub async fn cancel(
    state: &SandboxState,
    caller: &CallerAccount,
    id: &str,
    override_ipn_url: Option<String>,
) -> Result<TransactionRecord, FpsError> {
    let txn = caller_transaction(state, caller, id).await?;
    cancel_record(
        state,
        txn,
        override_ipn_url,
        "The transaction was cancelled by the caller.",
    )
    .await
}

/// A sender cancels its own pending or reserved payment on the account pages (as on
/// payments.amazon.com): the same move as the caller's Cancel, announced to the caller by IPN.
pub async fn cancel_by_sender(
    state: &SandboxState,
    sender_email: &str,
    id: &str,
) -> Result<TransactionRecord, FpsError> {
    let txn = state
        .store
        .transaction(id)
        .await?
        .filter(|t| t.operation != "Refund" && t.sender_email.eq_ignore_ascii_case(sender_email))
        .ok_or_else(|| {
            FpsError::new(
                ErrorCode::InvalidTransactionId,
                "You made no payment with this transaction id.",
            )
        })?;
    cancel_record(state, txn, None, "The transaction was cancelled by the sender.").await
}

/// Moves a pending or reserved transaction to `Cancelled` and announces it.
async fn cancel_record(
    state: &SandboxState,
    mut txn: TransactionRecord,
    override_ipn_url: Option<String>,
    message: &str,
) -> Result<TransactionRecord, FpsError> {
    if txn.status != "Pending" && txn.status != "Reserved" {
        return Err(state_error(format!(
            "The transaction is {}; only Pending or Reserved transactions can be cancelled (refund a completed one).",
            txn.status
        )));
    }
    let now = state.now_ms();
    if override_ipn_url.is_some() {
        txn.override_ipn_url = override_ipn_url;
    }
    txn.status = "Cancelled".into();
    txn.status_code = "Canceled".into();
    txn.status_message = message.into();
    txn.fps_fee_minor = 0;
    txn.marketplace_fee_minor = 0;
    txn.date_completed = Some(now);
    txn.due_at = None;
    txn.due_status = None;
    state.store.update_transaction(&txn).await?;
    let amount = txn.settled_minor.unwrap_or(txn.amount_minor);
    state
        .store
        .add_history(&txn.id, now, &txn.status, &txn.status_code, amount)
        .await?;
    let operation = txn.operation.to_ascii_uppercase();
    announce(state, &txn, &operation).await?;
    Ok(txn)
}

/// A sender (or recipient) cancels a token it authorized, on the account pages: the caller is
/// notified (`TokenCancellation`) as for its own CancelToken.
pub async fn cancel_token_by_owner(
    state: &SandboxState,
    owner_email: &str,
    token_id: &str,
) -> Result<(), FpsError> {
    let unknown = || {
        FpsError::new(
            ErrorCode::InvalidTokenIdSender,
            "You authorized no token with this id.",
        )
    };
    let token = state
        .store
        .token(token_id)
        .await?
        .filter(|t| t.token_id == token_id && t.owner_email.eq_ignore_ascii_case(owner_email))
        .ok_or_else(unknown)?;
    let caller = state.caller(&token.caller_key).ok_or_else(unknown)?;
    cancel_token(
        state,
        caller,
        token_id,
        Some("The sender cancelled the token."),
        None,
    )
    .await
}

/// CancelToken: makes a token of this caller inactive.
pub async fn cancel_token(
    state: &SandboxState,
    caller: &CallerAccount,
    token_id: &str,
    reason: Option<&str>,
    override_ipn_url: Option<&str>,
) -> Result<(), FpsError> {
    let token = match state.store.token(token_id).await? {
        Some(t) if t.caller_key == caller.access_key_id && t.token_id == token_id => t,
        _ => {
            return Err(FpsError::new(
                ErrorCode::InvalidTokenIdSender,
                format!("The token {token_id} is invalid."),
            ))
        }
    };
    if token.status != "Active" {
        return Err(FpsError::new(
            ErrorCode::TokenNotActiveSender,
            "The token is not active.",
        ));
    }
    state.store.set_token_status(token_id, "Inactive").await?;
    let url = override_ipn_url
        .map(str::to_owned)
        .or_else(|| caller.ipn_url.clone());
    if let Some(url) = url {
        ipn::enqueue_token_cancellation(state, &url, &token, reason).await?;
    }
    Ok(())
}
