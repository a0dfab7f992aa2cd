//! The Signature Version 2 canonicalizer (`CanonicalQuery::new`) against the query decoder.
//!
//! Property: decoding the canonical query gives back every name/value pair that went in (the
//! signature pairs excepted), as a multiset, whether `+` is read as a space or literally (the
//! encoder never writes `+`). The canonical text is ASCII, sorted by encoded name, and the same
//! whatever the input order.
#![no_main]

use arbitrary::Arbitrary;
use fps_core::canonical::{
    decode_query, CanonicalQuery, PlusIs, MAX_QUERY_BYTES, MAX_QUERY_PAIRS, SIGNATURE_NAMES,
};
use fps_core::encode;
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input {
    pairs: Vec<(String, String)>,
}

fuzz_target!(|input: Input| {
    let pairs = input.pairs;
    let query = CanonicalQuery::new(pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    let text = query.as_str();
    assert!(text.is_ascii());

    // The same pairs in reverse order canonicalize identically.
    let reversed = CanonicalQuery::new(pairs.iter().rev().map(|(n, v)| (n.as_str(), v.as_str())));
    assert_eq!(reversed.as_str(), text);

    let mut kept: Vec<(String, String)> = pairs
        .iter()
        .filter(|(n, _)| !SIGNATURE_NAMES.contains(&n.as_str()))
        .cloned()
        .collect();
    let within_bounds = text.len() <= MAX_QUERY_BYTES && kept.len() <= MAX_QUERY_PAIRS;
    let has_empty_name = kept.iter().any(|(n, _)| n.is_empty());
    for plus in [PlusIs::Literal, PlusIs::Space] {
        match decode_query(text, plus) {
            Ok(mut decoded) => {
                assert!(
                    within_bounds && !has_empty_name,
                    "decoder accepted what it must refuse"
                );
                decoded.sort();
                kept.sort();
                assert_eq!(decoded, kept, "decode(canonical(x)) lost or changed a pair");
            }
            // The decoder's documented refusals: oversize, too many pairs, an empty name.
            Err(e) => assert!(!within_bounds || has_empty_name, "refused a canonical query: {e}"),
        }
    }

    // Sorted by encoded name (byte order), then by encoded value.
    let keys: Vec<(String, String)> = kept.iter().map(|(n, v)| (encode(n), encode(v))).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    let joined: Vec<String> = sorted.iter().map(|(n, v)| format!("{n}={v}")).collect();
    assert_eq!(joined.join("&"), text);
});
