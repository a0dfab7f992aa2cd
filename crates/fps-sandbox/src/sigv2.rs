//! Checking a caller's Signature Version 2 signature (Query API and CBUI start URL) against the
//! host line as received, or the same host without its port.
//!
//! The second host line is an emulator tolerance: Amazon's own FPS client libraries (and boto)
//! were written for FPS on port 443 and sign the host parsed from the service URL without a
//! port, while their HTTP client sends `Host: 127.0.0.1:8090`. FPS never saw a port, so the
//! emulator accepts exactly these two strings to sign, each compared in constant time, and names
//! both when neither matches.

use fps_core::canonical::{CanonicalQuery, HttpMethod, StringToSign};
use fps_core::params::SignatureMethod;
use fps_core::Endpoint;
use fps_wire::signer::{verify, SecretKey};

/// Why a signature was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignatureError {
    /// The Host header cannot be a host line.
    #[error("the Host header is not usable")]
    BadHost,
    /// No host line gives the signature sent.
    #[error("the signature matches none of the strings to sign: {}", shown(.0))]
    Mismatch(Vec<String>),
}

impl SignatureError {
    /// The strings to sign that were tried (none for [`SignatureError::BadHost`]), shown with
    /// each LF as `\n` and quoted, joined by " or ".
    pub fn tried(&self) -> String {
        match self {
            SignatureError::BadHost => String::new(),
            SignatureError::Mismatch(tried) => shown(tried),
        }
    }
}

fn shown(tried: &[String]) -> String {
    tried
        .iter()
        .map(|s| format!("\"{}\"", s.replace('\n', "\\n")))
        .collect::<Vec<_>>()
        .join(" or ")
}

/// The host lines to try: the Host header as received (lowercased), then the same host without
/// its port when it has one (`127.0.0.1:8090` -> `127.0.0.1`, `[::1]:8090` -> `[::1]`).
pub fn host_lines(host: &str) -> Vec<String> {
    let host = host.to_ascii_lowercase();
    let bare = host.rsplit_once(':').and_then(|(name, port)| {
        let numeric = !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit());
        let whole_name = !name.contains(':') || (name.starts_with('[') && name.ends_with(']'));
        (numeric && whole_name && !name.is_empty()).then(|| name.to_owned())
    });
    let mut lines = vec![host];
    lines.extend(bare);
    lines
}

/// Checks `signature` over `METHOD`, each host line of [`host_lines`], `path` and `query`.
pub fn check(
    secret: &SecretKey,
    method: SignatureMethod,
    http_method: HttpMethod,
    host: &str,
    path: &str,
    query: &CanonicalQuery,
    signature: &str,
) -> Result<(), SignatureError> {
    let mut tried: Vec<String> = Vec::new();
    for line in host_lines(host) {
        let endpoint =
            Endpoint::parse(&format!("http://{line}{path}")).map_err(|_| SignatureError::BadHost)?;
        let string_to_sign = StringToSign::new(http_method, &endpoint, query);
        if tried.iter().any(|t| t == string_to_sign.as_str()) {
            continue;
        }
        if verify(secret, method, &string_to_sign, signature) {
            return Ok(());
        }
        tried.push(string_to_sign.as_str().to_owned());
    }
    Err(SignatureError::Mismatch(tried))
}

#[cfg(test)]
mod tests {
    use super::*;
    use fps_wire::signer::sign_pairs;

    #[test]
    fn host_lines_are_as_received_and_without_the_port() {
        assert_eq!(host_lines("127.0.0.1:8090"), ["127.0.0.1:8090", "127.0.0.1"]);
        assert_eq!(host_lines("Shop.Example"), ["shop.example"]);
        assert_eq!(host_lines("[::1]:8090"), ["[::1]:8090", "[::1]"]);
        assert_eq!(host_lines("[::1]"), ["[::1]"]);
        assert_eq!(host_lines("host:"), ["host:"]);
        assert_eq!(host_lines(":80"), [":80"]);
    }

    #[test]
    fn accepts_either_host_line_and_names_both_when_neither_matches() {
        let secret = SecretKey::new("interop/secret").unwrap();
        let pairs = vec![("Action".to_owned(), "Pay".to_owned())];
        let query = CanonicalQuery::new(pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        let sign_for = |url: &str| {
            let endpoint = Endpoint::parse(url).unwrap();
            sign_pairs(
                &secret,
                SignatureMethod::HmacSha256,
                HttpMethod::Get,
                &endpoint,
                &pairs,
                "Signature",
            )
            .signature
        };
        let check_with = |host: &str, signature: &str| {
            check(
                &secret,
                SignatureMethod::HmacSha256,
                HttpMethod::Get,
                host,
                "/",
                &query,
                signature,
            )
        };
        let with_port = sign_for("http://127.0.0.1:8090/");
        let without_port = sign_for("http://127.0.0.1/");
        let other_port = sign_for("http://127.0.0.1:9999/");
        assert_eq!(check_with("127.0.0.1:8090", &with_port), Ok(()));
        assert_eq!(check_with("127.0.0.1:8090", &without_port), Ok(()));
        assert_eq!(check_with("127.0.0.1", &without_port), Ok(()));
        assert!(check_with("127.0.0.1", &with_port).is_err(), "a port never added");
        let refused = check_with("127.0.0.1:8090", &other_port).unwrap_err();
        assert_eq!(
            refused.tried(),
            "\"GET\\n127.0.0.1:8090\\n/\\nAction=Pay\" or \"GET\\n127.0.0.1\\n/\\nAction=Pay\""
        );
        assert_eq!(check_with("bad host", &with_port), Err(SignatureError::BadHost));
    }
}
