//! The read-only actions: GetTransactionStatus, GetTransaction, GetAccountActivity,
//! GetAccountBalance, GetTokenByCaller, and VerifySignature of the emulator's own returns and IPNs.

use super::actions::{transaction_id, transaction_result};
use super::params::ApiParams;
use super::render::{self, respond};
use super::ApiReply;
use crate::config::CallerAccount;
use crate::error::{ErrorCode, FpsError};
use crate::landing_signer::RSA_SHA1;
use crate::ledger;
use crate::state::SandboxState;
use crate::store::ActivityFilter;
use fps_core::canonical::{decode_query, reject_duplicates, HttpMethod, PlusIs};
use fps_core::Endpoint;
use fps_wire::vocabulary::ActionName;

pub(super) async fn transaction_status(
    state: &SandboxState,
    caller: &CallerAccount,
    version: &str,
    params: &ApiParams,
    request_id: &str,
) -> Result<ApiReply, FpsError> {
    params.only(&["TransactionId"])?;
    let id = transaction_id(params, "TransactionId")?;
    let txn = ledger::caller_transaction(state, caller, &id).await?;
    Ok(respond(
        ActionName::GetTransactionStatus,
        version,
        request_id,
        |xml| {
            transaction_result(xml, &txn.id, &txn.status);
            xml.leaf_opt("CallerReference", txn.caller_reference.as_deref())
                .leaf("StatusCode", &txn.status_code)
                .leaf("StatusMessage", &txn.status_message);
        },
    ))
}

