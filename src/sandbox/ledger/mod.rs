//! The money rules of the seeds: Pay and Reserve against tokens, settle once and at most the
//! reserve, refund only settled money and at most what was paid, cancel only pending or reserved
//! transactions, and the Pending -> final moves after the configured delay.
//!
//! Every function here that changes state expects the caller to hold `SandboxState::write_lock`.

pub mod fees;
mod parties;
pub mod postings;

pub use parties::{
    caller_transaction, declines_capture, is_decline_amount, BROKEN_RECIPIENT_TOKENS, BROKEN_SENDER_TOKENS,
    CAPTURE_DECLINED_SENDER,
};

use self::fees::{marketplace_refund_share, FeePayer, MarketplaceFee, RefundPolicy};
use self::parties::{instruction_token, recipient_party, sender_token};
use self::postings::{accepted_fees, apply_fees, post};
use super::config::CallerAccount;
use super::error::{ErrorCode, FpsError};
use super::ids;
use super::instruction::{Payment, Role};
use super::ipn;
use super::state::SandboxState;
use super::store::{StoreError, TransactionRecord};

/// Largest amount of one transaction, in cents (FPS's documented $10,000 cap).
pub const MAX_TRANSACTION_MINOR: i64 = 1_000_000;

/// Pay or Reserve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charge {
    /// Charge now.
    Pay,
    /// Authorise now, Settle later (cards only).
    Reserve,
}

impl Charge {
    pub(crate) fn operation(self) -> &'static str {
        match self {
            Charge::Pay => "Pay",
            Charge::Reserve => "Reserve",
        }
    }
}

/// A Pay or Reserve call, validated for form.
#[derive(Debug, Clone)]
pub struct ChargeRequest {
    /// Pay or Reserve.
    pub charge: Charge,
    /// `CallerReference`.
    pub caller_reference: String,
    /// `SenderTokenId`.
    pub sender_token_id: String,
    /// `CallerTokenId` (API version 2007-01-08): a token of InstallPaymentInstruction.
    pub caller_token_id: Option<String>,
    /// `RecipientTokenId`.
    pub recipient_token_id: Option<String>,
    /// `TransactionAmount`, in cents.
    pub amount_minor: i64,
    /// `CallerDescription`.
    pub caller_description: Option<String>,
    /// `SenderDescription`.
    pub sender_description: Option<String>,
    /// `OverrideIPNURL`.
    pub override_ipn_url: Option<String>,
    /// `MarketplaceFixedFee` and `MarketplaceVariableFee` (zero when not given).
    pub marketplace: MarketplaceFee,
    /// `ChargeFeeTo` (default `Recipient`).
    pub fee_paid_by: FeePayer,
}

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

fn state_error(message: impl Into<String>) -> FpsError {
    FpsError::new(ErrorCode::InvalidTransactionState, message)
}

