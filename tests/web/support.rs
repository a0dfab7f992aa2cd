//! Shared helpers: the test server, containers, option builders, callback spies, polling.

use fps_checkout::browser::{ButtonState, Callbacks, Checkout, CheckoutOptions, RawOptions};
use js_sys::{Function, Promise, Reflect};
use std::cell::Cell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Element, HtmlButtonElement, PageTransitionEvent, PageTransitionEventInit};

/// Resolves after `ms` milliseconds (the module itself has no async API to wait with).
pub(crate) async fn sleep(ms: i32) -> Result<(), JsValue> {
    let window = web_sys::window().expect("window");
    let mut scheduled = Ok(0);
    let promise = Promise::new(&mut |resolve: Function, _reject: Function| {
        scheduled = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    scheduled?;
    JsFuture::from(promise).await.map(drop)
}

/// `completeReturn(options)` as JS awaits it.
pub(crate) async fn complete_return(options: JsValue) -> Result<JsValue, JsValue> {
    JsFuture::from(fps_checkout::wasm::complete_return(options)).await
}

pub(crate) const CALLER_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
pub(crate) const RETURN_URL: &str = "https://shop.example/thanks?order=42";

pub(crate) fn server() -> &'static str {
    option_env!("FPS_TEST_SERVER").unwrap_or("http://127.0.0.1:47917")
}

pub(crate) fn document() -> web_sys::Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a test page has a document")
}

pub(crate) fn container() -> Element {
    let div = document().create_element("div").expect("createElement");
    document()
        .body()
        .expect("body")
        .append_child(&div)
        .expect("append");
    div
}

pub(crate) fn raw(mode: &str, tag: &str) -> RawOptions {
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

pub(crate) fn options(raw: &RawOptions) -> CheckoutOptions {
    CheckoutOptions::from_raw(raw, "https://shop.example/cart").expect("valid options")
}

/// Counts calls of a JS callback and keeps the last argument; returns `ret` from each call.
pub(crate) struct Spy {
    pub(crate) calls: Rc<Cell<u32>>,
    pub(crate) last: Rc<std::cell::RefCell<JsValue>>,
    pub(crate) function: Function,
    pub(crate) _closure: Closure<dyn FnMut(JsValue) -> JsValue>,
}

pub(crate) fn spy(ret: JsValue) -> Spy {
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
pub(crate) async fn settled(checkout: &Checkout) -> ButtonState {
    for _ in 0..500 {
        match checkout.state() {
            ButtonState::Loading => sleep(20).await.expect("setTimeout"),
            state => return state,
        }
    }
    checkout.state()
}

pub(crate) fn button(container: &Element) -> HtmlButtonElement {
    container
        .query_selector("button")
        .expect("query")
        .expect("a button")
        .dyn_into()
        .expect("an HTMLButtonElement")
}

pub(crate) fn message(container: &Element) -> Element {
    container
        .query_selector(".fps-checkout__message")
        .expect("query")
        .expect("a message")
}

pub(crate) async fn get_json(url: &str) -> JsValue {
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
pub(crate) async fn recorded(path: &str) -> (Vec<String>, Vec<String>) {
    let value = get_json(&format!("{}/recorded{path}", server())).await;
    let strings = |key: &str| -> Vec<String> {
        js_sys::Array::from(&Reflect::get(&value, &key.into()).expect("field"))
            .iter()
            .filter_map(|v| v.as_string())
            .collect()
    };
    (strings("bodies"), strings("contentTypes"))
}

pub(crate) fn code_of(error: &JsValue) -> String {
    Reflect::get(error, &"code".into())
        .ok()
        .and_then(|c| c.as_string())
        .unwrap_or_default()
}

pub(crate) async fn failed_with(mode: &str, tag: &str) -> (Checkout, Element, Spy) {
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

pub(crate) fn pageshow(persisted: bool) {
    let init = PageTransitionEventInit::new();
    init.set_persisted(persisted);
    let event = PageTransitionEvent::new_with_event_init_dict("pageshow", &init).expect("event");
    web_sys::window()
        .expect("window")
        .dispatch_event(&event)
        .expect("dispatch");
}

pub(crate) fn js_options(entries: &[(&str, &str)]) -> JsValue {
    let object = js_sys::Object::new();
    for (key, value) in entries {
        Reflect::set(&object, &(*key).into(), &(*value).into()).expect("set");
    }
    object.into()
}
