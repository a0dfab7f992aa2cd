//! The return page's exports (feature `return-page`): `parseReturn` and `completeReturn`.

use alloc::boxed::Box;
use alloc::{borrow::ToOwned, string::String};
use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;

use super::{invalid, js_error, text};
use crate::browser::return_page::{self, DEFAULT_VERIFY_TIMEOUT_MS};
use fps_core::text::parse_digits;

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
