//! The browser module in a real headless browser (wasm-bindgen-test; Chromium and Firefox, run by
//! scripts/test). The signing and verify endpoints are tests/support/web_server.py on 127.0.0.1,
//! whose address scripts/test passes at build time in `FPS_TEST_SERVER`.
#![cfg(target_arch = "wasm32")]

use fps_checkout::browser::fetch::sleep;
use fps_checkout::browser::{ButtonState, Callbacks, Checkout, CheckoutOptions, RawOptions};
use js_sys::{Function, Reflect};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlButtonElement, PageTransitionEvent, PageTransitionEventInit};

wasm_bindgen_test_configure!(run_in_browser);

const CALLER_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
const RETURN_URL: &str = "https://shop.example/thanks?order=42";

fn server() -> &'static str {
    option_env!("FPS_TEST_SERVER").unwrap_or("http://127.0.0.1:47917")
}

fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a test page has a document")
}

fn container() -> Element {
    let div = document().create_element("div").expect("createElement");
    document()
        .body()
        .expect("body")
        .append_child(&div)
        .expect("append");
    div
}

fn raw(mode: &str, tag: &str) -> RawOptions {
    RawOptions {
        caller_key: Some(CALLER_KEY.into()),
        sign_endpoint: Some(format!("{}/sign/{mode}/{tag}", server())),
        amount: Some("12.34".into()),
        caller_reference: Some(format!("order-{tag}")),
        reason: Some("Two books & a pen".into()),
        return_url: Some(RETURN_URL.into()),
        timeout_ms: Some("5000".into()),
        retry_delay_ms: Some("10".into()),
        ..RawOptions::default()
    }
}

fn options(raw: &RawOptions) -> CheckoutOptions {
    CheckoutOptions::from_raw(raw, "https://shop.example/cart").expect("valid options")
}

/// Counts calls of a JS callback and keeps the last argument; returns `ret` from each call.
struct Spy {
    calls: Rc<Cell<u32>>,
    last: Rc<std::cell::RefCell<JsValue>>,
    function: Function,
    _closure: Closure<dyn FnMut(JsValue) -> JsValue>,
}

fn spy(ret: JsValue) -> Spy {
    let calls = Rc::new(Cell::new(0));
    let last = Rc::new(std::cell::RefCell::new(JsValue::UNDEFINED));
    let closure = {
        let (calls, last) = (calls.clone(), last.clone());
        Closure::<dyn FnMut(JsValue) -> JsValue>::new(move |arg: JsValue| {
            calls.set(calls.get() + 1);
            *last.borrow_mut() = arg;
            ret.clone()
        })
    };
    let function = closure.as_ref().unchecked_ref::<Function>().clone();
    Spy {
        calls,
        last,
        function,
        _closure: closure,
    }
}

/// Waits (polling, bounded) until the button leaves `loading`.
async fn settled(checkout: &Checkout) -> ButtonState {
    for _ in 0..500 {
        match checkout.state() {
            ButtonState::Loading => sleep(20).await.expect("setTimeout"),
            state => return state,
        }
    }
    checkout.state()
}

fn button(container: &Element) -> HtmlButtonElement {
    container
        .query_selector("button")
        .expect("query")
        .expect("a button")
        .dyn_into()
        .expect("an HTMLButtonElement")
}

fn message(container: &Element) -> Element {
    container
        .query_selector(".fps-checkout__message")
        .expect("query")
        .expect("a message")
}

async fn get_json(url: &str) -> JsValue {
    let window = web_sys::window().expect("window");
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .expect("GET")
        .dyn_into()
        .expect("Response");
    JsFuture::from(response.json().expect("json()"))
        .await
        .expect("JSON")
}

/// What the test server received on `path`: (bodies, content types).
async fn recorded(path: &str) -> (Vec<String>, Vec<String>) {
    let value = get_json(&format!("{}/recorded{path}", server())).await;
    let strings = |key: &str| -> Vec<String> {
        js_sys::Array::from(&Reflect::get(&value, &key.into()).expect("field"))
            .iter()
            .filter_map(|v| v.as_string())
            .collect()
    };
    (strings("bodies"), strings("contentTypes"))
}

