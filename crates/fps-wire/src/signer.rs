//! HMAC-SHA256 / HMAC-SHA1 signatures over the core's string to sign. Native only: never in the wasm.

use std::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::Sha256;
use zeroize::Zeroizing;

use fps_core::canonical::{signed_url, CanonicalQuery, HttpMethod, StringToSign};
use fps_core::params::{CbuiEndpoint, CbuiRequest, SignatureMethod};
use fps_core::Endpoint;

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

/// Signs and verifies with one secret. The HMAC key schedule is computed once, here, and each
/// signature starts from a copy of it. Debug prints no key material.
#[derive(Clone)]
pub struct Signer {
    sha256: Hmac<Sha256>,
    sha1: Hmac<Sha1>,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Signer([redacted])")
    }
}

impl Signer {
    /// Keys both MACs with the secret. HMAC takes keys of any length, so keying cannot fail.
    pub fn new(secret: &SecretKey) -> Self {
        let key = secret.expose();
        Signer {
            sha256: <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!()),
            sha1: <Hmac<Sha1> as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!()),
        }
    }

    fn tag(&self, method: SignatureMethod, message: &[u8]) -> Vec<u8> {
        match method {
            SignatureMethod::HmacSha256 => self
                .sha256
                .clone()
                .chain_update(message)
                .finalize()
                .into_bytes()
                .to_vec(),
            SignatureMethod::HmacSha1 => self
                .sha1
                .clone()
                .chain_update(message)
                .finalize()
                .into_bytes()
                .to_vec(),
        }
    }

    /// Signs a string to sign: base64 (standard alphabet, padded) of its HMAC.
    pub fn sign(&self, method: SignatureMethod, string_to_sign: &StringToSign) -> String {
        STANDARD.encode(self.tag(method, string_to_sign.as_str().as_bytes()))
    }

    /// Checks a base64 signature in constant time. Line feeds or spaces in the signature (as
    /// some services wrap base64) are ignored; anything that is not base64 is a mismatch.
    pub fn verify(&self, method: SignatureMethod, string_to_sign: &StringToSign, signature: &str) -> bool {
        let compact: String = signature.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        let Ok(given) = STANDARD.decode(compact) else {
            return false;
        };
        let message = string_to_sign.as_str().as_bytes();
        match method {
            SignatureMethod::HmacSha256 => self
                .sha256
                .clone()
                .chain_update(message)
                .verify_slice(&given)
                .is_ok(),
            SignatureMethod::HmacSha1 => self
                .sha1
                .clone()
                .chain_update(message)
                .verify_slice(&given)
                .is_ok(),
        }
    }

    /// Signs any Signature Version 2 request given as decoded pairs (any `signature`/`Signature`
    /// pair is left out and replaced). `signature_name` is `signature` for CBUI, `Signature` for
    /// the Query API. The URL carries the canonical query, so what is sent is what was signed.
    pub fn sign_pairs(
        &self,
        method: SignatureMethod,
        http_method: HttpMethod,
        endpoint: &Endpoint,
        pairs: &[(String, String)],
        signature_name: &str,
    ) -> Signed {
        let query = CanonicalQuery::new(pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        let string_to_sign = StringToSign::new(http_method, endpoint, &query);
        let signature = self.sign(method, &string_to_sign);
        let url = signed_url(endpoint, &query, signature_name, &signature);
        Signed {
            url,
            signature,
            method,
            string_to_sign,
        }
    }

    /// Signs a typed CBUI request for `endpoint`.
    pub fn sign_cbui(&self, request: &CbuiRequest, endpoint: &CbuiEndpoint) -> Signed {
        let method = request.signature_method();
        let query = request.canonical_query();
        let string_to_sign = StringToSign::new(HttpMethod::Get, endpoint.endpoint(), &query);
        let signature = self.sign(method, &string_to_sign);
        let url = signed_url(endpoint.endpoint(), &query, "signature", &signature);
        Signed {
            url,
            signature,
            method,
            string_to_sign,
        }
    }
}

/// Signs once with `secret` (see [`Signer::sign`]; keep a [`Signer`] to sign many times).
pub fn sign(secret: &SecretKey, method: SignatureMethod, string_to_sign: &StringToSign) -> String {
    Signer::new(secret).sign(method, string_to_sign)
}

/// Verifies once with `secret` (see [`Signer::verify`]).
pub fn verify(
    secret: &SecretKey,
    method: SignatureMethod,
    string_to_sign: &StringToSign,
    signature: &str,
) -> bool {
    Signer::new(secret).verify(method, string_to_sign, signature)
}

/// Signs decoded pairs once with `secret` (see [`Signer::sign_pairs`]).
pub fn sign_pairs(
    secret: &SecretKey,
    method: SignatureMethod,
    http_method: HttpMethod,
    endpoint: &Endpoint,
    pairs: &[(String, String)],
    signature_name: &str,
) -> Signed {
    Signer::new(secret).sign_pairs(method, http_method, endpoint, pairs, signature_name)
}

/// Signs a typed CBUI request once with `secret` (see [`Signer::sign_cbui`]).
pub fn sign_cbui(secret: &SecretKey, request: &CbuiRequest, endpoint: &CbuiEndpoint) -> Signed {
    Signer::new(secret).sign_cbui(request, endpoint)
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
