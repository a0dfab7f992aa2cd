//! The HTTP API's one error type: each failure maps to a status and `{"error": {"code", "message"}}`.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;

use super::order::RuleError;
use super::orders::OrderError;
use super::store::StoreError;
use fps_wire::FpsError;

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Malformed input (400).
    #[error("{message}")]
    Invalid {
        /// Stable code.
        code: &'static str,
        /// For people.
        message: String,
    },
    /// No or a wrong admin token (401).
    #[error("a valid admin bearer token is required")]
    Unauthorized,
    /// Well-formed but refused by policy or by FPS's signature check (403).
    #[error("{message}")]
    Forbidden {
        /// Stable code.
        code: &'static str,
        /// For people.
        message: String,
    },
    /// No such thing (404).
    #[error("{message}")]
    NotFound {
        /// Stable code.
        code: &'static str,
        /// For people.
        message: String,
    },
    /// The order is in the wrong state (409).
    #[error("{message}")]
    Conflict {
        /// Stable code.
        code: &'static str,
        /// For people.
        message: String,
    },
    /// FPS declined the payment (402).
    #[error("payment declined by FPS ({fps_code}): {message}")]
    Declined {
        /// FPS's error code.
        fps_code: String,
        /// FPS's message.
        message: String,
    },
    /// FPS failed or could not be reached (502, or 504 on timeout).
    #[error("{context}: {source}")]
    Fps {
        /// What the server was doing, and what became of the order.
        context: String,
        /// The failure.
        source: FpsError,
    },
    /// An extractor refused the request (wrong content type, too large, bad JSON).
    #[error("{message}")]
    Rejected {
        /// The status the rejection carries.
        status: StatusCode,
        /// For people.
        message: String,
    },
    /// Too many requests in flight (503, with `Retry-After`).
    #[error("the server is busy; try again in a moment")]
    Overloaded,
    /// The request's headers are too large (431).
    #[error("the request headers are larger than {max} bytes")]
    HeadersTooLarge {
        /// The limit.
        max: usize,
    },
    /// The path exists, the method does not (405).
    #[error("this endpoint does not take this method")]
    MethodNotAllowed,
    /// The store failed (500; details only in the log).
    #[error("internal error")]
    Store(#[from] StoreError),
}

impl From<RuleError> for ApiError {
    fn from(e: RuleError) -> Self {
        ApiError::Conflict {
            code: match e {
                RuleError::WrongState { .. } => "WRONG_STATE",
                RuleError::TooMuch { .. } => "AMOUNT_TOO_LARGE",
                RuleError::TooManyAttempts { .. } => "TOO_MANY_ATTEMPTS",
            },
            message: e.to_string(),
        }
    }
}

impl From<OrderError> for ApiError {
    fn from(e: OrderError) -> Self {
        match e {
            OrderError::Invalid { code, message } => ApiError::Invalid { code, message },
            OrderError::Forbidden { code, message } => ApiError::Forbidden { code, message },
            OrderError::NotFound { code, message } => ApiError::NotFound { code, message },
            OrderError::Conflict { code, message } => ApiError::Conflict { code, message },
            OrderError::Declined { fps_code, message } => ApiError::Declined { fps_code, message },
            OrderError::Fps { context, source } => ApiError::Fps { context, source },
            OrderError::Rule(e) => e.into(),
            OrderError::Store(e) => ApiError::Store(e),
        }
    }
}

