//! Prepaid and credit instruments: FundPrepaid moves money from the funding token into a prepaid
//! instrument, its prepaid sender token spends only what was funded; the credit sender token of
//! a credit instrument builds a debt up to the credit limit, SettleDebt pays it down with the
//! settlement token and WriteOffDebt forgives part of it. Balances are sums of the transactions
//! that name the instrument ([`crate::store::InstrumentSums`]).

use super::charges::{Charge, MAX_TRANSACTION_MINOR};
use super::parties::{declines_capture, is_decline_amount, sender_token};
use super::postings::{apply_fees, book, post};
use super::status::{announce, complete_later, finish};
use crate::config::CallerAccount;
use crate::error::{ErrorCode, FpsError};
use crate::ids;
use crate::state::SandboxState;
use crate::store::{InstrumentKind, InstrumentRecord, InstrumentSums, TokenRecord, TransactionRecord};

/// FundPrepaid or SettleDebt: money from a sender's payment method to the caller, for an instrument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Movement {
    /// Into a prepaid instrument, from its funding token.
    FundPrepaid,
    /// Against a credit instrument's debt, from its settlement token.
    SettleDebt,
}

impl Movement {
    /// The transaction's `FPSOperation`.
    pub fn operation(self) -> &'static str {
        match self {
            Movement::FundPrepaid => "FundPrepaid",
            Movement::SettleDebt => "SettleDebt",
        }
    }

    fn kind(self) -> InstrumentKind {
        match self {
            Movement::FundPrepaid => InstrumentKind::Prepaid,
            Movement::SettleDebt => InstrumentKind::Credit,
        }
    }
}

/// A FundPrepaid or SettleDebt call, validated for form.
#[derive(Debug, Clone)]
pub struct MovementRequest {
    /// Which of the two.
    pub movement: Movement,
    /// `CallerReference`.
    pub caller_reference: String,
    /// `SenderTokenId`: the funding or the settlement token.
    pub sender_token_id: String,
    /// `PrepaidInstrumentId` or `CreditInstrumentId`.
    pub instrument_id: String,
    /// `FundingAmount` or `SettlementAmount`, in cents.
    pub amount_minor: i64,
    /// `CallerDescription`.
    pub caller_description: Option<String>,
    /// `SenderDescription`.
    pub sender_description: Option<String>,
    /// `OverrideIPNURL`.
    pub override_ipn_url: Option<String>,
}

/// A WriteOffDebt call, validated for form.
#[derive(Debug, Clone)]
pub struct WriteOffRequest {
    /// `CallerReference`.
    pub caller_reference: String,
    /// `CreditInstrumentId`.
    pub instrument_id: String,
    /// `AdjustmentAmount`, in cents.
    pub amount_minor: i64,
    /// `CallerDescription`.
    pub caller_description: Option<String>,
}

/// The caller's instrument of `kind`; any other id (unknown, another caller's, the other kind)
/// is `InvalidPaymentInstrument`.
pub async fn caller_instrument(
    state: &SandboxState,
    caller: &CallerAccount,
    id: &str,
    kind: InstrumentKind,
) -> Result<InstrumentRecord, FpsError> {
    match state.store.instrument(id).await? {
        Some(i) if i.caller_key == caller.access_key_id && i.is(kind) && i.instrument_id == id => Ok(i),
        _ => Err(FpsError::new(
            ErrorCode::InvalidPaymentInstrument,
            format!(
                "The {} instrument {id} does not exist for this caller.",
                kind.as_str().to_ascii_lowercase()
            ),
        )),
    }
}

/// What a credit instrument owes and may still be settled or written off: the debt less the
/// settlements still pending.
fn open_debt(sums: &InstrumentSums) -> i64 {
    sums.debt() - sums.settling
}

fn debt_error(amount: i64, open: i64) -> FpsError {
    FpsError::new(
        ErrorCode::SettleAmountGreaterThanDebt,
        format!(
            "The amount {} is greater than the debt of {} (less settlements still pending).",
            ids::two_decimals(amount),
            ids::two_decimals(open)
        ),
    )
}

