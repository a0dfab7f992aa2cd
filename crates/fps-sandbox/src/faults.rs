//! The emulator's fault mode: makes the Query API slow, down, answer 5xx, an FPS error code of
//! the test's choosing, or truncated or malformed XML, switched at run time through
//! `POST /sandbox/faults` (bearer token, off unless a fault token is configured), so a merchant
//! can watch its backend meet a failing FPS. A fault may be limited to some actions and to the
//! next `times` calls of them. With a fault token the switch also counts the Query API calls
//! per action (`GET /sandbox/faults` shows them), so a test can see what its backend sent.
//!
//! Faults that let the call through (`slow`, `truncated`, `malformed`) apply it first and spoil
//! only the answer: the charge happened, the caller cannot know it. Faults that stop the call
//! (`down`, `5xx`, `error`) change nothing.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use super::error::{ErrorCode, FpsError};
use super::state::SandboxState;
use fps_core::canonical::{decode_query, PlusIs};

/// The path of the switch.
pub const FAULTS_PATH: &str = "/sandbox/faults";

/// Longest delay of `slow`, so a forgotten fault cannot hold connections for ever.
pub const MAX_DELAY_MS: u64 = 120_000;

/// Most action names one fault may be limited to.
const MAX_ACTIONS: usize = 16;

/// Most distinct action names counted; calls of further names count under [`OTHER_ACTIONS`].
const MAX_COUNTED: usize = 64;

/// The count of calls whose action is unknown, malformed or beyond [`MAX_COUNTED`] names.
pub const OTHER_ACTIONS: &str = "(other)";

/// What the Query API does wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum FaultMode {
    /// Nothing: answers as usual.
    #[default]
    #[serde(rename = "none")]
    None,
    /// Applies the call, then waits `delayMs` before answering.
    #[serde(rename = "slow")]
    Slow,
    /// Closes the connection without an answer; nothing is applied.
    #[serde(rename = "down")]
    Down,
    /// Answers `status` (500 by default) with FPS's `InternalError` envelope, or with `html` an HTML
    /// page; nothing is applied.
    #[serde(rename = "5xx")]
    ServerError,
    /// Answers FPS's error envelope with `code` (an FPS error code such as
    /// `InvalidTransactionState`) at that code's HTTP status; nothing is applied.
    #[serde(rename = "error")]
    Error,
    /// Applies the call, then answers the first half of its XML (a valid HTTP message).
    #[serde(rename = "truncated")]
    Truncated,
    /// Applies the call, then answers 200 with XML that does not parse.
    #[serde(rename = "malformed")]
    Malformed,
}

/// The fault in force, as set and as shown by `POST`/`GET /sandbox/faults`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Fault {
    /// What goes wrong.
    pub mode: FaultMode,
    /// The wait of `slow`, in milliseconds (at most [`MAX_DELAY_MS`]).
    #[serde(default)]
    pub delay_ms: u64,
    /// The HTTP status of `5xx` (500 to 599; 500 when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// `5xx` answers an HTML page instead of FPS's envelope, as a proxy or load balancer in
    /// front of FPS would (only with `5xx`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub html: bool,
    /// The FPS error code of `error` (required there, refused with any other mode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Only these actions (`Pay`, `VerifySignature`, ...) are spoilt; all when empty.
    #[serde(default)]
    pub actions: Vec<String>,
    /// Only the next this many calls (of `actions`) are spoilt, then the fault ends (mode
    /// `none`); for ever when absent. 1 to [`MAX_TIMES`]; counts down as calls arrive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u32>,
}

/// Most calls one fault may be limited to by `times`.
pub const MAX_TIMES: u32 = 1000;