impl ApiError {
    /// The status and code.
    fn parts(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::Invalid { code, .. } => (StatusCode::BAD_REQUEST, code),
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "UNAUTHORIZED"),
            ApiError::Overloaded => (StatusCode::SERVICE_UNAVAILABLE, "OVERLOADED"),
            ApiError::MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED"),
            ApiError::HeadersTooLarge { .. } => {
                (StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, "HEADERS_TOO_LARGE")
            }
            ApiError::Forbidden { code, .. } => (StatusCode::FORBIDDEN, code),
            ApiError::NotFound { code, .. } => (StatusCode::NOT_FOUND, code),
            ApiError::Conflict { code, .. } => (StatusCode::CONFLICT, code),
            ApiError::Declined { .. } => (StatusCode::PAYMENT_REQUIRED, "PAYMENT_DECLINED"),
            ApiError::Fps { source, .. } => match source {
                FpsError::Timeout { .. } => (StatusCode::GATEWAY_TIMEOUT, "FPS_TIMEOUT"),
                FpsError::Service { .. } => (StatusCode::BAD_GATEWAY, "FPS_ERROR"),
                FpsError::Malformed { .. } => (StatusCode::BAD_GATEWAY, "FPS_BAD_RESPONSE"),
                FpsError::Transport(_) | FpsError::Http { .. } => {
                    (StatusCode::BAD_GATEWAY, "FPS_UNAVAILABLE")
                }
            },
            ApiError::Rejected { status, .. } => (
                *status,
                match *status {
                    StatusCode::PAYLOAD_TOO_LARGE => "BODY_TOO_LARGE",
                    StatusCode::REQUEST_TIMEOUT => "REQUEST_TIMEOUT",
                    StatusCode::UNSUPPORTED_MEDIA_TYPE => "UNSUPPORTED_MEDIA_TYPE",
                    _ => "INVALID_BODY",
                },
            ),
            ApiError::Store(StoreError::NotFound(_)) => (StatusCode::NOT_FOUND, "NOT_FOUND"),
            ApiError::Store(StoreError::Conflict { .. }) => (StatusCode::CONFLICT, "WRONG_STATE"),
            ApiError::Store(_) => (StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL"),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.parts();
        let message = match &self {
            // The store's own words: "order is paid, not charging" says what happened.
            ApiError::Store(e @ (StoreError::Conflict { .. } | StoreError::NotFound(_))) => e.to_string(),
            ApiError::Store(e) => {
                tracing::error!(error = %e, "store failure");
                "internal error".to_owned()
            }
            other => other.to_string(),
        };
        if status.is_server_error() {
            tracing::warn!(%status, code, %message, "request failed");
        }
        let body = Json(serde_json::json!({ "error": { "code": code, "message": message } }));
        let mut response = (status, body).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
        }
        response
    }
}

/// A JSON body whose rejections (content type, size, syntax) answer in the API's error format.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !is_plain_json(req.headers()) {
            // Parameters (`; charset=utf-8`), `+json` types, a missing or wrong type: axum decides.
            return Json::<T>::from_request(req, state)
                .await
                .map(|Json(value)| ApiJson(value))
                .map_err(|rejection| rejected(rejection.status(), &rejection.body_text()));
        }
        // The common case, without parsing the media type or tracking the path of every field:
        // the same body limit and rejections as `Json`, and a body that does not decode is
        // decoded again by `Json` for its rejection, whose message names the bad field.
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|rejection| rejected(rejection.status(), &rejection.body_text()))?;
        match serde_json::from_slice(&bytes) {
            Ok(value) => Ok(ApiJson(value)),
            Err(_) => Json::<T>::from_bytes(&bytes)
                .map(|Json(value)| ApiJson(value))
                .map_err(|rejection| rejected(rejection.status(), &rejection.body_text())),
        }
    }
}

/// Whether the request says exactly `Content-Type: application/json` (any letter case).
fn is_plain_json(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().eq_ignore_ascii_case(b"application/json"))
}

/// An extractor's rejection in the API's error format (its text cut at 300 characters).
fn rejected(status: StatusCode, text: &str) -> ApiError {
    ApiError::Rejected {
        status,
        message: text.chars().take(300).collect(),
    }
}

/// A UTF-8 text body, exactly as sent, whose rejections answer in the API's error format.
#[derive(Debug)]
pub struct RawText(pub String);

impl<S: Send + Sync> FromRequest<S> for RawText {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match String::from_request(req, state).await {
            Ok(text) => Ok(RawText(text)),
            Err(rejection) => Err(rejected(rejection.status(), &rejection.body_text())),
        }
    }
}

/// The one `{reference}` segment of an admin path, percent-decoded; a segment that is not UTF-8
/// answers 400 `INVALID_PATH` in the API's error format.
#[derive(Debug)]
pub struct ApiPath(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ApiPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<String>::from_request_parts(parts, state).await {
            Ok(Path(segment)) => Ok(ApiPath(segment)),
            Err(rejection) => Err(ApiError::Invalid {
                code: "INVALID_PATH",
                message: rejection.body_text().chars().take(300).collect(),
            }),
        }
    }
}

/// 404 for every path the API does not have.
pub async fn not_found() -> ApiError {
    ApiError::NotFound {
        code: "NO_SUCH_PATH",
        message: "no such endpoint".to_owned(),
    }
}

/// 405 for a known path with a method it does not take.
pub async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

/// The answer when the in-flight limit sheds a request (the only error the limit layers raise).
pub async fn overloaded(error: tower::BoxError) -> ApiError {
    tracing::warn!(%error, "request shed: too many in flight");
    ApiError::Overloaded
}

/// Largest total of header names and values (plus the URI) a request may carry.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

