//! The core's one error type: every way input can fail validation, with what a person needs to fix it.

//!
//! Messages are built by hand (`message`, `push_to`), not with `core::fmt`: the browser module
//! must stay small. `Display` writes the same text.

use alloc::{borrow::ToOwned, string::String};
use core::fmt;

use super::text::push_decimal;
pub(crate) use super::text::quote;

/// Everything the pure core can reject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CoreError {
    /// A money amount that FPS would not accept.
    Amount {
        /// The offending text, quoted and bounded.
        input: String,
        /// What is wrong with it.
        rule: AmountRule,
    },
    /// A CBUI request parameter that breaks a rule of its pipeline.
    Param {
        /// The parameter's wire name, e.g. `callerReference`.
        param: String,
        /// The rule it breaks.
        rule: ParamRule,
    },
    /// A URL (endpoint or returnURL) that cannot be used.
    Url {
        /// The offending URL, quoted and bounded.
        input: String,
        /// What is wrong with it.
        rule: UrlRule,
    },
    /// A query string that cannot be decoded.
    Query(QueryRule),
    /// A CBUI return that cannot be understood.
    Return(ReturnRule),
}

impl CoreError {
    /// What is wrong and how to fix it, e.g. ``parameter `transactionAmount`: amount is empty``.
    pub fn message(&self) -> String {
        let mut out = String::new();
        match self {
            CoreError::Amount { input, rule } => {
                push_all(&mut out, &["amount ", input, ": "]);
                rule.push_to(&mut out);
            }
            CoreError::Param { param, rule } => {
                push_all(&mut out, &["parameter `", param, "`: "]);
                rule.push_to(&mut out);
            }
            CoreError::Url { input, rule } => {
                push_all(&mut out, &["URL ", input, ": "]);
                rule.push_to(&mut out);
            }
            CoreError::Query(rule) => {
                out.push_str("query: ");
                rule.push_to(&mut out);
            }
            CoreError::Return(rule) => {
                out.push_str("CBUI return: ");
                rule.push_to(&mut out);
            }
        }
        out
    }

    /// A stable, machine-readable code for the error's kind (used by the JS facade and HTTP APIs).
    pub fn code(&self) -> &'static str {
        match self {
            CoreError::Amount { .. } => "INVALID_AMOUNT",
            CoreError::Param { .. } => "INVALID_PARAMETER",
            CoreError::Url { .. } => "INVALID_URL",
            CoreError::Query(_) => "INVALID_QUERY",
            CoreError::Return(_) => "INVALID_RETURN",
        }
    }

    pub(crate) fn param(param: &str, rule: ParamRule) -> Self {
        CoreError::Param {
            param: param.to_owned(),
            rule,
        }
    }

    pub(crate) fn url(input: &str, rule: UrlRule) -> Self {
        CoreError::Url {
            input: quote(input),
            rule,
        }
    }
}

impl fmt::Display for CoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl core::error::Error for CoreError {}

fn push_all(out: &mut String, parts: &[&str]) {
    for part in parts {
        out.push_str(part);
    }
}

/// `Display` for the rule enums: the text their `push_to` writes.
macro_rules! display_by_push_to {
    ($($rule:ty),*) => {$(
        impl fmt::Display for $rule {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut out = String::new();
                self.push_to(&mut out);
                f.write_str(&out)
            }
        }
    )*};
}

display_by_push_to!(AmountRule, ParamRule, UrlRule, QueryRule, ReturnRule);

/// Why an amount was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AmountRule {
    /// Empty text.
    Empty,
    /// Something other than ASCII digits and one decimal point (signs, symbols, separators, spaces).
    NotDecimal,
    /// More than two digits after the point.
    TooManyDecimals,
    /// Zero is never a payable amount.
    Zero,
    /// Above the largest amount this library accepts.
    TooLarge {
        /// The limit, formatted as FPS expects.
        max: String,
    },
    /// A leading zero before other digits ("01.00").
    LeadingZero,
    /// A currency FPS does not support.
    UnsupportedCurrency,
}

impl AmountRule {
    /// Appends what is wrong (`is empty`, ...).
    pub fn push_to(&self, out: &mut String) {
        out.push_str(match self {
            AmountRule::Empty => "is empty",
            AmountRule::NotDecimal => {
                "must be ASCII digits with at most one decimal point, like 0.90 or 12 (no sign, symbol or thousands separator)"
            }
            AmountRule::TooManyDecimals => "has more than two decimal places",
            AmountRule::Zero => "must be greater than zero",
            AmountRule::TooLarge { max } => return push_all(out, &["is larger than the limit of ", max]),
            AmountRule::LeadingZero => "has a leading zero (write 1.00, not 01.00)",
            AmountRule::UnsupportedCurrency => "currency must be USD, the only one FPS supports",
        })
    }
}

/// Why a request parameter was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamRule {
    /// A required parameter is absent.
    Missing,
    /// The name is not a parameter of this pipeline.
    Unknown,
    /// The name appears more than once.
    Duplicate,
    /// Shorter than allowed.
    TooShort {
        /// Minimum length in bytes.
        min: usize,
    },
    /// Longer than allowed.
    TooLong {
        /// Maximum length in bytes.
        max: usize,
    },
    /// Not one of the allowed values.
    NotOneOf {
        /// The allowed values, as sent on the wire.
        allowed: &'static [&'static str],
    },
    /// The value does not have the required shape.
    Format {
        /// What shape was expected.
        expected: &'static str,
    },
    /// The value's amount is invalid.
    Amount(AmountRule),
    /// The value's URL is invalid.
    Url(UrlRule),
    /// The parameter only makes sense together with another one.
    Requires {
        /// The other parameter.
        other: &'static str,
    },
    /// Two parameters contradict each other.
    Conflict {
        /// Why.
        reason: &'static str,
    },
}

