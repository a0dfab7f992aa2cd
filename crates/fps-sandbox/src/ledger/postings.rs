//! Fees on a transaction and the movements of money a successful one writes: sender pays,
//! recipient and caller (marketplace) are credited their parts, FPS keeps its fee; a refund gives
//! the money back by the marketplace refund policy.

use super::fees::{self, AcceptedFees, FeePayer, MarketplaceFee};
use crate::error::{ErrorCode, FpsError};
use crate::state::SandboxState;
use crate::store::{EntryRecord, StoreError, TokenRecord, TransactionRecord};

/// The account that collects FPS's fees.
pub const FPS_ACCOUNT: &str = "FPS";

/// Computes and stores on `txn` the fees of `amount_minor` (the charge, or the settled amount).
/// `accepted` is what the recipient accepted, `None` when the caller is the recipient.
pub(super) fn apply_fees(
    txn: &mut TransactionRecord,
    amount_minor: i64,
    accepted: Option<AcceptedFees>,
) -> Result<(), FpsError> {
    let marketplace = MarketplaceFee {
        fixed_minor: txn.marketplace_fixed_minor,
        variable_bp: txn.marketplace_variable_bp,
    };
    let split = fees::split(
        amount_minor,
        &txn.payment_method,
        marketplace,
        FeePayer::from_wire(&txn.fee_paid_by),
        accepted,
    )
    .map_err(|e| FpsError::new(ErrorCode::TransactionDenied, e.to_string()))?;
    txn.fps_fee_minor = split.fps_fee_minor;
    txn.marketplace_fee_minor = split.marketplace_fee_minor;
    txn.fee_paid_by = split.fee_paid_by.as_str().to_owned();
    Ok(())
}

/// What the recipient accepted, from its recipient token (`None`: no token, or the caller's own).
pub(super) async fn accepted_fees(
    state: &SandboxState,
    caller_email: &str,
    recipient_token_id: Option<&str>,
) -> Result<Option<AcceptedFees>, StoreError> {
    let Some(id) = recipient_token_id else {
        return Ok(None);
    };
    Ok(state
        .store
        .token(id)
        .await?
        .filter(|t| t.token_type == "Recipient" && !t.owner_email.eq_ignore_ascii_case(caller_email))
        .map(|t| AcceptedFees {
            max_fixed_minor: t.max_fixed_fee_minor,
            max_variable_bp: t.max_variable_fee_bp,
            recipient_pays_fee: t.recipient_pays_fee.unwrap_or(true),
        }))
}

/// The parts of a successful Pay or settled Reserve (or FundPrepaid, SettleDebt: the sender pays
/// the caller): (account, role, signed cents). A Pay spending from a prepaid or credit
/// instrument is paid from the caller's account (which holds the prepaid money, or lends the
/// credit); a WriteOffDebt moves no money.
pub fn payment_parts(txn: &TransactionRecord, caller_email: &str) -> Vec<(String, &'static str, i64)> {
    if txn.operation == "WriteOffDebt" {
        return Vec::new();
    }
    let instrument_spend =
        txn.operation == "Pay" && (txn.prepaid_instrument_id.is_some() || txn.credit_instrument_id.is_some());
    let paying = if instrument_spend {
        caller_email.to_owned()
    } else {
        txn.sender_email.clone()
    };
    let amount = txn.settled_minor.unwrap_or(txn.amount_minor);
    let caller_pays = txn.fee_paid_by == "Caller";
    let fps = txn.fps_fee_minor;
    let market = txn.marketplace_fee_minor;
    let recipient_net = amount - market - if caller_pays { 0 } else { fps };
    let mut parts = vec![
        (paying, "Sender", -amount),
        (txn.recipient_email.clone(), "Recipient", recipient_net),
    ];
    if !txn.recipient_email.eq_ignore_ascii_case(caller_email) {
        parts.push((
            caller_email.to_owned(),
            "Caller",
            market - if caller_pays { fps } else { 0 },
        ));
    }
    parts.push((FPS_ACCOUNT.to_owned(), "FPS", fps));
    parts
}

/// The parts of a successful refund, in the refund's own roles: its recipient (the original
/// sender) gets the money back; the marketplace gives back its share (`marketplace_fee_minor` of
/// the refund), the refund's sender (the original recipient) the rest.
pub fn refund_parts(refund: &TransactionRecord, caller_email: &str) -> Vec<(String, &'static str, i64)> {
    let share = refund.marketplace_fee_minor;
    let mut parts = vec![
        (
            refund.sender_email.clone(),
            "Sender",
            -(refund.amount_minor - share),
        ),
        (refund.recipient_email.clone(), "Recipient", refund.amount_minor),
    ];
    if share != 0 {
        parts.push((caller_email.to_owned(), "Caller", -share));
    }
    parts
}

/// Books a new transaction made with `token`: stores it, writes its movements when it already
/// succeeded, counts the token's use of `amount_minor` and retires a single-use token.
pub(super) async fn book(
    state: &SandboxState,
    txn: &TransactionRecord,
    token: &TokenRecord,
    amount_minor: i64,
) -> Result<(), StoreError> {
    state.store.insert_transaction(txn).await?;
    post(state, txn).await?;
    state
        .store
        .record_token_use(&token.token_id, amount_minor)
        .await?;
    if token.token_type == "SingleUse" {
        state.store.set_token_status(&token.token_id, "Inactive").await?;
    }
    Ok(())
}

/// Writes the movements of a transaction that has just reached `Success`.
pub(super) async fn post(state: &SandboxState, txn: &TransactionRecord) -> Result<(), StoreError> {
    if txn.status != "Success" {
        return Ok(());
    }
    let caller_email = state
        .caller(&txn.caller_key)
        .map(|c| c.email.clone())
        .unwrap_or_default();
    let parts = if txn.operation == "Refund" {
        refund_parts(txn, &caller_email)
    } else {
        payment_parts(txn, &caller_email)
    };
    let at = txn.date_completed.unwrap_or_else(|| state.now_ms());
    let entries: Vec<EntryRecord> = parts
        .into_iter()
        .map(|(account, role, amount_minor)| EntryRecord {
            account,
            transaction_id: txn.id.clone(),
            role: role.to_owned(),
            amount_minor,
            at,
        })
        .collect();
    state.store.add_entries(&entries).await
}