fn code_of(error: &JsValue) -> String {
    Reflect::get(error, &"code".into())
        .ok()
        .and_then(|c| c.as_string())
        .unwrap_or_default()
}

async fn failed_with(mode: &str, tag: &str) -> (Checkout, Element, Spy) {
    let on_error = spy(JsValue::UNDEFINED);
    let div = container();
    let callbacks = Callbacks {
        on_error: Some(on_error.function.clone()),
        ..Callbacks::default()
    };
    let mut raw = raw(mode, tag);
    raw.timeout_ms = Some(if mode == "slow" { "150" } else { "5000" }.into());
    let checkout = Checkout::mount(div.clone(), Ok(options(&raw)), callbacks).expect("mount");
    assert_eq!(settled(&checkout).await, ButtonState::Error);
    (checkout, div, on_error)
}

#[wasm_bindgen_test]
async fn renders_an_accessible_button_that_signs_ahead() {
    let div = container();
    let on_ready = spy(JsValue::UNDEFINED);
    let callbacks = Callbacks {
        on_ready: Some(on_ready.function.clone()),
        ..Callbacks::default()
    };
    let checkout = Checkout::mount(div.clone(), Ok(options(&raw("ok", "render"))), callbacks).expect("mount");
    let btn = button(&div);
    assert_eq!(btn.type_(), "button");
    assert_eq!(checkout.state(), ButtonState::Loading);
    assert!(btn.disabled(), "disabled while loading");
    assert_eq!(btn.get_attribute("aria-busy").as_deref(), Some("true"));
    assert_eq!(div.get_attribute("data-state").as_deref(), Some("loading"));
    assert_eq!(btn.text_content().as_deref(), Some("Pay with Amazon"));
    assert!(btn.class_list().contains("fps-checkout__button--gold"));
    assert!(div.class_list().contains("fps-checkout"));
    assert!(message(&div).has_attribute("hidden"));
    assert_eq!(settled(&checkout).await, ButtonState::Ready);
    assert!(!btn.disabled());
    assert_eq!(btn.get_attribute("aria-busy").as_deref(), Some("false"));
    assert_eq!(div.get_attribute("data-state").as_deref(), Some("ready"));
    let url = checkout.url().expect("a signed URL");
    assert!(url.starts_with("https://authorize.payments-sandbox.amazon.com/cobranded-ui/actions/start?"));
    assert!(url.contains("signature=fAkE%2Bsig%2Fnature%3D%3D"));
    assert_eq!(on_ready.calls.get(), 1);
    let ready_url = Reflect::get(&on_ready.last.borrow(), &"url".into())
        .expect("url")
        .as_string();
    assert_eq!(ready_url.as_deref(), Some(url.as_str()));
    assert!(
        div.query_selector("[style]").expect("query").is_none(),
        "no inline styles"
    );
    checkout.unmount();
}

#[wasm_bindgen_test]
async fn sends_the_exact_canonical_request_to_the_signing_endpoint() {
    let div = container();
    let checkout =
        Checkout::mount(div, Ok(options(&raw("ok", "body"))), Callbacks::default()).expect("mount");
    assert_eq!(settled(&checkout).await, ButtonState::Ready);
    let (bodies, types) = recorded("/sign/ok/body").await;
    assert_eq!(bodies.len(), 1, "signed exactly once");
    assert_eq!(types[0], "application/json");
    assert_eq!(
        bodies[0],
        concat!(
            r#"{"pipeline":"SingleUse","params":{"pipelineName":"SingleUse","version":"2009-01-09","#,
            r#""signatureMethod":"HmacSHA256","signatureVersion":"2","callerKey":"AKIAIOSFODNN7EXAMPLE","#,
            r#""returnURL":"https://shop.example/thanks?order=42","callerReference":"order-body","#,
            r#""transactionAmount":"12.34","paymentReason":"Two books & a pen"}}"#
        )
    );
    checkout.unmount();
}

