//! The JS API: the only `#[wasm_bindgen]` exports. Thin, camelCase wrappers over `crate::browser`;
//! every failure reaches JS as an `Error` with a stable `code`.
//!
//! Two cargo features choose the exports, so that `scripts/pkg` can build one module per kind of
//! page: `button` (`mount`, the `Checkout` handle: product pages) and `return-page`
//! (`parseReturn`, `completeReturn`: thank-you pages). `autoMount` is in both and handles the
//! elements of the features built in. The default build (and the wasm tests) has both.

use alloc::string::String;
use js_sys::Reflect;
use wasm_bindgen::prelude::*;

use crate::browser::js::error_to_js;
use crate::browser::BrowserError;
use fps_core::text::concat;
use fps_core::text::decimal;

#[cfg(feature = "button")]
mod checkout;
#[cfg(feature = "return-page")]
mod returns;

#[cfg(feature = "button")]
pub use checkout::{mount, CheckoutHandle};
#[cfg(feature = "return-page")]
pub use returns::{complete_return, parse_return};

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

pub(crate) fn js_error(error: BrowserError) -> JsValue {
    error_to_js(&error)
}

pub(crate) fn invalid(message: String) -> JsValue {
    js_error(BrowserError::InvalidOptions(message))
}

/// Reads an optional string property; numbers are taken only where `numbers` allows.
pub(crate) fn text(options: &JsValue, key: &str, numbers: bool) -> Result<Option<String>, JsValue> {
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

/// Mounts every `[data-fps-checkout]` and renders every `[data-fps-return]` not yet handled (of
/// the features built in); returns how many buttons were mounted. Never throws: broken elements
/// show their error.
#[wasm_bindgen(js_name = autoMount)]
pub fn auto_mount_js() -> usize {
    #[cfg(feature = "return-page")]
    crate::browser::auto_mount::render_returns();
    #[cfg(feature = "button")]
    return crate::browser::auto_mount::mount_buttons();
    #[cfg(not(feature = "button"))]
    0
}
