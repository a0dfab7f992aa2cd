//! Pay and Reserve (checks of the token, the parties and the amount, then the transaction
//! recorded) and Settle of a reserve.

use super::fees::{FeePayer, MarketplaceFee};
use super::parties::{
    caller_transaction, declines_capture, instruction_token, is_decline_amount, recipient_party, sender_token,
};
use super::postings::{accepted_fees, apply_fees, book, post};
use super::state_error;
use super::status::{announce, complete_later, finish};
use crate::config::CallerAccount;
use crate::error::{ErrorCode, FpsError};
use crate::ids;
use crate::instruction::{Payment, Role};
use crate::state::SandboxState;
use crate::store::{InstrumentKind, TransactionRecord};

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
    // A prepaid or credit instrument's sender token spends by the instrument's balance or
    // credit limit instead of a lifetime limit of its own.
    let instrument =
        super::instruments::spending_instrument(state, &token, req.charge, req.amount_minor).await?;
    if instrument.is_none()
        && token
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
    // Money of an instrument is held already: no card is captured.
    let declined = is_decline_amount(req.amount_minor)
        || (req.charge == Charge::Pay && instrument.is_none() && declines_capture(&token.owner_email));
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
        prepaid_instrument_id: instrument
            .as_ref()
            .filter(|i| i.is(InstrumentKind::Prepaid))
            .map(|i| i.instrument_id.clone()),
        credit_instrument_id: instrument
            .as_ref()
            .filter(|i| i.is(InstrumentKind::Credit))
            .map(|i| i.instrument_id.clone()),
    };
    apply_fees(&mut txn, req.amount_minor, accepted)?;
    if (token.payment_method == "ABT" && req.charge == Charge::Pay) || instrument.is_some() {
        finish(&mut txn, final_status, now);
    } else {
        complete_later(state, &mut txn, final_status, now);
    }
    book(state, &txn, &token, req.amount_minor).await?;
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
    complete_later(state, &mut txn, outcome, now);
    state
        .store
        .add_history(&txn.id, now, &txn.status, &txn.status_code, amount)
        .await?;
    state.store.update_transaction(&txn).await?;
    post(state, &txn).await?;
    announce(state, &txn, "SETTLE").await?;
    Ok(txn)
}
