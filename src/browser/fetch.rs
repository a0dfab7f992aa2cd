//! POST over `window.fetch` with a timeout (AbortController) and an optional retry with backoff.
//!
//! Callbacks on the promises rather than `async`/`await`: no future executor or async state
//! machines in the module (their cost: BENCHMARKS.md, "Size notes"), and one closure type for
//! every step of an exchange.

use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::RefCell;

use js_sys::Promise;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{AbortController, RequestInit, Response, Window};

use super::error::{BrowserError, FetchError};
use super::guard::{Callback, Timeout};
use super::js::object;
use fps_core::text::concat;

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

    /// The `RequestInit.credentials` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Credentials::SameOrigin => "same-origin",
            Credentials::Include => "include",
            Credentials::Omit => "omit",
        }
    }
}

/// One POST: where, what, and how long to wait.
#[derive(Debug, Clone)]
pub struct Post {
    /// The endpoint URL (absolute or relative to the page).
    pub url: String,
    /// The request body, sent as is.
    pub body: String,
    /// The `Content-Type` header.
    pub content_type: &'static str,
    /// Cookie policy.
    pub credentials: Credentials,
    /// Time allowed for the whole exchange, body included.
    pub timeout_ms: u32,
}

/// The page's `window`, or an error naming what is missing.
pub fn window() -> Result<Window, BrowserError> {
    crate::browser::js::page_window()
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

/// What a finished POST calls, once: the body of a 2xx answer, or the failure.
pub type Done = Box<dyn FnOnce(Result<String, FetchError>)>;

/// The step of an exchange a callback stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// `fetch` resolved with the response.
    Response,
    /// `response.text()` resolved with the body.
    Body,
    /// A promise rejected (network failure, CORS, or the abort of the timeout).
    Failed,
    /// The timer fired.
    Timeout,
}

/// One POST in flight.
struct Exchange {
    post: Rc<Post>,
    /// Taken by the first step that finishes the exchange; later steps find `None`.
    done: Option<Done>,
    controller: AbortController,
    /// The timeout; dropping it (when the exchange ends) clears the timer.
    timer: Option<Timeout>,
    timed_out: bool,
    /// The status of the response, once it came.
    status: u16,
    ok: bool,
    /// The promise callbacks, kept alive until the exchange ends (then dropped, breaking the
    /// cycle they form with this state).
    callbacks: Vec<Callback>,
}

type Shared = Rc<RefCell<Exchange>>;

/// What runs `step` of `exchange`.
fn step(exchange: &Shared, step: Step) -> impl FnMut(JsValue) + 'static {
    let this = exchange.clone();
    move |value: JsValue| on_step(&this, step, value)
}

/// Calls `on_ok` or `on_failed` when `promise` settles; both live as long as the exchange.
fn settle(exchange: &Shared, promise: &Promise, on_ok: Step) {
    let ok = Callback::new(step(exchange, on_ok));
    let failed = Callback::new(step(exchange, Step::Failed));
    let _ = promise.then2(&ok, &failed);
    let mut state = exchange.borrow_mut();
    state.callbacks.push(ok);
    state.callbacks.push(failed);
}

/// Sends one POST and calls `done` once with the body of a 2xx answer or the failure. A missing
/// browser API reads as [`FetchError::Unreachable`] naming it.
pub fn post_once(post: Rc<Post>, done: Done) {
    let unreachable = |post: &Post, reason: String| FetchError::Unreachable {
        url: post.url.clone(),
        reason,
    };
    let window = match window() {
        Ok(window) => window,
        Err(error) => return done(Err(unreachable(&post, error.message()))),
    };
    let controller = match AbortController::new() {
        Ok(controller) => controller,
        Err(error) => return done(Err(unreachable(&post, describe(&error)))),
    };
    let init = match request_init(&post, &controller) {
        Ok(init) => init,
        Err(error) => return done(Err(unreachable(&post, describe(&error)))),
    };
    let exchange: Shared = Rc::new(RefCell::new(Exchange {
        post: post.clone(),
        done: Some(done),
        controller,
        timer: None,
        timed_out: false,
        status: 0,
        ok: false,
        callbacks: Vec::new(),
    }));
    let timer = Timeout::new(post.timeout_ms, Callback::new(step(&exchange, Step::Timeout)));
    exchange.borrow_mut().timer = Some(timer);
    settle(
        &exchange,
        &window.fetch_with_str_and_init(&post.url, &init),
        Step::Response,
    );
}

