//! The JS API: the only `#[wasm_bindgen]` exports. Thin, camelCase wrappers over `crate::browser`;
//! every failure reaches JS as an `Error` with a stable `code`.

use alloc::boxed::Box;
use alloc::{borrow::ToOwned, string::String, vec::Vec};
use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Element;

use crate::browser::auto_mount::{auto_mount, page_url};
use crate::browser::js::error_to_js;
use crate::browser::options::OPTION_NAMES;
use crate::browser::return_page::{self, DEFAULT_VERIFY_TIMEOUT_MS};
use crate::browser::{BrowserError, Callbacks, Checkout, CheckoutOptions, RawOptions};
use crate::core::text::concat;
use crate::core::text::{decimal, parse_digits};

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** The seven CBUI pipelines. */
export type Pipeline = "SingleUse" | "MultiUse" | "Recurring" | "Recipient" | "SetupPrepaid" | "SetupPostpaid" | "EditToken";

/** Options of `mount`. Amounts are decimal strings ("12.34"), never numbers. */
export interface CheckoutOptions {
  /** The merchant's signing endpoint (POST {"pipeline", "params"} -> {"url", "signature", "signatureMethod"}). */
  signEndpoint: string;
  /** The caller's access key id (callerKey). */
  callerKey: string;
  /** Default "SingleUse". */
  pipeline?: Pipeline;
  /** "sandbox" (default), "production" or a custom CBUI start URL. */
  environment?: "sandbox" | "production" | string;
  /** transactionAmount, e.g. "12.34". */
  amount?: string;
  callerReference?: string;
  /** paymentReason. */
  reason?: string;
  /** returnURL; default: the current page without fragment. */
  returnUrl?: string;
  /** Further CBUI parameters by wire name, e.g. { paymentMethod: "CC" }. */
  params?: Record<string, string>;
  /** Button text and accessible name; default "Pay with Amazon". */
  label?: string;
  size?: "small" | "medium" | "large";
  theme?: "gold" | "dark" | "light";
  /** Cookies on the signing call; default "same-origin". */
  credentials?: "same-origin" | "include" | "omit";
  /** Time allowed for one signing call; default 10000. */
  timeoutMs?: number;
  /** Wait before the one retry; default 500. */
  retryDelayMs?: number;
  onReady?: (detail: { url: string }) => void;
  /** Return false to navigate yourself. */
  onRedirect?: (detail: { url: string }) => void | boolean;
  onError?: (error: FpsCheckoutError) => void;
  /** The shopper came back with the back button. */
  onCancel?: () => void;
}

export type FpsErrorCode =
  | "INVALID_OPTIONS" | "SIGN_ENDPOINT_UNREACHABLE" | "SIGN_ENDPOINT_TIMEOUT" | "SIGN_ENDPOINT_REJECTED"
  | "INVALID_SIGN_RESPONSE" | "TAMPERED_SIGNATURE_RESPONSE" | "INVALID_RETURN"
  | "VERIFY_ENDPOINT_UNREACHABLE" | "VERIFY_ENDPOINT_REJECTED" | "INVALID_VERIFY_RESPONSE"
  | "UNSUPPORTED_ENVIRONMENT";

/** Every error this module throws, rejects with or reports. */
export interface FpsCheckoutError extends Error {
  name: "FpsCheckoutError";
  code: FpsErrorCode;
}

export type CheckoutState = "loading" | "ready" | "redirecting" | "error" | "unmounted";

/** A parsed CBUI return. */
export interface CbuiReturn {
  statusCode: "SA" | "SB" | "SC" | "SR" | "SU" | "SE" | "A" | "CE" | "PE" | "NP" | "NM";
  isSuccess: boolean;
  message: string;
  tokenID: string | null;
  refundTokenID: string | null;
  callerReference: string | null;
  /** MM/YYYY */
  expiry: string | null;
  errorMessage: string | null;
}

export interface CompleteReturnOptions {
  verifyEndpoint: string;
  /** Default: location.search. */
  search?: string;
  /** Default 30000. */
  timeoutMs?: number;
}

