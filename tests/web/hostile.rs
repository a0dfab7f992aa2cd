//! Hostile input against every exported JS function (`mount`, `autoMount`, `parseReturn`,
//! `completeReturn`, the `Checkout` handle): wrong types, sizes, encodings, Unicode, missing
//! fields. Each must throw or reject with an `FpsCheckoutError` carrying the expected code (or, for
//! `autoMount`, show the error in place), render nothing enabled, and send nothing to the network.
//! The table in RELIABILITY.md ("Hostile input", JS functions) lists these same cases.

use super::support::*;
use js_sys::{Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

/// The honest options, as JS entries, for a sign endpoint recorded under `tag`.
fn honest(tag: &str) -> Vec<(String, JsValue)> {
    vec![
        (
            "signEndpoint".into(),
            format!("{}/sign/ok/{tag}", server()).into(),
        ),
        ("callerKey".into(), CALLER_KEY.into()),
        ("amount".into(), "12.34".into()),
        ("callerReference".into(), "order-hostile".into()),
        ("returnUrl".into(), RETURN_URL.into()),
    ]
}

fn object(entries: &[(String, JsValue)]) -> JsValue {
    let object = Object::new();
    for (key, value) in entries {
        Reflect::set(&object, &key.as_str().into(), value).expect("set");
    }
    object.into()
}

/// The honest options with `key` set to `value` (`None`: removed).
fn with(tag: &str, key: &str, value: Option<JsValue>) -> JsValue {
    let mut entries: Vec<(String, JsValue)> = honest(tag).into_iter().filter(|(k, _)| k != key).collect();
    if let Some(value) = value {
        entries.push((key.to_owned(), value));
    }
    object(&entries)
}

fn throwing_getter(tag: &str, key: &str) -> JsValue {
    let options = with(tag, key, None);
    let descriptor = Object::new();
    let getter = Function::new_no_args("throw new Error('hostile getter')");
    Reflect::set(&descriptor, &"get".into(), &getter).expect("set");
    Object::define_property(options.unchecked_ref::<Object>(), &key.into(), &descriptor);
    options
}

async fn recorded(tag: &str) -> u32 {
    let json = get_json(&format!("{}/recorded/sign/ok/{tag}", server())).await;
    Reflect::get(&json, &"bodies".into())
        .ok()
        .and_then(|b| b.dyn_into::<js_sys::Array>().ok())
        .map_or(0, |a| a.length())
}

fn is_checkout_error(error: &JsValue) -> bool {
    error.is_instance_of::<js_sys::Error>()
        && Reflect::get(error, &"name".into())
            .ok()
            .and_then(|n| n.as_string())
            .as_deref()
            == Some("FpsCheckoutError")
}

#[wasm_bindgen_test]
async fn mount_refuses_hostile_targets_and_options() {
    let tag = "hostile-mount";
    let huge = "9".repeat(1 << 20);
    let bad_options: Vec<(&str, JsValue)> = vec![
        ("options undefined", JsValue::UNDEFINED),
        ("options null", JsValue::NULL),
        ("options a string", "amount=1".into()),
        ("options a number", 42.into()),
        ("options an array", js_sys::Array::new().into()),
        ("no signEndpoint", with(tag, "signEndpoint", None)),
        ("no amount", with(tag, "amount", None)),
        ("no callerReference", with(tag, "callerReference", None)),
        ("amount a number", with(tag, "amount", Some(12.34.into()))),
        (
            "amount an object",
            with(tag, "amount", Some(Object::new().into())),
        ),
        ("amount 12.345", with(tag, "amount", Some("12.345".into()))),
        ("amount -1", with(tag, "amount", Some("-1".into()))),
        ("amount 1e3", with(tag, "amount", Some("1e3".into()))),
        (
            "amount full-width digits",
            with(tag, "amount", Some("１２.34".into())),
        ),
        (
            "amount 1 MiB of digits",
            with(tag, "amount", Some(huge.as_str().into())),
        ),
        ("amount getter throws", throwing_getter(tag, "amount")),
        (
            "callerReference empty",
            with(tag, "callerReference", Some("".into())),
        ),
        (
            "callerReference with NUL",
            with(tag, "callerReference", Some("a\u{0}b".into())),
        ),
        (
            "callerReference 129 bytes",
            with(tag, "callerReference", Some("r".repeat(129).into())),
        ),
        (
            "callerKey lowercase",
            with(tag, "callerKey", Some("akiaiosfodnn7example".into())),
        ),
        (
            "callerKey Cyrillic look-alike",
            with(tag, "callerKey", Some("АKIAIOSFODNN7EXAMPLE".into())),
        ),
        (
            "signEndpoint javascript:",
            with(tag, "signEndpoint", Some("javascript:alert(1)".into())),
        ),
        (
            "returnUrl javascript:",
            with(tag, "returnUrl", Some("javascript:alert(1)".into())),
        ),
        (
            "returnUrl with a fragment",
            with(tag, "returnUrl", Some("https://shop.example/#x".into())),
        ),
        ("pipeline unknown", with(tag, "pipeline", Some("Nope".into()))),
        ("timeoutMs -1", with(tag, "timeoutMs", Some((-1).into()))),
        ("timeoutMs 1.5", with(tag, "timeoutMs", Some(1.5.into()))),
        (
            "timeoutMs 2^53",
            with(tag, "timeoutMs", Some(9_007_199_254_740_992.0.into())),
        ),
        ("timeoutMs NaN", with(tag, "timeoutMs", Some(f64::NAN.into()))),
        ("size unknown", with(tag, "size", Some("huge".into()))),
        (
            "credentials unknown",
            with(tag, "credentials", Some("all".into())),
        ),
        (
            "onReady not a function",
            with(tag, "onReady", Some("alert(1)".into())),
        ),
        ("params a string", with(tag, "params", Some("a=1".into()))),
        ("params with a number value", {
            let params = Object::new();
            Reflect::set(&params, &"note".into(), &1.into()).expect("set");
            with(tag, "params", Some(params.into()))
        }),
        ("params smuggling signature", {
            let params = Object::new();
            Reflect::set(&params, &"signature".into(), &"x".into()).expect("set");
            with(tag, "params", Some(params.into()))
        }),
        ("params overriding transactionAmount", {
            let params = Object::new();
            Reflect::set(&params, &"transactionAmount".into(), &"0.01".into()).expect("set");
            with(tag, "params", Some(params.into()))
        }),
    ];
    for (what, options) in bad_options {
        let div = container();
        let error = fps_checkout::wasm::mount(div.clone().into(), options)
            .err()
            .unwrap_or_else(|| panic!("{what}: mounted"));
        assert!(is_checkout_error(&error), "{what}: {error:?}");
        assert_eq!(code_of(&error), "INVALID_OPTIONS", "{what}");
        assert_eq!(div.child_element_count(), 0, "{what}: something was rendered");
    }
    let bad_targets: Vec<(&str, JsValue)> = vec![
        ("target undefined", JsValue::UNDEFINED),
        ("target null", JsValue::NULL),
        ("target a number", 7.into()),
        ("target a plain object", Object::new().into()),
        ("target a selector matching nothing", "#no-such-element".into()),
        ("target an invalid selector", "[[[".into()),
        ("target a Date object", js_sys::Date::new_0().into()),
    ];
    for (what, target) in bad_targets {
        let error = fps_checkout::wasm::mount(target, with(tag, "label", None))
            .err()
            .unwrap_or_else(|| panic!("{what}: mounted"));
        assert_eq!(code_of(&error), "INVALID_OPTIONS", "{what}");
    }
    // Mounting twice on one element is refused; the first button is untouched.
    let div = container();
    let first =
        fps_checkout::wasm::mount(div.clone().into(), with("hostile-twice", "label", None)).expect("mounted");
    let again = fps_checkout::wasm::mount(div.clone().into(), with("hostile-twice", "label", None))
        .err()
        .expect("second mount refused");
    assert_eq!(code_of(&again), "INVALID_OPTIONS");
    first.unmount();
    // Unmount twice, retry after unmount: no throw, nothing sent.
    first.unmount();
    first.retry();
    assert_eq!(first.state(), "unmounted");
    sleep(50).await.expect("setTimeout");
    assert_eq!(recorded(tag).await, 0, "a refused mount sent a signing request");
}

#[wasm_bindgen_test]
async fn auto_mount_shows_broken_attributes_in_place() {
    let tag = "hostile-auto";
    let endpoint = format!("{}/sign/ok/{tag}", server());
    let cases: Vec<(&str, Vec<(&str, String)>)> = vec![
        ("data-amount abc", vec![("data-amount", "abc".into())]),
        ("data-amount empty", vec![("data-amount", String::new())]),
        (
            "data-amount 10 000 digits",
            vec![("data-amount", "9".repeat(10_000))],
        ),
        (
            "no data-sign-endpoint",
            vec![("data-sign-endpoint", String::new())],
        ),
        (
            "data-caller-key with spaces",
            vec![("data-caller-key", " AKIA ".into())],
        ),
        (
            "data-caller-reference RTL override",
            vec![("data-caller-reference", "\u{202E}\u{0}".into())],
        ),
        ("data-timeout-ms -5", vec![("data-timeout-ms", "-5".into())]),
        (
            "data-return-url data:",
            vec![("data-return-url", "data:text/html,x".into())],
        ),
        (
            "data-pipeline unknown",
            vec![("data-pipeline", "Everything".into())],
        ),
    ];
    let mut made = Vec::new();
    for (_, changes) in &cases {
        let div = container();
        for (name, value) in [
            ("data-fps-checkout", String::new()),
            ("data-sign-endpoint", endpoint.clone()),
            ("data-caller-key", CALLER_KEY.to_owned()),
            ("data-amount", "12.34".to_owned()),
            ("data-caller-reference", "order-auto".to_owned()),
            ("data-return-url", RETURN_URL.to_owned()),
        ] {
            div.set_attribute(name, &value).expect("attr");
        }
        for (name, value) in changes {
            div.set_attribute(name, value).expect("attr");
        }
        made.push(div);
    }
    fps_checkout::wasm::auto_mount_js();
    for ((what, _), div) in cases.iter().zip(&made) {
        assert_eq!(
            div.get_attribute("data-state").as_deref(),
            Some("error"),
            "{what}"
        );
        assert!(button(div).disabled(), "{what}: the button is enabled");
    }
    sleep(50).await.expect("setTimeout");
    assert_eq!(recorded(tag).await, 0, "a broken element sent a signing request");
}

#[wasm_bindgen_test]
fn parse_return_refuses_hostile_queries() {
    let token = "Z1LGRXR4HMDZBSFKXELA32KZASGWD8IHMHZCK4DETR784LDLD1GMFW4P3WT8VTGX";
    let cases: Vec<(&str, String)> = vec![
        ("empty", String::new()),
        ("just ?", "?".into()),
        ("no status", format!("tokenID={token}")),
        ("unknown status", "status=OK".into()),
        ("status lowercase", "status=sc".into()),
        ("duplicate status", "status=A&status=SC".into()),
        ("bare %", "status=SC&x=%".into()),
        ("bad hex escape", "status=SC&x=%G0".into()),
        ("escaped invalid UTF-8", "status=SC&x=%C3%28".into()),
        ("empty name", "status=SC&=1".into()),
        ("9 KiB query", format!("status=SC&x={}", "a".repeat(9 * 1024))),
        ("200 pairs", format!("status=SC&{}", vec!["a=1"; 200].join("&"))),
        ("tokenID lowercase", "status=SC&tokenID=abc".into()),
        (
            "tokenID Cyrillic",
            format!("status=SC&tokenID=%D0%90{}", &token[1..]),
        ),
        (
            "callerReference with NUL",
            "status=SC&callerReference=a%00b".into(),
        ),
        ("expiry 13/2030", "status=SC&expiry=13%2F2030".into()),
        ("expiry 1/2030", "status=SC&expiry=1%2F2030".into()),
    ];
    for (what, query) in cases {
        let error = fps_checkout::wasm::parse_return(Some(query)).expect_err(what);
        assert!(is_checkout_error(&error), "{what}");
        assert_eq!(code_of(&error), "INVALID_RETURN", "{what}");
    }
}

#[wasm_bindgen_test]
async fn complete_return_refuses_hostile_options_before_sending() {
    let endpoint = format!("{}/verify/hostile", server());
    let good = "status=A&callerReference=order-1";
    let cases: Vec<(&str, JsValue, &str)> = vec![
        ("options undefined", JsValue::UNDEFINED, "INVALID_OPTIONS"),
        ("options a string", "verifyEndpoint=/x".into(), "INVALID_OPTIONS"),
        (
            "no verifyEndpoint",
            js_options(&[("search", good)]),
            "INVALID_OPTIONS",
        ),
        (
            "verifyEndpoint empty",
            js_options(&[("verifyEndpoint", ""), ("search", good)]),
            "INVALID_OPTIONS",
        ),
        (
            "verifyEndpoint a number",
            object(&[
                ("verifyEndpoint".into(), 42.into()),
                ("search".into(), good.into()),
            ]),
            "INVALID_OPTIONS",
        ),
        (
            "timeoutMs 0",
            object(&[
                ("verifyEndpoint".into(), endpoint.as_str().into()),
                ("search".into(), good.into()),
                ("timeoutMs".into(), 0.into()),
            ]),
            "INVALID_OPTIONS",
        ),
        (
            "timeoutMs 10^6",
            object(&[
                ("verifyEndpoint".into(), endpoint.as_str().into()),
                ("search".into(), good.into()),
                ("timeoutMs".into(), 1_000_000.into()),
            ]),
            "INVALID_OPTIONS",
        ),
        (
            "timeoutMs a word",
            js_options(&[
                ("verifyEndpoint", &endpoint),
                ("search", good),
                ("timeoutMs", "soon"),
            ]),
            "INVALID_OPTIONS",
        ),
        (
            "search unreadable",
            js_options(&[("verifyEndpoint", &endpoint), ("search", "status=XX")]),
            "INVALID_RETURN",
        ),
        (
            "search 9 KiB",
            js_options(&[
                ("verifyEndpoint", &endpoint),
                ("search", &format!("status=A&x={}", "a".repeat(9216))),
            ]),
            "INVALID_RETURN",
        ),
    ];
    for (what, options, code) in cases {
        let error = complete_return(options).await.expect_err(what);
        assert!(is_checkout_error(&error), "{what}");
        assert_eq!(code_of(&error), code, "{what}");
    }
    let json = get_json(&format!("{}/recorded/verify/hostile", server())).await;
    let sent = Reflect::get(&json, &"bodies".into())
        .ok()
        .and_then(|b| b.dyn_into::<js_sys::Array>().ok())
        .map_or(0, |a| a.length());
    assert_eq!(sent, 0, "a refused completeReturn sent the return");
}