/// Pay or Reserve: checks the token, the parties and the amount, then records the transaction
/// (ABT Pay final at once; everything else `Pending` until the delay has passed).
pub async fn charge(
    state: &SandboxState,
    caller: &CallerAccount,
    req: &ChargeRequest,
) -> Result<TransactionRecord, FpsError> {
    if req.amount_minor > MAX_TRANSACTION_MINOR {
        return Err(FpsError::new(
            ErrorCode::AmountOutOfRange,
            "TransactionAmount must be at most 10000.00 USD.",
        ));
    }
    if req.marketplace.is_some() && !caller.marketplace {
        return Err(FpsError::new(
            ErrorCode::NotMarketplaceApp,
            "Marketplace fees need a marketplace caller.",
        ));
    }
    let token = sender_token(state, caller, &req.sender_token_id).await?;
    let authorised = token.amount_minor;
    if token.token_type == "SingleUse" && token.use_count > 0 {
        return Err(FpsError::new(
            ErrorCode::TokenUsageError,
            "The single-use sender token was already used.",
        ));
    }
    if token.status != "Active" {
        return Err(FpsError::new(
            ErrorCode::TokenNotActiveSender,
            "The sender token is not active.",
        ));
    }
    if authorised.is_some_and(|max| req.amount_minor > max) {
        return Err(FpsError::new(
            ErrorCode::TokenUsageError,
            "TransactionAmount is more than the sender authorised with this token.",
        ));
    }
    if token
        .limit_minor
        .is_some_and(|limit| token.used_minor + req.amount_minor > limit)
    {
        return Err(FpsError::new(
            ErrorCode::TokenUsageError,
            "The payment would exceed the token's global amount limit.",
        ));
    }
    if req.charge == Charge::Reserve && token.payment_method != "CC" {
        return Err(FpsError::new(
            ErrorCode::PaymentInstrumentNotCC,
            "Reserve needs a credit card; the sender chose another payment method.",
        ));
    }
    let payment = |role| Payment {
        role,
        payment_method: &token.payment_method,
        amount_minor: req.amount_minor,
    };
    let mut instruction_tokens = Vec::new();
    if let Some(id) = &req.caller_token_id {
        instruction_tokens.push(instruction_token(state, caller, id, payment(Role::Caller)).await?);
    }
    let (recipient_name, recipient_email, recipient_instruction) = recipient_party(
        state,
        caller,
        req.recipient_token_id.as_deref(),
        payment(Role::Recipient),
    )
    .await?;
    instruction_tokens.extend(recipient_instruction);
    if recipient_email.eq_ignore_ascii_case(&token.owner_email) {
        return Err(FpsError::new(
            ErrorCode::SameSenderAndRecipient,
            "The sender and the recipient are the same account.",
        ));
    }
    let accepted = accepted_fees(state, &caller.email, req.recipient_token_id.as_deref()).await?;
    if req.marketplace.is_some() && accepted.is_none() {
        return Err(FpsError::new(
            ErrorCode::InvalidParams,
            "Marketplace fees need the RecipientTokenId of a recipient other than the caller.",
        ));
    }
    // Each transaction of a caller gets its own millisecond: GetAccountActivity pages by it.
    let now = state.store.received_at(&caller.access_key_id).await?;
    let declined = is_decline_amount(req.amount_minor)
        || (req.charge == Charge::Pay && declines_capture(&token.owner_email));
    let final_status = match (declined, req.charge) {
        (true, _) => "Failure",
        (false, Charge::Pay) => "Success",
        (false, Charge::Reserve) => "Reserved",
    };
    let mut txn = TransactionRecord {
        seq: 0,
        id: ids::transaction_id(),
        caller_key: caller.access_key_id.clone(),
        operation: req.charge.operation().to_owned(),
        caller_reference: Some(req.caller_reference.clone()),
        sender_token_id: Some(token.token_id.clone()),
        recipient_token_id: req.recipient_token_id.clone(),
        sender_name: token.owner_name.clone(),
        sender_email: token.owner_email.clone(),
        recipient_name,
        recipient_email,
        amount_minor: req.amount_minor,
        settled_minor: None,
        status: String::new(),
        status_code: String::new(),
        status_message: String::new(),
        payment_method: token.payment_method.clone(),
        payment_reason: token.payment_reason.clone(),
        parent_id: None,
        caller_description: req.caller_description.clone(),
        sender_description: req.sender_description.clone(),
        override_ipn_url: req.override_ipn_url.clone(),
        date_received: now,
        date_completed: None,
        due_at: None,
        due_status: None,
        marketplace_fixed_minor: req.marketplace.fixed_minor,
        marketplace_variable_bp: req.marketplace.variable_bp,
        fee_paid_by: req.fee_paid_by.as_str().to_owned(),
        fps_fee_minor: 0,
        marketplace_fee_minor: 0,
    };
    apply_fees(&mut txn, req.amount_minor, accepted)?;
    if token.payment_method == "ABT" && req.charge == Charge::Pay {
        finish(&mut txn, final_status, now);
    } else {
        make_pending(&mut txn, final_status, now + state.pending_delay_ms());
    }
    state.store.insert_transaction(&txn).await?;
    post(state, &txn).await?;
    state
        .store
        .record_token_use(&token.token_id, req.amount_minor)
        .await?;
    if token.token_type == "SingleUse" {
        state.store.set_token_status(&token.token_id, "Inactive").await?;
    }
    for used in &instruction_tokens {
        state
            .store
            .record_token_use(&used.token_id, req.amount_minor)
            .await?;
        if used.token_type == "SingleUse" {
            state.store.set_token_status(&used.token_id, "Inactive").await?;
        }
    }
    announce(state, &txn, &txn.operation.to_ascii_uppercase()).await?;
    Ok(txn)
}

