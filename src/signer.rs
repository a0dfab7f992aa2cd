//! HMAC-SHA256 / HMAC-SHA1 signatures over the core's string to sign. Native only: never in the wasm.

use std::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::core::canonical::{CanonicalQuery, HttpMethod, StringToSign};
use crate::core::params::{CbuiEndpoint, CbuiRequest, SignatureMethod};
use crate::core::Endpoint;

/// An AWS secret access key. Debug and Display print `[redacted]`; the bytes are wiped on drop.
#[derive(Clone)]
pub struct SecretKey(Zeroizing<String>);

impl SecretKey {
    /// Wraps a secret; surrounding whitespace (a trailing newline from a file) is removed.
    /// Returns `None` for an empty secret.
    pub fn new(secret: &str) -> Option<Self> {
        let trimmed = secret.trim();
        (!trimmed.is_empty()).then(|| SecretKey(Zeroizing::new(trimmed.to_owned())))
    }

    /// The secret's bytes, for keying a MAC. Never log them.
    pub fn expose(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey([redacted])")
    }
}

impl fmt::Display for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// A MAC keyed with the secret, fed with `message`. HMAC takes keys of any length, so keying
/// cannot fail.
fn keyed<M: Mac + KeyInit>(secret: &SecretKey, message: &[u8]) -> M {
    let mut mac = <M as KeyInit>::new_from_slice(secret.expose()).unwrap_or_else(|_| unreachable!());
    mac.update(message);
    mac
}

/// Signs a string to sign: base64 (standard alphabet, padded) of its HMAC.
pub fn sign(secret: &SecretKey, method: SignatureMethod, string_to_sign: &StringToSign) -> String {
    let message = string_to_sign.as_str().as_bytes();
    let tag = match method {
        SignatureMethod::HmacSha256 => keyed::<Hmac<Sha256>>(secret, message)
            .finalize()
            .into_bytes()
            .to_vec(),
        SignatureMethod::HmacSha1 => keyed::<Hmac<Sha1>>(secret, message)
            .finalize()
            .into_bytes()
            .to_vec(),
    };
    STANDARD.encode(tag)
}

/// Checks a base64 signature in constant time. Line feeds or spaces in the signature (as some
/// services wrap base64) are ignored; anything that is not base64 is simply a mismatch.
pub fn verify(
    secret: &SecretKey,
    method: SignatureMethod,
    string_to_sign: &StringToSign,
    signature: &str,
) -> bool {
    let compact: String = signature.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let Ok(given) = STANDARD.decode(compact) else {
        return false;
    };
    let message = string_to_sign.as_str().as_bytes();
    match method {
        SignatureMethod::HmacSha256 => keyed::<Hmac<Sha256>>(secret, message)
            .verify_slice(&given)
            .is_ok(),
        SignatureMethod::HmacSha1 => keyed::<Hmac<Sha1>>(secret, message).verify_slice(&given).is_ok(),
    }
}

/// A signed request: the exact string that was signed, the signature, and the URL to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// The URL with every parameter and the signature.
    pub url: String,
    /// The base64 signature.
    pub signature: String,
    /// The method used.
    pub method: SignatureMethod,
    /// The exact string that was signed.
    pub string_to_sign: StringToSign,
}

/// Signs any Signature Version 2 request given as decoded pairs (any `signature`/`Signature` pair
/// is left out and replaced). `signature_name` is `signature` for CBUI, `Signature` for the API.
pub fn sign_pairs(
    secret: &SecretKey,
    method: SignatureMethod,
    http_method: HttpMethod,
    endpoint: &Endpoint,
    pairs: &[(String, String)],
    signature_name: &str,
) -> Signed {
    let query = CanonicalQuery::new(pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    let string_to_sign = StringToSign::new(http_method, endpoint, &query);
    let signature = sign(secret, method, &string_to_sign);
    let mut url = endpoint.without_query().to_owned();
    url.push('?');
    url.push_str(query.as_str());
    url.push('&');
    url.push_str(&crate::core::encode(signature_name).to_string());
    url.push('=');
    url.push_str(&crate::core::encode(&signature).to_string());
    Signed {
        url,
        signature,
        method,
        string_to_sign,
    }
}

/// Signs a typed CBUI request for `endpoint`.
pub fn sign_cbui(secret: &SecretKey, request: &CbuiRequest, endpoint: &CbuiEndpoint) -> Signed {
    let method = request.signature_method();
    let string_to_sign = request.string_to_sign(endpoint);
    let signature = sign(secret, method, &string_to_sign);
    Signed {
        url: request.signed_url(endpoint, &signature),
        signature,
        method,
        string_to_sign,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_is_redacted() {
        let secret = SecretKey::new("wJalrXUtnFEMI/K7MDENG\n").unwrap();
        assert_eq!(format!("{secret:?}"), "SecretKey([redacted])");
        assert_eq!(secret.to_string(), "[redacted]");
        assert_eq!(secret.expose(), b"wJalrXUtnFEMI/K7MDENG");
        assert!(SecretKey::new("  \n").is_none());
    }

    #[test]
    fn verify_accepts_own_and_rejects_others() {
        let secret = SecretKey::new("key").unwrap();
        let endpoint = Endpoint::parse("https://example.com/").unwrap();
        let query = CanonicalQuery::new([("a", "1")]);
        let sts = StringToSign::new(HttpMethod::Get, &endpoint, &query);
        for method in [SignatureMethod::HmacSha256, SignatureMethod::HmacSha1] {
            let signature = sign(&secret, method, &sts);
            assert!(verify(&secret, method, &sts, &signature));
            let wrapped = format!("{}\n{}", &signature[..10], &signature[10..]);
            assert!(verify(&secret, method, &sts, &wrapped));
            let mut flipped = signature.clone().into_bytes();
            flipped[0] = if flipped[0] == b'A' { b'B' } else { b'A' };
            assert!(!verify(
                &secret,
                method,
                &sts,
                std::str::from_utf8(&flipped).unwrap()
            ));
            assert!(!verify(&secret, method, &sts, "not base64!"));
            assert!(!verify(
                &SecretKey::new("other").unwrap(),
                method,
                &sts,
                &signature
            ));
        }
        let sha1 = sign(&secret, SignatureMethod::HmacSha1, &sts);
        assert!(!verify(&secret, SignatureMethod::HmacSha256, &sts, &sha1));
    }
}
