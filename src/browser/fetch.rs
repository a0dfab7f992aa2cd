//! POST over `window.fetch` with a timeout (AbortController) and an optional retry with backoff.

use alloc::rc::Rc;
use alloc::{borrow::ToOwned, string::String};
use core::cell::Cell;

use js_sys::{Function, Promise};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Headers, RequestCredentials, RequestInit, Response, Window};

use super::error::{BrowserError, FetchError};

/// Longest part of an error body quoted back to the developer.
const DETAIL_LIMIT: usize = 200;

/// Which cookies travel with the request (`RequestInit.credentials`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Credentials {
    /// Cookies only to the page's own origin (the default).
    #[default]
    SameOrigin,
    /// Cookies also cross-origin (the endpoint must allow credentials in CORS).
    Include,
    /// Never cookies.
    Omit,
}

impl Credentials {
    /// Parses `same-origin`, `include` or `omit`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "same-origin" => Some(Credentials::SameOrigin),
            "include" => Some(Credentials::Include),
            "omit" => Some(Credentials::Omit),
            _ => None,
        }
    }

    fn to_web(self) -> RequestCredentials {
        match self {
            Credentials::SameOrigin => RequestCredentials::SameOrigin,
            Credentials::Include => RequestCredentials::Include,
            Credentials::Omit => RequestCredentials::Omit,
        }
    }
}

/// One POST: where, what, and how long to wait.
#[derive(Debug, Clone)]
pub struct Post<'a> {
    /// The endpoint URL (absolute or relative to the page).
    pub url: &'a str,
    /// The request body, sent as is.
    pub body: &'a str,
    /// The `Content-Type` header.
    pub content_type: &'static str,
    /// Cookie policy.
    pub credentials: Credentials,
    /// Time allowed for the whole exchange, body included.
    pub timeout_ms: u32,
}

/// The page's `window`, or an error naming what is missing.
pub fn window() -> Result<Window, BrowserError> {
    web_sys::window()
        .ok_or_else(|| BrowserError::Environment("no `window`: call this in a browser page".into()))
}

/// A short text for a thrown JS value (its `message`, or the string itself).
pub fn describe(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| "network error".into())
}

/// Sends one POST and returns the body of a 2xx answer. A missing browser API reads as
/// [`FetchError::Unreachable`] naming it.
pub async fn post_once(post: &Post<'_>) -> Result<String, FetchError> {
    let unreachable = |reason: String| FetchError::Unreachable {
        url: post.url.to_owned(),
        reason,
    };
    let window = window().map_err(|e| unreachable(e.message()))?;
    let controller = AbortController::new().map_err(|e| unreachable(describe(&e)))?;
    let timed_out = Rc::new(Cell::new(false));
    let on_timeout = {
        let (timed_out, controller) = (timed_out.clone(), controller.clone());
        Closure::<dyn FnMut()>::new(move || {
            timed_out.set(true);
            controller.abort();
        })
    };
    let timer = window
        .set_timeout_with_callback_and_timeout_and_arguments_0(
            on_timeout.as_ref().unchecked_ref(),
            i32::try_from(post.timeout_ms).unwrap_or(i32::MAX),
        )
        .map_err(|e| unreachable(describe(&e)))?;
    let result = exchange(&window, post, &controller).await;
    window.clear_timeout_with_handle(timer);
    drop(on_timeout);
    match result {
        Ok(answer) => answer,
        Err(_) if timed_out.get() => Err(FetchError::Timeout {
            url: post.url.to_owned(),
            ms: post.timeout_ms,
        }),
        Err(error) => Err(unreachable(describe(&error))),
    }
}

/// The fetch itself; `Err` is a rejected promise, `Ok(Err)` an HTTP error status.
async fn exchange(
    window: &Window,
    post: &Post<'_>,
    controller: &AbortController,
) -> Result<Result<String, FetchError>, JsValue> {
    let headers = Headers::new()?;
    headers.set("Content-Type", post.content_type)?;
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_body(&JsValue::from_str(post.body));
    init.set_headers(&headers);
    init.set_credentials(post.credentials.to_web());
    init.set_signal(Some(&controller.signal()));
    let response: Response = JsFuture::from(window.fetch_with_str_and_init(post.url, &init))
        .await?
        .dyn_into()?;
    let text = JsFuture::from(response.text()?)
        .await?
        .as_string()
        .unwrap_or_default();
    if response.ok() {
        return Ok(Ok(text));
    }
    let snippet: String = text
        .chars()
        .filter(|c| !c.is_control())
        .take(DETAIL_LIMIT)
        .collect();
    Ok(Err(FetchError::Status {
        url: post.url.to_owned(),
        status: response.status(),
        detail: if snippet.is_empty() {
            String::new()
        } else {
            [": ", &snippet].concat()
        },
    }))
}

/// Sends a POST and, if the first try fails in a retriable way ([`FetchError::is_retriable`]),
/// waits `backoff_ms` and tries once more.
pub async fn post_with_retry(post: &Post<'_>, backoff_ms: u32) -> Result<String, FetchError> {
    match post_once(post).await {
        Err(error) if error.is_retriable() => {
            sleep(backoff_ms).await.map_err(|e| FetchError::Unreachable {
                url: post.url.to_owned(),
                reason: e.message(),
            })?;
            post_once(post).await
        }
        answer => answer,
    }
}

/// Resolves after `ms` milliseconds.
pub async fn sleep(ms: u32) -> Result<(), BrowserError> {
    let window = window()?;
    let delay = i32::try_from(ms).unwrap_or(i32::MAX);
    let mut scheduled = Ok(0);
    let promise = Promise::new(&mut |resolve: Function, _reject: Function| {
        scheduled = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, delay);
    });
    scheduled.map_err(|e| BrowserError::Environment(describe(&e)))?;
    JsFuture::from(promise)
        .await
        .map(|_| ())
        .map_err(|e| BrowserError::Environment(describe(&e)))
}
