//! The Query API actions of prepaid and credit instruments: FundPrepaid, SettleDebt and
//! WriteOffDebt (money, under the write lock, idempotent by `CallerReference` like Pay), and
//! GetPrepaidBalance, GetTotalPrepaidLiability, GetDebtBalance and GetOutstandingDebtBalance.

use super::actions::{refuse_used_reference, transaction_result};
use super::params::ApiParams;
use super::render::{self, respond};
use super::ApiReply;
use crate::config::CallerAccount;
use crate::error::FpsError;
use crate::ledger::instruments::{self, Movement, MovementRequest, WriteOffRequest};
use crate::state::SandboxState;
use crate::store::{InstrumentKind, TransactionRecord};
use fps_wire::vocabulary::ActionName;

/// Longest `CallerReference`.
const MAX_REFERENCE: usize = 128;
/// Longest `CallerDescription` / `SenderDescription`.
const MAX_DESCRIPTION: usize = 160;
/// Longest instrument or token id accepted as input.
const MAX_ID: usize = 128;

/// A required id of at most [`MAX_ID`] letters and digits.
fn id(params: &ApiParams, name: &str) -> Result<String, FpsError> {
    let value = params.required(name)?;
    if value.len() > MAX_ID || !value.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(FpsError::invalid(
            name,
            format!("must be 1 to {MAX_ID} letters and digits"),
        ));
    }
    Ok(value.to_owned())
}

/// The transaction recorded under the caller's `reference` for `operation` (a call carried out
/// whose answer was never recorded), else the one `run` makes: as Pay does.
async fn once(
    state: &SandboxState,
    caller: &CallerAccount,
    reference: &str,
    operation: &str,
    run: impl std::future::Future<Output = Result<TransactionRecord, FpsError>>,
) -> Result<TransactionRecord, FpsError> {
    refuse_used_reference(state, caller, reference).await?;
    let recorded = state
        .store
        .transaction_by_reference(&caller.access_key_id, reference, operation)
        .await?;
    match recorded {
        Some(txn) => Ok(txn),
        None => run.await,
    }
}

/// FundPrepaid or SettleDebt.
pub(super) async fn move_money(
    state: &SandboxState,
    caller: &CallerAccount,
    movement: Movement,
    version: &str,
    params: &ApiParams,
    request_id: &str,
) -> Result<ApiReply, FpsError> {
    let (action, instrument, amount) = match movement {
        Movement::FundPrepaid => (ActionName::FundPrepaid, "PrepaidInstrumentId", "FundingAmount"),
        Movement::SettleDebt => (ActionName::SettleDebt, "CreditInstrumentId", "SettlementAmount"),
    };
    let value = format!("{amount}.Value");
    let currency = format!("{amount}.CurrencyCode");
    params.only(&[
        "SenderTokenId",
        instrument,
        &value,
        &currency,
        "CallerReference",
        "SenderDescription",
        "CallerDescription",
        "DescriptorPolicy.SoftDescriptorType",
        "DescriptorPolicy.CSOwner",
        "TransactionTimeoutInMins",
        "OverrideIPNURL",
    ])?;
    params.one_of("DescriptorPolicy.SoftDescriptorType", &["Static", "Dynamic"])?;
    params.one_of("DescriptorPolicy.CSOwner", &["Caller", "Recipient"])?;
    params.number("TransactionTimeoutInMins", 1, 60 * 24 * 7)?;
    let request = MovementRequest {
        movement,
        caller_reference: params.required_text("CallerReference", MAX_REFERENCE)?,
        sender_token_id: id(params, "SenderTokenId")?,
        instrument_id: id(params, instrument)?,
        amount_minor: params.required_amount(amount)?,
        caller_description: params.text("CallerDescription", MAX_DESCRIPTION)?,
        sender_description: params.text("SenderDescription", MAX_DESCRIPTION)?,
        override_ipn_url: params.url("OverrideIPNURL")?,
    };
    let _guard = state.write_lock.lock().await;
    let txn = once(
        state,
        caller,
        &request.caller_reference,
        movement.operation(),
        instruments::move_money(state, caller, &request),
    )
    .await?;
    Ok(respond(action, version, request_id, |xml| {
        transaction_result(xml, &txn.id, &txn.status)
    }))
}

/// WriteOffDebt.
pub(super) async fn write_off_debt(
    state: &SandboxState,
    caller: &CallerAccount,
    version: &str,
    params: &ApiParams,
    request_id: &str,
) -> Result<ApiReply, FpsError> {
    params.only(&[
        "CreditInstrumentId",
        "AdjustmentAmount.Value",
        "AdjustmentAmount.CurrencyCode",
        "CallerReference",
        "CallerDescription",
    ])?;
    let request = WriteOffRequest {
        caller_reference: params.required_text("CallerReference", MAX_REFERENCE)?,
        instrument_id: id(params, "CreditInstrumentId")?,
        amount_minor: params.required_amount("AdjustmentAmount")?,
        caller_description: params.text("CallerDescription", MAX_DESCRIPTION)?,
    };
    let _guard = state.write_lock.lock().await;
    let txn = once(
        state,
        caller,
        &request.caller_reference,
        "WriteOffDebt",
        instruments::write_off_debt(state, caller, &request),
    )
    .await?;
    Ok(respond(ActionName::WriteOffDebt, version, request_id, |xml| {
        transaction_result(xml, &txn.id, &txn.status)
    }))
}

/// GetPrepaidBalance, GetTotalPrepaidLiability, GetDebtBalance or GetOutstandingDebtBalance.
pub(super) async fn balance(
    state: &SandboxState,
    caller: &CallerAccount,
    action: ActionName,
    version: &str,
    params: &ApiParams,
    request_id: &str,
) -> Result<ApiReply, FpsError> {
    let (kind, one) = match action {
        ActionName::GetPrepaidBalance => (InstrumentKind::Prepaid, Some("PrepaidInstrumentId")),
        ActionName::GetTotalPrepaidLiability => (InstrumentKind::Prepaid, None),
        ActionName::GetDebtBalance => (InstrumentKind::Credit, Some("CreditInstrumentId")),
        _ => (InstrumentKind::Credit, None),
    };
    params.only(one.as_slice())?;
    let sums = match one {
        Some(name) => {
            let instrument = instruments::caller_instrument(state, caller, &id(params, name)?, kind).await?;
            state
                .store
                .instrument_sums(kind, &instrument.instrument_id)
                .await?
        }
        None => {
            state
                .store
                .caller_instrument_sums(&caller.access_key_id, kind)
                .await?
        }
    };
    // (container, balance element, balance, pending element, pending)
    let (container, balance_name, balance, pending_name, pending) = match action {
        ActionName::GetPrepaidBalance => (
            "PrepaidBalance",
            "AvailableBalance",
            sums.prepaid_available(),
            "PendingInBalance",
            sums.funding_pending,
        ),
        ActionName::GetTotalPrepaidLiability => (
            "OutstandingPrepaidLiability",
            "OutstandingBalance",
            sums.prepaid_available(),
            "PendingInBalance",
            sums.funding_pending,
        ),
        ActionName::GetDebtBalance => (
            "DebtBalance",
            "AvailableBalance",
            sums.debt(),
            "PendingOutBalance",
            sums.settling,
        ),
        _ => (
            "OutstandingDebt",
            "OutstandingBalance",
            sums.debt(),
            "PendingOutBalance",
            sums.settling,
        ),
    };
    Ok(respond(action, version, request_id, |xml| {
        xml.open(container);
        render::amount(xml, balance_name, balance);
        render::amount(xml, pending_name, pending);
        xml.close();
    }))
}