#[wasm_bindgen_test]
async fn click_navigates_once_even_on_double_click_and_key_repeat() {
    let div = container();
    let on_redirect = spy(JsValue::FALSE);
    let callbacks = Callbacks {
        on_redirect: Some(on_redirect.function.clone()),
        ..Callbacks::default()
    };
    let checkout = Checkout::mount(div.clone(), Ok(options(&raw("ok", "click"))), callbacks).expect("mount");
    assert_eq!(settled(&checkout).await, ButtonState::Ready);
    let btn = button(&div);
    btn.click();
    btn.click();
    let enter = web_sys::KeyboardEvent::new("keydown").expect("event");
    btn.dispatch_event(&enter).expect("dispatch");
    btn.click();
    assert_eq!(on_redirect.calls.get(), 1, "one navigation");
    assert_eq!(checkout.state(), ButtonState::Redirecting);
    assert!(btn.disabled());
    assert_eq!(btn.get_attribute("aria-busy").as_deref(), Some("true"));
    let url = Reflect::get(&on_redirect.last.borrow(), &"url".into())
        .expect("url")
        .as_string();
    assert_eq!(url, checkout.url());
    let (bodies, _) = recorded("/sign/ok/click").await;
    assert_eq!(bodies.len(), 1, "no network on click");
    checkout.unmount();
}

fn pageshow(persisted: bool) {
    let init = PageTransitionEventInit::new();
    init.set_persisted(persisted);
    let event = PageTransitionEvent::new_with_event_init_dict("pageshow", &init).expect("event");
    web_sys::window()
        .expect("window")
        .dispatch_event(&event)
        .expect("dispatch");
}

#[wasm_bindgen_test]
async fn back_from_the_bfcache_makes_the_button_ready_again() {
    let div = container();
    let on_redirect = spy(JsValue::FALSE);
    let on_cancel = spy(JsValue::UNDEFINED);
    let callbacks = Callbacks {
        on_redirect: Some(on_redirect.function.clone()),
        on_cancel: Some(on_cancel.function.clone()),
        ..Callbacks::default()
    };
    let checkout = Checkout::mount(div.clone(), Ok(options(&raw("ok", "back"))), callbacks).expect("mount");
    assert_eq!(settled(&checkout).await, ButtonState::Ready);
    button(&div).click();
    assert_eq!(checkout.state(), ButtonState::Redirecting);
    pageshow(false);
    assert_eq!(
        checkout.state(),
        ButtonState::Redirecting,
        "a fresh load is no back navigation"
    );
    pageshow(true);
    assert_eq!(checkout.state(), ButtonState::Ready);
    assert_eq!(on_cancel.calls.get(), 1);
    assert!(!button(&div).disabled());
    button(&div).click();
    assert_eq!(on_redirect.calls.get(), 2, "ready again after coming back");
    checkout.unmount();
}

#[wasm_bindgen_test]
async fn endpoint_500_is_retried_once_then_shown_with_a_retry() {
    let (checkout, div, on_error) = failed_with("status500", "e500").await;
    let (bodies, _) = recorded("/sign/status500/e500").await;
    assert_eq!(bodies.len(), 2, "one retry");
    assert_eq!(code_of(&on_error.last.borrow()), "SIGN_ENDPOINT_REJECTED");
    assert!(on_error.last.borrow().is_instance_of::<js_sys::Error>());
    let btn = button(&div);
    assert_eq!(btn.text_content().as_deref(), Some("Try again"));
    assert!(!btn.disabled(), "the retry is clickable");
    let msg = message(&div);
    assert!(!msg.has_attribute("hidden"));
    assert_eq!(
        msg.text_content().as_deref(),
        Some("The shop could not start this payment.")
    );
    assert_eq!(div.get_attribute("data-state").as_deref(), Some("error"));
    checkout.unmount();
}

