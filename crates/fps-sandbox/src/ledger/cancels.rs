//! Cancel of a pending or reserved transaction, and CancelToken.

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
    let mut txn = caller_transaction(state, caller, id).await?;
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
    txn.status_message = "The transaction was cancelled by the caller.".into();
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