/// A new transaction of the caller about an instrument, its sender the instrument's owner and
/// its recipient the caller; status and fees are set by the caller of this function.
fn instrument_transaction(
    caller: &CallerAccount,
    operation: &str,
    reference: &str,
    instrument: &InstrumentRecord,
    amount_minor: i64,
    now: i64,
) -> TransactionRecord {
    let (prepaid, credit) = if instrument.is(InstrumentKind::Prepaid) {
        (Some(instrument.instrument_id.clone()), None)
    } else {
        (None, Some(instrument.instrument_id.clone()))
    };
    TransactionRecord {
        seq: 0,
        id: ids::transaction_id(),
        caller_key: caller.access_key_id.clone(),
        operation: operation.to_owned(),
        caller_reference: Some(reference.to_owned()),
        sender_token_id: None,
        recipient_token_id: None,
        sender_name: instrument.owner_name.clone(),
        sender_email: instrument.owner_email.clone(),
        recipient_name: caller.name.clone(),
        recipient_email: caller.email.clone(),
        amount_minor,
        settled_minor: None,
        status: String::new(),
        status_code: String::new(),
        status_message: String::new(),
        payment_method: instrument.payment_method.clone(),
        payment_reason: None,
        parent_id: None,
        caller_description: None,
        sender_description: None,
        override_ipn_url: None,
        date_received: now,
        date_completed: None,
        due_at: None,
        due_status: None,
        marketplace_fixed_minor: 0,
        marketplace_variable_bp: 0,
        fee_paid_by: "Recipient".into(),
        fps_fee_minor: 0,
        marketplace_fee_minor: 0,
        prepaid_instrument_id: prepaid,
        credit_instrument_id: credit,
    }
}

/// FundPrepaid or SettleDebt: checks the instrument, its funding (or settlement) token and the
/// amount, then records the transaction: final at once from a balance (ABT), else `Pending`
/// until the pending delay has passed, like a card or bank Pay (decline amounts and the
/// capture-declined sender end in `Failure`).
pub async fn move_money(
    state: &SandboxState,
    caller: &CallerAccount,
    req: &MovementRequest,
) -> Result<TransactionRecord, FpsError> {
    if req.amount_minor > MAX_TRANSACTION_MINOR {
        return Err(FpsError::new(
            ErrorCode::AmountOutOfRange,
            "The amount must be at most 10000.00 USD.",
        ));
    }
    let kind = req.movement.kind();
    let instrument = caller_instrument(state, caller, &req.instrument_id, kind).await?;
    let token = sender_token(state, caller, &req.sender_token_id).await?;
    if token.token_id != instrument.funding_token_id {
        let role = match req.movement {
            Movement::FundPrepaid => "funding token",
            Movement::SettleDebt => "settlement token",
        };
        return Err(FpsError::new(
            ErrorCode::InvalidSenderRoleForAccountType,
            format!("The sender token is not the instrument's {role}."),
        ));
    }
    usable(&token)?;
    match req.movement {
        Movement::FundPrepaid => {
            if token.amount_minor.is_some_and(|max| req.amount_minor > max) {
                return Err(FpsError::new(
                    ErrorCode::PrepaidFundingLimitExceeded,
                    "The funding amount is more than the sender authorised with the funding token.",
                ));
            }
        }
        Movement::SettleDebt => {
            if token
                .limit_minor
                .is_some_and(|limit| token.used_minor + req.amount_minor > limit)
            {
                return Err(FpsError::new(
                    ErrorCode::TokenUsageError,
                    "The settlement would exceed the settlement token's global amount limit.",
                ));
            }
            let sums = state
                .store
                .instrument_sums(kind, &instrument.instrument_id)
                .await?;
            let open = open_debt(&sums);
            if req.amount_minor > open {
                return Err(debt_error(req.amount_minor, open));
            }
        }
    }
    let now = state.store.received_at(&caller.access_key_id).await?;
    let mut txn = TransactionRecord {
        sender_token_id: Some(token.token_id.clone()),
        payment_method: token.payment_method.clone(),
        payment_reason: token.payment_reason.clone(),
        caller_description: req.caller_description.clone(),
        sender_description: req.sender_description.clone(),
        override_ipn_url: req.override_ipn_url.clone(),
        ..instrument_transaction(
            caller,
            req.movement.operation(),
            &req.caller_reference,
            &instrument,
            req.amount_minor,
            now,
        )
    };
    apply_fees(&mut txn, req.amount_minor, None)?;
    let outcome = if is_decline_amount(req.amount_minor) || declines_capture(&token.owner_email) {
        "Failure"
    } else {
        "Success"
    };
    if token.payment_method == "ABT" {
        finish(&mut txn, outcome, now);
    } else {
        complete_later(state, &mut txn, outcome, now);
    }
    book(state, &txn, &token, req.amount_minor).await?;
    announce(state, &txn, &txn.operation.to_ascii_uppercase()).await?;
    Ok(txn)
}