/// Settle: a reserved transaction, once, for at most the reserved amount (default all of it).
pub async fn settle(
    state: &SandboxState,
    caller: &CallerAccount,
    reserve_id: &str,
    amount_minor: Option<i64>,
    override_ipn_url: Option<String>,
) -> Result<TransactionRecord, FpsError> {
    let mut txn = caller_transaction(state, caller, reserve_id).await?;
    if txn.operation != "Reserve" {
        return Err(state_error("Only a Reserve transaction can be settled."));
    }
    if txn.settled_minor.is_some() {
        return Err(state_error(
            "The reserve was already settled; it can be settled only once.",
        ));
    }
    if txn.status != "Reserved" {
        return Err(state_error(format!(
            "The transaction is {}; only a Reserved transaction can be settled.",
            txn.status
        )));
    }
    let amount = amount_minor.unwrap_or(txn.amount_minor);
    if amount > txn.amount_minor {
        return Err(FpsError::new(
            ErrorCode::SettleAmountGreaterThanReserveAmount,
            format!(
                "The settle amount {} is greater than the reserved amount {}.",
                ids::two_decimals(amount),
                ids::two_decimals(txn.amount_minor)
            ),
        ));
    }
    let accepted = accepted_fees(state, &caller.email, txn.recipient_token_id.as_deref()).await?;
    apply_fees(&mut txn, amount, accepted)?;
    let now = state.now_ms();
    txn.settled_minor = Some(amount);
    if override_ipn_url.is_some() {
        txn.override_ipn_url = override_ipn_url;
    }
    let outcome = if is_decline_amount(amount) || declines_capture(&txn.sender_email) {
        "Failure"
    } else {
        "Success"
    };
    make_pending(&mut txn, outcome, now + state.pending_delay_ms());
    state.store.update_transaction(&txn).await?;
    state
        .store
        .add_history(&txn.id, now, &txn.status, &txn.status_code, amount)
        .await?;
    announce(state, &txn, "SETTLE").await?;
    Ok(txn)
}

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
    };
    if original.payment_method == "ABT" {
        finish(&mut txn, "Success", now);
    } else {
        make_pending(&mut txn, "Success", now + state.pending_delay_ms());
    }
    state.store.insert_transaction(&txn).await?;
    post(state, &txn).await?;
    announce(state, &txn, "REFUND").await?;
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

fn finish(txn: &mut TransactionRecord, status: &str, now: i64) {
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

fn make_pending(txn: &mut TransactionRecord, outcome: &str, due_at: i64) {
    txn.status = "Pending".into();
    txn.status_code = "PendingNetworkResponse".into();
    txn.status_message = "The transaction is awaiting a response from the backend payment processor.".into();
    txn.due_at = Some(due_at);
    txn.due_status = Some(outcome.to_owned());
}

/// Queues the IPN for a transaction's new status to the caller's IPN URL (or the override).
async fn announce(state: &SandboxState, txn: &TransactionRecord, operation: &str) -> Result<(), StoreError> {
    let url = txn
        .override_ipn_url
        .clone()
        .or_else(|| state.caller(&txn.caller_key).and_then(|c| c.ipn_url.clone()));
    if let Some(url) = url {
        ipn::enqueue_transaction(state, &url, txn, operation).await?;
    }
    super::outbox::note(state, txn).await
}

/// Moves every pending transaction whose time has come to its outcome, and cancels reserves not
/// settled within the reserve validity (StatusCode `Expired`). Takes the write lock.
pub async fn complete_due(state: &SandboxState) -> Result<(), StoreError> {
    let _guard = state.write_lock.lock().await;
    let now = state.now_ms();
    let validity = i64::try_from(state.config.reserve_validity.as_millis()).unwrap_or(i64::MAX);
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
            txn.due_at = Some(now.saturating_add(validity));
            txn.due_status = Some("Expired".into());
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
