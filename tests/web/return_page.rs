//! The return page: `parseReturn`, `completeReturn` and `[data-fps-return]`.

use super::support::*;
use js_sys::Reflect;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::Element;

const SUCCESS_RETURN: &str =
    "?tokenID=Z1LGRXR4HMDZBSFKXELA32KZASGWD8IHMHZCK4DETR784LDLD1GMFW4P3WT8VTGX&status=SC\
&callerReference=order-42&expiry=10%2F2029&signatureMethod=RSA-SHA1&signatureVersion=2\
&certificateUrl=https%3A%2F%2Ffps.sandbox.amazonaws.com%2Fcerts%2F090909%2FPKICert.pem\
&signature=abc%2Bdef%0Aghi%3D";

#[wasm_bindgen_test]
fn parse_return_gives_a_plain_object() {
    let parsed = fps_checkout::wasm::parse_return(Some(SUCCESS_RETURN.into())).expect("parsed");
    let get = |key: &str| Reflect::get(&parsed, &key.into()).expect("field");
    assert_eq!(get("statusCode").as_string().as_deref(), Some("SC"));
    assert_eq!(get("isSuccess").as_bool(), Some(true));
    assert_eq!(
        get("tokenID").as_string().as_deref(),
        Some("Z1LGRXR4HMDZBSFKXELA32KZASGWD8IHMHZCK4DETR784LDLD1GMFW4P3WT8VTGX")
    );
    assert_eq!(get("callerReference").as_string().as_deref(), Some("order-42"));
    assert_eq!(get("expiry").as_string().as_deref(), Some("10/2029"));
    assert!(get("errorMessage").is_null());
    assert!(!get("message").as_string().unwrap_or_default().is_empty());

    let failed = fps_checkout::wasm::parse_return(Some("status=CE&errorMessage=Bad+amount+given".into()))
        .expect("parsed");
    let get = |key: &str| Reflect::get(&failed, &key.into()).expect("field");
    assert_eq!(get("isSuccess").as_bool(), Some(false));
    assert_eq!(
        get("errorMessage").as_string().as_deref(),
        Some("Bad amount given")
    );
    assert!(get("message")
        .as_string()
        .unwrap_or_default()
        .contains("Bad amount given"));
    assert!(get("tokenID").is_null());

    for bad in ["", "status=XX", "status=SC&status=SA", "status=SC&tokenID=%ZZ"] {
        let error = fps_checkout::wasm::parse_return(Some(bad.into())).expect_err("refused");
        assert_eq!(code_of(&error), "INVALID_RETURN", "{bad:?}");
    }
}

#[wasm_bindgen_test]
async fn complete_return_forwards_the_raw_query_byte_for_byte() {
    let options = js_options(&[
        ("verifyEndpoint", &format!("{}/verify/complete", server())),
        ("search", SUCCESS_RETURN),
    ]);
    let verdict = complete_return(options).await.expect("verdict");
    assert_eq!(
        Reflect::get(&verdict, &"status".into())
            .expect("status")
            .as_string()
            .as_deref(),
        Some("paid")
    );
    let (bodies, types) = recorded("/verify/complete").await;
    assert_eq!(bodies, vec![SUCCESS_RETURN[1..].to_owned()]);
    assert!(types[0].starts_with("text/plain"), "{}", types[0]);

    let refused = js_options(&[
        ("verifyEndpoint", &format!("{}/verify/refused", server())),
        ("search", "status=nope"),
    ]);
    let error = complete_return(refused).await.expect_err("refused");
    assert_eq!(code_of(&error), "INVALID_RETURN");
    assert!(
        recorded("/verify/refused").await.0.is_empty(),
        "nothing sent for a bad return"
    );
}

/// Puts `search` in the page's URL (no reload), runs `body`, then restores the URL.
fn with_search(search: &str) -> impl Drop {
    struct Restore(String);
    impl Drop for Restore {
        fn drop(&mut self) {
            let history = web_sys::window().expect("window").history().expect("history");
            let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&self.0));
        }
    }
    let window = web_sys::window().expect("window");
    let original = window.location().href().expect("href");
    let path = window.location().pathname().expect("pathname");
    window
        .history()
        .expect("history")
        .replace_state_with_url(&JsValue::NULL, "", Some(&format!("{path}{search}")))
        .expect("replaceState");
    Restore(original)
}

async fn rendered(element: &Element) -> String {
    for _ in 0..500 {
        match element.get_attribute("data-state").as_deref() {
            None | Some("pending") => sleep(20).await.expect("sleep"),
            Some(state) => return state.to_owned(),
        }
    }
    element.get_attribute("data-state").unwrap_or_default()
}

#[wasm_bindgen_test]
async fn data_fps_return_verifies_and_shows_the_outcome() {
    let _restore = with_search(SUCCESS_RETURN);
    let target = document().create_element("p").expect("p");
    target.set_attribute("data-fps-return", "").expect("attr");
    target
        .set_attribute("data-verify-endpoint", &format!("{}/verify/auto", server()))
        .expect("attr");
    document()
        .body()
        .expect("body")
        .append_child(&target)
        .expect("append");
    fps_checkout::wasm::auto_mount_js();
    assert_eq!(rendered(&target).await, "success");
    assert_eq!(
        target.text_content().as_deref(),
        Some("Payment received, thank you.")
    );
    assert_eq!(target.get_attribute("role").as_deref(), Some("status"));
    assert_eq!(target.get_attribute("aria-busy").as_deref(), Some("false"));
    let (bodies, types) = recorded("/verify/auto").await;
    assert_eq!(
        bodies,
        vec![SUCCESS_RETURN[1..].to_owned()],
        "the raw query, byte for byte"
    );
    assert!(types[0].starts_with("text/plain"));
}

#[wasm_bindgen_test]
async fn data_fps_return_shows_a_cancelled_payment_without_a_backend() {
    let _restore = with_search("?status=A&callerReference=order-7");
    let target = document().create_element("p").expect("p");
    target.set_attribute("data-fps-return", "").expect("attr");
    document()
        .body()
        .expect("body")
        .append_child(&target)
        .expect("append");
    fps_checkout::wasm::auto_mount_js();
    assert_eq!(rendered(&target).await, "failure");
    let text = target.text_content().unwrap_or_default();
    assert!(
        !text.is_empty() && text != "We could not read the payment result.",
        "{text}"
    );
}

#[wasm_bindgen_test]
async fn data_fps_return_reports_an_unreadable_return() {
    let _restore = with_search("?status=BOGUS");
    let target = document().create_element("p").expect("p");
    target.set_attribute("data-fps-return", "").expect("attr");
    document()
        .body()
        .expect("body")
        .append_child(&target)
        .expect("append");
    fps_checkout::wasm::auto_mount_js();
    assert_eq!(rendered(&target).await, "failure");
    assert_eq!(
        target.text_content().as_deref(),
        Some("We could not read the payment result.")
    );
}
