//! Step 1 of the CBUI: the start URL. Checks the caller's key and Signature Version 2 signature
//! (host as received or without its port, see [`crate::sigv2`]), then every pipeline
//! parameter, and shows the sign-in page.
//!
//! Parameter names are read as real CBUI read them: a name that differs from a documented one
//! only in letter case is read as that one (boto 2 sends `CallerReference` beside
//! `callerReference`); when both are sent the documented one wins and the other is signed but
//! ignored. Unknown names still return `CE`.

use axum::http::StatusCode;
use axum::response::Response;

use super::accounts::view;
use super::landing::fail;
use super::{error_page, html, pages, START_PATH};
use crate::ids;
use crate::sigv2::{self, SignatureError};
use crate::state::SandboxState;
use fps_core::canonical::{decode_query, reject_duplicates, CanonicalQuery, HttpMethod, PlusIs};
use fps_core::params::SignatureMethod;
use fps_core::{CbuiRequest, Pipeline, Status};

/// The value of the documented parameter `name` as sent: the exact spelling if present, else
/// the first name equal to it but for letter case.
pub fn sent<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .or_else(|| pairs.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)))
        .map(|(_, v)| v.as_str())
}

/// `GET /cobranded-ui/actions/start` with the Host header and the raw query.
pub async fn start(state: &SandboxState, host: &str, raw_query: &str) -> Response {
    let bad = |message: String| error_page(StatusCode::BAD_REQUEST, &message);
    let pairs = match decode_query(raw_query, PlusIs::Space) {
        Ok(pairs) => pairs,
        Err(e) => return bad(format!("The request could not be read: {e}")),
    };
    if let Err(e) = reject_duplicates(&pairs) {
        return bad(format!("The request could not be read: {e}"));
    }
    let Some(caller_key) = sent(&pairs, "callerKey") else {
        return bad("Caller input error: callerKey is missing.".into());
    };
    // The caller's first key or its second one (key rotation).
    let Some((caller, secret)) = state.config.signing_key(caller_key) else {
        return bad("Caller input error: the callerKey is not registered with this sandbox.".into());
    };
    // Only the lowerCamel `signature` is the signature: any other spelling is signed like any
    // other parameter (and so cannot match).
    let Some((_, signature)) = pairs.iter().find(|(n, _)| n == "signature") else {
        return bad("Caller input error: signature is missing.".into());
    };
    let method = match sent(&pairs, "signatureMethod").map(SignatureMethod::from_wire) {
        None => SignatureMethod::HmacSha256,
        Some(Some(method)) => method,
        Some(None) => {
            return bad("Caller input error: signatureMethod must be HmacSHA256 or HmacSHA1.".into())
        }
    };
    if sent(&pairs, "signatureVersion") != Some("2") {
        return bad("Caller input error: signatureVersion must be 2.".into());
    }
    let query = CanonicalQuery::new(pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    match sigv2::check(
        secret,
        method,
        HttpMethod::Get,
        host,
        START_PATH,
        &query,
        signature,
    ) {
        Ok(()) => {}
        Err(SignatureError::BadHost) => return bad("The request has no usable Host header.".into()),
        Err(mismatch) => {
            return error_page(
                StatusCode::FORBIDDEN,
                &format!(
                    "Caller input error: the signature does not match the request (check the secret \
                     key, the host and port signed, and the encoding). The string to sign was {}.",
                    mismatch.tried()
                ),
            )
        }
    }
    // From here the request is the caller's own: failures return to returnURL with status CE.
    let Some(return_url) = sent(&pairs, "returnURL") else {
        return bad("Caller input error: returnURL is missing.".into());
    };
    let reference = sent(&pairs, "callerReference");
    let unsigned: Vec<(String, String)> = pairs.iter().filter(|(n, _)| n != "signature").cloned().collect();
    let request = match CbuiRequest::from_sent_pairs(unsigned.iter().map(|(n, v)| (n.as_str(), v.as_str()))) {
        Ok(request) => request,
        Err(e) => {
            return fail(
                state,
                return_url,
                Status::CallerError,
                reference,
                &format!("Caller input error: {e}"),
            )
        }
    };
    let reference = Some(request.pipeline().caller_reference().as_str());
    if let Pipeline::EditToken(edit) = request.pipeline() {
        let usable = matches!(
            state.store.token(edit.token_id.as_str()).await,
            Ok(Some(t)) if t.caller_key == caller.access_key_id && t.status == "Active" && t.token_type != "Recipient" && !t.is_instruction()
        );
        if !usable {
            return fail(
                state,
                return_url,
                Status::CallerError,
                reference,
                "Caller input error: tokenId is not an active token of this caller.",
            );
        }
    }
    let session = ids::session_id();
    let Ok(json) = serde_json::to_string(&unsigned) else {
        return bad("The request could not be stored.".into());
    };
    if let Err(e) = state
        .store
        .create_session(&session, &caller.access_key_id, &json)
        .await
    {
        tracing::error!(error = %e, "CBUI session not stored");
        return fail(
            state,
            return_url,
            Status::SystemError,
            reference,
            "A system error occurred; try again later.",
        );
    }
    html(
        StatusCode::OK,
        pages::sign_in(&view(caller, &request), &session, None, ""),
    )
}