/// The `fetch` options as a plain object (its dictionary setters would each be one more import).
fn request_init(post: &Post, controller: &AbortController) -> Result<RequestInit, JsValue> {
    let headers = object(&[("Content-Type", JsValue::from_str(post.content_type))]);
    let init = object(&[
        ("method", JsValue::from_str("POST")),
        ("body", JsValue::from_str(&post.body)),
        ("headers", headers),
        ("credentials", JsValue::from_str(post.credentials.as_str())),
        ("signal", controller.signal().into()),
    ]);
    Ok(init.unchecked_into())
}

fn on_step(exchange: &Shared, step: Step, value: JsValue) {
    let post = {
        let state = exchange.borrow();
        if state.done.is_none() {
            return;
        }
        state.post.clone()
    };
    match step {
        Step::Timeout => {
            let controller = {
                let mut state = exchange.borrow_mut();
                state.timed_out = true;
                state.controller.clone()
            };
            // The pending promise rejects with an AbortError: `Failed` reports the timeout.
            controller.abort();
        }
        Step::Response => {
            let Ok(response) = value.dyn_into::<Response>() else {
                return on_step(exchange, Step::Failed, JsValue::from_str("no Response"));
            };
            {
                let mut state = exchange.borrow_mut();
                state.status = response.status();
                state.ok = response.ok();
            }
            match response.text() {
                Ok(text) => settle(exchange, &text, Step::Body),
                Err(error) => on_step(exchange, Step::Failed, error),
            }
        }
        Step::Body => {
            let text = value.as_string().unwrap_or_default();
            let (ok, status) = {
                let s = exchange.borrow();
                (s.ok, s.status)
            };
            if ok {
                return finish(exchange, Ok(text));
            }
            let snippet: String = text
                .chars()
                .filter(|c| !c.is_control())
                .take(DETAIL_LIMIT)
                .collect();
            finish(
                exchange,
                Err(FetchError::Status {
                    url: post.url.clone(),
                    status,
                    detail: if snippet.is_empty() {
                        String::new()
                    } else {
                        concat(&[": ", &snippet])
                    },
                }),
            );
        }
        Step::Failed => {
            let timed_out = exchange.borrow().timed_out;
            let error = if timed_out {
                FetchError::Timeout {
                    url: post.url.clone(),
                    ms: post.timeout_ms,
                }
            } else {
                FetchError::Unreachable {
                    url: post.url.clone(),
                    reason: describe(&value),
                }
            };
            finish(exchange, Err(error));
        }
    }
}

/// Ends the exchange: stops the timer, drops the callbacks, and calls `done` once.
fn finish(exchange: &Shared, result: Result<String, FetchError>) {
    let mut state = exchange.borrow_mut();
    let Some(done) = state.done.take() else {
        return;
    };
    // Dropping a closure while it runs is safe: wasm-bindgen frees it when the call returns.
    let ended = (state.timer.take(), core::mem::take(&mut state.callbacks));
    drop(state);
    drop(ended);
    done(result);
}

/// Sends a POST and, if the first try fails in a retriable way ([`FetchError::is_retriable`]),
/// waits `backoff_ms` and tries once more; calls `done` once with the final answer.
pub fn post_with_retry(post: Rc<Post>, backoff_ms: u32, done: Done) {
    let again = post.clone();
    post_once(
        post,
        Box::new(move |answer| match answer {
            Err(error) if error.is_retriable() => later(backoff_ms, Box::new(move || post_once(again, done))),
            answer => done(answer),
        }),
    );
}

/// Runs `then` after `ms` milliseconds (at once if no timer can be set).
pub fn later(ms: u32, then: Box<dyn FnOnce()>) {
    // Taking the (absent) argument gives the timer the module's one closure signature,
    // `FnMut(JsValue)`, instead of a shim of its own.
    let run = Closure::once_into_js(move |_: JsValue| then());
    let delay = i32::try_from(ms).unwrap_or(i32::MAX);
    let scheduled = crate::browser::js::page_window().is_some_and(|window| {
        window
            .set_timeout_with_callback_and_timeout_and_arguments_0(run.unchecked_ref(), delay)
            .is_ok()
    });
    if !scheduled {
        let _ = run.unchecked_ref::<js_sys::Function>().call0(&JsValue::NULL);
    }
}
