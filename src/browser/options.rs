//! Button options, from a JS object or `data-*` attributes, validated into a CBUI request by the core.

use super::error::BrowserError;
use super::fetch::Credentials;
use alloc::{borrow::ToOwned, string::String, vec, vec::Vec};
use fps_core::params::{CbuiEndpoint, CheckedPairs};
use fps_core::text::concat;
use fps_core::text::{decimal, parse_digits};

/// Label when none is given.
pub const DEFAULT_LABEL: &str = "Pay with Amazon";
/// Time allowed for one call to the signing endpoint when none is given.
pub const DEFAULT_TIMEOUT_MS: u32 = 10_000;
/// Wait before the one retry when none is given.
pub const DEFAULT_RETRY_DELAY_MS: u32 = 500;
/// Longest label accepted, in characters.
const MAX_LABEL_CHARS: usize = 80;

/// Option values exactly as the page gave them, before any check.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawOptions {
    /// `pipeline`: one of the seven pipeline names (SingleUse when absent).
    pub pipeline: Option<String>,
    /// `callerKey`: the caller's access key id.
    pub caller_key: Option<String>,
    /// `signEndpoint`: the merchant's signing URL.
    pub sign_endpoint: Option<String>,
    /// `environment`: `sandbox` (default), `production` or a CBUI URL.
    pub environment: Option<String>,
    /// `amount`: `transactionAmount`, decimal dollars.
    pub amount: Option<String>,
    /// `callerReference`.
    pub caller_reference: Option<String>,
    /// `reason`: `paymentReason`.
    pub reason: Option<String>,
    /// `returnUrl`: `returnURL` (the current page when absent).
    pub return_url: Option<String>,
    /// `label`: the button's text.
    pub label: Option<String>,
    /// `size`: `small`, `medium` (default) or `large`.
    pub size: Option<String>,
    /// `theme`: `gold` (default), `dark` or `light`.
    pub theme: Option<String>,
    /// `credentials`: `same-origin` (default), `include` or `omit`.
    pub credentials: Option<String>,
    /// `timeoutMs`: time allowed for one signing call.
    pub timeout_ms: Option<String>,
    /// `retryDelayMs`: wait before the one retry.
    pub retry_delay_ms: Option<String>,
    /// `params`: further CBUI parameters by wire name (`paymentMethod`, `globalAmountLimit`, ...).
    pub params: Vec<(String, String)>,
}

/// Every option but `params`, as its JS key and its `data-*` attribute, in the order of
/// [`RawOptions::from_values`].
pub const OPTION_NAMES: [(&str, &str); 14] = [
    ("pipeline", "data-pipeline"),
    ("callerKey", "data-caller-key"),
    ("signEndpoint", "data-sign-endpoint"),
    ("environment", "data-environment"),
    ("amount", "data-amount"),
    ("callerReference", "data-caller-reference"),
    ("reason", "data-reason"),
    ("returnUrl", "data-return-url"),
    ("label", "data-label"),
    ("size", "data-size"),
    ("theme", "data-theme"),
    ("credentials", "data-credentials"),
    ("timeoutMs", "data-timeout-ms"),
    ("retryDelayMs", "data-retry-delay-ms"),
];

impl RawOptions {
    /// The options from their values in [`OPTION_NAMES`] order. Reading into an array in a loop
    /// and moving it into place here is much smaller in the wasm than fourteen reads each with
    /// its own error and drop path.
    pub fn from_values(values: [Option<String>; 14], params: Vec<(String, String)>) -> Self {
        let [pipeline, caller_key, sign_endpoint, environment, amount, caller_reference, reason, return_url, label, size, theme, credentials, timeout_ms, retry_delay_ms] =
            values;
        RawOptions {
            pipeline,
            caller_key,
            sign_endpoint,
            environment,
            amount,
            caller_reference,
            reason,
            return_url,
            label,
            size,
            theme,
            credentials,
            timeout_ms,
            retry_delay_ms,
            params,
        }
    }
}

/// The button's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    /// Compact.
    Small,
    /// The default.
    Medium,
    /// Prominent.
    Large,
}

/// The button's colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    /// Amazon's gold (the default).
    Gold,
    /// Dark background.
    Dark,
    /// Light background with a border.
    Light,
}

impl Size {
    /// The CSS class modifier.
    pub fn as_str(self) -> &'static str {
        match self {
            Size::Small => "small",
            Size::Medium => "medium",
            Size::Large => "large",
        }
    }
}

impl Theme {
    /// The CSS class modifier.
    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Gold => "gold",
            Theme::Dark => "dark",
            Theme::Light => "light",
        }
    }
}

/// Validated options: the CBUI request to sign and how to present and fetch it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutOptions {
    /// The validated CBUI request, as the pairs to sign.
    pub request: CheckedPairs,
    /// Where the shopper goes (the signed URL must point here).
    pub cbui: CbuiEndpoint,
    /// The merchant's signing endpoint.
    pub sign_endpoint: String,
    /// The button's text and accessible name.
    pub label: String,
    /// The button's size.
    pub size: Size,
    /// The button's colours.
    pub theme: Theme,
    /// Cookie policy of the signing call.
    pub credentials: Credentials,
    /// Time allowed for one signing call.
    pub timeout_ms: u32,
    /// Wait before the one retry.
    pub retry_delay_ms: u32,
}

