//! Money as integer minor units plus a currency; parsed from and formatted to FPS's decimal text.

use crate::text::split_once_byte;
use alloc::string::String;
use core::fmt;
use core::str::FromStr;

use super::error::{quote, AmountRule, CoreError};
use super::text::{decimal, push_decimal};

/// The currencies FPS accepts. FPS only ever supported US dollars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Currency {
    /// US dollars, two minor digits (cents).
    #[default]
    Usd,
}

impl Currency {
    /// The ISO 4217 code as FPS sends it (`USD`).
    pub fn code(self) -> &'static str {
        match self {
            Currency::Usd => "USD",
        }
    }

    /// Parses an ISO 4217 code; only `USD` is accepted.
    pub fn parse(code: &str) -> Result<Self, CoreError> {
        match code {
            "USD" => Ok(Currency::Usd),
            _ => Err(CoreError::Amount {
                input: quote(code),
                rule: AmountRule::UnsupportedCurrency,
            }),
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A positive amount of money in minor units (cents), never a float.
///
/// Text form is what FPS expects: `0.90`, `1.50`, `12.00`. Parsing accepts `1`, `1.5`, `0.90`
/// and rejects zero, signs, symbols, separators, more than two decimals and amounts above
/// [`Amount::MAX_MINOR`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Amount {
    minor: u64,
    currency: Currency,
}

impl Amount {
    /// The largest amount accepted, in minor units: 1,000,000.00. FPS's own historic cap was
    /// 10,000.00 per transaction; this bound only keeps absurd input out.
    pub const MAX_MINOR: u64 = 100_000_000;

    /// Longest text accepted by [`Amount::parse`].
    const MAX_TEXT: usize = 16;

    /// An amount from minor units (cents); zero and values above [`Amount::MAX_MINOR`] are refused.
    pub fn from_minor(minor: u64, currency: Currency) -> Result<Self, CoreError> {
        Self::in_range(minor, currency).map_err(|rule| CoreError::Amount {
            input: decimal(minor),
            rule,
        })
    }

    /// The one range check: more than zero, at most [`Amount::MAX_MINOR`].
    fn in_range(minor: u64, currency: Currency) -> Result<Self, AmountRule> {
        match minor {
            0 => Err(AmountRule::Zero),
            m if m > Self::MAX_MINOR => Err(AmountRule::TooLarge {
                max: format_minor(Self::MAX_MINOR),
            }),
            _ => Ok(Amount { minor, currency }),
        }
    }

    /// Parses FPS decimal text in US dollars.
    pub fn parse(text: &str) -> Result<Self, CoreError> {
        Self::parse_in(text, Currency::Usd)
    }

    /// Parses FPS decimal text in the given currency.
    pub fn parse_in(text: &str, currency: Currency) -> Result<Self, CoreError> {
        let reject = |rule| {
            Err(CoreError::Amount {
                input: quote(text),
                rule,
            })
        };
        if text.is_empty() {
            return reject(AmountRule::Empty);
        }
        if text.len() > Self::MAX_TEXT {
            if text.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
                return reject(AmountRule::TooLarge {
                    max: format_minor(Self::MAX_MINOR),
                });
            }
            return reject(AmountRule::NotDecimal);
        }
        let (whole, fraction) = match split_once_byte(text, b'.') {
            Some((w, f)) => (w, Some(f)),
            None => (text, None),
        };
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(whole) || fraction.is_some_and(|f| !all_digits(f)) {
            return reject(AmountRule::NotDecimal);
        }
        if whole.len() > 1 && whole.starts_with("0") {
            return reject(AmountRule::LeadingZero);
        }
        let fraction = fraction.unwrap_or("");
        if fraction.len() > 2 {
            return reject(AmountRule::TooManyDecimals);
        }
        // At most 16 ASCII digits in all: cannot overflow u64 after scaling by 100.
        let mut minor: u64 = 0;
        for digit in whole.bytes() {
            minor = minor * 10 + u64::from(digit - b'0');
        }
        let mut cents: u64 = 0;
        for position in 0..2 {
            let digit = fraction.as_bytes().get(position).map_or(0, |d| d - b'0');
            cents = cents * 10 + u64::from(digit);
        }
        let minor = minor.saturating_mul(100).saturating_add(cents);
        Self::in_range(minor, currency).or_else(reject)
    }

    /// The amount in minor units (cents).
    pub fn minor_units(&self) -> u64 {
        self.minor
    }

    /// The amount's currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }
}

impl FromStr for Amount {
    type Err = CoreError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Amount::parse(s)
    }
}

impl fmt::Display for Amount {
    /// Formats as FPS expects: `0.90`, `1.50`, `1000.00` (no currency, no separators).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

impl Amount {
    /// The amount as FPS expects it: `0.90`, `1.50`, `1000.00` (what `Display` writes).
    pub fn text(&self) -> String {
        format_minor(self.minor)
    }
}

fn format_minor(minor: u64) -> String {
    let mut out = decimal(minor / 100);
    out.push('.');
    push_decimal(&mut out, minor % 100, 2);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(text: &str) -> AmountRule {
        match Amount::parse(text) {
            Err(CoreError::Amount { rule, .. }) => rule,
            other => panic!("{text:?} should be rejected, got {other:?}"),
        }
    }

    #[test]
    fn parses_and_formats_fps_text() {
        for (text, minor, formatted) in [
            ("0.90", 90, "0.90"),
            ("1", 100, "1.00"),
            ("1.5", 150, "1.50"),
            ("12.34", 1234, "12.34"),
            ("0.01", 1, "0.01"),
            ("1000000", 100_000_000, "1000000.00"),
            ("1000.00", 100_000, "1000.00"),
        ] {
            let amount = Amount::parse(text).unwrap();
            assert_eq!(amount.minor_units(), minor, "{text}");
            assert_eq!(amount.to_string(), formatted, "{text}");
            assert_eq!(amount.currency(), Currency::Usd);
        }
    }

    #[test]
    fn rejects_each_rule() {
        assert_eq!(rule(""), AmountRule::Empty);
        for bad in [
            "1,000.00", "-1", "+1", "$1", "1 ", " 1", "1.", ".5", "1.2.3", "1e3", "١", "１", "NaN", "0x10",
        ] {
            assert_eq!(rule(bad), AmountRule::NotDecimal, "{bad:?}");
        }
        assert_eq!(rule("1.234"), AmountRule::TooManyDecimals);
        assert_eq!(rule("5.0000001"), AmountRule::TooManyDecimals);
        assert_eq!(rule("0"), AmountRule::Zero);
        assert_eq!(rule("0.00"), AmountRule::Zero);
        assert_eq!(rule("01.00"), AmountRule::LeadingZero);
        assert!(matches!(rule("1000000.01"), AmountRule::TooLarge { .. }));
        assert!(matches!(
            rule("99999999999999999999999999"),
            AmountRule::TooLarge { .. }
        ));
        assert_eq!(rule("12345678901234567890abc"), AmountRule::NotDecimal);
    }

    #[test]
    fn from_minor_bounds() {
        assert!(Amount::from_minor(0, Currency::Usd).is_err());
        assert!(Amount::from_minor(Amount::MAX_MINOR + 1, Currency::Usd).is_err());
        assert_eq!(Amount::from_minor(5, Currency::Usd).unwrap().to_string(), "0.05");
    }

    #[test]
    fn currency_is_usd_only() {
        assert_eq!(Currency::parse("USD").unwrap(), Currency::Usd);
        assert!(Currency::parse("usd").is_err());
        assert!(Currency::parse("EUR").is_err());
    }
}
