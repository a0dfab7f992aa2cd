//! Reads each request's body before the request counts as in flight: a client trickling a body
//! holds a connection and a timer, never one of the `max_in_flight` slots, so such clients cannot
//! make every route, `/healthz` included, answer 503.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, HttpBody as _};
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use tower::ServiceExt as _;

use super::error::ApiError;

/// Why a body could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    /// The whole body did not arrive in time.
    #[error("the request body did not arrive within {0:?}")]
    Timeout(Duration),
    /// The body is larger than the server takes.
    #[error("the request body is too large")]
    TooLarge,
    /// The connection failed while the body was read.
    #[error("the request body broke off")]
    Broken,
}

impl IntoResponse for BodyError {
    fn into_response(self) -> Response {
        let (status, code) = match self {
            BodyError::Timeout(_) => (StatusCode::REQUEST_TIMEOUT, "BODY_TIMEOUT"),
            BodyError::TooLarge => {
                return ApiError::Rejected {
                    status: StatusCode::PAYLOAD_TOO_LARGE,
                    message: self.to_string(),
                }
                .into_response()
            }
            BodyError::Broken => (StatusCode::BAD_REQUEST, "INVALID_BODY"),
        };
        let body = Json(serde_json::json!({ "error": { "code": code, "message": self.to_string() } }));
        let mut response = (status, body).into_response();
        // The rest of the body is never read: the connection cannot carry another request.
        response
            .headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
        response
    }
}

/// Reads `body` whole: at most `max` bytes, within `timeout`.
pub async fn read_body(body: Body, max: usize, timeout: Duration) -> Result<Body, BodyError> {
    let mut body = body;
    let read = async move {
        let mut bytes: Vec<u8> = Vec::new();
        while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
            let Ok(data) = frame.map_err(|_| BodyError::Broken)?.into_data() else {
                continue;
            };
            if bytes.len() + data.len() > max {
                return Err(BodyError::TooLarge);
            }
            bytes.extend_from_slice(&data);
        }
        Ok(Body::from(bytes))
    };
    tokio::time::timeout(timeout, read)
        .await
        .map_err(|_| BodyError::Timeout(timeout))?
}

/// The service that reads a request's body (see the module) and then hands the request, with
/// the body in memory, to the service it wraps. Requests without a body, and bodies whose
/// declared length is over the limit (refused unread further in), pass straight through.
#[derive(Debug, Clone)]
pub struct ReadBodyFirst<S> {
    /// The wrapped service (the in-flight limit and everything inside it).
    pub inner: S,
    /// Largest body read.
    pub max_bytes: usize,
    /// Time for the whole body.
    pub timeout: Duration,
}

impl<S> tower::Service<Request> for ReadBodyFirst<S>
where
    S: tower::Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    // Ready at once: the wrapped service is asked only once the body is in, so a slow body
    // never waits holding its readiness (an in-flight slot).
    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let inner = self.inner.clone();
        let (max, timeout) = (self.max_bytes, self.timeout);
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let declared = parts
                .headers
                .get(header::CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
            let over = declared.is_some_and(|n| n > max as u64);
            let body = if body.is_end_stream() || over {
                body
            } else {
                match read_body(body, max, timeout).await {
                    Ok(body) => body,
                    Err(error) => {
                        tracing::debug!(%error, path = %parts.uri.path(), "request body refused");
                        return Ok(error.into_response());
                    }
                }
            };
            inner.oneshot(Request::from_parts(parts, body)).await
        })
    }
}
