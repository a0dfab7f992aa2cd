//! Free text parameters (descriptions, address lines), the caller's reference, and http(s) URLs.

use alloc::{borrow::ToOwned, string::String};
use core::fmt;

use super::{check_len, no_control_chars, ParamValue};
use crate::endpoint::Endpoint;
use crate::error::{CoreError, ParamRule};

/// Free text of `MIN..=MAX` UTF-8 bytes without control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text<const MIN: usize, const MAX: usize>(String);

impl<const MIN: usize, const MAX: usize> Text<MIN, MAX> {
    /// Shortest text in bytes.
    pub const MIN_BYTES: usize = MIN;

    /// Longest text in bytes.
    pub const MAX_BYTES: usize = MAX;

    /// Validates text for the parameter `name`.
    pub fn new(name: &str, text: &str) -> Result<Self, CoreError> {
        Self::parse_param(name, text)
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<const MIN: usize, const MAX: usize> ParamValue for Text<MIN, MAX> {
    fn parse_param(name: &str, raw: &str) -> Result<Self, CoreError> {
        check_len(name, raw, MIN, MAX)?;
        no_control_chars(name, raw)?;
        Ok(Text(raw.to_owned()))
    }

    fn render(&self) -> String {
        self.0.clone()
    }
}

/// Descriptive text shown on the CBUI pages (`paymentReason`, `websiteDescription`).
pub type Description = Text<1, 1024>;

/// One line of a postal address or a name.
pub type AddressLine = Text<1, 128>;

/// A short address field (zip, state, phone).
pub type ShortText = Text<1, 32>;

/// The caller's unique reference for a token request: 1 to 128 bytes, no control characters.
///
/// FPS documents 128 characters on one page and 128 bytes on another; bytes is the stricter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallerReference(String);

impl CallerReference {
    /// Shortest reference in bytes.
    pub const MIN_BYTES: usize = 1;

    /// Longest reference in bytes.
    pub const MAX_BYTES: usize = 128;

    /// Validates a caller reference.
    pub fn new(reference: &str) -> Result<Self, CoreError> {
        Self::parse_param("callerReference", reference)
    }

    /// The reference text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl ParamValue for CallerReference {
    fn parse_param(name: &str, raw: &str) -> Result<Self, CoreError> {
        check_len(name, raw, Self::MIN_BYTES, Self::MAX_BYTES)?;
        no_control_chars(name, raw)?;
        Ok(CallerReference(raw.to_owned()))
    }

    fn render(&self) -> String {
        self.0.clone()
    }
}

impl fmt::Display for CallerReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An absolute http(s) URL parameter (`returnURL`, `cobrandingUrl`), kept exactly as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpUrl(Endpoint);

impl HttpUrl {
    /// Validates an absolute http(s) URL.
    pub fn new(name: &str, url: &str) -> Result<Self, CoreError> {
        Self::parse_param(name, url)
    }

    /// The parsed URL.
    pub fn endpoint(&self) -> &Endpoint {
        &self.0
    }

    /// The URL exactly as given.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

impl ParamValue for HttpUrl {
    fn parse_param(name: &str, raw: &str) -> Result<Self, CoreError> {
        match Endpoint::parse(raw) {
            Ok(endpoint) => Ok(HttpUrl(endpoint)),
            Err(CoreError::Url { rule, .. }) => Err(CoreError::param(name, ParamRule::Url(rule))),
            Err(other) => Err(other),
        }
    }

    fn render(&self) -> String {
        self.0.as_str().to_owned()
    }
}