#[wasm_bindgen_test]
async fn endpoint_400_is_not_retried() {
    let (checkout, _div, on_error) = failed_with("status400", "e400").await;
    assert_eq!(recorded("/sign/status400/e400").await.0.len(), 1);
    let error = checkout.error().expect("an error");
    assert_eq!(error.code(), "SIGN_ENDPOINT_REJECTED");
    assert!(error.to_string().contains("HTTP 400"), "{error}");
    assert!(error.to_string().contains("unknown order"), "{error}");
    assert_eq!(on_error.calls.get(), 1);
    checkout.unmount();
}

#[wasm_bindgen_test]
async fn a_transient_failure_is_hidden_by_the_retry() {
    let div = container();
    let checkout =
        Checkout::mount(div, Ok(options(&raw("flaky", "flaky"))), Callbacks::default()).expect("mount");
    assert_eq!(settled(&checkout).await, ButtonState::Ready);
    assert_eq!(recorded("/sign/flaky/flaky").await.0.len(), 2);
    checkout.unmount();
}

#[wasm_bindgen_test]
async fn clicking_retry_after_a_failure_signs_again() {
    let (checkout, div, _) = failed_with("fail2", "retry").await;
    button(&div).click();
    assert_eq!(settled(&checkout).await, ButtonState::Ready);
    assert_eq!(recorded("/sign/fail2/retry").await.0.len(), 3);
    assert!(message(&div).has_attribute("hidden"));
    assert_eq!(button(&div).text_content().as_deref(), Some("Pay with Amazon"));
    checkout.unmount();
}

#[wasm_bindgen_test]
async fn a_slow_endpoint_times_out() {
    let (checkout, _div, on_error) = failed_with("slow", "slow").await;
    assert_eq!(code_of(&on_error.last.borrow()), "SIGN_ENDPOINT_TIMEOUT");
    checkout.unmount();
}

#[wasm_bindgen_test]
async fn an_unreachable_endpoint_is_reported() {
    let div = container();
    let mut raw = raw("ok", "down");
    raw.sign_endpoint = Some("http://127.0.0.1:9/sign".into());
    let checkout = Checkout::mount(div, Ok(options(&raw)), Callbacks::default()).expect("mount");
    assert_eq!(settled(&checkout).await, ButtonState::Error);
    assert_eq!(
        checkout.error().expect("error").code(),
        "SIGN_ENDPOINT_UNREACHABLE"
    );
    checkout.unmount();
}

#[wasm_bindgen_test]
async fn malformed_json_is_refused() {
    let (checkout, div, on_error) = failed_with("malformed", "malformed").await;
    assert_eq!(code_of(&on_error.last.borrow()), "INVALID_SIGN_RESPONSE");
    assert_eq!(
        message(&div).text_content().as_deref(),
        Some("The payment link could not be verified.")
    );
    checkout.unmount();
}

#[wasm_bindgen_test]
async fn tampered_signing_answers_are_refused() {
    for mode in [
        "tampered",
        "wrong-origin",
        "wrong-path",
        "extra",
        "missing",
        "bad-signature",
    ] {
        let (checkout, _div, on_error) = failed_with(mode, "tamper").await;
        assert_eq!(
            code_of(&on_error.last.borrow()),
            "TAMPERED_SIGNATURE_RESPONSE",
            "{mode}"
        );
        assert_eq!(checkout.url(), None, "{mode}: never a URL to navigate to");
        checkout.unmount();
    }
}

#[wasm_bindgen_test]
async fn one_broken_button_never_affects_another() {
    let (good_div, bad_div) = (container(), container());
    let good =
        Checkout::mount(good_div, Ok(options(&raw("ok", "pair"))), Callbacks::default()).expect("mount");
    let bad = Checkout::mount(
        bad_div,
        Ok(options(&raw("status400", "pair"))),
        Callbacks::default(),
    )
    .expect("mount");
    assert_eq!(settled(&bad).await, ButtonState::Error);
    assert_eq!(settled(&good).await, ButtonState::Ready);
    good.unmount();
    bad.unmount();
}

