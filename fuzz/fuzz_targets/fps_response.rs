//! The FPS XML response readers (`crates/fps-wire/src/response/`, `crates/fps-wire/src/transaction.rs`): every success
//! reader and the error envelope, on arbitrary bodies as a hostile or broken FPS endpoint could
//! send them.
//!
//! Properties: never panics; an accepted transaction result has a non-empty, trimmed id; error
//! messages stay bounded.
#![no_main]

use fps_wire::response::{
    install_result, parse_error, response_amount, status_result, transaction_result, verify_result,
    MAX_RESPONSE_BYTES,
};
use fps_wire::transaction::{account_activity, transaction_details};
use fps_wire::vocabulary::ActionName;
use fps_wire::FpsError;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() > MAX_RESPONSE_BYTES {
        return;
    }
    // The client reads bodies as UTF-8 text (lossily) before parsing.
    let body = String::from_utf8_lossy(data);
    let body = body.as_ref();
    for action in [
        ActionName::Pay,
        ActionName::Reserve,
        ActionName::Settle,
        ActionName::Cancel,
        ActionName::Refund,
    ] {
        match transaction_result(action, body) {
            Ok(result) => {
                assert!(!result.transaction_id.is_empty());
                assert_eq!(result.transaction_id.trim(), result.transaction_id);
            }
            Err(FpsError::Malformed { reason, .. }) => assert!(reason.chars().count() <= 300),
            Err(other) => panic!("a reader returned a non-Malformed error: {other:?}"),
        }
    }
    let _ = status_result(body);
    let _ = verify_result(body);
    let _ = transaction_details(body);
    let _ = account_activity(body);
    if let Ok(id) = install_result(body) {
        assert!(!id.is_empty() && id.len() <= 65 && id.bytes().all(|b| b.is_ascii_alphanumeric()));
    }
    if let Some(FpsError::Service { message, .. }) = parse_error(body, 400) {
        assert!(message.chars().count() <= 300);
    }
    if let Some((value, currency)) = body.split_once(' ') {
        let _ = response_amount(value, Some(currency));
    }
    let _ = response_amount(body, None);
});
