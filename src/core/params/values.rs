//! Typed parameter values: each knows how to parse itself from wire text and render itself back.

use alloc::{borrow::ToOwned, string::String, vec::Vec};
use core::fmt;

use crate::core::amount::{Amount, Currency};
use crate::core::endpoint::Endpoint;
use crate::core::error::{CoreError, ParamRule};
use crate::core::text::{contains_byte, split_byte, split_once_byte};
use crate::core::text::{decimal, parse_digits, push_decimal};

/// A value of a CBUI parameter: parsed from wire text with validation, rendered back exactly.
pub trait ParamValue: Sized {
    /// Parses and validates wire text for the parameter `name` (used in errors).
    fn parse_param(name: &str, raw: &str) -> Result<Self, CoreError>;
    /// The wire text (before percent-encoding).
    fn render(&self) -> String;
}

pub(crate) fn no_control_chars(name: &str, raw: &str) -> Result<(), CoreError> {
    if raw.chars().any(char::is_control) {
        return Err(CoreError::param(
            name,
            ParamRule::Format {
                expected: "text without control characters",
            },
        ));
    }
    Ok(())
}

pub(crate) fn check_len(name: &str, raw: &str, min: usize, max: usize) -> Result<(), CoreError> {
    if raw.len() < min {
        return Err(CoreError::param(name, ParamRule::TooShort { min }));
    }
    if raw.len() > max {
        return Err(CoreError::param(name, ParamRule::TooLong { max }));
    }
    Ok(())
}

/// Free text of `MIN..=MAX` UTF-8 bytes without control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text<const MIN: usize, const MAX: usize>(String);

impl<const MIN: usize, const MAX: usize> Text<MIN, MAX> {
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
        check_len(name, raw, 1, Self::MAX_BYTES)?;
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

/// An uppercase alphanumeric identifier of bounded length (access key ids, token ids).
fn upper_alnum(
    name: &str,
    raw: &str,
    min: usize,
    max: usize,
    expected: &'static str,
) -> Result<String, CoreError> {
    check_len(name, raw, min, max)?;
    if !raw.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) {
        return Err(CoreError::param(name, ParamRule::Format { expected }));
    }
    Ok(raw.to_owned())
}

/// The caller's AWS access key id (`callerKey`): 16 to 128 uppercase letters and digits. Public.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CallerKey(String);

impl CallerKey {
    /// Validates an access key id.
    pub fn new(key: &str) -> Result<Self, CoreError> {
        Self::parse_param("callerKey", key)
    }

    /// The key id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl ParamValue for CallerKey {
    fn parse_param(name: &str, raw: &str) -> Result<Self, CoreError> {
        upper_alnum(
            name,
            raw,
            16,
            128,
            "an AWS access key id (uppercase letters and digits)",
        )
        .map(CallerKey)
    }

    fn render(&self) -> String {
        self.0.clone()
    }
}

/// A payment token id (`tokenID`, `recipientToken`): uppercase letters and digits, 64 in practice,
/// up to 65 as documented.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TokenId(String);

impl TokenId {
    /// Validates a token id.
    pub fn new(token: &str) -> Result<Self, CoreError> {
        Self::parse_param("tokenId", token)
    }

    /// The token id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl ParamValue for TokenId {
    fn parse_param(name: &str, raw: &str) -> Result<Self, CoreError> {
        upper_alnum(name, raw, 16, 65, "a token id (uppercase letters and digits)").map(TokenId)
    }

    fn render(&self) -> String {
        self.0.clone()
    }
}

/// A comma-separated list of recipient token ids (`recipientTokenList`), at most 100.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenList(Vec<TokenId>);

impl TokenList {
    /// The tokens in order.
    pub fn tokens(&self) -> &[TokenId] {
        &self.0
    }
}

impl ParamValue for TokenList {
    fn parse_param(name: &str, raw: &str) -> Result<Self, CoreError> {
        check_len(name, raw, 1, 100 * 66)?;
        // A loop, not `collect::<Result<Vec<_>, _>>()`: the adapter costs a kilobyte of wasm.
        let mut tokens = Vec::new();
        for token in split_byte(raw, b',') {
            tokens.push(TokenId::parse_param(name, token)?);
        }
        Ok(TokenList(tokens))
    }

    fn render(&self) -> String {
        let ids: Vec<&str> = self.0.iter().map(TokenId::as_str).collect();
        ids.join(",")
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

impl ParamValue for Amount {
    fn parse_param(name: &str, raw: &str) -> Result<Self, CoreError> {
        Amount::parse(raw).map_err(|e| match e {
            CoreError::Amount { rule, .. } => CoreError::param(name, ParamRule::Amount(rule)),
            other => other,
        })
    }

    fn render(&self) -> String {
        self.text()
    }
}

impl ParamValue for Currency {
    fn parse_param(name: &str, raw: &str) -> Result<Self, CoreError> {
        Currency::parse(raw).map_err(|_| CoreError::param(name, ParamRule::NotOneOf { allowed: &["USD"] }))
    }

    fn render(&self) -> String {
        self.code().to_owned()
    }
}

/// Declares a closed set of wire values as an enum implementing [`ParamValue`].
macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $wire:literal, )+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $( $(#[$vmeta])* $variant, )+ }

        impl $name {
            /// Every wire value, in declaration order.
            pub const WIRE: &'static [&'static str] = &[$($wire),+];

            /// The value as sent on the wire.
            pub fn as_str(self) -> &'static str {
                match self { $( $name::$variant => $wire, )+ }
            }

            /// Parses a wire value (exact, case-sensitive).
            pub fn from_wire(raw: &str) -> Option<Self> {
                match raw { $( $wire => Some($name::$variant), )+ _ => None }
            }
        }

