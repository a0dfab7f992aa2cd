//! Every error path of signing, retries, isolation between buttons and misbehaving callbacks.

use super::support::*;
use fps_checkout::browser::{ButtonState, Callbacks, Checkout};
use js_sys::Function;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

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
    button(&div).focus().expect("focus");
    button(&div).click();
    assert!(button(&div).disabled(), "disabled while signing again");
    assert_eq!(settled(&checkout).await, ButtonState::Ready);
    let focused = document().active_element().expect("an active element");
    assert!(
        focused == **button(&div),
        "keyboard focus given back to the button"
    );
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