/// A token that is active and, if single-use, not used yet.
fn usable(token: &TokenRecord) -> Result<(), FpsError> {
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
    Ok(())
}

/// WriteOffDebt: forgives at most the open debt; no money moves, so it succeeds at once and
/// writes no balance entries.
pub async fn write_off_debt(
    state: &SandboxState,
    caller: &CallerAccount,
    req: &WriteOffRequest,
) -> Result<TransactionRecord, FpsError> {
    let instrument = caller_instrument(state, caller, &req.instrument_id, InstrumentKind::Credit).await?;
    let sums = state
        .store
        .instrument_sums(InstrumentKind::Credit, &instrument.instrument_id)
        .await?;
    let open = open_debt(&sums);
    if req.amount_minor > open {
        return Err(debt_error(req.amount_minor, open));
    }
    let now = state.store.received_at(&caller.access_key_id).await?;
    let mut txn = TransactionRecord {
        caller_description: req.caller_description.clone(),
        ..instrument_transaction(
            caller,
            "WriteOffDebt",
            &req.caller_reference,
            &instrument,
            req.amount_minor,
            now,
        )
    };
    finish(&mut txn, "Success", now);
    txn.status_message = "The debt was written off.".into();
    state.store.insert_transaction(&txn).await?;
    post(state, &txn).await?;
    announce(state, &txn, "WRITEOFFDEBT").await?;
    Ok(txn)
}

/// The instrument a Pay or Reserve spends from, if its sender token is an instrument's, after
/// the instrument's own rules: a funding or settlement token does not pay (it funds or settles),
/// an instrument is no card to reserve on, a prepaid instrument spends only what it holds, a
/// credit instrument only up to its credit limit (`InsufficientBalance` otherwise).
pub(super) async fn spending_instrument(
    state: &SandboxState,
    token: &TokenRecord,
    charge: Charge,
    amount_minor: i64,
) -> Result<Option<InstrumentRecord>, FpsError> {
    let Some(instrument) = state.store.instrument_of_token(&token.token_id).await? else {
        return Ok(None);
    };
    if instrument.funding_token_id == token.token_id {
        return Err(FpsError::new(
            ErrorCode::InvalidSenderRoleForAccountType,
            "A funding or settlement token pays only with FundPrepaid or SettleDebt.",
        ));
    }
    if charge == Charge::Reserve {
        return Err(FpsError::new(
            ErrorCode::PaymentInstrumentNotCC,
            "A prepaid or credit instrument is not a credit card: Reserve needs one.",
        ));
    }
    let kind = if instrument.is(InstrumentKind::Prepaid) {
        InstrumentKind::Prepaid
    } else {
        InstrumentKind::Credit
    };
    let sums = state
        .store
        .instrument_sums(kind, &instrument.instrument_id)
        .await?;
    let (room, what) = match kind {
        InstrumentKind::Prepaid => (sums.prepaid_available(), "held by the prepaid instrument"),
        InstrumentKind::Credit => (instrument.limit_minor - sums.debt(), "left of the credit limit"),
    };
    if amount_minor > room {
        return Err(FpsError::new(
            ErrorCode::InsufficientBalance,
            format!(
                "The payment of {} is more than the {} {what}.",
                ids::two_decimals(amount_minor),
                ids::two_decimals(room.max(0))
            ),
        ));
    }
    Ok(Some(instrument))
}
