//! The return to `returnURL`: the added parameters and the RSA-SHA1 signature over every
//! landing parameter, the merchant's own included (`fps-protocol.md` section 4).

use axum::http::StatusCode;
use axum::response::Response;

use super::{error_page, redirect};
use crate::landing_signer::RSA_SHA1;
use crate::state::SandboxState;
use fps_core::canonical::{decode_query, HttpMethod, PlusIs};
use fps_core::return_url::RESERVED_RETURN_NAMES;
use fps_core::{encode, Endpoint, Status};

/// The landing URL: `returnURL` plus the added pairs and the RSA-SHA1 signature over every
/// landing parameter (the merchant's own included). `None` when `returnURL` is unusable.
pub fn landing_url(state: &SandboxState, return_url: &str, added: &[(&str, String)]) -> Option<String> {
    let endpoint = Endpoint::parse(return_url).ok()?;
    let merchant = decode_query(endpoint.query().unwrap_or(""), PlusIs::Space).ok()?;
    if merchant
        .iter()
        .any(|(n, _)| RESERVED_RETURN_NAMES.contains(&n.as_str()))
    {
        return None;
    }
    let mut ours: Vec<(String, String)> = added.iter().map(|(n, v)| ((*n).to_owned(), v.clone())).collect();
    ours.push(("signatureMethod".into(), RSA_SHA1.into()));
    ours.push(("signatureVersion".into(), "2".into()));
    ours.push(("certificateUrl".into(), state.certificate_url()));
    let all: Vec<(String, String)> = merchant.into_iter().chain(ours.iter().cloned()).collect();
    let signature = state.signer.sign(HttpMethod::Get, &endpoint, &all);
    ours.push(("signature".into(), signature));
    let mut url = return_url.to_owned();
    for (name, value) in &ours {
        let separator = match url.chars().last() {
            _ if !url.contains('?') => "?",
            Some('?') | Some('&') => "",
            _ => "&",
        };
        // Form style, as CBUI returns were: spaces as `+`, a literal plus as `%2B`.
        let value = encode(value).to_string().replace("%20", "+");
        url.push_str(&format!("{separator}{}={value}", encode(name)));
    }
    Some(url)
}

/// Ends the pipeline with a failure status (and a message for `CE`/`SE`).
pub(super) fn fail(
    state: &SandboxState,
    return_url: &str,
    status: Status,
    reference: Option<&str>,
    message: &str,
) -> Response {
    let mut added: Vec<(&str, String)> = vec![("status", status.code().to_owned())];
    if matches!(
        status,
        Status::CallerError
            | Status::SystemError
            | Status::PaymentMethodMismatch
            | Status::NotAllowed
            | Status::NotMarketplaceCaller
    ) {
        added.push(("errorMessage", message.to_owned()));
    }
    if let Some(reference) = reference {
        added.push(("callerReference", reference.to_owned()));
    }
    match landing_url(state, return_url, &added) {
        Some(url) => redirect(&url),
        None => error_page(StatusCode::BAD_REQUEST, message),
    }
}
