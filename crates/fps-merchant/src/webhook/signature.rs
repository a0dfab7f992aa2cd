//! The webhook's signature, as Stripe signs its webhooks: HMAC-SHA256 under the webhook's own
//! secret over `timestamp + "." + body`, sent as `Fps-Signature: t=<unix>,v1=<hex>`. The
//! receiver recomputes it, compares in constant time and rejects an old `t` (replays).

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::WebhookSecret;

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "Fps-Signature";

/// How old a signature's timestamp a receiver should accept, in seconds (README).
pub const TOLERANCE_SECONDS: i64 = 300;

/// Why a signature header does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The header is not `t=<unix>,v1=<hex>`.
    #[error("the signature header is malformed")]
    Malformed,
    /// The timestamp is further from now than the tolerance.
    #[error("the signature's timestamp is outside the tolerance")]
    Stale,
    /// No `v1` signature matches.
    #[error("no signature matches the body")]
    Mismatch,
}

/// The lowercase hex HMAC-SHA256 of `timestamp.body` under `secret`.
pub fn compute(secret: &WebhookSecret, timestamp: i64, body: &[u8]) -> String {
    let mut mac = keyed(secret);
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The `Fps-Signature` header's value for `body` sent at `timestamp`.
pub fn header_value(secret: &WebhookSecret, timestamp: i64, body: &[u8]) -> String {
    format!("t={timestamp},v1={}", compute(secret, timestamp, body))
}

/// Checks a header as a receiver does: a well-formed `t` within [`TOLERANCE_SECONDS`] of `now`
/// and a `v1` equal (in constant time) to the HMAC of `t.body`. Several `v1` values are allowed
/// (a secret being rotated); one must match.
pub fn verify(secret: &WebhookSecret, header: &str, body: &[u8], now: i64) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = Some(t.parse::<i64>().map_err(|_| SignatureError::Malformed)?),
            Some(("v1", v)) => signatures.push(v),
            Some(_) => {}
            None => return Err(SignatureError::Malformed),
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if signatures.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if (now - timestamp).abs() > TOLERANCE_SECONDS {
        return Err(SignatureError::Stale);
    }
    let expected = compute(secret, timestamp, body);
    let matched = signatures
        .iter()
        .any(|given| bool::from(given.as_bytes().ct_eq(expected.as_bytes())));
    if matched {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

fn keyed(secret: &WebhookSecret) -> Hmac<Sha256> {
    // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
    match Hmac::<Sha256>::new_from_slice(secret.expose()) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts keys of every length"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> WebhookSecret {
        WebhookSecret::new("whsec-test-0123456789").unwrap()
    }

    #[test]
    fn matches_an_independent_hmac() {
        // printf '%s' '1700000000.{"id":"evt_1"}' | openssl dgst -sha256 -hmac 'whsec-test-0123456789'
        let value = header_value(&secret(), 1_700_000_000, br#"{"id":"evt_1"}"#);
        assert_eq!(
            value,
            "t=1700000000,v1=7f849b5c4a4aadd4b1d80d84679ec6cc9833b2807e637eff7e5c0ff209c70cc8"
        );
    }

    #[test]
    fn verifies_what_it_signs_and_refuses_the_rest() {
        let body = br#"{"id":"evt_1"}"#;
        let header = header_value(&secret(), 1000, body);
        assert_eq!(verify(&secret(), &header, body, 1000), Ok(()));
        assert_eq!(verify(&secret(), &header, body, 1000 + TOLERANCE_SECONDS), Ok(()));
        assert_eq!(
            verify(&secret(), &header, body, 1001 + TOLERANCE_SECONDS),
            Err(SignatureError::Stale)
        );
        assert_eq!(
            verify(&secret(), &header, br#"{"id":"evt_2"}"#, 1000),
            Err(SignatureError::Mismatch)
        );
        let other = WebhookSecret::new("another-secret").unwrap();
        assert_eq!(verify(&other, &header, body, 1000), Err(SignatureError::Mismatch));
        let rotated = format!("{header},v1=00");
        assert_eq!(verify(&secret(), &rotated, body, 1000), Ok(()));
        for bad in ["", "t=1000", "v1=ab", "t=x,v1=ab", "garbage"] {
            assert_eq!(
                verify(&secret(), bad, body, 1000),
                Err(SignatureError::Malformed),
                "{bad}"
            );
        }
    }
}
