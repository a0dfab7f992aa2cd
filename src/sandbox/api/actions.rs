//! The eleven Query API actions: parameter rules per action, the money rules through the
//! ledger, idempotent resends by `CallerReference`, and the response documents.

use super::params::ApiParams;
use super::render::{self, respond};
use super::ApiReply;
use crate::core::canonical::{decode_query, reject_duplicates, HttpMethod, PlusIs};
use crate::core::Endpoint;
use crate::sandbox::config::CallerAccount;
use crate::sandbox::error::{ErrorCode, FpsError};
use crate::sandbox::landing_signer::RSA_SHA1;
use crate::sandbox::ledger::{self, Charge, ChargeRequest};
use crate::sandbox::state::SandboxState;
use crate::sandbox::store::ActivityFilter;

/// Longest `CallerReference`.
const MAX_REFERENCE: usize = 128;
/// Longest `CallerDescription` / `SenderDescription`.
const MAX_DESCRIPTION: usize = 160;
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
    if action == "VerifySignature" {
        return verify_signature(state, version, params, request_id);
    }
    let caller = caller.ok_or_else(|| FpsError::missing("AWSAccessKeyId"))?;
    let reply = match action {
        "Pay" => charge(state, caller, Charge::Pay, version, params, request_id).await,
        "Reserve" => charge(state, caller, Charge::Reserve, version, params, request_id).await,
        "Settle" => settle(state, caller, version, params, request_id).await,
        "Cancel" => cancel(state, caller, version, params, request_id).await,
        "Refund" => refund(state, caller, version, params, request_id).await,
        "GetTransactionStatus" => transaction_status(state, caller, version, params, request_id).await,
        "GetTransaction" => get_transaction(state, caller, version, params, request_id).await,
        "GetAccountActivity" => account_activity(state, caller, version, params, request_id).await,
        "CancelToken" => cancel_token(state, caller, version, params, request_id).await,
        "GetTokenByCaller" => token_by_caller(state, caller, version, params, request_id).await,
        other => Err(FpsError::new(
            ErrorCode::InvalidAction,
            format!(
                "The action {} is not valid for this web service.",
                other.chars().take(64).collect::<String>()
            ),
        )),
    };
    state.wake_ledger.notify_one();
    reply
}

/// The earlier answer to an identical request with this `CallerReference`; `DuplicateRequest`
/// when the reference was used with other parameters.
async fn earlier(
    state: &SandboxState,
    caller: &CallerAccount,
    action: &str,
    reference: &str,
    params: &ApiParams,
) -> Result<(String, Option<ApiReply>), FpsError> {
    let fingerprint = format!("{action}\n{}", params.canonical());
    match state
        .store
        .earlier_request(&caller.access_key_id, reference)
        .await?
    {
        Some((seen, body)) if seen == fingerprint => Ok((fingerprint, Some(ApiReply { status: 200, body }))),
        Some(_) => Err(FpsError::new(
            ErrorCode::DuplicateRequest,
            format!("A request with CallerReference {reference} and other parameters was already processed."),
        )),
        None => Ok((fingerprint, None)),
    }
}

