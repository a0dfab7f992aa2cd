//! The core's one error type: every way input can fail validation, with what a person needs to fix it.

use std::fmt;

/// Longest piece of offending input quoted back in an error message.
const QUOTE_LIMIT: usize = 64;

/// Quotes untrusted input for an error message: bounded, control characters escaped.
pub(crate) fn quote(input: &str) -> String {
    let mut out: String = input.chars().take(QUOTE_LIMIT).collect();
    if out.len() < input.len() {
        out.push('…');
    }
    format!("{out:?}")
}

/// Everything the pure core can reject.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CoreError {
    /// A money amount that FPS would not accept.
    #[error("amount {input}: {rule}")]
    Amount {
        /// The offending text, quoted and bounded.
        input: String,
        /// What is wrong with it.
        rule: AmountRule,
    },
    /// A CBUI request parameter that breaks a rule of its pipeline.
    #[error("parameter `{param}`: {rule}")]
    Param {
        /// The parameter's wire name, e.g. `callerReference`.
        param: String,
        /// The rule it breaks.
        rule: ParamRule,
    },
    /// A URL (endpoint or returnURL) that cannot be used.
    #[error("URL {input}: {rule}")]
    Url {
        /// The offending URL, quoted and bounded.
        input: String,
        /// What is wrong with it.
        rule: UrlRule,
    },
    /// A query string that cannot be decoded.
    #[error("query: {0}")]
    Query(QueryRule),
    /// A CBUI return that cannot be understood.
    #[error("CBUI return: {0}")]
    Return(ReturnRule),
}

impl CoreError {
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

impl fmt::Display for AmountRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AmountRule::Empty => f.write_str("is empty"),
            AmountRule::NotDecimal => f.write_str(
                "must be ASCII digits with at most one decimal point, like 0.90 or 12 (no sign, symbol or thousands separator)",
            ),
            AmountRule::TooManyDecimals => f.write_str("has more than two decimal places"),
            AmountRule::Zero => f.write_str("must be greater than zero"),
            AmountRule::TooLarge { max } => write!(f, "is larger than the limit of {max}"),
            AmountRule::LeadingZero => f.write_str("has a leading zero (write 1.00, not 01.00)"),
            AmountRule::UnsupportedCurrency => f.write_str("currency must be USD, the only one FPS supports"),
        }
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

impl fmt::Display for ParamRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamRule::Missing => f.write_str("is required"),
            ParamRule::Unknown => f.write_str("is not a parameter of this pipeline"),
            ParamRule::Duplicate => f.write_str("appears more than once"),
            ParamRule::TooShort { min } => write!(f, "must be at least {min} bytes long"),
            ParamRule::TooLong { max } => write!(f, "must be at most {max} bytes long"),
            ParamRule::NotOneOf { allowed } => write!(f, "must be one of {}", allowed.join(", ")),
            ParamRule::Format { expected } => write!(f, "must be {expected}"),
            ParamRule::Amount(rule) => write!(f, "amount {rule}"),
            ParamRule::Url(rule) => write!(f, "URL {rule}"),
            ParamRule::Requires { other } => write!(f, "needs `{other}` as well"),
            ParamRule::Conflict { reason } => f.write_str(reason),
        }
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

impl fmt::Display for UrlRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UrlRule::NotHttp => "must be an absolute http:// or https:// URL",
            UrlRule::MissingHost => "has no host",
            UrlRule::BadHost => "has an invalid host",
            UrlRule::BadPort => "has a port that is not a number from 1 to 65535",
            UrlRule::UserInfo => "must not contain user:password@",
            UrlRule::NotEncoded => "contains spaces, control or non-ASCII characters (percent-encode them)",
            UrlRule::Fragment => "must not contain a #fragment",
            UrlRule::HasQuery => "must not contain a query here",
            UrlRule::TooLong { max } => return write!(f, "is longer than {max} bytes"),
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

impl fmt::Display for QueryRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueryRule::TooLong { max } => write!(f, "longer than {max} bytes"),
            QueryRule::TooManyPairs { max } => write!(f, "more than {max} parameters"),
            QueryRule::BadPercentEncoding { near } => {
                write!(
                    f,
                    "bad percent-encoding in {near} (`%` must be followed by two hex digits)"
                )
            }
            QueryRule::NotUtf8 { near } => write!(f, "{near} does not decode to UTF-8"),
            QueryRule::EmptyName => f.write_str("a parameter has an empty name"),
            QueryRule::DuplicateName { name } => write!(f, "parameter {name} appears more than once"),
        }
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

impl fmt::Display for ReturnRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReturnRule::Query(rule) => rule.fmt(f),
            ReturnRule::MissingStatus => f.write_str("no `status` parameter"),
            ReturnRule::UnknownStatus { code } => write!(f, "unknown status code {code}"),
            ReturnRule::Field { name, expected } => write!(f, "`{name}` must be {expected}"),
        }
    }
}