/// Whether a request's headers and URI together exceed [`MAX_HEADER_BYTES`].
fn head_too_large<B>(request: &axum::http::Request<B>) -> bool {
    let headers: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    let uri = request.uri().path_and_query().map_or(0, |p| p.as_str().len());
    headers + uri > MAX_HEADER_BYTES
}

/// Refuses a request whose headers and URI together exceed [`MAX_HEADER_BYTES`] (431), before
/// the service it wraps sees it. A plain tower layer: no boxed future per request.
#[derive(Debug, Clone, Copy, Default)]
pub struct BoundedHeadLayer;

impl<S> tower::Layer<S> for BoundedHeadLayer {
    type Service = BoundedHead<S>;

    fn layer(&self, inner: S) -> BoundedHead<S> {
        BoundedHead(inner)
    }
}

/// The service of [`BoundedHeadLayer`].
#[derive(Debug, Clone)]
pub struct BoundedHead<S>(S);

impl<S, B> tower::Service<axum::http::Request<B>> for BoundedHead<S>
where
    S: tower::Service<axum::http::Request<B>, Response = Response>,
{
    type Response = Response;
    type Error = S::Error;
    type Future = futures_util::future::Either<std::future::Ready<Result<Response, S::Error>>, S::Future>;

    fn poll_ready(&mut self, cx: &mut std::task::Context<'_>) -> std::task::Poll<Result<(), S::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, request: axum::http::Request<B>) -> Self::Future {
        if head_too_large(&request) {
            let refused = ApiError::HeadersTooLarge {
                max: MAX_HEADER_BYTES,
            }
            .into_response();
            return futures_util::future::Either::Left(std::future::ready(Ok(refused)));
        }
        futures_util::future::Either::Right(self.0.call(request))
    }
}

/// Rewrites the plain-text 413 (body limit) and empty 408 (request timeout) that tower-http
/// layers answer into the API's JSON error format.
pub fn json_layer_errors(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let message = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "the request body is too large",
        StatusCode::REQUEST_TIMEOUT => "the request took too long",
        _ => return response,
    };
    if is_json {
        return response;
    }
    let mut rewritten = ApiError::Rejected {
        status,
        message: message.to_owned(),
    }
    .into_response();
    for (name, value) in response.headers() {
        if name.as_str().starts_with("access-control-") || name == header::VARY {
            rewritten.headers_mut().insert(name.clone(), value.clone());
        }
    }
    rewritten
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Payload {
        #[allow(dead_code)]
        outer: Inner,
    }

    #[derive(Debug, serde::Deserialize)]
    struct Inner {
        #[allow(dead_code)]
        count: u32,
    }

    fn read(content_type: Option<&str>, body: &str) -> Result<ApiJson<Payload>, ApiError> {
        let mut request = Request::builder().method("POST").uri("/");
        if let Some(content_type) = content_type {
            request = request.header(header::CONTENT_TYPE, content_type);
        }
        let request = request.body(Body::from(body.to_owned())).expect("request");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime");
        runtime.block_on(ApiJson::<Payload>::from_request(request, &()))
    }

    fn rejection(result: Result<ApiJson<Payload>, ApiError>) -> (StatusCode, String) {
        match result {
            Err(ApiError::Rejected { status, message }) => (status, message),
            other => panic!("not a rejection: {other:?}"),
        }
    }

    #[test]
    fn json_bodies_are_read_with_or_without_media_type_parameters() {
        let body = r#"{"outer":{"count":3}}"#;
        for content_type in [
            "application/json",
            "Application/JSON",
            "application/json; charset=utf-8",
        ] {
            assert!(read(Some(content_type), body).is_ok(), "{content_type}");
        }
    }

    #[test]
    fn json_rejections_keep_axum_statuses_and_name_the_bad_field() {
        let (status, message) = rejection(read(Some("application/json"), r#"{"outer":{"count":"x"}}"#));
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(message.contains("outer.count"), "{message}");
        let (status, _) = rejection(read(Some("application/json"), r#"{"outer":"#));
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, message) = rejection(read(Some("application/json"), r#"{"outer":{"count":1},"x":1}"#));
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(message.contains("unknown field"), "{message}");
        let (status, _) = rejection(read(Some("text/plain"), r#"{"outer":{"count":1}}"#));
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let (status, _) = rejection(read(None, r#"{"outer":{"count":1}}"#));
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        // The same answer through the slow path (a media type parameter).
        let (status, message) = rejection(read(
            Some("application/json; charset=utf-8"),
            r#"{"outer":{"count":"x"}}"#,
        ));
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(message.contains("outer.count"), "{message}");
    }
}
