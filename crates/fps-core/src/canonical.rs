//! Signature Version 2 canonical form: RFC 3986 encoding, the canonical query, the string to sign.
//!
//! Byte-exact to the rules in `fps-protocol.md` section 2. Never form-urlencoding: space is `%20`,
//! `*` is `%2A`, `~` stays literal, hex digits are uppercase.

use crate::text::{split_byte, split_once_byte};
use alloc::{borrow::ToOwned, string::String, vec::Vec};
use core::fmt;

use super::endpoint::Endpoint;
use super::error::{quote, CoreError, QueryRule};

/// Whether Signature Version 2 leaves a byte as it is: `A-Z a-z 0-9 - _ . ~` (RFC 3986 unreserved).
pub fn is_unreserved(byte: u8) -> bool {
    UNRESERVED[usize::from(byte)]
}

/// [`is_unreserved`] as a table: the encoder's hot loop is one load per byte.
const UNRESERVED: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~');
        byte += 1;
    }
    table
};

/// The bytes Signature Version 2 escapes: everything but RFC 3986's unreserved
/// `A-Z a-z 0-9 - _ . ~` (the same set as [`is_unreserved`]).
const SIGV2_ESCAPED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Appends `text` percent-encoded the Signature Version 2 way: UTF-8 bytes, unreserved kept,
/// every other byte `%XX` with uppercase hex. Writes ASCII only.
fn encode_bytes(out: &mut Vec<u8>, text: &str) {
    out.reserve(text.len());
    for part in percent_encoding::utf8_percent_encode(text, SIGV2_ESCAPED) {
        out.extend_from_slice(part.as_bytes());
    }
}

/// Bytes that [`encode_bytes`] produced: ASCII, so always UTF-8.
fn ascii_string(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|_| unreachable!("the encoder writes ASCII only"))
}

/// Appends `text` percent-encoded the Signature Version 2 way (see [`encode`]).
pub fn encode_into(out: &mut String, text: &str) {
    let mut bytes = core::mem::take(out).into_bytes();
    encode_bytes(&mut bytes, text);
    *out = ascii_string(bytes);
}

/// Percent-encodes UTF-8 text the Signature Version 2 way (RFC 3986 unreserved kept).
pub fn encode(text: &str) -> String {
    let mut out = Vec::with_capacity(text.len());
    encode_bytes(&mut out, text);
    ascii_string(out)
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
    let raw = raw.strip_prefix("?").unwrap_or(raw);
    if raw.len() > MAX_QUERY_BYTES {
        return Err(CoreError::Query(QueryRule::TooLong { max: MAX_QUERY_BYTES }));
    }
    let mut pairs = Vec::new();
    for segment in split_byte(raw, b'&').filter(|s| !s.is_empty()) {
        if pairs.len() == MAX_QUERY_PAIRS {
            return Err(CoreError::Query(QueryRule::TooManyPairs { max: MAX_QUERY_PAIRS }));
        }
        let (name, value) = split_once_byte(segment, b'=').unwrap_or((segment, ""));
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
    // The smallest repeated name, in byte order. Compared pair by pair, not sorted: at most
    // MAX_QUERY_PAIRS pairs, and a sort instance costs kilobytes of wasm.
    let repeated = pairs
        .iter()
        .enumerate()
        .filter(|(i, (name, _))| pairs[..*i].iter().any(|(earlier, _)| earlier == name))
        .map(|(_, (name, _))| name.as_str())
        .min();
    match repeated {
        Some(name) => Err(CoreError::Query(QueryRule::DuplicateName { name: quote(name) })),
        None => Ok(()),
    }
}

fn decode_component(text: &str, plus: PlusIs) -> Result<String, CoreError> {
    let bytes = text.as_bytes();
    let special = |b: &u8| *b == b'%' || (*b == b'+' && plus == PlusIs::Space);
    if !bytes.iter().any(special) {
        // Nothing to decode: the text is already the value (and already UTF-8).
        return Ok(text.to_owned());
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut rest = bytes;
    // Copy runs of ordinary bytes whole; decode only `%XX` and (form style) `+`.
    while let Some(at) = rest.iter().position(special) {
        out.extend_from_slice(&rest[..at]);
        if rest[at] == b'+' {
            out.push(b' ');
            rest = &rest[at + 1..];
            continue;
        }
        let hex = |i: usize| rest.get(at + i).and_then(|&b| char::from(b).to_digit(16));
        let (Some(high), Some(low)) = (hex(1), hex(2)) else {
            return Err(CoreError::Query(QueryRule::BadPercentEncoding {
                near: quote(text),
            }));
        };
        // Two hex digits make at most 0xFF.
        out.push((high * 16 + low) as u8);
        rest = &rest[at + 3..];
    }
    out.extend_from_slice(rest);
    String::from_utf8(out).map_err(|_| CoreError::Query(QueryRule::NotUtf8 { near: quote(text) }))
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
        let mut raw: Vec<(&str, &str)> = pairs
            .into_iter()
            .map(|(n, v)| (n.as_ref(), v.as_ref()))
            .filter(|(n, _)| !SIGNATURE_NAMES.contains(n))
            .collect();
        // Names made only of unreserved bytes encode to themselves, so their raw byte order is
        // the encoded order; otherwise names are compared encoded. Equal names (never produced
        // by typed requests) are ordered by encoded value.
        if raw.iter().all(|(name, _)| name.bytes().all(is_unreserved)) {
            raw.sort_unstable_by(|(an, av), (bn, bv)| an.cmp(bn).then_with(|| encode(av).cmp(&encode(bv))));
        } else {
            raw.sort_by_cached_key(|(name, value)| (encode(name), encode(value)));
        }
        let mut query = Vec::with_capacity(raw.iter().map(|(n, v)| n.len() + v.len() * 3 / 2 + 2).sum());
        for (i, (name, value)) in raw.iter().enumerate() {
            if i > 0 {
                query.push(b'&');
            }
            encode_bytes(&mut query, name);
            query.push(b'=');
            encode_bytes(&mut query, value);
        }
        CanonicalQuery(ascii_string(query))
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
        let host = endpoint.signed_host();
        let parts = [
            method.as_str(),
            "\n",
            &host,
            "\n",
            endpoint.path(),
            "\n",
            query.as_str(),
        ];
        StringToSign(parts.concat())
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

/// The URL to send: `endpoint?<canonical query>&<signature name>=<encoded signature>`. The
/// canonical query is itself a valid query, so the signed bytes are exactly the bytes sent.
pub fn signed_url(
    endpoint: &Endpoint,
    query: &CanonicalQuery,
    signature_name: &str,
    signature: &str,
) -> String {
    let mut url = String::with_capacity(endpoint.without_query().len() + query.as_str().len() + 80);
    url.push_str(endpoint.without_query());
    url.push('?');
    if !query.as_str().is_empty() {
        url.push_str(query.as_str());
        url.push('&');
    }
    encode_into(&mut url, signature_name);
    url.push('=');
    encode_into(&mut url, signature);
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_per_sigv2() {
        assert_eq!(encode("a b*c~d+e=f&g/h"), "a%20b%2Ac~d%2Be%3Df%26g%2Fh");
        assert_eq!(encode("é"), "%C3%A9");
        assert_eq!(encode("-_.~AZaz09"), "-_.~AZaz09");
        assert_eq!(encode("\u{1F600}"), "%F0%9F%98%80");
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
