//! Absolute http(s) URLs as Signature Version 2 needs them: host, port, path, optional query.
//!
//! A small strict parser (no IDNA, no normalisation beyond the host's case) so the browser module
//! does not carry a URL library; input must already be percent-encoded ASCII.

use crate::text::{contains_byte, find_byte};
use alloc::{borrow::ToOwned, string::String};
use core::fmt;

use super::error::{CoreError, UrlRule};
use super::text::{parse_digits, push_decimal};

/// Longest URL accepted (endpoints and returnURL).
pub const MAX_URL_BYTES: usize = 2048;

/// `http` or `https`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Plain HTTP (local development only).
    Http,
    /// HTTPS.
    Https,
}

impl Scheme {
    /// The port a URL of this scheme uses when none is written.
    pub fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }

    /// The scheme's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }
}

/// A parsed absolute `http(s)://host[:port][/path][?query]` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    original: String,
    scheme: Scheme,
    host: String,
    port: Option<u16>,
    path_start: usize,
    query_start: Option<usize>,
}

impl Endpoint {
    /// Parses an absolute http(s) URL; a query is allowed, a fragment is not.
    pub fn parse(url: &str) -> Result<Self, CoreError> {
        let fail = |rule| Err(CoreError::url(url, rule));
        if url.len() > MAX_URL_BYTES {
            return fail(UrlRule::TooLong { max: MAX_URL_BYTES });
        }
        if !url.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
            return fail(UrlRule::NotEncoded);
        }
        if contains_byte(url, b'#') {
            return fail(UrlRule::Fragment);
        }
        let (scheme, rest_at) = if starts_with_ignore_case(url, "https://") {
            (Scheme::Https, 8)
        } else if starts_with_ignore_case(url, "http://") {
            (Scheme::Http, 7)
        } else {
            return fail(UrlRule::NotHttp);
        };
        let rest = &url[rest_at..];
        let authority_len = rest
            .bytes()
            .position(|b| b == b'/' || b == b'?')
            .unwrap_or(rest.len());
        let authority = &rest[..authority_len];
        if contains_byte(authority, b'@') {
            return fail(UrlRule::UserInfo);
        }
        let (host, port) = match split_port(authority) {
            Ok(split) => split,
            Err(rule) => return fail(rule),
        };
        if host.is_empty() {
            return fail(UrlRule::MissingHost);
        }
        if !valid_host(host) {
            return fail(UrlRule::BadHost);
        }
        let path_start = rest_at + authority_len;
        let query_start = find_byte(&url[path_start..], b'?').map(|i| path_start + i);
        Ok(Endpoint {
            original: url.to_owned(),
            scheme,
            host: host.to_owned(),
            port,
            path_start,
            query_start,
        })
    }

    /// Parses a URL that must not carry a query (a service endpoint).
    pub fn parse_without_query(url: &str) -> Result<Self, CoreError> {
        let endpoint = Self::parse(url)?;
        if endpoint.query_start.is_some() {
            return Err(CoreError::url(url, UrlRule::HasQuery));
        }
        Ok(endpoint)
    }

    /// The URL exactly as given.
    pub fn as_str(&self) -> &str {
        &self.original
    }

    /// The scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The host as written (case kept).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port as written, if any.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// The port in effect: the written one or the scheme's default.
    pub fn effective_port(&self) -> u16 {
        self.port.unwrap_or(self.scheme.default_port())
    }

    /// The host line of a string to sign: lowercase, `:port` only when not the default.
    pub fn signed_host(&self) -> String {
        let host = self.host.to_ascii_lowercase();
        match self.port {
            Some(port) if port != self.scheme.default_port() => {
                let mut host = host;
                host.push(':');
                push_decimal(&mut host, u64::from(port), 1);
                host
            }
            _ => host,
        }
    }

    /// The path as written, `/` when empty.
    pub fn path(&self) -> &str {
        let end = self.query_start.unwrap_or(self.original.len());
        match &self.original[self.path_start..end] {
            "" => "/",
            path => path,
        }
    }

    /// The raw query after `?`, if any (not decoded).
    pub fn query(&self) -> Option<&str> {
        self.query_start.map(|i| &self.original[i + 1..])
    }

    /// The URL without its query.
    pub fn without_query(&self) -> &str {
        &self.original[..self.query_start.unwrap_or(self.original.len())]
    }

    /// `scheme://host[:port]`, as written (the origin a browser would compare).
    pub fn origin(&self) -> &str {
        &self.original[..self.path_start]
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.without_query())
    }
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.len() >= prefix.len() && text.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