impl ParamRule {
    /// Appends the rule broken (`is required`, ...).
    pub fn push_to(&self, out: &mut String) {
        let (before, n, after) = match self {
            ParamRule::Missing => return out.push_str("is required"),
            ParamRule::Unknown => return out.push_str("is not a parameter of this pipeline"),
            ParamRule::Duplicate => return out.push_str("appears more than once"),
            ParamRule::TooShort { min } => ("must be at least ", *min, " bytes long"),
            ParamRule::TooLong { max } => ("must be at most ", *max, " bytes long"),
            ParamRule::NotOneOf { allowed } => {
                out.push_str("must be one of ");
                for (i, value) in allowed.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(value);
                }
                return;
            }
            ParamRule::Format { expected } => return push_all(out, &["must be ", expected]),
            ParamRule::Amount(rule) => {
                out.push_str("amount ");
                return rule.push_to(out);
            }
            ParamRule::Url(rule) => {
                out.push_str("URL ");
                return rule.push_to(out);
            }
            ParamRule::Requires { other } => return push_all(out, &["needs `", other, "` as well"]),
            ParamRule::Conflict { reason } => return out.push_str(reason),
        };
        out.push_str(before);
        push_decimal(out, n as u64, 1);
        out.push_str(after);
    }
}

/// Why a URL was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlRule {
    /// Not `http://` or `https://`.
    NotHttp,
    /// No host after the scheme.
    MissingHost,
    /// A host with characters no DNS name or IP literal has.
    BadHost,
    /// A port that is not a number from 1 to 65535.
    BadPort,
    /// `user:password@` is never accepted.
    UserInfo,
    /// Spaces, control characters or non-ASCII: the URL must be percent-encoded.
    NotEncoded,
    /// A `#fragment` is not sent to servers and cannot be signed.
    Fragment,
    /// Longer than allowed.
    TooLong {
        /// Maximum length in bytes.
        max: usize,
    },
    /// An endpoint must not carry a query.
    HasQuery,
}

impl UrlRule {
    /// Appends what is wrong with the URL (`has no host`, ...).
    pub fn push_to(&self, out: &mut String) {
        out.push_str(match self {
            UrlRule::NotHttp => "must be an absolute http:// or https:// URL",
            UrlRule::MissingHost => "has no host",
            UrlRule::BadHost => "has an invalid host",
            UrlRule::BadPort => "has a port that is not a number from 1 to 65535",
            UrlRule::UserInfo => "must not contain user:password@",
            UrlRule::NotEncoded => "contains spaces, control or non-ASCII characters (percent-encode them)",
            UrlRule::Fragment => "must not contain a #fragment",
            UrlRule::HasQuery => "must not contain a query here",
            UrlRule::TooLong { max } => {
                out.push_str("is longer than ");
                push_decimal(out, *max as u64, 1);
                return out.push_str(" bytes");
            }
        })
    }
}

/// Why a query string could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryRule {
    /// Larger than the cap.
    TooLong {
        /// The cap in bytes.
        max: usize,
    },
    /// More pairs than the cap.
    TooManyPairs {
        /// The cap.
        max: usize,
    },
    /// A `%` not followed by two hex digits.
    BadPercentEncoding {
        /// The offending name or value, quoted.
        near: String,
    },
    /// Decoded bytes that are not UTF-8.
    NotUtf8 {
        /// The offending name or value, quoted as sent.
        near: String,
    },
    /// A pair with an empty name (`=value` or `&&`-style leftovers are skipped, not this).
    EmptyName,
    /// The same name twice: undefined in FPS, refused.
    DuplicateName {
        /// The repeated name, quoted.
        name: String,
    },
}

impl QueryRule {
    /// Appends what is wrong with the query (`longer than 16384 bytes`, ...).
    pub fn push_to(&self, out: &mut String) {
        let (before, n, after) = match self {
            QueryRule::TooLong { max } => ("longer than ", *max, " bytes"),
            QueryRule::TooManyPairs { max } => ("more than ", *max, " parameters"),
            QueryRule::BadPercentEncoding { near } => {
                return push_all(
                    out,
                    &[
                        "bad percent-encoding in ",
                        near,
                        " (`%` must be followed by two hex digits)",
                    ],
                )
            }
            QueryRule::NotUtf8 { near } => return push_all(out, &[near, " does not decode to UTF-8"]),
            QueryRule::EmptyName => return out.push_str("a parameter has an empty name"),
            QueryRule::DuplicateName { name } => {
                return push_all(out, &["parameter ", name, " appears more than once"])
            }
        };
        out.push_str(before);
        push_decimal(out, n as u64, 1);
        out.push_str(after);
    }
}

/// Why a CBUI return was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReturnRule {
    /// The query itself could not be decoded.
    Query(QueryRule),
    /// No `status` parameter.
    MissingStatus,
    /// A status code that no FPS pipeline returns.
    UnknownStatus {
        /// The code, quoted.
        code: String,
    },
    /// A field with a malformed value.
    Field {
        /// The field's wire name.
        name: &'static str,
        /// What was expected.
        expected: &'static str,
    },
}

impl ReturnRule {
    /// Appends what is wrong with the return (`no `status` parameter`, ...).
    pub fn push_to(&self, out: &mut String) {
        match self {
            ReturnRule::Query(rule) => rule.push_to(out),
            ReturnRule::MissingStatus => out.push_str("no `status` parameter"),
            ReturnRule::UnknownStatus { code } => push_all(out, &["unknown status code ", code]),
            ReturnRule::Field { name, expected } => push_all(out, &["`", name, "` must be ", expected]),
        }
    }
}
