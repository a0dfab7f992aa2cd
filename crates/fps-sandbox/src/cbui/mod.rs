//! The Co-Branded UI: `GET /cobranded-ui/actions/start` checks the caller's Signature Version 2
//! signature and every pipeline parameter, then the shopper signs in as a sandbox account and
//! confirms or cancels; the browser is sent back (303) to `returnURL` with the RSA-SHA1 signed
//! result (`fps-protocol.md` sections 3 and 4).

mod accounts;
mod flow;

pub(crate) use accounts::find_account;
pub mod landing;
pub mod pages;
mod start;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use crate::state::SandboxState;
use fps_core::canonical::{decode_query, reject_duplicates, PlusIs};

/// Path of the CBUI start URL.
pub const START_PATH: &str = "/cobranded-ui/actions/start";

/// An HTML page with the no-script CSP.
pub fn html(status: StatusCode, body: String) -> Response {
    let mut response = (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response();
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(pages::CSP),
    );
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The error page.
pub fn error_page(status: StatusCode, message: &str) -> Response {
    html(status, pages::error(message))
}

/// A 303 redirect to the landing URL.
pub fn redirect(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => {
            let mut response = StatusCode::SEE_OTHER.into_response();
            response.headers_mut().insert(header::LOCATION, value);
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Err(_) => error_page(StatusCode::BAD_REQUEST, "The return URL cannot be used."),
    }
}

/// `GET /cobranded-ui/actions/start`.
pub async fn start(State(state): State<Arc<SandboxState>>, headers: HeaderMap, uri: Uri) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    start::start(&state, host, uri.query().unwrap_or("")).await
}

fn form(body: &Bytes) -> Option<Vec<(String, String)>> {
    let text = std::str::from_utf8(body).ok()?;
    let pairs = decode_query(text, PlusIs::Space).ok()?;
    reject_duplicates(&pairs).ok()?;
    Some(pairs)
}

/// `POST /cobranded-ui/actions/signin`.
pub async fn sign_in(State(state): State<Arc<SandboxState>>, body: Bytes) -> Response {
    match form(&body) {
        Some(pairs) => flow::sign_in(&state, &pairs).await,
        None => error_page(StatusCode::BAD_REQUEST, "The form could not be read."),
    }
}

/// `POST /cobranded-ui/actions/confirm`.
pub async fn confirm(State(state): State<Arc<SandboxState>>, body: Bytes) -> Response {
    match form(&body) {
        Some(pairs) => flow::confirm(&state, &pairs).await,
        None => error_page(StatusCode::BAD_REQUEST, "The form could not be read."),
    }
}