async fn related(
    state: &SandboxState,
    txn: &crate::store::TransactionRecord,
) -> Result<Vec<(String, &'static str)>, FpsError> {
    let mut related: Vec<(String, &'static str)> = Vec::new();
    if let Some(parent) = &txn.parent_id {
        related.push((parent.clone(), "Parent"));
    }
    for child in state.store.children(&txn.id).await? {
        related.push((child.id, "Refund"));
    }
    Ok(related)
}

pub(super) async fn get_transaction(
    state: &SandboxState,
    caller: &CallerAccount,
    version: &str,
    params: &ApiParams,
    request_id: &str,
) -> Result<ApiReply, FpsError> {
    params.only(&["TransactionId"])?;
    let id = transaction_id(params, "TransactionId")?;
    let txn = ledger::caller_transaction(state, caller, &id).await?;
    let history = state.store.history(&txn.id).await?;
    let related = related(state, &txn).await?;
    Ok(respond(ActionName::GetTransaction, version, request_id, |xml| {
        render::transaction(xml, &txn, &history, &related, None)
    }))
}

pub(super) async fn account_activity(
    state: &SandboxState,
    caller: &CallerAccount,
    version: &str,
    params: &ApiParams,
    request_id: &str,
) -> Result<ApiReply, FpsError> {
    params.only(&[
        "StartDate",
        "EndDate",
        "FPSOperation",
        "MaxBatchSize",
        "PaymentMethod",
        "ResponseGroup",
        "Role",
        "SortOrderByDate",
        "SortByDateOrder",
        "Status",
    ])?;
    let start = params
        .date("StartDate")?
        .ok_or_else(|| FpsError::missing("StartDate"))?;
    let operation = params.one_of(
        "FPSOperation",
        &[
            "Pay",
            "Refund",
            "Settle",
            "SettleDebt",
            "WriteOffDebt",
            "FundPrepaid",
            "Reserve",
        ],
    )?;
    params.one_of("ResponseGroup", &["Detail", "Summary"])?;
    // The caller's part in the transaction: every one of its transactions has it as caller; as
    // recipient those paid to its own account, as sender those it paid (its refunds).
    let role = params.one_of("Role", &["Caller", "Recipient", "Sender"])?;
    let order = match params.one_of("SortOrderByDate", &["Ascending", "Descending"])? {
        Some(order) => Some(order),
        None => params.one_of("SortByDateOrder", &["Ascending", "Descending"])?,
    };
    let filter = ActivityFilter {
        start,
        end: params.date("EndDate")?,
        // A settled reserve keeps its row; Settle is reported under Reserve.
        operation: operation.map(|op| if op == "Settle" { "Reserve".into() } else { op }),
        status: params.one_of(
            "Status",
            &["Pending", "Success", "Failure", "Reserved", "Cancelled"],
        )?,
        payment_method: params.one_of("PaymentMethod", &["ABT", "ACH", "CC"])?,
        descending: order.as_deref() != Some("Ascending"),
        limit: params.number("MaxBatchSize", 1, 200)?.unwrap_or(20),
        recipient_email: (role.as_deref() == Some("Recipient")).then(|| caller.email.clone()),
        sender_email: (role.as_deref() == Some("Sender")).then(|| caller.email.clone()),
    };
    let mut found = state.store.activity(&caller.access_key_id, &filter).await?;
    let next = if found.len() as i64 > filter.limit {
        found.pop().map(|t| t.date_received)
    } else {
        None
    };
    let mut rendered = Vec::new();
    for txn in &found {
        rendered.push((
            txn,
            state.store.history(&txn.id).await?,
            related(state, txn).await?,
        ));
    }
    Ok(respond(
        ActionName::GetAccountActivity,
        version,
        request_id,
        |xml| {
            xml.leaf("BatchSize", &found.len().to_string());
            if let Some(next) = next {
                xml.leaf("StartTimeForNextTransaction", &crate::ids::iso_date(next));
            }
            let part = render::CallerPart {
                name: &caller.name,
                email: &caller.email,
            };
            for (txn, history, related) in &rendered {
                render::transaction(xml, txn, history, related, Some(part));
            }
        },
    ))
}

/// GetAccountBalance: the caller's own account (its e-mail's entries, and what its pending
/// transactions will move; see [`ledger::balance`]). It takes no parameters.
pub(super) async fn account_balance(
    state: &SandboxState,
    caller: &CallerAccount,
    version: &str,
    params: &ApiParams,
    request_id: &str,
) -> Result<ApiReply, FpsError> {
    params.only(&[])?;
    let balance = ledger::balance::account_balance(state, &caller.email, Some(&caller.access_key_id)).await?;
    Ok(respond(
        ActionName::GetAccountBalance,
        version,
        request_id,
        |xml| {
            xml.open("AccountBalance");
            render::amount(xml, "TotalBalance", balance.total_minor);
            render::amount(xml, "PendingInBalance", balance.pending_in_minor);
            render::amount(xml, "PendingOutBalance", balance.pending_out_minor);
            xml.open("AvailableBalances");
            render::amount(xml, "DisburseBalance", balance.disburse_minor());
            render::amount(xml, "RefundBalance", balance.refund_minor());
            xml.close().close();
        },
    ))
}

pub(super) async fn token_by_caller(
    state: &SandboxState,
    caller: &CallerAccount,
    version: &str,
    params: &ApiParams,
    request_id: &str,
) -> Result<ApiReply, FpsError> {
    params.only(&["TokenId", "CallerReference"])?;
    let found = match (params.get("TokenId"), params.get("CallerReference")) {
        (Some(id), None) => state.store.token(id).await?.filter(|t| t.token_id == id),
        (None, Some(reference)) => {
            state
                .store
                .token_by_reference(&caller.access_key_id, reference)
                .await?
        }
        _ => {
            return Err(FpsError::new(
                ErrorCode::InvalidParams,
                "Exactly one of TokenId and CallerReference is required.",
            ))
        }
    };
    let token = found
        .filter(|t| t.caller_key == caller.access_key_id)
        .ok_or_else(|| FpsError::new(ErrorCode::InvalidTokenIdSender, "No such token for this caller."))?;
    Ok(respond(
        ActionName::GetTokenByCaller,
        version,
        request_id,
        |xml| render::token(xml, &token),
    ))
}

pub(super) fn verify_signature(
    state: &SandboxState,
    version: &str,
    params: &ApiParams,
    request_id: &str,
) -> Result<ApiReply, FpsError> {
    params.only(&["UrlEndPoint", "HttpParameters"])?;
    let url = params.required("UrlEndPoint")?;
    let raw = params.required("HttpParameters")?;
    let endpoint = Endpoint::parse_without_query(url).map_err(|e| FpsError::invalid("UrlEndPoint", e))?;
    let pairs = decode_query(raw, PlusIs::Space).map_err(|e| FpsError::invalid("HttpParameters", e))?;
    let get = |name: &str| pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
    for name in [
        "signature",
        "signatureMethod",
        "signatureVersion",
        "certificateUrl",
    ] {
        if get(name).is_none() {
            return Err(FpsError::new(
                ErrorCode::InvalidParams,
                format!("{name} is missing in 'HttpParameters'."),
            ));
        }
    }
    let signature = get("signature").unwrap_or_default();
    // An IPN is signed as POST, a return as GET.
    let method = if get("notificationType").is_some() {
        HttpMethod::Post
    } else {
        HttpMethod::Get
    };
    let ok = reject_duplicates(&pairs).is_ok()
        && get("signatureMethod") == Some(RSA_SHA1)
        && get("signatureVersion") == Some("2")
        && get("certificateUrl") == Some(state.certificate_url().as_str())
        && state.signer.verify(method, &endpoint, &pairs, signature);
    Ok(respond(ActionName::VerifySignature, version, request_id, |xml| {
        xml.leaf("VerificationStatus", if ok { "Success" } else { "Failure" });
    }))
}
