//! The Query API at `/`: decodes the parameters (GET query or POST form), authenticates the
//! Signature Version 2 signature, answers an identical resend from its record ([`replay`]),
//! checks Timestamp/Expires, dispatches the action and answers with FPS's XML, or the error
//! envelope `Response > Errors > Error (Code, Message)` + `RequestID`.

mod actions;
mod install;
mod instruments;
mod params;
mod queries;
mod render;
pub mod replay;
mod subscriptions;
mod tokens;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use super::clock::real_now_ms;
use super::config::CallerAccount;
use super::error::{ErrorCode, FpsError};
use super::ids;
use super::sigv2::{self, SignatureError};
use super::state::SandboxState;
use super::xml::Xml;
use fps_core::canonical::{decode_query, reject_duplicates, HttpMethod, PlusIs};
use fps_core::params::SignatureMethod;
use fps_wire::vocabulary::ActionName;

pub use params::ApiParams;

/// API versions answered (the response namespace follows the one sent).
pub const VERSIONS: &[&str] = &["2010-08-28", "2008-09-17", OLD_VERSION];

/// The 2007 API of the One-Time Payment seed, answered alongside the newer ones for
/// InstallPaymentInstruction and Pay only: there Pay takes `CallerTokenId`, `SenderTokenId` and
/// `RecipientTokenId` (all three required) and `ChargeFeeTo` (required).
pub const OLD_VERSION: &str = "2007-01-08";

/// The actions answered under [`OLD_VERSION`].
pub const OLD_VERSION_ACTIONS: &[ActionName] = &[ActionName::InstallPaymentInstruction, ActionName::Pay];

/// Parameters every call may carry.
pub const COMMON_PARAMS: &[&str] = &[
    "Action",
    "AWSAccessKeyId",
    "Signature",
    "SignatureMethod",
    "SignatureVersion",
    "Timestamp",
    "Expires",
    "Version",
];

/// An XML answer.
#[derive(Debug)]
pub struct ApiReply {
    /// HTTP status.
    pub status: u16,
    /// The XML document.
    pub body: String,
}

impl IntoResponse for ApiReply {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (
            status,
            [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
            self.body,
        )
            .into_response()
    }
}

/// Renders the error envelope FPS answered with.
pub fn error_reply(error: &FpsError, request_id: &str) -> ApiReply {
    let mut xml = Xml::new();
    xml.open("Response")
        .open("Errors")
        .open("Error")
        .leaf("Code", &error.code.as_wire())
        .leaf("Message", &error.message)
        .close()
        .close()
        .leaf("RequestID", request_id);
    ApiReply {
        status: error.http_status(),
        body: xml.finish(),
    }
}

/// The axum handler of `GET /` and `POST /`.
pub async fn handle(
    State(state): State<Arc<SandboxState>>,
    method: Method,
    headers: HeaderMap,
    uri: Uri,
    body: Bytes,
) -> Response {
    let request_id = ids::request_id();
    let counting = state.config.fault_token.is_some();
    let fault = state.faults.for_request(&method, &uri, &body, counting);
    if let Some(refused) = fault.as_ref().and_then(|f| super::faults::refuse(f, &request_id)) {
        return refused;
    }
    // On a task of its own: a caller that hangs up (a timeout, a crash) must not cancel a
    // money-changing call half-way through its writes.
    let task = {
        let (state, request_id) = (state.clone(), request_id.clone());
        let body = body.clone();
        tokio::spawn(async move { serve(&state, &method, &headers, &uri, &body, &request_id).await })
    };
    let outcome = task.await.unwrap_or_else(|e| {
        Err(FpsError::new(
            ErrorCode::InternalError,
            format!("The sandbox failed while handling the request: {e}"),
        ))
    });
    let reply = match outcome {
        Ok(reply) => reply,
        Err(error) => {
            if error.code == ErrorCode::InternalError {
                tracing::error!(%error, "Query API failed");
            }
            error_reply(&error, &request_id)
        }
    };
    match fault {
        Some(fault) => {
            let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            super::faults::spoil(&fault, status, reply.body).await
        }
        None => reply.into_response(),
    }
}

