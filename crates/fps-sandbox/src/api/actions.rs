//! Dispatch of the Query API actions, and the ones that change money or tokens: parameter
//! rules, the money rules through the ledger, `DuplicateRequest` for a changed request under a
//! used `CallerReference` (identical resends are answered before, by [`super::replay`]).

use super::install::install_payment_instruction;
use super::instruments;
use super::params::ApiParams;
use super::queries::{
    account_activity, account_balance, get_transaction, token_by_caller, transaction_status, verify_signature,
};
use super::render::respond;
use super::{subscriptions, tokens};
use super::{ApiReply, OLD_VERSION};
use crate::config::CallerAccount;
use crate::error::{ErrorCode, FpsError};
use crate::ledger::fees::{FeePayer, MarketplaceFee, RefundPolicy};
use crate::ledger::instruments::Movement;
use crate::ledger::{self, Charge, ChargeRequest, RefundRequest};
use crate::state::SandboxState;
use fps_wire::vocabulary::ActionName;

/// Longest `CallerReference`.
const MAX_REFERENCE: usize = 128;
/// Longest `CallerDescription` / `SenderDescription`.
const MAX_DESCRIPTION: usize = 160;
/// What Pay takes in API version 2007-01-08 besides the later parameters: `CallerTokenId`, and
/// texts and a date the emulator checks for form but does not keep.
const OLD_PAY_PARAMS: &[&str] = &[
    "CallerTokenId",
    "TransactionDate",
    "MetaData",
    "SenderReference",
    "RecipientReference",
    "RecipientDescription",
];
/// Longest transaction id accepted as input.
const MAX_TRANSACTION_ID: usize = 35;

/// Runs an authenticated action.
pub async fn dispatch(
    state: &SandboxState,
    caller: Option<&CallerAccount>,
    action: &str,
    version: &str,
    params: &ApiParams,
    request_id: &str,
) -> Result<ApiReply, FpsError> {
    let name = ActionName::from_wire(action);
    if name == Some(ActionName::VerifySignature) {
        return verify_signature(state, version, params, request_id);
    }
    let caller = caller.ok_or_else(|| FpsError::missing("AWSAccessKeyId"))?;
    let Some(name) = name else {
        state.wake_ledger.notify_one();
        return Err(FpsError::new(
            ErrorCode::InvalidAction,
            format!(
                "The action {} is not valid for this web service.",
                action.chars().take(64).collect::<String>()
            ),
        ));
    };
    // Every action of the vocabulary, so a new one cannot be left without an answer.
    let reply = match name {
        ActionName::VerifySignature => verify_signature(state, version, params, request_id),
        ActionName::Pay => charge(state, caller, Charge::Pay, version, params, request_id).await,
        ActionName::Reserve => charge(state, caller, Charge::Reserve, version, params, request_id).await,
        ActionName::Settle => settle(state, caller, version, params, request_id).await,
        ActionName::Cancel => cancel(state, caller, version, params, request_id).await,
        ActionName::Refund => refund(state, caller, version, params, request_id).await,
        ActionName::GetTransactionStatus => {
            transaction_status(state, caller, version, params, request_id).await
        }
        ActionName::GetTransaction => get_transaction(state, caller, version, params, request_id).await,
        ActionName::GetAccountActivity => account_activity(state, caller, version, params, request_id).await,
        ActionName::GetAccountBalance => account_balance(state, caller, version, params, request_id).await,
        ActionName::CancelToken => cancel_token(state, caller, version, params, request_id).await,
        ActionName::GetTokenByCaller => token_by_caller(state, caller, version, params, request_id).await,
        ActionName::InstallPaymentInstruction => {
            install_payment_instruction(state, caller, version, params, request_id).await
        }
        ActionName::GetTokens => tokens::get_tokens(state, caller, version, params, request_id).await,
        ActionName::GetTokenUsage => tokens::token_usage(state, caller, version, params, request_id).await,
        ActionName::GetPaymentInstruction => {
            tokens::payment_instruction(state, caller, version, params, request_id).await
        }
        ActionName::GetRecipientVerificationStatus => {
            tokens::recipient_verification(state, caller, version, params, request_id).await
        }
        ActionName::GetSubscriptionDetails
        | ActionName::GetTransactionsForSubscription
        | ActionName::CancelSubscriptionAndRefund => subscriptions::unknown_subscription(name, params),
        ActionName::FundPrepaid => {
            instruments::move_money(state, caller, Movement::FundPrepaid, version, params, request_id).await
        }
        ActionName::SettleDebt => {
            instruments::move_money(state, caller, Movement::SettleDebt, version, params, request_id).await
        }
        ActionName::WriteOffDebt => {
            instruments::write_off_debt(state, caller, version, params, request_id).await
        }
        ActionName::GetPrepaidBalance
        | ActionName::GetTotalPrepaidLiability
        | ActionName::GetDebtBalance
        | ActionName::GetOutstandingDebtBalance => {
            instruments::balance(state, caller, name, version, params, request_id).await
        }
    };
    state.wake_ledger.notify_one();
    reply
}