#[wasm_bindgen_test]
async fn unmount_removes_the_button_and_its_listeners() {
    let div = container();
    let on_redirect = spy(JsValue::FALSE);
    let on_cancel = spy(JsValue::UNDEFINED);
    let callbacks = Callbacks {
        on_redirect: Some(on_redirect.function.clone()),
        on_cancel: Some(on_cancel.function.clone()),
        ..Callbacks::default()
    };
    let checkout =
        Checkout::mount(div.clone(), Ok(options(&raw("ok", "unmount"))), callbacks).expect("mount");
    assert_eq!(settled(&checkout).await, ButtonState::Ready);
    let btn = button(&div);
    checkout.unmount();
    assert_eq!(checkout.state(), ButtonState::Unmounted);
    assert_eq!(div.child_element_count(), 0);
    assert!(!div.has_attribute("data-fps-mounted"));
    btn.click();
    pageshow(true);
    assert_eq!(on_redirect.calls.get(), 0);
    assert_eq!(on_cancel.calls.get(), 0);
    checkout.unmount();
    let again =
        Checkout::mount(div, Ok(options(&raw("ok", "unmount"))), Callbacks::default()).expect("remount");
    again.unmount();
}

#[wasm_bindgen_test]
fn label_size_and_theme_shape_the_button() {
    let div = container();
    let mut raw = raw("ok", "looks");
    raw.label = Some("Buy now".into());
    raw.size = Some("large".into());
    raw.theme = Some("dark".into());
    let checkout = Checkout::mount(div.clone(), Ok(options(&raw)), Callbacks::default()).expect("mount");
    let btn = button(&div);
    assert_eq!(btn.text_content().as_deref(), Some("Buy now"));
    assert!(btn.class_list().contains("fps-checkout__button--large"));
    assert!(btn.class_list().contains("fps-checkout__button--dark"));
    let msg_id = message(&div).id();
    assert_eq!(btn.get_attribute("aria-describedby"), Some(msg_id));
    checkout.unmount();
}

fn js_options(entries: &[(&str, &str)]) -> JsValue {
    let object = js_sys::Object::new();
    for (key, value) in entries {
        Reflect::set(&object, &(*key).into(), &(*value).into()).expect("set");
    }
    object.into()
}

#[wasm_bindgen_test]
fn the_js_api_throws_invalid_options_with_a_code() {
    let div = container();
    let endpoint = format!("{}/sign/ok/js", server());
    let bad_amount = js_options(&[
        ("signEndpoint", &endpoint),
        ("callerKey", CALLER_KEY),
        ("amount", "12.345"),
        ("callerReference", "r1"),
    ]);
    let error = fps_checkout::wasm::mount(div.clone().into(), bad_amount)
        .err()
        .expect("refused");
    assert!(error.is_instance_of::<js_sys::Error>());
    assert_eq!(code_of(&error), "INVALID_OPTIONS");
    let message = String::from(error.unchecked_ref::<js_sys::Error>().message());
    assert!(message.contains("transactionAmount"), "{message}");
    let no_endpoint = js_options(&[
        ("callerKey", CALLER_KEY),
        ("amount", "1"),
        ("callerReference", "r1"),
    ]);
    let error = fps_checkout::wasm::mount(div.clone().into(), no_endpoint)
        .err()
        .expect("refused");
    assert_eq!(code_of(&error), "INVALID_OPTIONS");
    assert!(String::from(error.unchecked_ref::<js_sys::Error>().message()).contains("signEndpoint"));
    assert_eq!(
        div.child_element_count(),
        0,
        "nothing rendered for refused options"
    );
}

