//! Checks the signing endpoint's answer before the shopper is ever sent anywhere: the URL must be
//! the configured CBUI endpoint carrying exactly the parameters asked for, plus the signature.

use super::error::BrowserError;
use alloc::{string::String, vec::Vec};
use fps_core::canonical::{decode_query, reject_duplicates, PlusIs};
use fps_core::text::concat;
use fps_core::{CbuiEndpoint, Endpoint};

/// What the signing endpoint answered: `{"url", "signature", "signatureMethod"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignResponse {
    /// The full CBUI URL to send the shopper to.
    pub url: String,
    /// The base64 signature, also carried in `url` as `signature`.
    pub signature: String,
    /// `HmacSHA256` or `HmacSHA1`.
    pub signature_method: String,
}

/// A CBUI URL that passed [`check_signed_url`]: safe to navigate to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedUrl(String);

impl SignedUrl {
    /// The URL as the signing endpoint wrote it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn tampered(reason: impl Into<String>) -> BrowserError {
    BrowserError::TamperedSignatureResponse(reason.into())
}

/// Accepts `response` only if its URL has the origin and path of `cbui`, its decoded query holds
/// exactly the `asked` pairs plus one `signature` equal to `response.signature`, and the stated
/// signature method is the one asked for. Else `TAMPERED_SIGNATURE_RESPONSE`.
pub fn check_signed_url(
    cbui: &CbuiEndpoint,
    asked: &[(&str, String)],
    response: &SignResponse,
) -> Result<SignedUrl, BrowserError> {
    let url = Endpoint::parse(&response.url)
        .map_err(|e| tampered(concat(&["`url` is no usable URL: ", &e.message()])))?;
    let want = cbui.endpoint();
    let same_origin = url.scheme() == want.scheme()
        && url.host().eq_ignore_ascii_case(want.host())
        && url.effective_port() == want.effective_port();
    if !same_origin {
        return Err(tampered(concat(&[
            "it points to ",
            url.origin(),
            " instead of the CBUI at ",
            want.origin(),
        ])));
    }
    if url.path() != want.path() {
        return Err(tampered(concat(&[
            "its path ",
            url.path(),
            " is not the CBUI path ",
            want.path(),
        ])));
    }
    let mut got = decode_query(url.query().unwrap_or(""), PlusIs::Literal)
        .map_err(|e| tampered(concat(&["its query cannot be decoded: ", &e.message()])))?;
    reject_duplicates(&got).map_err(|e| tampered(e.message()))?;
    let at = got
        .iter()
        .position(|(name, _)| name == "signature")
        .ok_or_else(|| tampered("it carries no `signature`"))?;
    let (_, signature) = got.swap_remove(at);
    if signature.is_empty() || signature != response.signature {
        return Err(tampered("its `signature` differs from the `signature` field"));
    }
    let asked_method = asked
        .iter()
        .find(|(n, _)| *n == "signatureMethod")
        .map(|(_, v)| v.as_str());
    if asked_method != Some(response.signature_method.as_str()) {
        return Err(tampered("`signatureMethod` is not the method asked for"));
    }
    // Both lists are free of duplicates, so two-way inclusion is equality. No sort: a few dozen
    // pairs at most, and each sort instance costs kilobytes of wasm.
    let want_pairs: Vec<(&str, &str)> = asked.iter().map(|(n, v)| (*n, v.as_str())).collect();
    if let Some((name, _)) = got
        .iter()
        .find(|(n, v)| !want_pairs.contains(&(n.as_str(), v.as_str())))
    {
        return Err(tampered(concat(&["parameter `", name, "` was added or changed"])));
    }
    if let Some((name, _)) = want_pairs
        .iter()
        .find(|(n, v)| !got.iter().any(|(gn, gv)| gn == n && gv == v))
    {
        return Err(tampered(concat(&["parameter `", name, "` is missing"])));
    }
    Ok(SignedUrl(response.url.clone()))
}