fn split_port(authority: &str) -> Result<(&str, Option<u16>), UrlRule> {
    let port_sep = if authority.starts_with("[") {
        match find_byte(authority, b']') {
            Some(end) => match &authority[end + 1..] {
                "" => None,
                rest if rest.starts_with(":") => Some(end + 1),
                _ => return Err(UrlRule::BadHost),
            },
            None => return Err(UrlRule::BadHost),
        }
    } else {
        authority.bytes().rposition(|b| b == b':')
    };
    let Some(at) = port_sep else {
        return Ok((authority, None));
    };
    let digits = &authority[at + 1..];
    let valid = !digits.is_empty() && digits.len() <= 5 && digits.bytes().all(|b| b.is_ascii_digit());
    match parse_digits(digits).and_then(|port| u16::try_from(port).ok()) {
        Some(port) if valid && port > 0 => Ok((&authority[..at], Some(port))),
        _ => Err(UrlRule::BadPort),
    }
}

fn valid_host(host: &str) -> bool {
    if let Some(inner) = host.strip_prefix("[").and_then(|h| h.strip_suffix("]")) {
        return !inner.is_empty()
            && inner
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.');
    }
    host.len() <= 253
        && !matches!(host.as_bytes().first(), Some(b'.' | b'-'))
        // Not `contains("..")`: a substring search costs kilobytes of wasm.
        && !host.as_bytes().windows(2).any(|pair| pair == b"..")
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_parts() {
        let e = Endpoint::parse("https://Authorize.Example.COM:8443/cobranded-ui/actions/start?x=1").unwrap();
        assert_eq!(e.scheme(), Scheme::Https);
        assert_eq!(e.host(), "Authorize.Example.COM");
        assert_eq!(e.signed_host(), "authorize.example.com:8443");
        assert_eq!(e.path(), "/cobranded-ui/actions/start");
        assert_eq!(e.query(), Some("x=1"));
        assert_eq!(e.origin(), "https://Authorize.Example.COM:8443");
        assert_eq!(
            e.to_string(),
            "https://Authorize.Example.COM:8443/cobranded-ui/actions/start"
        );
    }

    #[test]
    fn default_ports_and_empty_paths() {
        let e = Endpoint::parse("HTTPS://fps.amazonaws.com:443").unwrap();
        assert_eq!(e.signed_host(), "fps.amazonaws.com");
        assert_eq!(e.path(), "/");
        let e = Endpoint::parse("http://127.0.0.1:80?a=b").unwrap();
        assert_eq!(e.signed_host(), "127.0.0.1");
        assert_eq!(e.path(), "/");
        let e = Endpoint::parse("http://[::1]:9000/x").unwrap();
        assert_eq!(e.signed_host(), "[::1]:9000");
        let e = Endpoint::parse("https://example.com:80/").unwrap();
        assert_eq!(e.signed_host(), "example.com:80");
    }

    #[test]
    fn rejects_each_rule() {
        let rule = |url: &str| match Endpoint::parse(url) {
            Err(CoreError::Url { rule, .. }) => rule,
            other => panic!("{url:?}: {other:?}"),
        };
        assert_eq!(rule("ftp://x/"), UrlRule::NotHttp);
        assert_eq!(rule("/relative"), UrlRule::NotHttp);
        assert_eq!(rule("javascript:alert(1)"), UrlRule::NotHttp);
        assert_eq!(rule("https:///path"), UrlRule::MissingHost);
        assert_eq!(rule("https://exa mple.com/"), UrlRule::NotEncoded);
        assert_eq!(rule("https://exämple.com/"), UrlRule::NotEncoded);
        assert_eq!(rule("https://example.com/#top"), UrlRule::Fragment);
        assert_eq!(rule("https://user:pw@example.com/"), UrlRule::UserInfo);
        assert_eq!(rule("https://example.com:0/"), UrlRule::BadPort);
        assert_eq!(rule("https://example.com:65536/"), UrlRule::BadPort);
        assert_eq!(rule("https://example.com:/"), UrlRule::BadPort);
        assert_eq!(rule("https://exa%41mple.com/"), UrlRule::BadHost);
        assert_eq!(rule("https://[::1/"), UrlRule::BadHost);
        assert!(matches!(
            rule(&format!("https://e.com/{}", "a".repeat(MAX_URL_BYTES))),
            UrlRule::TooLong { .. }
        ));
        assert!(matches!(
            Endpoint::parse_without_query("https://e.com/?a=1"),
            Err(CoreError::Url {
                rule: UrlRule::HasQuery,
                ..
            })
        ));
    }
}
