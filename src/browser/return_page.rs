//! The thank-you page: parses what CBUI appended to the returnURL, forwards the raw query byte
//! for byte to the merchant's verify endpoint, and renders the outcome into `[data-fps-return]`.

use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::{borrow::ToOwned, string::String};
use js_sys::{Reflect, JSON};
use wasm_bindgen::JsValue;
use web_sys::Element;

use super::error::BrowserError;
use super::fetch::{describe, post_once, window, Credentials, Post};
use super::js::{console_error, object, string_or_null};
use fps_core::text::concat;
use fps_core::CbuiReturn;

/// Time allowed for the verify call when none is given (it may call FPS and charge).
pub const DEFAULT_VERIFY_TIMEOUT_MS: u32 = 30_000;

/// Parses a CBUI return query (`location.search`, with or without the leading `?`).
pub fn parse_return(search: &str) -> Result<CbuiReturn, BrowserError> {
    CbuiReturn::parse(search).map_err(BrowserError::InvalidReturn)
}

/// The plain JS object of a parsed return: `statusCode`, `isSuccess`, `message`, `tokenID`,
/// `refundTokenID`, `callerReference`, `expiry` (`MM/YYYY`), `errorMessage`.
pub fn return_to_js(parsed: &CbuiReturn) -> JsValue {
    let expiry = parsed.expiry.map(|e| e.text());
    object(&[
        ("statusCode", parsed.status.code().into()),
        ("isSuccess", parsed.is_success().into()),
        ("message", parsed.message().into()),
        (
            "tokenID",
            string_or_null(parsed.token_id.as_ref().map(|t| t.as_str())),
        ),
        (
            "refundTokenID",
            string_or_null(parsed.refund_token_id.as_ref().map(|t| t.as_str())),
        ),
        (
            "callerReference",
            string_or_null(parsed.caller_reference.as_ref().map(|c| c.as_str())),
        ),
        ("expiry", string_or_null(expiry.as_deref())),
        ("errorMessage", string_or_null(parsed.error_message.as_deref())),
    ])
}

/// The page's raw query without the leading `?`, exactly as the browser holds it.
pub fn page_query() -> Result<String, BrowserError> {
    let search = window()?
        .location()
        .search()
        .map_err(|e| BrowserError::Environment(concat(&["location.search: ", &describe(&e)])))?;
    Ok(search.strip_prefix("?").unwrap_or(&search).to_owned())
}

/// POSTs `raw_query` unchanged (`Content-Type: text/plain`) to `verify_endpoint` and calls `done`
/// once with the backend's JSON verdict. Never retried: the backend decides whether a second call
/// may charge.
pub fn complete_return(
    verify_endpoint: &str,
    raw_query: &str,
    timeout_ms: u32,
    done: Box<dyn FnOnce(Result<JsValue, BrowserError>)>,
) {
    if let Err(error) = parse_return(raw_query) {
        return done(Err(error));
    }
    let post = Rc::new(Post {
        url: verify_endpoint.to_owned(),
        body: raw_query.to_owned(),
        content_type: "text/plain",
        credentials: Credentials::SameOrigin,
        timeout_ms,
    });
    post_once(
        post,
        Box::new(move |answer| {
            done(answer.map_err(BrowserError::from_verify).and_then(|body| {
                JSON::parse(&body)
                    .map_err(|_| BrowserError::InvalidVerifyResponse("the body is not JSON".into()))
            }))
        }),
    );
}

fn show(element: &Element, state: &str, text: &str) {
    let _ = element.set_attribute("data-state", state);
    let _ = element.set_attribute("aria-busy", if state == "pending" { "true" } else { "false" });
    element.set_text_content(Some(text));
}

/// Renders the outcome of the page's return into `element`: `pending` while the verify endpoint
/// (`data-verify-endpoint`, optional) answers, then `success` or `failure` with the reason.
pub fn render_return(element: Element) {
    let _ = element.set_attribute("role", "status");
    element.class_list().add_1("fps-return").ok();
    let parsed = match page_query().and_then(|q| parse_return(&q).map(|p| (q, p))) {
        Ok(parsed) => parsed,
        Err(error) => {
            console_error(&error);
            show(&element, "failure", error.shopper_message());
            return;
        }
    };
    let (raw, parsed) = parsed;
    let Some(endpoint) = element.get_attribute("data-verify-endpoint") else {
        let state = if parsed.is_success() { "success" } else { "failure" };
        show(&element, state, &parsed.message());
        return;
    };
    if !parsed.is_success() {
        show(&element, "failure", &parsed.message());
    } else {
        show(&element, "pending", "Confirming your payment…");
    }
    let success = parsed.is_success();
    let fallback = parsed.message();
    complete_return(
        &endpoint,
        &raw,
        DEFAULT_VERIFY_TIMEOUT_MS,
        Box::new(move |verdict| match verdict {
            Ok(verdict) => {
                let message = Reflect::get(&verdict, &"message".into())
                    .ok()
                    .and_then(|m| m.as_string());
                let state = if success { "success" } else { "failure" };
                show(&element, state, message.as_deref().unwrap_or(&fallback));
            }
            Err(error) => {
                console_error(&error);
                show(&element, "failure", error.shopper_message());
            }
        }),
    );
}
