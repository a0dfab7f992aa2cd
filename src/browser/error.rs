//! The browser layer's one error type, each variant with the stable `code` JS sees.

use alloc::string::String;
use core::fmt;

use fps_core::text::concat;
use fps_core::text::decimal;
use fps_core::CoreError;

/// Why an HTTP call from the page failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// No answer at all: DNS, connection refused, CORS, offline.
    Unreachable {
        /// The endpoint called.
        url: String,
        /// What the browser reported.
        reason: String,
    },
    /// No answer within the time allowed.
    Timeout {
        /// The endpoint called.
        url: String,
        /// The time allowed, in milliseconds.
        ms: u32,
    },
    /// An answer with a status outside 200..=299.
    Status {
        /// The endpoint called.
        url: String,
        /// The HTTP status.
        status: u16,
        /// The start of the body, for the developer (`: ...`), or empty.
        detail: String,
    },
}

impl FetchError {
    /// What went wrong, naming the endpoint (built without `core::fmt`, which costs kilobytes of wasm).
    pub fn message(&self) -> String {
        match self {
            FetchError::Unreachable { url, reason } => concat(&[
                url,
                " could not be reached (",
                reason,
                "); check the URL, CORS headers and that the server is up",
            ]),
            FetchError::Timeout { url, ms } => {
                concat(&[url, " did not answer within ", &decimal(u64::from(*ms)), " ms"])
            }
            FetchError::Status { url, status, detail } => {
                concat(&[url, " answered HTTP ", &decimal(u64::from(*status)), detail])
            }
        }
    }

    /// Whether trying once more may help (network trouble, timeouts, 5xx and 429).
    pub fn is_retriable(&self) -> bool {
        match self {
            FetchError::Unreachable { .. } | FetchError::Timeout { .. } => true,
            FetchError::Status { status, .. } => *status >= 500 || *status == 429,
        }
    }
}

/// Everything the browser module can report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BrowserError {
    /// Options (or `data-*` attributes) that cannot make a valid CBUI request.
    InvalidOptions(String),
    /// The signing endpoint gave no answer, or none in time.
    SignUnreachable(FetchError),
    /// The signing endpoint answered with an error status.
    SignRejected(FetchError),
    /// The signing endpoint's answer is not `{"url", "signature", "signatureMethod"}`.
    InvalidSignResponse(String),
    /// The signed URL is not the request that was asked for: not sent anywhere.
    TamperedSignatureResponse(String),
    /// A return query that is not a CBUI return.
    InvalidReturn(CoreError),
    /// The verify endpoint gave no answer, or none in time.
    VerifyUnreachable(FetchError),
    /// The verify endpoint answered with an error status.
    VerifyRejected(FetchError),
    /// The verify endpoint's answer is not JSON.
    InvalidVerifyResponse(String),
    /// A browser API this module needs is missing (no `window`, not a DOM element...).
    Environment(String),
}

impl BrowserError {
    /// What went wrong and what to fix, as JS sees it in `error.message`.
    pub fn message(&self) -> String {
        let owned: String;
        let (prefix, detail): (&str, &str) = match self {
            BrowserError::InvalidOptions(detail) => ("invalid fps-checkout options: ", detail),
            BrowserError::SignUnreachable(error) => {
                owned = error.message();
                ("signing endpoint: ", &owned)
            }
            BrowserError::SignRejected(error) => {
                owned = error.message();
                ("signing endpoint refused to sign: ", &owned)
            }
            BrowserError::InvalidSignResponse(detail) => (
                "signing endpoint answer is not the JSON {\"url\", \"signature\", \"signatureMethod\"}: ",
                detail,
            ),
            BrowserError::TamperedSignatureResponse(detail) => (
                "signed URL refused, it does not match the request asked for: ",
                detail,
            ),
            BrowserError::InvalidReturn(error) => {
                owned = error.message();
                ("", &owned)
            }
            BrowserError::VerifyUnreachable(error) => {
                owned = error.message();
                ("verify endpoint: ", &owned)
            }
            BrowserError::VerifyRejected(error) => {
                owned = error.message();
                ("verify endpoint refused the return: ", &owned)
            }
            BrowserError::InvalidVerifyResponse(detail) => ("verify endpoint answer is not JSON: ", detail),
            BrowserError::Environment(detail) => ("browser environment: ", detail),
        };
        concat(&[prefix, detail])
    }

    /// The stable, machine-readable code set as `error.code` in JS.
    pub fn code(&self) -> &'static str {
        match self {
            BrowserError::InvalidOptions(_) => "INVALID_OPTIONS",
            BrowserError::SignUnreachable(FetchError::Timeout { .. }) => "SIGN_ENDPOINT_TIMEOUT",
            BrowserError::SignUnreachable(_) => "SIGN_ENDPOINT_UNREACHABLE",
            BrowserError::SignRejected(_) => "SIGN_ENDPOINT_REJECTED",
            BrowserError::InvalidSignResponse(_) => "INVALID_SIGN_RESPONSE",
            BrowserError::TamperedSignatureResponse(_) => "TAMPERED_SIGNATURE_RESPONSE",
            BrowserError::InvalidReturn(_) => "INVALID_RETURN",
            BrowserError::VerifyUnreachable(_) => "VERIFY_ENDPOINT_UNREACHABLE",
            BrowserError::VerifyRejected(_) => "VERIFY_ENDPOINT_REJECTED",
            BrowserError::InvalidVerifyResponse(_) => "INVALID_VERIFY_RESPONSE",
            BrowserError::Environment(_) => "UNSUPPORTED_ENVIRONMENT",
        }
    }

    /// A short sentence for the shopper, shown beside the retry button.
    pub fn shopper_message(&self) -> &'static str {
        match self {
            BrowserError::InvalidOptions(_) | BrowserError::Environment(_) => {
                "This payment button is not set up correctly."
            }
            BrowserError::SignUnreachable(_) | BrowserError::VerifyUnreachable(_) => {
                "We could not reach the payment service."
            }
            BrowserError::SignRejected(_) | BrowserError::VerifyRejected(_) => {
                "The shop could not start this payment."
            }
            BrowserError::InvalidSignResponse(_)
            | BrowserError::TamperedSignatureResponse(_)
            | BrowserError::InvalidVerifyResponse(_) => "The payment link could not be verified.",
            BrowserError::InvalidReturn(_) => "We could not read the payment result.",
        }
    }

    /// Whether the shopper's retry can help (not for a misconfigured button).
    pub fn is_retriable(&self) -> bool {
        !matches!(
            self,
            BrowserError::InvalidOptions(_) | BrowserError::Environment(_) | BrowserError::InvalidReturn(_)
        )
    }

    /// Wraps a failure of the signing endpoint call.
    pub fn from_sign(error: FetchError) -> Self {
        match error {
            FetchError::Status { .. } => BrowserError::SignRejected(error),
            other => BrowserError::SignUnreachable(other),
        }
    }

    /// Wraps a failure of the verify endpoint call.
    pub fn from_verify(error: FetchError) -> Self {
        match error {
            FetchError::Status { .. } => BrowserError::VerifyRejected(error),
            other => BrowserError::VerifyUnreachable(other),
        }
    }
}

impl From<CoreError> for BrowserError {
    fn from(error: CoreError) -> Self {
        BrowserError::InvalidOptions(error.message())
    }
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl fmt::Display for BrowserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl core::error::Error for FetchError {}

impl core::error::Error for BrowserError {}
