//! Typed parameter values: each knows how to parse itself from wire text and render itself back.
//! The values live in one submodule per kind (text, identifiers, closed sets, time, money); the
//! trait and the checks they share are here.

use alloc::string::String;

use crate::error::{CoreError, ParamRule};

// Declared before the submodules: a `macro_rules!` macro is in scope only after its definition.

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

mod choices;
mod ids;
mod money;
mod text;
mod time;

pub use choices::{
    AmountType, CobrandingStyle, FpsBool, PaymentMethod, PaymentMethods, SignatureMethod, UsageLimitType,
};
pub use ids::{CallerKey, TokenId, TokenList};
pub use money::{DisplayAmount, Percent, UsageLimitValue};
pub use text::{AddressLine, CallerReference, Description, HttpUrl, ShortText, Text};
pub use time::{Period, PeriodUnit, UnixTime};

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