fn transaction_result(xml: &mut crate::sandbox::xml::Xml, id: &str, status: &str) {
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
    let action = if kind == Charge::Pay { "Pay" } else { "Reserve" };
    params.only(
        action,
        &[
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
        ],
    )?;
    let caller_reference = params.required_text("CallerReference", MAX_REFERENCE)?;
    let sender_token_id = params.required("SenderTokenId")?.to_owned();
    let amount_minor = params.required_amount("TransactionAmount")?;
    params.one_of("ChargeFeeTo", &["Caller", "Recipient"])?;
    params.one_of("DescriptorPolicy.SoftDescriptorType", &["Static", "Dynamic"])?;
    params.one_of("DescriptorPolicy.CSOwner", &["Caller", "Recipient"])?;
    params.number("TransactionTimeoutInMins", 1, 60 * 24 * 7)?;
    let fixed_fee = params.amount("MarketplaceFixedFee")?;
    let variable_fee = params.percent("MarketplaceVariableFee")?;
    let request = ChargeRequest {
        charge: kind,
        caller_reference,
        sender_token_id,
        recipient_token_id: params.get("RecipientTokenId").map(str::to_owned),
        amount_minor,
        caller_description: params.text("CallerDescription", MAX_DESCRIPTION)?,
        sender_description: params.text("SenderDescription", MAX_DESCRIPTION)?,
        override_ipn_url: params.url("OverrideIPNURL")?,
        marketplace_fees: fixed_fee.is_some() || variable_fee.is_some(),
    };
    let _guard = state.write_lock.lock().await;
    let (fingerprint, seen) = earlier(state, caller, action, &request.caller_reference, params).await?;
    if let Some(reply) = seen {
        return Ok(reply);
    }
    let txn = ledger::charge(state, caller, &request).await?;
    let (response, result) = if kind == Charge::Pay {
        ("PayResponse", "PayResult")
    } else {
        ("ReserveResponse", "ReserveResult")
    };
    let reply = respond(response, Some(result), version, request_id, |xml| {
        transaction_result(xml, &txn.id, &txn.status)
    });
    state
        .store
        .save_request(
            &caller.access_key_id,
            &request.caller_reference,
            &fingerprint,
            &reply.body,
        )
        .await?;
    Ok(reply)
}

fn transaction_id(params: &ApiParams, name: &str) -> Result<String, FpsError> {
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
    params.only(
        "Settle",
        &[
            "ReserveTransactionId",
            "TransactionAmount.Value",
            "TransactionAmount.CurrencyCode",
            "OverrideIPNURL",
        ],
    )?;
    let id = transaction_id(params, "ReserveTransactionId")?;
    let amount = params.amount("TransactionAmount")?;
    let override_url = params.url("OverrideIPNURL")?;
    let _guard = state.write_lock.lock().await;
    let txn = ledger::settle(state, caller, &id, amount, override_url).await?;
    Ok(respond(
        "SettleResponse",
        Some("SettleResult"),
        version,
        request_id,
        |xml| transaction_result(xml, &txn.id, &txn.status),
    ))
}

async fn cancel(
    state: &SandboxState,
    caller: &CallerAccount,
    version: &str,
    params: &ApiParams,
    request_id: &str,
) -> Result<ApiReply, FpsError> {
    params.only("Cancel", &["TransactionId", "Description", "OverrideIPNURL"])?;
    let id = transaction_id(params, "TransactionId")?;
    params.text("Description", MAX_DESCRIPTION)?;
    let override_url = params.url("OverrideIPNURL")?;
    let _guard = state.write_lock.lock().await;
    let txn = ledger::cancel(state, caller, &id, override_url).await?;
    Ok(respond(
        "CancelResponse",
        Some("CancelResult"),
        version,
        request_id,
        |xml| transaction_result(xml, &txn.id, &txn.status),
    ))
}

async fn refund(
    state: &SandboxState,
    caller: &CallerAccount,
    version: &str,
    params: &ApiParams,
    request_id: &str,
) -> Result<ApiReply, FpsError> {
    params.only(
        "Refund",
        &[
            "TransactionId",
            "CallerReference",
            "RefundAmount.Value",
            "RefundAmount.CurrencyCode",
            "CallerDescription",
            "MarketplaceRefundPolicy",
            "OverrideIPNURL",
        ],
    )?;
    let id = transaction_id(params, "TransactionId")?;
    let reference = params.required_text("CallerReference", MAX_REFERENCE)?;
    let amount = params.amount("RefundAmount")?;
    let description = params.text("CallerDescription", MAX_DESCRIPTION)?;
    params.one_of(
        "MarketplaceRefundPolicy",
        &["MasterTxnOnly", "MarketplaceTxnOnly", "MasterAndMarketplaceTxn"],
    )?;
    let override_url = params.url("OverrideIPNURL")?;
    let _guard = state.write_lock.lock().await;
    let (fingerprint, seen) = earlier(state, caller, "Refund", &reference, params).await?;
    if let Some(reply) = seen {
        return Ok(reply);
    }
    let txn = ledger::refund(state, caller, &id, &reference, amount, description, override_url).await?;
    let reply = respond(
        "RefundResponse",
        Some("RefundResult"),
        version,
        request_id,
        |xml| transaction_result(xml, &txn.id, &txn.status),
    );
    state
        .store
        .save_request(&caller.access_key_id, &reference, &fingerprint, &reply.body)
        .await?;
    Ok(reply)
}