async fn serve(
    state: &SandboxState,
    method: &Method,
    headers: &HeaderMap,
    uri: &Uri,
    body: &Bytes,
    request_id: &str,
) -> Result<ApiReply, FpsError> {
    let (raw, http_method) = if method == Method::POST {
        let text = std::str::from_utf8(body)
            .map_err(|_| FpsError::new(ErrorCode::InvalidParams, "The request body is not UTF-8."))?;
        (text, HttpMethod::Post)
    } else {
        (uri.query().unwrap_or(""), HttpMethod::Get)
    };
    let pairs = decode_query(raw, PlusIs::Space)
        .map_err(|e| FpsError::new(ErrorCode::InvalidParams, e.to_string()))?;
    reject_duplicates(&pairs).map_err(|e| FpsError::new(ErrorCode::InvalidParams, e.to_string()))?;
    let params = ApiParams::new(pairs);
    let action = params.required("Action")?.to_owned();
    let version = params.required("Version")?.to_owned();
    if !VERSIONS.contains(&version.as_str()) {
        return Err(FpsError::invalid(
            "Version",
            format!("must be one of {}", VERSIONS.join(", ")),
        ));
    }
    let known = ActionName::from_wire(&action);
    if version == OLD_VERSION && !known.is_some_and(|a| OLD_VERSION_ACTIONS.contains(&a)) {
        let names: Vec<&str> = OLD_VERSION_ACTIONS.iter().map(|a| a.as_str()).collect();
        return Err(FpsError::invalid(
            "Version",
            format!(
                "{OLD_VERSION} is answered for {} only; use 2010-08-28",
                names.join(" and ")
            ),
        ));
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .ok_or_else(|| FpsError::new(ErrorCode::InvalidParams, "The request has no Host header."))?;
    let caller = authenticate(state, &params, host, uri.path(), http_method, &action)?;
    match (caller, known) {
        (Some(caller), Some(name)) if replay::RECORDED_ACTIONS.contains(&name) => {
            replay::answer(state, caller, name, &version, &params, request_id).await
        }
        (Some(_), _) => {
            check_time(state, &params)?;
            actions::dispatch(state, caller, &action, &version, &params, request_id).await
        }
        (None, _) => actions::dispatch(state, caller, &action, &version, &params, request_id).await,
    }
}

/// Checks the key and signature (not the time window: see [`check_time`]); `None` for an
/// unsigned VerifySignature call.
fn authenticate<'s>(
    state: &'s SandboxState,
    params: &ApiParams,
    host: &str,
    path: &str,
    http_method: HttpMethod,
    action: &str,
) -> Result<Option<&'s CallerAccount>, FpsError> {
    let signed = params.get("Signature").is_some() || params.get("AWSAccessKeyId").is_some();
    if action == ActionName::VerifySignature.as_str() && !signed {
        return Ok(None);
    }
    let key = params.required("AWSAccessKeyId")?;
    // The caller's first key or its second one (key rotation): both speak for the account.
    let (caller, secret) = state.config.signing_key(key).ok_or_else(|| {
        FpsError::new(
            ErrorCode::InvalidClientTokenId,
            "The AWS Access Key Id you provided does not exist in our records.",
        )
    })?;
    if params.required("SignatureVersion")? != "2" {
        return Err(FpsError::invalid("SignatureVersion", "only 2 is supported"));
    }
    let method_name = params.required("SignatureMethod")?;
    let method = SignatureMethod::from_wire(method_name)
        .ok_or_else(|| FpsError::invalid("SignatureMethod", "use HmacSHA256 or HmacSHA1"))?;
    let signature = params.required("Signature")?;
    // The host line is the Host header as it arrived, or the same host without its port (an
    // emulator tolerance for clients written for port 443: see sigv2).
    match sigv2::check(
        secret,
        method,
        http_method,
        host,
        path,
        &params.canonical(),
        signature,
    ) {
        Ok(()) => {}
        Err(SignatureError::BadHost) => {
            return Err(FpsError::new(ErrorCode::InvalidParams, "The Host header is not usable."))
        }
        Err(mismatch) => {
            return Err(FpsError::new(
                ErrorCode::SignatureDoesNotMatch,
                format!(
                    "The request signature we calculated does not match the signature you provided. \
                     Check your AWS Secret Access Key and signing method. Consult the service documentation for details. \
                     The string to sign was {}.",
                    mismatch.tried()
                ),
            ))
        }
    }
    Ok(Some(caller))
}

/// Checks Timestamp (within the configured skew) or Expires (not past) against the real clock.
fn check_time(state: &SandboxState, params: &ApiParams) -> Result<(), FpsError> {
    let skew = i64::try_from(state.config.max_skew.as_millis()).unwrap_or(i64::MAX);
    // Real time, not the test clock: the signature window is the caller's clock against ours.
    let now = real_now_ms();
    let parse = |name: &str, text: &str| {
        ids::parse_iso_date(text).ok_or_else(|| {
            FpsError::new(
                ErrorCode::InvalidParameterValue,
                format!("Value ({text}) for parameter {name} is invalid. Must be in ISO8601 format."),
            )
        })
    };
    match (params.get("Timestamp"), params.get("Expires")) {
        (Some(_), Some(_)) => Err(FpsError::new(
            ErrorCode::InvalidParams,
            "Timestamp and Expires are mutually exclusive.",
        )),
        (None, None) => Err(FpsError::missing("Timestamp")),
        (Some(text), None) => {
            let at = parse("Timestamp", text)?;
            if (now - at).abs() > skew {
                return Err(FpsError::new(
                    ErrorCode::RequestExpired,
                    format!("Request has expired. Timestamp date is {text}."),
                ));
            }
            Ok(())
        }
        (None, Some(text)) => {
            let at = parse("Expires", text)?;
            if now > at {
                return Err(FpsError::new(
                    ErrorCode::RequestExpired,
                    format!("Request has expired. Expires date is {text}."),
                ));
            }
            Ok(())
        }
    }
}
