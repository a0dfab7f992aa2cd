//! Small bridges to JS shared by the browser module: errors as `Error` objects with a `code`,
//! merchant callbacks that can never throw into us, and console reports.

use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;
use web_sys::Window;

use super::error::BrowserError;

/// The JS `Error` for `error`: `message` says what to fix, `code` is stable (`INVALID_OPTIONS`...).
pub fn error_to_js(error: &BrowserError) -> JsValue {
    let js = js_sys::Error::new(&error.message());
    js.set_name("FpsCheckoutError");
    let _ = Reflect::set(&js, &"code".into(), &error.code().into());
    js.into()
}

/// Reports `error` on the console (for the developer; never shown to the shopper).
pub fn console_error(error: &BrowserError) {
    web_sys::console::error_2(&"fps-checkout:".into(), &error_to_js(error));
}

/// Calls a merchant callback with one argument. Whatever it throws is reported on the console and
/// swallowed, so a broken callback never breaks the button or the page. Returns its result.
pub fn call_callback(callback: Option<&Function>, argument: &JsValue) -> Option<JsValue> {
    let callback = callback?;
    match callback.call1(&JsValue::NULL, argument) {
        Ok(result) => Some(result),
        Err(thrown) => {
            web_sys::console::error_2(&"fps-checkout: a callback threw:".into(), &thrown);
            None
        }
    }
}

/// A plain object `{key: value, ...}` from string pairs.
pub fn object(entries: &[(&str, JsValue)]) -> JsValue {
    let object = js_sys::Object::new();
    for (key, value) in entries {
        let _ = Reflect::set(&object, &JsValue::from_str(key), value);
    }
    object.into()
}

/// `Some(string)` as a JS string, `None` as `null`.
pub fn string_or_null(value: Option<&str>) -> JsValue {
    value.map_or(JsValue::NULL, JsValue::from_str)
}

#[wasm_bindgen]
extern "C" {
    /// The global `window`; `None` where there is none (a worker, Node).
    #[wasm_bindgen(thread_local_v2, js_name = window)]
    static WINDOW: Option<Window>;
}

/// The page's `window`, if any. Read from the one global that holds it: web-sys's `window()`
/// looks through `globalThis`, `self`, `window` and `global` first (four imports and their
/// lazy cells in the module).
pub fn page_window() -> Option<Window> {
    WINDOW.with(Clone::clone)
}
