//! The IPN form parser (`merchant::tracking::Notification`), as `POST /fps/ipn` runs it on any
//! body before asking FPS to verify it.
//!
//! Properties: never panics; an accepted form has no duplicate names; the fields read from it
//! are bounded and agree with the decoded values.
#![no_main]

use fps_merchant::tracking::{Notification, MAX_TRANSACTION_ID_BYTES};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The endpoint's body extractor refuses non-UTF-8 bodies before this parser runs.
    let Ok(body) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(notification) = Notification::parse(body) else {
        return;
    };
    assert_eq!(notification.is_signed(), notification.get("signature").is_some());
    if let Ok(fields) = notification.fields() {
        assert!(!fields.transaction_id.is_empty());
        assert!(fields.transaction_id.len() <= MAX_TRANSACTION_ID_BYTES);
        assert_eq!(
            notification.get("transactionId"),
            Some(fields.transaction_id.as_str())
        );
        assert_eq!(
            notification.get("callerReference"),
            fields.caller_reference.as_deref()
        );
    }
});