        impl ParamValue for $name {
            fn parse_param(name: &str, raw: &str) -> Result<Self, CoreError> {
                Self::from_wire(raw).ok_or_else(|| CoreError::param(name, ParamRule::NotOneOf { allowed: Self::WIRE }))
            }

            fn render(&self) -> String {
                self.as_str().to_owned()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

wire_enum! {
    /// The MAC a Signature Version 2 request is signed with.
    SignatureMethod {
        /// HMAC-SHA256, preferred.
        HmacSha256 = "HmacSHA256",
        /// HMAC-SHA1.
        HmacSha1 = "HmacSHA1",
    }
}

wire_enum! {
    /// A boolean as FPS writes it.
    FpsBool {
        /// `True`.
        True = "True",
        /// `False`.
        False = "False",
    }
}

wire_enum! {
    /// How the CBUI pages show the caller's brand (`cobrandingStyle`).
    CobrandingStyle {
        /// A logo (the default).
        Logo = "logo",
        /// A banner (being phased out by FPS).
        Banner = "banner",
    }
}

wire_enum! {
    /// How a MultiUse `transactionAmount` constrains each payment (`amountType`).
    AmountType {
        /// Exactly the amount (default).
        Exact = "Exact",
        /// At most the amount.
        Maximum = "Maximum",
        /// At least the amount.
        Minimum = "Minimum",
    }
}

wire_enum! {
    /// What a usage limit counts (`usageLimitType1`/`2`).
    UsageLimitType {
        /// A money amount.
        Amount = "Amount",
        /// A number of payments.
        Count = "Count",
    }
}

wire_enum! {
    /// A payment method the sender may choose (`paymentMethod` list item).
    PaymentMethod {
        /// Amazon Payments balance.
        Balance = "ABT",
        /// Bank account.
        Bank = "ACH",
        /// Credit card.
        Card = "CC",
    }
}

impl FpsBool {
    /// The boolean.
    pub fn get(self) -> bool {
        self == FpsBool::True
    }
}

impl From<bool> for FpsBool {
    fn from(value: bool) -> Self {
        if value {
            FpsBool::True
        } else {
            FpsBool::False
        }
    }
}

/// A non-empty, duplicate-free list of payment methods (`ABT,ACH,CC`), order kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentMethods(Vec<PaymentMethod>);

impl PaymentMethods {
    /// The methods in order.
    pub fn methods(&self) -> &[PaymentMethod] {
        &self.0
    }
}

impl ParamValue for PaymentMethods {
    fn parse_param(name: &str, raw: &str) -> Result<Self, CoreError> {
        let mut methods = Vec::new();
        for item in split_byte(raw, b',') {
            let method = PaymentMethod::parse_param(name, item)?;
            if methods.contains(&method) {
                return Err(CoreError::param(
                    name,
                    ParamRule::Conflict {
                        reason: "lists a payment method twice",
                    },
                ));
            }
            methods.push(method);
        }
        Ok(PaymentMethods(methods))
    }

    fn render(&self) -> String {
        let names: Vec<&str> = self.0.iter().map(|m| m.as_str()).collect();
        names.join(",")
    }
}

/// A point in time as Unix seconds (`validityStart`, `validityExpiry`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct UnixTime(u64);

impl UnixTime {
    /// Seconds since 1970-01-01T00:00:00Z.
    pub fn seconds(self) -> u64 {
        self.0
    }
}

impl ParamValue for UnixTime {
    fn parse_param(name: &str, raw: &str) -> Result<Self, CoreError> {
        let expected = "Unix seconds (1 to 11 ASCII digits)";
        let digits_ok = (1..=11).contains(&raw.len()) && raw.bytes().all(|b| b.is_ascii_digit());
        match parse_digits(raw) {
            Some(seconds) if digits_ok && seconds > 0 => Ok(UnixTime(seconds)),
            _ => Err(CoreError::param(name, ParamRule::Format { expected })),
        }
    }

    fn render(&self) -> String {
        decimal(self.0)
    }
}

wire_enum! {
    /// The unit of a period (`1 Month`, `6 Months`), written singular.
    PeriodUnit {
        /// Hours.
        Hour = "Hour",
        /// Days.
        Day = "Day",
        /// Weeks.
        Week = "Week",
        /// Months.
        Month = "Month",
        /// Years.
        Year = "Year",
    }
}

/// A period `<n> <unit>` (`recurringPeriod`, `usageLimitPeriod1`): n from 1 to 999; the unit is
/// rendered plural when n > 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// How many units.
    pub count: u16,
    /// The unit.
    pub unit: PeriodUnit,
}

impl ParamValue for Period {
    fn parse_param(name: &str, raw: &str) -> Result<Self, CoreError> {
        let bad = || {
            CoreError::param(
                name,
                ParamRule::Format {
                    expected: "`<n> <unit>` like `1 Month` or `6 Months` (Hour, Day, Week, Month, Year)",
                },
            )
        };
        let (count, unit) = split_once_byte(raw, b' ').ok_or_else(bad)?;
        let count_ok = (1..=3).contains(&count.len()) && count.bytes().all(|b| b.is_ascii_digit());
        // At most three digits (count_ok), so the count fits a u16.
        let count = parse_digits(count)
            .filter(|n| count_ok && *n > 0)
            .ok_or_else(bad)? as u16;
        let singular = if count > 1 {
            unit.strip_suffix("s").ok_or_else(bad)?
        } else {
            unit
        };
        let unit = PeriodUnit::from_wire(singular).ok_or_else(bad)?;
        Ok(Period { count, unit })
    }