impl Fault {
    /// Checks the bounds; says what is wrong.
    pub fn check(&self) -> Result<(), String> {
        if self.delay_ms > MAX_DELAY_MS {
            return Err(format!("delayMs must be at most {MAX_DELAY_MS}"));
        }
        if self.mode == FaultMode::Slow && self.delay_ms == 0 {
            return Err("mode slow needs delayMs greater than 0".into());
        }
        match (self.mode, self.code.as_deref()) {
            (FaultMode::Error, Some(code)) if ErrorCode::from_fixed(code).is_none() => {
                return Err(
                    "code must be an FPS error code the sandbox knows, such as InvalidTransactionState"
                        .into(),
                )
            }
            (FaultMode::Error, None) => return Err("mode error needs code".into()),
            (FaultMode::Error, Some(_)) | (_, None) => {}
            (_, Some(_)) => return Err("code is only for mode error".into()),
        }
        if self.html && self.mode != FaultMode::ServerError {
            return Err("html is only for mode 5xx".into());
        }
        if self.times.is_some_and(|t| t == 0 || t > MAX_TIMES) {
            return Err(format!("times must be 1 to {MAX_TIMES}"));
        }
        if let Some(status) = self.status {
            if !(500..=599).contains(&status) {
                return Err("status must be 500 to 599".into());
            }
        }
        if self.actions.len() > MAX_ACTIONS
            || self
                .actions
                .iter()
                .any(|a| a.is_empty() || a.len() > 64 || !a.bytes().all(|b| b.is_ascii_alphanumeric()))
        {
            return Err(format!(
                "actions must be at most {MAX_ACTIONS} action names (ASCII letters and digits)"
            ));
        }
        Ok(())
    }

    fn applies_to(&self, action: Option<&str>) -> bool {
        self.mode != FaultMode::None
            && (self.actions.is_empty() || action.is_some_and(|a| self.actions.iter().any(|x| x == a)))
    }
}

/// The switch shared by the handlers: the fault in force and the calls counted per action.
#[derive(Debug, Default)]
pub struct FaultSwitch(Mutex<SwitchState>);

#[derive(Debug, Default)]
struct SwitchState {
    fault: Fault,
    calls: BTreeMap<String, u64>,
}

impl FaultSwitch {
    fn lock(&self) -> std::sync::MutexGuard<'_, SwitchState> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The fault in force.
    pub fn current(&self) -> Fault {
        self.lock().fault.clone()
    }

    /// Puts `fault` in force.
    pub fn set(&self, fault: Fault) {
        self.lock().fault = fault;
    }

    /// How many Query API calls of `action` arrived since the start (faulty ones included;
    /// counted only when `counting` was asked of [`FaultSwitch::for_request`]).
    pub fn calls(&self, action: &str) -> u64 {
        self.lock().calls.get(action).copied().unwrap_or(0)
    }

    /// Every count, by action name.
    pub fn all_calls(&self) -> BTreeMap<String, u64> {
        self.lock().calls.clone()
    }

    /// The fault that applies to this Query API request, if any (a fault limited by `times`
    /// is used up by it). With `counting` (a fault token is configured) the call is counted.
    pub fn for_request(&self, method: &Method, uri: &Uri, body: &[u8], counting: bool) -> Option<Fault> {
        let mut switch = self.lock();
        if switch.fault.mode == FaultMode::None && !counting {
            return None;
        }
        let raw = if method == Method::POST {
            std::str::from_utf8(body).unwrap_or("")
        } else {
            uri.query().unwrap_or("")
        };
        let action = decode_query(raw, PlusIs::Space)
            .ok()
            .and_then(|pairs| pairs.into_iter().find(|(n, _)| n == "Action").map(|(_, v)| v));
        if counting {
            let known = action
                .as_deref()
                .filter(|a| !a.is_empty() && a.len() <= 64 && a.bytes().all(|b| b.is_ascii_alphanumeric()))
                .filter(|a| switch.calls.contains_key(*a) || switch.calls.len() < MAX_COUNTED);
            let name = known.unwrap_or(OTHER_ACTIONS).to_owned();
            *switch.calls.entry(name).or_insert(0) += 1;
        }
        if !switch.fault.applies_to(action.as_deref()) {
            return None;
        }
        let fault = switch.fault.clone();
        match switch.fault.times {
            Some(left) if left <= 1 => switch.fault = Fault::default(),
            Some(left) => switch.fault.times = Some(left - 1),
            None => {}
        }
        Some(fault)
    }
}