async fn transaction_status(
    state: &SandboxState,
    caller: &CallerAccount,
    version: &str,
    params: &ApiParams,
    request_id: &str,
) -> Result<ApiReply, FpsError> {
    params.only("GetTransactionStatus", &["TransactionId"])?;
    let id = transaction_id(params, "TransactionId")?;
    let txn = ledger::caller_transaction(state, caller, &id).await?;
    Ok(respond(
        "GetTransactionStatusResponse",
        Some("GetTransactionStatusResult"),
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
    txn: &crate::sandbox::store::TransactionRecord,
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

async fn get_transaction(
    state: &SandboxState,
    caller: &CallerAccount,
    version: &str,
    params: &ApiParams,
    request_id: &str,
) -> Result<ApiReply, FpsError> {
    params.only("GetTransaction", &["TransactionId"])?;
    let id = transaction_id(params, "TransactionId")?;
    let txn = ledger::caller_transaction(state, caller, &id).await?;
    let history = state.store.history(&txn.id).await?;
    let related = related(state, &txn).await?;
    Ok(respond(
        "GetTransactionResponse",
        Some("GetTransactionResult"),
        version,
        request_id,
        |xml| render::transaction(xml, &txn, &history, &related, false),
    ))
}

async fn account_activity(
    state: &SandboxState,
    caller: &CallerAccount,
    version: &str,
    params: &ApiParams,
    request_id: &str,
) -> Result<ApiReply, FpsError> {
    params.only(
        "GetAccountActivity",
        &[
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
        ],
    )?;
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
    params.one_of("Role", &["Caller", "Recipient", "Sender"])?;
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
        "GetAccountActivityResponse",
        Some("GetAccountActivityResult"),
        version,
        request_id,
        |xml| {
            xml.leaf("BatchSize", &found.len().to_string());
            if let Some(next) = next {
                xml.leaf(
                    "StartTimeForNextTransaction",
                    &crate::sandbox::ids::iso_date(next),
                );
            }
            for (txn, history, related) in &rendered {
                render::transaction(xml, txn, history, related, true);
            }
        },
    ))
}

async fn cancel_token(
    state: &SandboxState,
    caller: &CallerAccount,
    version: &str,
    params: &ApiParams,
    request_id: &str,
) -> Result<ApiReply, FpsError> {
    params.only("CancelToken", &["TokenId", "ReasonText", "OverrideIPNURL"])?;
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
    Ok(respond("CancelTokenResponse", None, version, request_id, |_| {}))
}

async fn token_by_caller(
    state: &SandboxState,
    caller: &CallerAccount,
    version: &str,
    params: &ApiParams,
    request_id: &str,
) -> Result<ApiReply, FpsError> {
    params.only("GetTokenByCaller", &["TokenId", "CallerReference"])?;
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
        "GetTokenByCallerResponse",
        Some("GetTokenByCallerResult"),
        version,
        request_id,
        |xml| render::token(xml, &token),
    ))
}

fn verify_signature(
    state: &SandboxState,
    version: &str,
    params: &ApiParams,
    request_id: &str,
) -> Result<ApiReply, FpsError> {
    params.only("VerifySignature", &["UrlEndPoint", "HttpParameters"])?;
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
    Ok(respond(
        "VerifySignatureResponse",
        Some("VerifySignatureResult"),
        version,
        request_id,
        |xml| {
            xml.leaf("VerificationStatus", if ok { "Success" } else { "Failure" });
        },
    ))
}
