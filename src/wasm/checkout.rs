//! The button's exports (feature `button`): `mount` and the `Checkout` handle it returns.

use alloc::{borrow::ToOwned, string::String, vec::Vec};
use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Element;

use super::{invalid, js_error, text};
use crate::browser::auto_mount::page_url;
use crate::browser::js::error_to_js;
use crate::browser::options::OPTION_NAMES;
use crate::browser::{BrowserError, Callbacks, Checkout, CheckoutOptions, RawOptions};
use fps_core::text::concat;

fn callback(options: &JsValue, key: &str) -> Result<Option<Function>, JsValue> {
    let value = Reflect::get(options, &key.into()).unwrap_or(JsValue::UNDEFINED);
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value
        .dyn_into::<Function>()
        .map(Some)
        .map_err(|_| invalid(concat(&["`", key, "` must be a function"])))
}

fn params(options: &JsValue) -> Result<Vec<(String, String)>, JsValue> {
    let value = Reflect::get(options, &"params".into()).unwrap_or(JsValue::UNDEFINED);
    if value.is_undefined() || value.is_null() {
        return Ok(Vec::new());
    }
    let object = value
        .dyn_into::<Object>()
        .map_err(|_| invalid("`params` must be an object of strings".into()))?;
    // A loop, not `collect::<Result<Vec<_>, _>>()`: the adapter costs a kilobyte of wasm.
    let mut params = Vec::new();
    for entry in Object::entries(&object).iter() {
        let name = Reflect::get_u32(&entry, 0)
            .ok()
            .and_then(|n| n.as_string())
            .unwrap_or_default();
        let value = Reflect::get_u32(&entry, 1)
            .ok()
            .and_then(|v| v.as_string())
            .ok_or_else(|| invalid(concat(&["`params.", &name, "` must be a string"])))?;
        params.push((name, value));
    }
    Ok(params)
}

fn raw_options(options: &JsValue) -> Result<RawOptions, JsValue> {
    if !options.is_object() {
        return Err(invalid("options must be an object".into()));
    }
    // Read in a loop into an array, then moved into place: one error path instead of one per
    // field, each dropping the fields read before it (kilobytes of wasm).
    let mut values: [Option<String>; 14] = Default::default();
    for (value, (key, _)) in values.iter_mut().zip(OPTION_NAMES) {
        *value = text(options, key, matches!(key, "timeoutMs" | "retryDelayMs"))?;
    }
    Ok(RawOptions::from_values(values, params(options)?))
}

fn element(target: JsValue) -> Result<Element, JsValue> {
    if let Some(selector) = target.as_string() {
        let document = crate::browser::js::page_window()
            .and_then(|w| w.document())
            .ok_or_else(|| {
                js_error(BrowserError::Environment(
                    "no document: call mount() in a page".into(),
                ))
            })?;
        return document
            .query_selector(&selector)
            .ok()
            .flatten()
            .ok_or_else(|| invalid(concat(&["no element matches `", &selector, "`"])));
    }
    target
        .dyn_into::<Element>()
        .map_err(|_| invalid("mount() needs a DOM element or a CSS selector".into()))
}

/// A mounted Pay Now button.
#[wasm_bindgen(js_name = Checkout)]
pub struct CheckoutHandle(Checkout);

#[wasm_bindgen(js_class = Checkout)]
impl CheckoutHandle {
    /// `loading`, `ready`, `redirecting`, `error` or `unmounted`.
    #[wasm_bindgen(getter, unchecked_return_type = "CheckoutState")]
    pub fn state(&self) -> String {
        self.0.state().as_str().to_owned()
    }

    /// The signed CBUI URL once ready, else `null`.
    #[wasm_bindgen(getter)]
    pub fn url(&self) -> Option<String> {
        self.0.url()
    }

    /// The failure while in the `error` state, else `null`.
    #[wasm_bindgen(getter, unchecked_return_type = "FpsCheckoutError | null")]
    pub fn error(&self) -> JsValue {
        self.0.error().map_or(JsValue::NULL, |e| error_to_js(&e))
    }

    /// Signs again after a failure.
    pub fn retry(&self) {
        self.0.retry();
    }

    /// Removes the button and its listeners.
    pub fn unmount(&self) {
        self.0.unmount();
    }
}

/// Renders a Pay Now button into `target` (an element or a CSS selector) and signs it at once.
/// Throws `INVALID_OPTIONS` for options that cannot make a valid CBUI request.
#[wasm_bindgen]
pub fn mount(
    #[wasm_bindgen(unchecked_param_type = "Element | string")] target: JsValue,
    #[wasm_bindgen(unchecked_param_type = "CheckoutOptions")] options: JsValue,
) -> Result<CheckoutHandle, JsValue> {
    let element = element(target)?;
    let raw = raw_options(&options)?;
    let checked = CheckoutOptions::from_raw(&raw, &page_url().map_err(js_error)?).map_err(js_error)?;
    let callbacks = Callbacks {
        on_ready: callback(&options, "onReady")?,
        on_redirect: callback(&options, "onRedirect")?,
        on_error: callback(&options, "onError")?,
        on_cancel: callback(&options, "onCancel")?,
    };
    Checkout::mount(element, Ok(checked), callbacks)
        .map(CheckoutHandle)
        .map_err(js_error)
}