/// An answer given instead of the real one, before the call is applied.
pub fn refuse(fault: &Fault, request_id: &str) -> Option<Response> {
    match fault.mode {
        FaultMode::Down => Some(hang_up()),
        FaultMode::ServerError if fault.html => {
            let status = StatusCode::from_u16(fault.status.unwrap_or(500))
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let page = format!("<html><body><h1>{status}</h1></body></html>");
            Some((status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response())
        }
        FaultMode::ServerError => {
            let error = FpsError::new(
                ErrorCode::InternalError,
                "We encountered an internal error. Please try again. (sandbox fault)",
            );
            let mut reply = super::api::error_reply(&error, request_id);
            reply.status = fault.status.unwrap_or(500);
            Some(reply.into_response())
        }
        FaultMode::Error => {
            let code = fault.code.as_deref().and_then(ErrorCode::from_fixed)?;
            let message = format!("{code} (sandbox fault)");
            let error = FpsError::new(code, message);
            Some(super::api::error_reply(&error, request_id).into_response())
        }
        _ => None,
    }
}

/// Spoils the real answer of an applied call.
pub async fn spoil(fault: &Fault, status: StatusCode, body: String) -> Response {
    let xml = |status: StatusCode, body: String| {
        (status, [(header::CONTENT_TYPE, "text/xml; charset=utf-8")], body).into_response()
    };
    match fault.mode {
        FaultMode::Slow => {
            tokio::time::sleep(Duration::from_millis(fault.delay_ms)).await;
            xml(status, body)
        }
        FaultMode::Truncated => {
            let mut cut = body.len() / 2;
            while !body.is_char_boundary(cut) {
                cut -= 1;
            }
            xml(status, body[..cut].to_owned())
        }
        FaultMode::Malformed => xml(
            StatusCode::OK,
            "<?xml version=\"1.0\"?>\n<PayResponse><PayResult><TransactionId>&bogus;</PayResult>\
             <Unclosed attr=unquoted></Response>"
                .to_owned(),
        ),
        _ => xml(status, body),
    }
}

/// A response whose body fails at once: the server closes the connection before the status line
/// reaches the client, as a service that is down or resets connections would.
fn hang_up() -> Response {
    let failing = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "sandbox fault: down",
        ))
    });
    Response::new(Body::from_stream(failing))
}

/// The refusal of a test-control request that does not carry the configured fault token as
/// bearer token: 404 when no token is configured (`what`, e.g. "fault switch", does not exist),
/// 401 when it is missing or wrong; `None` lets it through. Shared by the fault switch and the
/// test clock.
pub fn refusal(state: &SandboxState, headers: &HeaderMap, what: &str) -> Option<Response> {
    let answer = |status: StatusCode, value: serde_json::Value| (status, Json(value)).into_response();
    let Some(token) = &state.config.fault_token else {
        return Some(answer(
            StatusCode::NOT_FOUND,
            serde_json::json!({ "error": format!("the {what} is off: start the sandbox with a fault token") }),
        ));
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if !bool::from(given.as_bytes().ct_eq(token.expose())) {
        let mut response = answer(
            StatusCode::UNAUTHORIZED,
            serde_json::json!({ "error": "a valid fault bearer token is required" }),
        );
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer"),
        );
        return Some(response);
    }
    None
}