/** The backend's verdict, as its verify endpoint answers it. */
export interface ReturnVerdict {
  orderId?: string;
  status?: string;
  transactionStatus?: string;
  message?: string;
  [key: string]: unknown;
}
"#;

fn js_error(error: BrowserError) -> JsValue {
    error_to_js(&error)
}

fn invalid(message: String) -> JsValue {
    js_error(BrowserError::InvalidOptions(message))
}

/// Reads an optional string property; numbers are taken only where `numbers` allows.
fn text(options: &JsValue, key: &str, numbers: bool) -> Result<Option<String>, JsValue> {
    let value = Reflect::get(options, &key.into()).unwrap_or(JsValue::UNDEFINED);
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    if let Some(text) = value.as_string() {
        return Ok(Some(text));
    }
    match value.as_f64() {
        // Whole, non-negative numbers below 2^32 only (no float formatting in the module).
        Some(number)
            if numbers && (0.0..4_294_967_296.0).contains(&number) && number == (number as u32) as f64 =>
        {
            Ok(Some(decimal(u64::from(number as u32))))
        }
        _ => Err(invalid(concat(&["`", key, "` must be a string"]))),
    }
}

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

/// Mounts every `[data-fps-checkout]` and renders every `[data-fps-return]` not yet handled;
/// returns how many buttons were mounted. Never throws: broken elements show their error.
#[wasm_bindgen(js_name = autoMount)]
pub fn auto_mount_js() -> usize {
    auto_mount()
}

/// Parses a CBUI return query (default: `location.search`). Throws `INVALID_RETURN`.
#[wasm_bindgen(js_name = parseReturn, unchecked_return_type = "CbuiReturn")]
pub fn parse_return(search: Option<String>) -> Result<JsValue, JsValue> {
    let search = match search {
        Some(search) => search,
        None => return_page::page_query().map_err(js_error)?,
    };
    return_page::parse_return(&search)
        .map(|parsed| return_page::return_to_js(&parsed))
        .map_err(js_error)
}

/// POSTs the raw return query byte for byte (`text/plain`) to `verifyEndpoint` and resolves with
/// the backend's JSON verdict. Every failure, bad options included, is a rejection.
#[wasm_bindgen(js_name = completeReturn, unchecked_return_type = "Promise<ReturnVerdict>")]
pub fn complete_return(
    #[wasm_bindgen(unchecked_param_type = "CompleteReturnOptions")] options: JsValue,
) -> Promise {
    Promise::new(&mut |resolve: Function, reject: Function| {
        let (endpoint, search, timeout) = match return_request(&options) {
            Ok(request) => request,
            Err(error) => {
                let _ = reject.call1(&JsValue::NULL, &error);
                return;
            }
        };
        return_page::complete_return(
            &endpoint,
            &search,
            timeout,
            Box::new(move |verdict| {
                let _ = match verdict {
                    Ok(verdict) => resolve.call1(&JsValue::NULL, &verdict),
                    Err(error) => reject.call1(&JsValue::NULL, &js_error(error)),
                };
            }),
        );
    })
}

/// The verify endpoint, raw query and timeout of `completeReturn`'s options.
fn return_request(options: &JsValue) -> Result<(String, String, u32), JsValue> {
    if !options.is_object() {
        return Err(invalid("completeReturn() needs { verifyEndpoint }".into()));
    }
    let endpoint = text(options, "verifyEndpoint", false)?
        .filter(|e| !e.is_empty())
        .ok_or_else(|| invalid("`verifyEndpoint` is required".into()))?;
    let search = match text(options, "search", false)? {
        Some(search) => search.strip_prefix("?").unwrap_or(&search).to_owned(),
        None => return_page::page_query().map_err(js_error)?,
    };
    let timeout = match text(options, "timeoutMs", true)? {
        None => DEFAULT_VERIFY_TIMEOUT_MS,
        // As `str::parse::<u32>` reads it: digits, one leading `+` allowed.
        Some(ms) => parse_digits(ms.strip_prefix("+").unwrap_or(&ms))
            .filter(|ms| (1..=120_000).contains(ms))
            .map(|ms| ms as u32)
            .ok_or_else(|| invalid("`timeoutMs` must be 1 to 120000".into()))?,
    };
    Ok((endpoint, search, timeout))
}