    fn render(&self) -> String {
        let mut out = decimal(u64::from(self.count));
        out.push(' ');
        out.push_str(self.unit.as_str());
        if self.count > 1 {
            out.push('s');
        }
        out
    }
}

/// A percentage from 0 to 100 with at most two decimals (`maxVariableFee`), in hundredths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Percent(u16);

impl Percent {
    /// The percentage in hundredths of a percent (basis points).
    pub fn basis_points(self) -> u16 {
        self.0
    }
}

impl ParamValue for Percent {
    fn parse_param(name: &str, raw: &str) -> Result<Self, CoreError> {
        let bad = || {
            CoreError::param(
                name,
                ParamRule::Format {
                    expected: "a percentage from 0 to 100 with at most two decimals",
                },
            )
        };
        let (whole, fraction) = split_once_byte(raw, b'.').unwrap_or((raw, ""));
        let digits = |s: &str, max: usize| s.len() <= max && s.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty()
            || !digits(whole, 3)
            || !digits(fraction, 2)
            || (contains_byte(raw, b'.') && fraction.is_empty())
        {
            return Err(bad());
        }
        // At most three digits (checked above), so it fits a u16.
        let whole = parse_digits(whole).ok_or_else(bad)? as u16;
        // One or two decimal digits (checked above): "5" is 50 hundredths, "05" is 5.
        let cents = fraction
            .bytes()
            .chain(core::iter::repeat(b'0'))
            .take(2)
            .fold(0u16, |acc, d| acc * 10 + u16::from(d - b'0'));
        let points = whole * 100 + cents;
        if points > 10_000 {
            return Err(bad());
        }
        Ok(Percent(points))
    }

    fn render(&self) -> String {
        let mut out = decimal(u64::from(self.0 / 100));
        if self.0 % 100 != 0 {
            out.push('.');
            push_decimal(&mut out, u64::from(self.0 % 100), 2);
        }
        out
    }
}

/// The value of a usage limit: a money amount for `Amount` limits, a count for `Count` limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageLimitValue(String);

impl UsageLimitValue {
    /// Whether the value is a whole number (as `Count` limits need).
    pub fn is_count(&self) -> bool {
        !contains_byte(&self.0, b'.')
    }
}

impl ParamValue for UsageLimitValue {
    fn parse_param(name: &str, raw: &str) -> Result<Self, CoreError> {
        Amount::parse(raw).map_err(|e| match e {
            CoreError::Amount { rule, .. } => CoreError::param(name, ParamRule::Amount(rule)),
            other => other,
        })?;
        Ok(UsageLimitValue(raw.to_owned()))
    }

    fn render(&self) -> String {
        self.0.clone()
    }
}

/// A display-only amount (`itemTotal`, `shipping`, `discount`, ...): like [`Amount`] but zero is
/// allowed, since a free shipping line is still worth showing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct DisplayAmount(Option<Amount>);

impl DisplayAmount {
    /// The amount in minor units (cents); zero for a zero line.
    pub fn minor_units(self) -> u64 {
        self.0.map_or(0, |a| a.minor_units())
    }
}

impl ParamValue for DisplayAmount {
    fn parse_param(name: &str, raw: &str) -> Result<Self, CoreError> {
        match Amount::parse_param(name, raw) {
            Ok(amount) => Ok(DisplayAmount(Some(amount))),
            Err(CoreError::Param {
                rule: ParamRule::Amount(crate::core::error::AmountRule::Zero),
                ..
            }) => Ok(DisplayAmount(None)),
            Err(e) => Err(e),
        }
    }

    fn render(&self) -> String {
        self.0.map_or_else(|| "0.00".to_owned(), |a| a.text())
    }
}
