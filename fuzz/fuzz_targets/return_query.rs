//! The CBUI return-query parser (`CbuiReturn::parse`), as `/fps/return` and the browser's
//! `parseReturn` run it on whatever a shopper's address bar holds.
//!
//! Properties: never panics; an accepted query keeps its raw text byte for byte (it is forwarded
//! to VerifySignature), has no duplicate names, and every accessor agrees with the decoded pairs.
#![no_main]

use fps_core::return_url::MAX_RETURN_BYTES;
use fps_core::CbuiReturn;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The backend's body extractor and the browser's location both yield UTF-8 text.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(parsed) = CbuiReturn::parse(text) else {
        return;
    };
    let raw = text.strip_prefix('?').unwrap_or(text);
    assert_eq!(parsed.raw_query(), raw);
    assert!(raw.len() <= MAX_RETURN_BYTES);
    let mut names: Vec<&str> = parsed.pairs().iter().map(|(n, _)| n.as_str()).collect();
    names.sort_unstable();
    let before = names.len();
    names.dedup();
    assert_eq!(names.len(), before, "duplicate names accepted");
    assert_eq!(parsed.get("status"), Some(parsed.status.code()));
    if let Some(token) = &parsed.token_id {
        assert_eq!(parsed.get("tokenID"), Some(token.as_str()));
    }
    if let Some(reference) = &parsed.caller_reference {
        assert_eq!(parsed.get("callerReference"), Some(reference.as_str()));
    }
    for (name, _) in parsed.merchant_params() {
        assert!(!fps_core::return_url::RESERVED_RETURN_NAMES.contains(&name));
    }
    let message = parsed.message();
    assert!(!message.is_empty());
    assert!(message.chars().count() <= 400);
});
