//! Points in time (Unix seconds) and periods (`1 Month`, `6 Months`).

use alloc::{borrow::ToOwned, string::String};
use core::fmt;

use super::ParamValue;
use crate::error::{CoreError, ParamRule};
use crate::text::{decimal, parse_digits, split_once_byte};

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
