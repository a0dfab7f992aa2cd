//! The button: DOM, accessible name, states, click, back/forward cache, unmount, looks.

use super::support::*;
use fps_checkout::browser::{ButtonState, Callbacks, Checkout};
use js_sys::Reflect;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

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
            r#""signatureVersion":"2","callerKey":"AKIAIOSFODNN7EXAMPLE","#,
            r#""returnURL":"https://shop.example/thanks?order=42","signatureMethod":"HmacSHA256","#,
            r#""callerReference":"order-body","#,
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