fn invalid(message: impl Into<String>) -> BrowserError {
    BrowserError::InvalidOptions(message.into())
}

fn millis(name: &str, raw: Option<&str>, default: u32) -> Result<u32, BrowserError> {
    match raw {
        None => Ok(default),
        // As `str::parse::<u32>` reads it: digits, one leading `+` allowed.
        Some(text) => parse_digits(text.strip_prefix("+").unwrap_or(text))
            .filter(|ms| (1..=120_000).contains(ms))
            .map(|ms| ms as u32)
            .ok_or_else(|| {
                invalid(concat(&[
                    "`",
                    name,
                    "` must be a whole number of milliseconds, 1 to 120000",
                ]))
            }),
    }
}

/// Whether `url` is a relative URL or an absolute `http:`/`https:` one, with no space or control
/// character: a scheme, if any (the text before a `:` that comes before any `/`, `?` or `#`),
/// must be http or https, so `javascript:` or `data:` never reach `fetch`.
fn is_web_url(url: &str) -> bool {
    if url.bytes().any(|b| b <= b' ' || b == 0x7f) {
        return false;
    }
    let bytes = url.as_bytes();
    match bytes.iter().position(|b| matches!(b, b':' | b'/' | b'?' | b'#')) {
        Some(at) if bytes.get(at) == Some(&b':') => {
            let scheme = bytes.get(..at).unwrap_or_default();
            scheme.eq_ignore_ascii_case(b"http") || scheme.eq_ignore_ascii_case(b"https")
        }
        _ => true,
    }
}

impl CheckoutOptions {
    /// Validates `raw`; `page_url` (the current page, without fragment) is the default returnURL.
    pub fn from_raw(raw: &RawOptions, page_url: &str) -> Result<Self, BrowserError> {
        // ASCII whitespace only (what a template or attribute leaves around a value): Unicode's
        // whitespace table would grow the module (BENCHMARKS.md, "Size notes").
        let sign_endpoint = raw
            .sign_endpoint
            .as_deref()
            .map(str::trim_ascii)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| invalid("`signEndpoint` is required: the URL of your server's signing endpoint"))?
            .to_owned();
        if !is_web_url(&sign_endpoint) {
            return Err(invalid(
                "`signEndpoint` must be a path on this site or an http(s) URL, without spaces",
            ));
        }
        let cbui = CbuiEndpoint::parse(raw.environment.as_deref().unwrap_or("sandbox")).map_err(|e| {
            invalid(concat(&[
                "`environment` must be sandbox, production or a CBUI URL: ",
                &e.message(),
            ]))
        })?;
        let mut pairs: Vec<(&str, &str)> = vec![
            ("pipelineName", raw.pipeline.as_deref().unwrap_or("SingleUse")),
            ("returnURL", raw.return_url.as_deref().unwrap_or(page_url)),
        ];
        let shorthands = [
            ("callerKey", &raw.caller_key),
            ("transactionAmount", &raw.amount),
            ("callerReference", &raw.caller_reference),
            ("paymentReason", &raw.reason),
        ];
        pairs.extend(
            shorthands
                .iter()
                .filter_map(|(name, value)| value.as_deref().map(|v| (*name, v))),
        );
        pairs.extend(raw.params.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        let request = CheckedPairs::from_pairs(pairs)?;
        let label = raw
            .label
            .as_deref()
            .map(str::trim_ascii)
            .filter(|l| !l.is_empty())
            .unwrap_or(DEFAULT_LABEL);
        // Characters are the bytes that do not continue a UTF-8 sequence.
        if label.bytes().filter(|b| (*b as i8) >= -0x40).count() > MAX_LABEL_CHARS {
            return Err(invalid(concat(&[
                "`label` is longer than ",
                &decimal(MAX_LABEL_CHARS as u64),
                " characters",
            ])));
        }
        let size = match raw.size.as_deref() {
            None | Some("medium") => Size::Medium,
            Some("small") => Size::Small,
            Some("large") => Size::Large,
            Some(_) => return Err(invalid("`size` must be small, medium or large")),
        };
        let theme = match raw.theme.as_deref() {
            None | Some("gold") => Theme::Gold,
            Some("dark") => Theme::Dark,
            Some("light") => Theme::Light,
            Some(_) => return Err(invalid("`theme` must be gold, dark or light")),
        };
        let credentials = match raw.credentials.as_deref() {
            None => Credentials::SameOrigin,
            Some(text) => Credentials::parse(text)
                .ok_or_else(|| invalid("`credentials` must be same-origin, include or omit"))?,
        };
        Ok(CheckoutOptions {
            request,
            cbui,
            sign_endpoint,
            label: label.to_owned(),
            size,
            theme,
            credentials,
            timeout_ms: millis("timeoutMs", raw.timeout_ms.as_deref(), DEFAULT_TIMEOUT_MS)?,
            retry_delay_ms: millis(
                "retryDelayMs",
                raw.retry_delay_ms.as_deref(),
                DEFAULT_RETRY_DELAY_MS,
            )?,
        })
    }
}
