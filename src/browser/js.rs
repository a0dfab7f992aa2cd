//! Small bridges to JS shared by the browser module: errors as `Error` objects with a `code`,
//! merchant callbacks that can never throw into us, and console reports.

use js_sys::{Function, Reflect};
use wasm_bindgen::JsValue;

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
