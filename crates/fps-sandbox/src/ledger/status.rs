//! A transaction's status moves: final at once, `Pending` until its due time, the due ones
//! completed (and unsettled reserves expired), each move announced by IPN and the outbox.

use super::parties::declines_capture;
use super::postings::post;
use crate::ipn;
use crate::state::SandboxState;
use crate::store::{StoreError, TransactionRecord};

/// Moves a transaction to its final `status` (or to `Reserved`), with the code and message of it.
pub(super) fn finish(txn: &mut TransactionRecord, status: &str, now: i64) {
    txn.status = status.to_owned();
    let (code, message) = match status {
        "Success" => ("Success", "The transaction was successful."),
        "Reserved" => ("Success", "The reserve was successful and the money is held."),
        _ if declines_capture(&txn.sender_email) => (
            "PaymentFailed",
            "The card issuer declined the capture (sandbox sender declined at settlement).",
        ),
        _ => (
            "PaymentFailed",
            "The payment was declined (sandbox decline amount).",
        ),
    };
    if status == "Failure" {
        // No money moved: no fees.
        txn.fps_fee_minor = 0;
        txn.marketplace_fee_minor = 0;
    }
    txn.status_code = code.to_owned();
    txn.status_message = message.to_owned();
    txn.due_at = None;
    txn.due_status = None;
    if status != "Reserved" {
        txn.date_completed = Some(now);
    }
}

/// Makes a transaction `Pending`, to become `outcome` at `due_at`.
pub(super) fn make_pending(txn: &mut TransactionRecord, outcome: &str, due_at: i64) {
    txn.status = "Pending".into();
    txn.status_code = "PendingNetworkResponse".into();
    txn.status_message = "The transaction is awaiting a response from the backend payment processor.".into();
    txn.due_at = Some(due_at);
    txn.due_status = Some(outcome.to_owned());
}

/// Completes a card or bank transaction: `Pending` until the pending delay has passed, or, when
/// the settlement switch says instant, `outcome` at once (a reserve then expires after the
/// reserve validity, as one completed by [`complete_due`] does).
pub(super) fn complete_later(state: &SandboxState, txn: &mut TransactionRecord, outcome: &str, now: i64) {
    if !state.settles_instantly() {
        make_pending(txn, outcome, now.saturating_add(state.pending_delay_ms()));
        return;
    }
    finish(txn, outcome, now);
    if txn.status == "Reserved" {
        expire_later(state, txn, now);
    }
}

/// Schedules a reserve's expiry after the reserve validity.
fn expire_later(state: &SandboxState, txn: &mut TransactionRecord, now: i64) {
    let validity = i64::try_from(state.config.reserve_validity.as_millis()).unwrap_or(i64::MAX);
    txn.due_at = Some(now.saturating_add(validity));
    txn.due_status = Some("Expired".into());
}

/// Queues the IPN for a transaction's new status to the caller's IPN URL (or the override).
pub(super) async fn announce(
    state: &SandboxState,
    txn: &TransactionRecord,
    operation: &str,
) -> Result<(), StoreError> {
    let url = txn
        .override_ipn_url
        .clone()
        .or_else(|| state.caller(&txn.caller_key).and_then(|c| c.ipn_url.clone()));
    if let Some(url) = url {
        ipn::enqueue_transaction(state, &url, txn, operation).await?;
    }
    crate::outbox::note(state, txn).await
}

/// Moves every pending transaction whose time has come to its outcome, and cancels reserves not
/// settled within the reserve validity (StatusCode `Expired`). Takes the write lock.
pub async fn complete_due(state: &SandboxState) -> Result<(), StoreError> {
    let _guard = state.write_lock.lock().await;
    let now = state.now_ms();
    for mut txn in state.store.due_transactions(now).await? {
        let outcome = txn.due_status.clone().unwrap_or_else(|| "Success".into());
        if outcome == "Expired" {
            txn.status = "Cancelled".into();
            txn.status_code = "Expired".into();
            txn.status_message = "The reserve expired before it was settled.".into();
            txn.fps_fee_minor = 0;
            txn.marketplace_fee_minor = 0;
            txn.date_completed = Some(now);
            txn.due_at = None;
            txn.due_status = None;
        } else {
            finish(&mut txn, &outcome, now);
        }
        if txn.status == "Reserved" {
            expire_later(state, &mut txn, now);
        }
        // History first: a reader that sees the new status also sees its history entry.
        let amount = txn.settled_minor.unwrap_or(txn.amount_minor);
        state
            .store
            .add_history(&txn.id, now, &txn.status, &txn.status_code, amount)
            .await?;
        state.store.update_transaction(&txn).await?;
        post(state, &txn).await?;
        let operation = match (txn.operation.as_str(), txn.settled_minor) {
            ("Reserve", Some(_)) => "SETTLE".to_owned(),
            (op, _) => op.to_ascii_uppercase(),
        };
        announce(state, &txn, &operation).await?;
    }
    Ok(())
}
