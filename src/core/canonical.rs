//! Signature Version 2 canonical form: RFC 3986 encoding, the canonical query, the string to sign.
//!
//! Byte-exact to the rules in `fps-protocol.md` section 2. Never form-urlencoding: space is `%20`,
//! `*` is `%2A`, `~` stays literal, hex digits are uppercase.

use std::fmt::{self, Write as _};

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::endpoint::Endpoint;
use super::error::{quote, CoreError, QueryRule};

/// Bytes left as they are by Signature Version 2: `A-Z a-z 0-9 - _ . ~`; all else is `%XX`.
pub const SIGV2_ENCODE_SET: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes UTF-8 text the Signature Version 2 way (RFC 3986 unreserved kept).
pub fn encode(text: &str) -> impl fmt::Display + '_ {
    utf8_percent_encode(text, SIGV2_ENCODE_SET)
}

/// Names of the signature parameter, left out of the signed set (CBUI and Query API spelling).
pub const SIGNATURE_NAMES: [&str; 2] = ["signature", "Signature"];

/// Largest query accepted by [`decode_query`]; a CBUI return or signing request is far smaller.
pub const MAX_QUERY_BYTES: usize = 16 * 1024;

/// Most pairs accepted by [`decode_query`].
pub const MAX_QUERY_PAIRS: usize = 128;

/// How `+` in a query is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlusIs {
    /// `+` means a space (HTML form convention, as CBUI returns use it).
    Space,
    /// `+` is a literal plus.
    Literal,
}

/// Decodes a raw query (`a=1&b=x%20y`, optional leading `?`) into name/value pairs in order.
///
/// Bounded by [`MAX_QUERY_BYTES`] and [`MAX_QUERY_PAIRS`]; bad `%` escapes, non-UTF-8 results and
/// empty names are errors. Empty segments (`a=1&&b=2`) are skipped; `name` without `=` has an
/// empty value. Duplicates are kept: callers decide (see [`reject_duplicates`]).
pub fn decode_query(raw: &str, plus: PlusIs) -> Result<Vec<(String, String)>, CoreError> {
    let raw = raw.strip_prefix('?').unwrap_or(raw);
    if raw.len() > MAX_QUERY_BYTES {
        return Err(CoreError::Query(QueryRule::TooLong { max: MAX_QUERY_BYTES }));
    }
    let mut pairs = Vec::new();
    for segment in raw.split('&').filter(|s| !s.is_empty()) {
        if pairs.len() == MAX_QUERY_PAIRS {
            return Err(CoreError::Query(QueryRule::TooManyPairs { max: MAX_QUERY_PAIRS }));
        }
        let (name, value) = segment.split_once('=').unwrap_or((segment, ""));
        let name = decode_component(name, plus)?;
        if name.is_empty() {
            return Err(CoreError::Query(QueryRule::EmptyName));
        }
        pairs.push((name, decode_component(value, plus)?));
    }
    Ok(pairs)
}

/// Refuses a list of pairs in which a name appears twice.
pub fn reject_duplicates(pairs: &[(String, String)]) -> Result<(), CoreError> {
    let mut names: Vec<&str> = pairs.iter().map(|(n, _)| n.as_str()).collect();
    names.sort_unstable();
    match names.windows(2).find(|w| w[0] == w[1]) {
        Some(w) => Err(CoreError::Query(QueryRule::DuplicateName { name: quote(w[0]) })),
        None => Ok(()),
    }
}

fn decode_component(text: &str, plus: PlusIs) -> Result<String, CoreError> {
    let bytes = text.as_bytes();
    for (i, _) in text.match_indices('%') {
        let valid =
            bytes.len() > i + 2 && bytes[i + 1].is_ascii_hexdigit() && bytes[i + 2].is_ascii_hexdigit();
        if !valid {
            return Err(CoreError::Query(QueryRule::BadPercentEncoding {
                near: quote(text),
            }));
        }
    }
    let spaced;
    let text = if plus == PlusIs::Space && text.contains('+') {
        spaced = text.replace('+', " ");
        spaced.as_str()
    } else {
        text
    };
    percent_decode_str(text)
        .decode_utf8()
        .map(|cow| cow.into_owned())
        .map_err(|_| CoreError::Query(QueryRule::NotUtf8 { near: quote(text) }))
}

/// The canonical query of Signature Version 2: encoded pairs sorted by name in byte order,
/// signature excluded, joined as `name=value` with `&`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanonicalQuery(String);