#[wasm_bindgen_test]
async fn the_js_api_mounts_from_a_selector() {
    let div = container();
    div.set_id("js-mount-target");
    let endpoint = format!("{}/sign/ok/jsmount", server());
    let options = js_options(&[
        ("signEndpoint", &endpoint),
        ("callerKey", CALLER_KEY),
        ("amount", "5"),
        ("callerReference", "js-1"),
        ("pipeline", "SingleUse"),
        ("returnUrl", RETURN_URL),
    ]);
    let handle = fps_checkout::wasm::mount("#js-mount-target".into(), options).expect("mounted");
    for _ in 0..500 {
        if handle.state() != "loading" {
            break;
        }
        sleep(20).await.expect("sleep");
    }
    assert_eq!(handle.state(), "ready");
    assert!(handle.url().is_some());
    handle.unmount();
    assert_eq!(handle.state(), "unmounted");
}

#[wasm_bindgen_test]
async fn auto_mount_reads_data_attributes_and_isolates_broken_elements() {
    let good = container();
    let endpoint = format!("{}/sign/ok/auto", server());
    for (name, value) in [
        ("data-fps-checkout", ""),
        ("data-sign-endpoint", endpoint.as_str()),
        ("data-caller-key", CALLER_KEY),
        ("data-amount", "7.50"),
        ("data-caller-reference", "auto-1"),
        ("data-reason", "Tea"),
        ("data-label", "Pay for tea"),
        ("data-return-url", RETURN_URL),
    ] {
        good.set_attribute(name, value).expect("attr");
    }
    let ready_events = spy(JsValue::UNDEFINED);
    good.add_event_listener_with_callback("fps-checkout:ready", &ready_events.function)
        .expect("listen");
    let error_events = spy(JsValue::UNDEFINED);
    document()
        .body()
        .expect("body")
        .add_event_listener_with_callback("fps-checkout:error", &error_events.function)
        .expect("listen");
    let bad = container();
    bad.set_attribute("data-fps-checkout", "").expect("attr");
    bad.set_attribute("data-sign-endpoint", &endpoint).expect("attr");
    let mounted = fps_checkout::wasm::auto_mount_js();
    assert!(mounted >= 2, "both elements handled");
    assert_eq!(bad.get_attribute("data-state").as_deref(), Some("error"));
    assert!(button(&bad).disabled(), "a misconfigured button never enables");
    assert_eq!(
        message(&bad).text_content().as_deref(),
        Some("This payment button is not set up correctly.")
    );
    assert_eq!(button(&good).text_content().as_deref(), Some("Pay for tea"));
    for _ in 0..500 {
        if good.get_attribute("data-state").as_deref() != Some("loading") {
            break;
        }
        sleep(20).await.expect("sleep");
    }
    assert_eq!(good.get_attribute("data-state").as_deref(), Some("ready"));
    assert_eq!(
        ready_events.calls.get(),
        1,
        "a bubbling ready event for pages without callbacks"
    );
    let detail = Reflect::get(&ready_events.last.borrow(), &"detail".into()).expect("detail");
    assert!(Reflect::get(&detail, &"url".into()).expect("url").is_string());
    assert_eq!(
        error_events.calls.get(),
        1,
        "the broken element's error bubbles too"
    );
    let error = Reflect::get(&error_events.last.borrow(), &"detail".into()).expect("detail");
    assert_eq!(code_of(&error), "INVALID_OPTIONS");
    let (bodies, _) = recorded("/sign/ok/auto").await;
    assert!(
        bodies[0].contains(r#""transactionAmount":"7.50""#),
        "{}",
        bodies[0]
    );
    assert_eq!(fps_checkout::wasm::auto_mount_js(), 0, "never mounted twice");
}

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
    let verdict = fps_checkout::wasm::complete_return(options)
        .await
        .expect("verdict");
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
    let error = fps_checkout::wasm::complete_return(refused)
        .await
        .expect_err("refused");
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

/// A pipeline name, its amount shorthand, and its further parameters (as the core renders them).
type PipelineCase = (
    &'static str,
    Option<&'static str>,
    &'static [(&'static str, &'static str)],
);

#[wasm_bindgen_test]
async fn every_pipeline_signs_with_its_own_parameters() {
    const TOKEN: &str = "Z1LGRXR4HMDZBSFKXELA32KZASGWD8IHMHZCK4DETR784LDLD1GMFW4P3WT8VTGX";
    let cases: [PipelineCase; 7] = [
        ("SingleUse", Some("1.00"), &[("paymentMethod", "CC")]),
        ("MultiUse", None, &[("globalAmountLimit", "100.00")]),
        ("Recurring", Some("9.99"), &[("recurringPeriod", "1 Month")]),
        ("Recipient", None, &[("recipientPaysFee", "True")]),
        (
            "SetupPrepaid",
            None,
            &[("callerReferenceFunding", "fund-1"), ("fundingAmount", "50.00")],
        ),
        (
            "SetupPostpaid",
            None,
            &[
                ("callerReferenceSettlement", "settle-1"),
                ("creditLimit", "100.00"),
                ("globalAmountLimit", "200.00"),
            ],
        ),
        ("EditToken", None, &[("tokenId", TOKEN)]),
    ];
    for (pipeline, amount, params) in cases {
        let tag = format!("pipeline-{pipeline}");
        let mut raw = raw("ok", &tag);
        raw.pipeline = Some(pipeline.into());
        raw.amount = amount.map(Into::into);
        raw.reason = None;
        if pipeline.starts_with("Setup") {
            raw.caller_reference = None;
            raw.params
                .push(("callerReferenceSender".into(), format!("sender-{pipeline}")));
        }
        raw.params
            .extend(params.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())));
        let checkout = Checkout::mount(container(), Ok(options(&raw)), Callbacks::default()).expect("mount");
        assert_eq!(settled(&checkout).await, ButtonState::Ready, "{pipeline}");
        let (bodies, _) = recorded(&format!("/sign/ok/{tag}")).await;
        let body = js_sys::JSON::parse(&bodies[0]).expect("JSON");
        let sent = Reflect::get(&body, &"pipeline".into())
            .expect("pipeline")
            .as_string();
        assert_eq!(sent.as_deref(), Some(pipeline));
        let sent_params = Reflect::get(&body, &"params".into()).expect("params");
        for (name, value) in params {
            let got = Reflect::get(&sent_params, &(*name).into())
                .expect("param")
                .as_string();
            assert_eq!(got.as_deref(), Some(*value), "{pipeline}: {name}");
        }
        checkout.unmount();
    }
}

