//! The guards (listeners and timers undone on drop) and page code calling back into a button
//! while the button is updating itself.

use super::support::*;
use fps_checkout::browser::guard::{Callback, EventListener, Timeout};
use fps_checkout::browser::{ButtonState, Callbacks, Checkout};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;
use web_sys::HtmlElement;

/// A callback counting its calls.
fn counter() -> (Rc<Cell<u32>>, Callback) {
    let calls = Rc::new(Cell::new(0));
    let seen = calls.clone();
    (calls, Callback::new(move |_: JsValue| seen.set(seen.get() + 1)))
}

#[wasm_bindgen_test]
fn an_event_listener_is_removed_when_its_guard_is_dropped() {
    let div = container();
    let (calls, callback) = counter();
    let listener = EventListener::new(&div, "click", callback);
    div.unchecked_ref::<HtmlElement>().click();
    assert_eq!(calls.get(), 1);
    drop(listener);
    div.unchecked_ref::<HtmlElement>().click();
    assert_eq!(calls.get(), 1, "no call after the guard was dropped");
}

#[wasm_bindgen_test]
async fn a_timeout_is_cleared_when_its_guard_is_dropped() {
    let (kept_calls, kept) = counter();
    let (dropped_calls, dropped) = counter();
    let kept = Timeout::new(10, kept);
    drop(Timeout::new(10, dropped));
    sleep(60).await.expect("setTimeout");
    assert_eq!(kept_calls.get(), 1, "a timer whose guard lives fires");
    assert_eq!(dropped_calls.get(), 0, "a dropped timer never fires");
    drop(kept);
}

#[wasm_bindgen_test]
async fn page_code_may_call_the_button_from_its_ready_event() {
    let div = container();
    let handle: Rc<RefCell<Option<Checkout>>> = Rc::default();
    let seen = Rc::new(Cell::new(None));
    let on_ready = {
        let (handle, seen) = (handle.clone(), seen.clone());
        Callback::new(move |_: JsValue| {
            if let Some(checkout) = handle.borrow().as_ref() {
                seen.set(Some(checkout.state()));
                checkout.unmount();
            }
        })
    };
    let _listener = EventListener::new(&div, "fps-checkout:ready", on_ready);
    let checkout = Checkout::mount(
        div.clone(),
        Ok(options(&raw("ok", "reentry"))),
        Callbacks::default(),
    )
    .expect("mount");
    *handle.borrow_mut() = Some(checkout.clone());
    assert_eq!(
        settled(&checkout).await,
        ButtonState::Unmounted,
        "unmount() from the listener took effect"
    );
    assert_eq!(seen.get(), Some(ButtonState::Ready));
    assert_eq!(div.child_element_count(), 0);
    handle.borrow_mut().take();
}
