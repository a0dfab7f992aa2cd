//! Money parameters: amounts and the currency, percentages, usage limit values and display-only
//! amounts.

use alloc::{borrow::ToOwned, string::String};

use super::ParamValue;
use crate::amount::{Amount, Currency};
use crate::error::{CoreError, ParamRule};
use crate::text::{contains_byte, decimal, parse_digits, push_decimal, split_once_byte};

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
                rule: ParamRule::Amount(crate::error::AmountRule::Zero),
                ..
            }) => Ok(DisplayAmount(None)),
            Err(e) => Err(e),
        }
    }

    fn render(&self) -> String {
        self.0.map_or_else(|| "0.00".to_owned(), |a| a.text())
    }
}