#[wasm_bindgen_test]
async fn throwing_callbacks_and_unmount_from_a_callback_never_break_the_button() {
    let throwing = Function::new_no_args("throw new Error('a merchant bug')");
    let div = container();
    let callbacks = Callbacks {
        on_ready: Some(throwing.clone()),
        on_error: Some(throwing.clone()),
        ..Callbacks::default()
    };
    let checkout =
        Checkout::mount(div.clone(), Ok(options(&raw("ok", "throwing"))), callbacks).expect("mount");
    assert_eq!(
        settled(&checkout).await,
        ButtonState::Ready,
        "a throwing onReady is contained"
    );

    let slot: Rc<std::cell::RefCell<Option<Checkout>>> = Rc::default();
    let unmount_on_redirect = {
        let slot = slot.clone();
        Closure::<dyn FnMut() -> JsValue>::new(move || {
            if let Some(checkout) = slot.borrow().as_ref() {
                checkout.unmount();
            }
            JsValue::FALSE
        })
    };
    let div2 = container();
    let callbacks = Callbacks {
        on_redirect: Some(unmount_on_redirect.as_ref().unchecked_ref::<Function>().clone()),
        ..Callbacks::default()
    };
    let second =
        Checkout::mount(div2.clone(), Ok(options(&raw("ok", "reentrant"))), callbacks).expect("mount");
    *slot.borrow_mut() = Some(second.clone());
    assert_eq!(settled(&second).await, ButtonState::Ready);
    button(&div2).click();
    assert_eq!(
        second.state(),
        ButtonState::Unmounted,
        "unmount from inside the click handler"
    );
    assert_eq!(div2.child_element_count(), 0);
    assert_eq!(
        checkout.state(),
        ButtonState::Ready,
        "the other button is untouched"
    );
    checkout.unmount();
}