/// `DuplicateRequest` when the caller's `reference` was used by another request answered within
/// the last 7 days (an identical one never gets here: [`super::replay`] answers it).
pub(super) async fn refuse_used_reference(
    state: &SandboxState,
    caller: &CallerAccount,
    reference: &str,
) -> Result<(), FpsError> {
    match state
        .store
        .request_under_reference(&caller.access_key_id, reference)
        .await?
    {
        Some(_) => Err(FpsError::new(
            ErrorCode::DuplicateRequest,
            format!("A request with CallerReference {reference} and other parameters was already processed."),
        )),
        None => Ok(()),
    }
}

pub(super) fn transaction_result(xml: &mut crate::xml::Xml, id: &str, status: &str) {
    xml.leaf("TransactionId", id).leaf("TransactionStatus", status);
}

async fn charge(
    state: &SandboxState,
    caller: &CallerAccount,
    kind: Charge,
    version: &str,
    params: &ApiParams,
    request_id: &str,
) -> Result<ApiReply, FpsError> {
    let action = if kind == Charge::Pay {
        ActionName::Pay
    } else {
        ActionName::Reserve
    };
    let old_api = version == OLD_VERSION;
    if !old_api && params.get("CallerTokenId").is_some() {
        return Err(FpsError::new(
            ErrorCode::InvalidParams,
            format!("CallerTokenId is a parameter of {action} in API version {OLD_VERSION} only; later versions have no caller token."),
        ));
    }
    let mut allowed = vec![
        "CallerReference",
        "SenderTokenId",
        "RecipientTokenId",
        "TransactionAmount.Value",
        "TransactionAmount.CurrencyCode",
        "ChargeFeeTo",
        "CallerDescription",
        "SenderDescription",
        "DescriptorPolicy.SoftDescriptorType",
        "DescriptorPolicy.CSOwner",
        "TransactionTimeoutInMins",
        "MarketplaceFixedFee.Value",
        "MarketplaceFixedFee.CurrencyCode",
        "MarketplaceVariableFee",
        "OverrideIPNURL",
    ];
    if old_api {
        allowed.extend(OLD_PAY_PARAMS);
    }
    params.only(&allowed)?;
    let caller_reference = params.required_text("CallerReference", MAX_REFERENCE)?;
    let sender_token_id = params.required("SenderTokenId")?.to_owned();
    let caller_token_id = if old_api {
        // The seed's Pay: caller, recipient and sender token, and who pays the fee.
        params.required("RecipientTokenId")?;
        params.required("ChargeFeeTo")?;
        params.date("TransactionDate")?;
        for name in [
            "MetaData",
            "SenderReference",
            "RecipientReference",
            "RecipientDescription",
        ] {
            params.text(name, MAX_DESCRIPTION)?;
        }
        Some(params.required("CallerTokenId")?.to_owned())
    } else {
        None
    };
    let amount_minor = params.required_amount("TransactionAmount")?;
    let fee_paid_by = params
        .one_of("ChargeFeeTo", &["Caller", "Recipient"])?
        .map_or(FeePayer::Recipient, |v| FeePayer::from_wire(&v));
    params.one_of("DescriptorPolicy.SoftDescriptorType", &["Static", "Dynamic"])?;
    params.one_of("DescriptorPolicy.CSOwner", &["Caller", "Recipient"])?;
    params.number("TransactionTimeoutInMins", 1, 60 * 24 * 7)?;
    let fixed_fee = params.amount("MarketplaceFixedFee")?;
    let variable_fee = params.basis_points("MarketplaceVariableFee")?;
    let request = ChargeRequest {
        charge: kind,
        caller_reference,
        sender_token_id,
        caller_token_id,
        recipient_token_id: params.get("RecipientTokenId").map(str::to_owned),
        amount_minor,
        caller_description: params.text("CallerDescription", MAX_DESCRIPTION)?,
        sender_description: params.text("SenderDescription", MAX_DESCRIPTION)?,
        override_ipn_url: params.url("OverrideIPNURL")?,
        marketplace: MarketplaceFee {
            fixed_minor: fixed_fee.unwrap_or(0),
            variable_bp: variable_fee.unwrap_or(0),
        },
        fee_paid_by,
    };
    let _guard = state.write_lock.lock().await;
    refuse_used_reference(state, caller, &request.caller_reference).await?;
    let recorded = state
        .store
        .transaction_by_reference(
            &caller.access_key_id,
            &request.caller_reference,
            request.charge.operation(),
        )
        .await?;
    let txn = match recorded {
        Some(txn) => txn,
        None => ledger::charge(state, caller, &request).await?,
    };
    Ok(respond(action, version, request_id, |xml| {
        transaction_result(xml, &txn.id, &txn.status)
    }))
}