impl CanonicalQuery {
    /// Builds the canonical query from decoded pairs in any order. `signature`/`Signature` are left
    /// out; empty values are kept as `name=`. Equal names (which typed requests never produce)
    /// are ordered by value so the result never depends on input order.
    pub fn new<'a, I, N, V>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (&'a N, &'a V)>,
        N: AsRef<str> + ?Sized + 'a,
        V: AsRef<str> + ?Sized + 'a,
    {
        let mut encoded: Vec<(String, String)> = pairs
            .into_iter()
            .map(|(n, v)| (n.as_ref(), v.as_ref()))
            .filter(|(n, _)| !SIGNATURE_NAMES.contains(n))
            .map(|(n, v)| (encode(n).to_string(), encode(v).to_string()))
            .collect();
        encoded.sort_unstable();
        let mut query = String::with_capacity(encoded.iter().map(|(n, v)| n.len() + v.len() + 2).sum());
        for (i, (name, value)) in encoded.iter().enumerate() {
            if i > 0 {
                query.push('&');
            }
            query.push_str(name);
            query.push('=');
            query.push_str(value);
        }
        CanonicalQuery(query)
    }

    /// The canonical query text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CanonicalQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The HTTP method a Signature Version 2 request is signed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpMethod {
    /// CBUI start URLs, Query API calls, CBUI returns.
    Get,
    /// IPN notifications (form body).
    Post,
}

impl HttpMethod {
    /// The method as written in the string to sign.
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
        }
    }
}

/// The exact text that is signed: method, host, path and canonical query joined by LF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StringToSign(String);

impl StringToSign {
    /// `METHOD\nhost[:port]\npath\nquery`; host lowercase with the port only when not the
    /// scheme's default, path `/` when empty. No trailing LF.
    pub fn new(method: HttpMethod, endpoint: &Endpoint, query: &CanonicalQuery) -> Self {
        let mut text = String::with_capacity(16 + endpoint.path().len() + query.as_str().len());
        let _ = write!(
            text,
            "{}\n{}\n{}\n{}",
            method.as_str(),
            endpoint.signed_host(),
            endpoint.path(),
            query
        );
        StringToSign(text)
    }

    /// The text to feed to the MAC.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StringToSign {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Appends encoded pairs to a URL: `endpoint?name=value&...` in the given order.
pub fn url_with_query<'a, I>(endpoint: &Endpoint, pairs: I) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let mut url = endpoint.to_string();
    for (i, (name, value)) in pairs.into_iter().enumerate() {
        url.push(if i == 0 { '?' } else { '&' });
        let _ = write!(url, "{}={}", encode(name), encode(value));
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_per_sigv2() {
        assert_eq!(
            encode("a b*c~d+e=f&g/h").to_string(),
            "a%20b%2Ac~d%2Be%3Df%26g%2Fh"
        );
        assert_eq!(encode("é").to_string(), "%C3%A9");
        assert_eq!(encode("-_.~AZaz09").to_string(), "-_.~AZaz09");
        assert_eq!(encode("\u{1F600}").to_string(), "%F0%9F%98%80");
    }

    #[test]
    fn canonical_sorts_by_byte_order_and_drops_signature() {
        let pairs = [
            ("b", "2"),
            ("Zeta", "z"),
            ("a", ""),
            ("signature", "x"),
            ("Signature", "y"),
            ("A", "1"),
        ];
        let query = CanonicalQuery::new(pairs.iter().map(|(n, v)| (*n, *v)));
        assert_eq!(query.as_str(), "A=1&Zeta=z&a=&b=2");
    }

    #[test]
    fn decodes_queries() {
        let pairs = decode_query("?a=x%20y&b=c+d&&e&f=%2B", PlusIs::Space).unwrap();
        assert_eq!(
            pairs,
            vec![
                ("a".into(), "x y".into()),
                ("b".into(), "c d".into()),
                ("e".into(), "".into()),
                ("f".into(), "+".into())
            ]
        );
        let literal = decode_query("b=c+d", PlusIs::Literal).unwrap();
        assert_eq!(literal[0].1, "c+d");
    }

    #[test]
    fn rejects_bad_queries() {
        let rule = |raw: &str| match decode_query(raw, PlusIs::Space) {
            Err(CoreError::Query(rule)) => rule,
            other => panic!("{raw:?}: {other:?}"),
        };
        assert!(matches!(rule("a=%"), QueryRule::BadPercentEncoding { .. }));
        assert!(matches!(rule("a=%4"), QueryRule::BadPercentEncoding { .. }));
        assert!(matches!(rule("a=%G0"), QueryRule::BadPercentEncoding { .. }));
        assert!(matches!(rule("a=%FF"), QueryRule::NotUtf8 { .. }));
        assert_eq!(rule("=1"), QueryRule::EmptyName);
        assert!(matches!(
            rule(&"a".repeat(MAX_QUERY_BYTES + 1)),
            QueryRule::TooLong { .. }
        ));
        let many = vec!["a=1"; MAX_QUERY_PAIRS + 1].join("&");
        assert!(matches!(rule(&many), QueryRule::TooManyPairs { .. }));
        let dup = decode_query("a=1&b=2&a=3", PlusIs::Space).unwrap();
        assert!(matches!(
            reject_duplicates(&dup),
            Err(CoreError::Query(QueryRule::DuplicateName { .. }))
        ));
    }
}