/// `GET` and `POST /sandbox/faults`: shows or sets the fault, given the configured bearer token.
/// Without a configured token the switch does not exist (404).
pub async fn switch(
    State(state): State<Arc<SandboxState>>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let answer = |status: StatusCode, value: serde_json::Value| (status, Json(value)).into_response();
    if let Some(refused) = refusal(&state, &headers, "fault switch") {
        return refused;
    }
    if method == Method::POST {
        let fault: Fault = match serde_json::from_slice(&body) {
            Ok(fault) => fault,
            Err(e) => {
                let message: String = e.to_string().chars().take(300).collect();
                return answer(StatusCode::BAD_REQUEST, serde_json::json!({ "error": message }));
            }
        };
        if let Err(message) = fault.check() {
            return answer(StatusCode::BAD_REQUEST, serde_json::json!({ "error": message }));
        }
        tracing::warn!(?fault, "sandbox fault set");
        state.faults.set(fault);
    }
    let mut shown = serde_json::to_value(state.faults.current()).unwrap_or_default();
    if let Some(object) = shown.as_object_mut() {
        object.insert(
            "calls".into(),
            serde_json::to_value(state.faults.all_calls()).unwrap_or_default(),
        );
    }
    answer(StatusCode::OK, shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_checks_faults() {
        let fault: Fault =
            serde_json::from_str(r#"{"mode":"slow","delayMs":1500,"actions":["Pay"]}"#).unwrap();
        assert_eq!(fault.mode, FaultMode::Slow);
        assert!(fault.check().is_ok());
        assert!(fault.applies_to(Some("Pay")));
        assert!(!fault.applies_to(Some("VerifySignature")));
        assert!(!fault.applies_to(None));
        let all: Fault = serde_json::from_str(r#"{"mode":"5xx","status":503}"#).unwrap();
        assert!(all.check().is_ok() && all.applies_to(None));
        for bad in [
            r#"{"mode":"slow"}"#,
            r#"{"mode":"slow","delayMs":999999999}"#,
            r#"{"mode":"5xx","status":404}"#,
            r#"{"mode":"down","actions":["Pay&x"]}"#,
        ] {
            let fault: Fault = serde_json::from_str(bad).unwrap();
            assert!(fault.check().is_err(), "{bad}");
        }
        assert!(serde_json::from_str::<Fault>(r#"{"mode":"fire"}"#).is_err());
        assert!(serde_json::from_str::<Fault>(r#"{"mode":"none","x":1}"#).is_err());
        assert!(!Fault::default().applies_to(Some("Pay")));
    }

    #[test]
    fn finds_the_action_of_get_and_post() {
        let switch = FaultSwitch::default();
        switch.set(Fault {
            mode: FaultMode::Down,
            actions: vec!["Pay".into()],
            ..Fault::default()
        });
        let get: Uri = "/?Action=Pay&x=1".parse().unwrap();
        assert!(switch.for_request(&Method::GET, &get, b"", false).is_some());
        let other: Uri = "/?Action=Refund".parse().unwrap();
        assert!(switch.for_request(&Method::GET, &other, b"", false).is_none());
        let root: Uri = "/".parse().unwrap();
        assert!(switch
            .for_request(&Method::POST, &root, b"Action=Pay", false)
            .is_some());
        switch.set(Fault::default());
        assert!(switch.for_request(&Method::GET, &get, b"", false).is_none());
        assert_eq!(switch.calls("Pay"), 0, "not counted without a fault token");
    }

    #[test]
    fn a_fault_of_times_ends_after_that_many_calls_of_its_actions() {
        let switch = FaultSwitch::default();
        let fault: Fault = serde_json::from_str(
            r#"{"mode":"error","code":"InvalidTransactionState","actions":["Settle"],"times":2}"#,
        )
        .unwrap();
        assert!(fault.check().is_ok());
        switch.set(fault);
        let settle: Uri = "/?Action=Settle".parse().unwrap();
        let pay: Uri = "/?Action=Pay".parse().unwrap();
        assert!(switch.for_request(&Method::GET, &pay, b"", true).is_none());
        let first = switch.for_request(&Method::GET, &settle, b"", true).unwrap();
        assert_eq!(first.code.as_deref(), Some("InvalidTransactionState"));
        assert_eq!(switch.current().times, Some(1));
        assert!(switch.for_request(&Method::GET, &settle, b"", true).is_some());
        assert!(switch.for_request(&Method::GET, &settle, b"", true).is_none());
        assert_eq!(switch.current(), Fault::default(), "used up");
        assert_eq!((switch.calls("Settle"), switch.calls("Pay")), (3, 1));
    }

    #[test]
    fn error_faults_name_a_known_code_and_counts_are_bounded() {
        for bad in [
            r#"{"mode":"error"}"#,
            r#"{"mode":"error","code":"NoSuchCode"}"#,
            r#"{"mode":"5xx","code":"InvalidParams"}"#,
            r#"{"mode":"down","times":0}"#,
            r#"{"mode":"slow","delayMs":5,"html":true}"#,
            r#"{"mode":"down","times":1001}"#,
        ] {
            let fault: Fault = serde_json::from_str(bad).unwrap();
            assert!(fault.check().is_err(), "{bad}");
        }
        let switch = FaultSwitch::default();
        for n in 0..(MAX_COUNTED + 10) {
            let uri: Uri = format!("/?Action=Act{n}").parse().unwrap();
            switch.for_request(&Method::GET, &uri, b"", true);
        }
        let odd: Uri = "/?Action=%3Cscript%3E".parse().unwrap();
        switch.for_request(&Method::GET, &odd, b"", true);
        let calls = switch.all_calls();
        assert_eq!(calls.len(), MAX_COUNTED + 1);
        assert_eq!(calls.get(OTHER_ACTIONS), Some(&11));
    }
}