pub(super) fn transaction_id(params: &ApiParams, name: &str) -> Result<String, FpsError> {
    let id = params.required(name)?;
    if id.len() > MAX_TRANSACTION_ID {
        return Err(FpsError::invalid(
            name,
            format!("must be at most {MAX_TRANSACTION_ID} characters"),
        ));
    }
    Ok(id.to_owned())
}

async fn settle(
    state: &SandboxState,
    caller: &CallerAccount,
    version: &str,
    params: &ApiParams,
    request_id: &str,
) -> Result<ApiReply, FpsError> {
    params.only(&[
        "ReserveTransactionId",
        "TransactionAmount.Value",
        "TransactionAmount.CurrencyCode",
        "OverrideIPNURL",
    ])?;
    let id = transaction_id(params, "ReserveTransactionId")?;
    let amount = params.amount("TransactionAmount")?;
    let override_url = params.url("OverrideIPNURL")?;
    let _guard = state.write_lock.lock().await;
    let txn = ledger::settle(state, caller, &id, amount, override_url).await?;
    Ok(respond(ActionName::Settle, version, request_id, |xml| {
        transaction_result(xml, &txn.id, &txn.status)
    }))
}

async fn cancel(
    state: &SandboxState,
    caller: &CallerAccount,
    version: &str,
    params: &ApiParams,
    request_id: &str,
) -> Result<ApiReply, FpsError> {
    params.only(&["TransactionId", "Description", "OverrideIPNURL"])?;
    let id = transaction_id(params, "TransactionId")?;
    params.text("Description", MAX_DESCRIPTION)?;
    let override_url = params.url("OverrideIPNURL")?;
    let _guard = state.write_lock.lock().await;
    let txn = ledger::cancel(state, caller, &id, override_url).await?;
    Ok(respond(ActionName::Cancel, version, request_id, |xml| {
        transaction_result(xml, &txn.id, &txn.status)
    }))
}

async fn refund(
    state: &SandboxState,
    caller: &CallerAccount,
    version: &str,
    params: &ApiParams,
    request_id: &str,
) -> Result<ApiReply, FpsError> {
    params.only(&[
        "TransactionId",
        "CallerReference",
        "RefundAmount.Value",
        "RefundAmount.CurrencyCode",
        "CallerDescription",
        "MarketplaceRefundPolicy",
        "OverrideIPNURL",
    ])?;
    let id = transaction_id(params, "TransactionId")?;
    let reference = params.required_text("CallerReference", MAX_REFERENCE)?;
    let amount = params.amount("RefundAmount")?;
    let description = params.text("CallerDescription", MAX_DESCRIPTION)?;
    let policy = params.one_of(
        "MarketplaceRefundPolicy",
        &["MasterTxnOnly", "MarketplaceTxnOnly", "MasterAndMarketplaceTxn"],
    )?;
    let override_url = params.url("OverrideIPNURL")?;
    let _guard = state.write_lock.lock().await;
    refuse_used_reference(state, caller, &reference).await?;
    let recorded = state
        .store
        .transaction_by_reference(&caller.access_key_id, &reference, "Refund")
        .await?;
    let txn = match recorded {
        Some(txn) => txn,
        None => {
            let request = RefundRequest {
                transaction_id: id,
                caller_reference: reference.clone(),
                amount_minor: amount,
                caller_description: description,
                policy: RefundPolicy::from_wire(policy.as_deref()),
                override_ipn_url: override_url,
            };
            ledger::refund(state, caller, request).await?
        }
    };
    Ok(respond(ActionName::Refund, version, request_id, |xml| {
        transaction_result(xml, &txn.id, &txn.status)
    }))
}

async fn cancel_token(
    state: &SandboxState,
    caller: &CallerAccount,
    version: &str,
    params: &ApiParams,
    request_id: &str,
) -> Result<ApiReply, FpsError> {
    params.only(&["TokenId", "ReasonText", "OverrideIPNURL"])?;
    let token_id = params.required("TokenId")?;
    let reason = params.text("ReasonText", 1024)?;
    let override_url = params.url("OverrideIPNURL")?;
    let _guard = state.write_lock.lock().await;
    ledger::cancel_token(
        state,
        caller,
        token_id,
        reason.as_deref(),
        override_url.as_deref(),
    )
    .await?;
    Ok(respond(ActionName::CancelToken, version, request_id, |_| {}))
}
