//! The HTTP API's one error type: each failure maps to a status and `{"error": {"code", "message"}}`.

use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::de::DeserializeOwned;

use super::order::RuleError;
use super::store::StoreError;
use crate::fps::FpsError;

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
            },
            message: e.to_string(),
        }
    }
}

impl ApiError {
    /// The status and code.
    fn parts(&self) -> (StatusCode, &'static str) {
        match self {
            ApiError::Invalid { code, .. } => (StatusCode::BAD_REQUEST, code),
            ApiError::Unauthorized => (StatusCode::UNAUTHORIZED, "UNAUTHORIZED"),
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
        response
    }
}

/// A JSON body whose rejections (content type, size, syntax) answer in the API's error format.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(ApiError::Rejected {
                status: rejection.status(),
                message: rejection.body_text().chars().take(300).collect(),
            }),
        }
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
            Err(rejection) => Err(ApiError::Rejected {
                status: rejection.status(),
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
