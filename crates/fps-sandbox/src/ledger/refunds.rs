//! Refund of a completed Pay or settled Reserve: at most what is left of the payment, with the
//! marketplace's share given back by `MarketplaceRefundPolicy`.

use super::fees::{marketplace_refund_share, RefundPolicy};
use super::parties::caller_transaction;
use super::postings::post;
use super::state_error;
use super::status::{announce, complete_later, finish};
use crate::config::CallerAccount;
use crate::error::{ErrorCode, FpsError};
use crate::ids;
use crate::state::SandboxState;
use crate::store::TransactionRecord;

/// A Refund call, validated for form.
#[derive(Debug, Clone)]
pub struct RefundRequest {
    /// `TransactionId` of the payment refunded.
    pub transaction_id: String,
    /// `CallerReference` of the refund.
    pub caller_reference: String,
    /// `RefundAmount`, in cents (default: what is left).
    pub amount_minor: Option<i64>,
    /// `CallerDescription`.
    pub caller_description: Option<String>,
    /// `MarketplaceRefundPolicy`.
    pub policy: RefundPolicy,
    /// `OverrideIPNURL`.
    pub override_ipn_url: Option<String>,
}

/// Refund: a completed Pay or settled Reserve, cumulatively at most what was charged
/// (default: the remainder). A refund of a card or bank payment is `Pending` first.
pub async fn refund(
    state: &SandboxState,
    caller: &CallerAccount,
    req: RefundRequest,
) -> Result<TransactionRecord, FpsError> {
    let RefundRequest {
        transaction_id,
        caller_reference,
        amount_minor,
        caller_description,
        policy,
        override_ipn_url,
    } = req;
    let original = caller_transaction(state, caller, &transaction_id).await?;
    if original.operation == "Refund" {
        return Err(FpsError::new(
            ErrorCode::TransactionTypeNotRefundable,
            "A refund cannot be refunded.",
        ));
    }
    // The emulator's choice: money of a prepaid or credit instrument is not refunded (FundPrepaid,
    // SettleDebt, WriteOffDebt, and Pays spending from an instrument).
    if original.prepaid_instrument_id.is_some() || original.credit_instrument_id.is_some() {
        return Err(FpsError::new(
            ErrorCode::TransactionTypeNotRefundable,
            format!(
                "A {} of a prepaid or credit instrument cannot be refunded in the sandbox.",
                original.operation
            ),
        ));
    }
    if original.status != "Success" {
        let hint = if original.operation == "Reserve" && original.settled_minor.is_none() {
            " A reserve must be settled before it can be refunded."
        } else {
            ""
        };
        return Err(state_error(format!(
            "The transaction is {}; only a completed transaction can be refunded.{hint}",
            original.status
        )));
    }
    let charged = original.settled_minor.unwrap_or(original.amount_minor);
    let refunded: i64 = state
        .store
        .children(&original.id)
        .await?
        .iter()
        .filter(|r| r.status != "Failure" && r.status != "Cancelled")
        .map(|r| r.amount_minor)
        .sum();
    let remaining = charged - refunded;
    if remaining <= 0 {
        return Err(FpsError::new(
            ErrorCode::TransactionFullyRefundedAlready,
            "The transaction has been refunded in full already.",
        ));
    }
    let amount = amount_minor.unwrap_or(remaining);
    if amount > remaining {
        return Err(FpsError::new(
            ErrorCode::RefundAmountExceeded,
            format!(
                "The refund amount {} is more than the {} left to refund.",
                ids::two_decimals(amount),
                ids::two_decimals(remaining)
            ),
        ));
    }
    // Each transaction of a caller gets its own millisecond: GetAccountActivity pages by it.
    let now = state.store.received_at(&caller.access_key_id).await?;
    let mut txn = TransactionRecord {
        seq: 0,
        id: ids::transaction_id(),
        caller_key: caller.access_key_id.clone(),
        operation: "Refund".into(),
        caller_reference: Some(caller_reference),
        sender_token_id: None,
        recipient_token_id: None,
        sender_name: original.recipient_name.clone(),
        sender_email: original.recipient_email.clone(),
        recipient_name: original.sender_name.clone(),
        recipient_email: original.sender_email.clone(),
        amount_minor: amount,
        settled_minor: None,
        status: String::new(),
        status_code: String::new(),
        status_message: String::new(),
        payment_method: original.payment_method.clone(),
        payment_reason: original.payment_reason.clone(),
        parent_id: Some(original.id.clone()),
        caller_description,
        sender_description: None,
        override_ipn_url,
        date_received: now,
        date_completed: None,
        due_at: None,
        due_status: None,
        marketplace_fixed_minor: 0,
        marketplace_variable_bp: 0,
        fee_paid_by: original.fee_paid_by.clone(),
        fps_fee_minor: 0,
        marketplace_fee_minor: marketplace_refund_share(
            policy,
            amount,
            charged,
            original.marketplace_fee_minor,
        ),
        prepaid_instrument_id: None,
        credit_instrument_id: None,
    };
    if original.payment_method == "ABT" {
        finish(&mut txn, "Success", now);
    } else {
        complete_later(state, &mut txn, "Success", now);
    }
    state.store.insert_transaction(&txn).await?;
    post(state, &txn).await?;
    announce(state, &txn, "REFUND").await?;
    Ok(txn)
}
