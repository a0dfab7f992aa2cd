//! Property tests: encoders round-trip, the canonical form ignores input order, and no parser
//! panics on arbitrary input.

use fps_core::canonical::{decode_query, encode, CanonicalQuery, PlusIs};
use fps_core::params::{CbuiRequest, CheckedPairs};
use fps_core::{Amount, CbuiReturn, Currency, Endpoint};
use proptest::prelude::*;

/// Names like the protocol's (ASCII, case-sensitive) plus odd ones.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z][A-Za-z0-9.]{0,12}",
        "[ -~]{1,8}".prop_filter("not a signature name", |n| n != "signature" && n != "Signature"),
    ]
}

fn pairs() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::btree_map(name(), any::<String>(), 0..12).prop_map(|m| m.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn encoding_round_trips(text in any::<String>()) {
        let encoded = encode(&text);
        prop_assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.~%".contains(&b)));
        for plus in [PlusIs::Space, PlusIs::Literal] {
            let decoded = decode_query(&format!("v={encoded}"), plus).unwrap();
            prop_assert_eq!(&decoded[0].1, &text);
        }
    }

    #[test]
    fn canonical_form_ignores_input_order(pairs in pairs(), seed in any::<u64>()) {
        let mut shuffled = pairs.clone();
        // A deterministic shuffle driven by the seed.
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let a = CanonicalQuery::new(pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        let b = CanonicalQuery::new(shuffled.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        prop_assert_eq!(a, b);
    }

    #[test]
    fn canonical_query_keeps_every_pair(pairs in pairs()) {
        let query = CanonicalQuery::new(pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        let mut decoded = decode_query(query.as_str(), PlusIs::Literal).unwrap();
        let mut expected = pairs.clone();
        decoded.sort();
        expected.sort();
        prop_assert_eq!(decoded, expected);
    }

    #[test]
    fn amounts_round_trip(minor in 1..=Amount::MAX_MINOR) {
        let amount = Amount::from_minor(minor, Currency::Usd).unwrap();
        let text = amount.to_string();
        prop_assert_eq!(Amount::parse(&text).unwrap(), amount);
        prop_assert_eq!(text.split_once('.').map(|(_, f)| f.len()), Some(2));
    }

    #[test]
    fn parsers_never_panic_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = CbuiReturn::parse(&text);
        let _ = decode_query(&text, PlusIs::Space);
        let _ = Endpoint::parse(&text);
        let _ = Amount::parse(&text);
    }

    #[test]
    fn return_parser_never_panics_on_query_like_input(
        pairs in prop::collection::vec(("(status|tokenID|expiry|callerReference|errorMessage|[a-z%+=]{0,6})", "[A-Za-z0-9%+=/ ]{0,70}"), 0..10)
    ) {
        let raw: Vec<String> = pairs.iter().map(|(n, v)| format!("{n}={v}")).collect();
        if let Ok(parsed) = CbuiReturn::parse(&raw.join("&")) {
            prop_assert_eq!(parsed.raw_query(), raw.join("&"));
        }
    }

    #[test]
    fn request_parser_never_panics(
        pairs in prop::collection::vec(("(pipelineName|callerKey|returnURL|callerReference|transactionAmount|[a-zA-Z]{1,12})", any::<String>()), 0..14)
    ) {
        let typed = CbuiRequest::from_pairs(pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        // The browser module's table reader gives the same pairs or the same error.
        let table = CheckedPairs::from_pairs(pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        match (&typed, &table) {
            (Ok(request), Ok(checked)) => prop_assert_eq!(request.pairs(), checked.pairs().to_vec()),
            (Err(a), Err(b)) => prop_assert_eq!(a, b),
            _ => prop_assert!(false, "the readers disagree: typed {:?}, table {:?}", typed, table),
        }
        if let Ok(request) = typed {
            // Whatever parses renders to pairs that parse to the same request.
            let rendered = request.pairs();
            let again = CbuiRequest::from_pairs(rendered.iter().map(|(n, v)| (*n, v.as_str())));
            prop_assert_eq!(again.as_ref(), Ok(&request));
        }
    }
}
