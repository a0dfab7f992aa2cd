//! The FPS wire vocabulary, declared once for both sides of the wire: the Query API's error codes
//! ([`ErrorCode`]) and action names ([`ActionName`], with the `<Action>Response` and
//! `<Action>Result` element names derived from them). The client reads them (`from_wire`) and the
//! emulator writes them (`as_str` / `as_wire`), both from the same list of `Variant => "WireName"`
//! lines, so a name cannot be spelled one way by one side and another way by the other.
//!
//! What is deliberately not here: the leaf element names of the result documents
//! (`TransactionId`, `TransactionStatus`, ...). The client reads them through serde attributes,
//! which take string literals only; the emulator's answers are read by this client in the
//! emulator's and the whole-stack tests, which is what keeps the two spellings equal.
//!
//! Names that are the same in two crates but mean different things stay per crate on purpose:
//! `fps_wire::FpsError` is why a call gave no result (transport, envelope, malformed answer),
//! the emulator's `FpsError` is the error it answers with (a code and a message); the emulator's
//! and the merchant backend's `StoreError` describe each one's own database, and the emulator's
//! `ConfigError` its own settings (fps-wire has neither). The emulator's `ledger::Charge`
//! (Pay or Reserve, the kind of money movement it records) is not the client's request
//! `Charge` (what Pay and Reserve take).

/// Declares a closed set of wire names as a `Copy` enum: `ALL`, `as_str`, `from_wire` and
/// `Display`, all from the one list of `Variant => "WireName"` lines.
macro_rules! closed_names {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $wire:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name { $( $(#[$vmeta])* $variant, )+ }

        impl $name {
            /// Every name, in declaration order.
            pub const ALL: &'static [Self] = &[$( Self::$variant ),+];

            /// The name as FPS writes it.
            pub fn as_str(self) -> &'static str {
                match self { $( Self::$variant => $wire, )+ }
            }

            /// Reads a name (exact and case-sensitive, as FPS is).
            pub fn from_wire(wire: &str) -> Option<Self> {
                match wire { $( $wire => Some(Self::$variant), )+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// Declares an open set of wire names: the fixed names of the list as unit variants, plus
/// families that keep the wire text they were read from (each `Family(String)`). Generates
/// `FIXED`, `fixed_name` and `from_fixed`; reading and writing a family is the caller's.
macro_rules! open_names {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $wire:literal, )+
        }
        families {
            $( $(#[$fmeta:meta])* $family:ident(String), )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
            $( $(#[$fmeta])* $family(String), )+
        }

        impl $name {
            /// Every fixed name's variant, in declaration order.
            pub const FIXED: &'static [Self] = &[$( Self::$variant ),+];

            /// The wire name of a fixed variant; `None` for a family.
            pub fn fixed_name(&self) -> Option<&'static str> {
                match self {
                    $( Self::$variant => Some($wire), )+
                    $( Self::$family(_) => None, )+
                }
            }

            /// The fixed variant of a wire name, if the list has it.
            pub fn from_fixed(wire: &str) -> Option<Self> {
                match wire { $( $wire => Some(Self::$variant), )+ _ => None }
            }
        }
    };
}

// After the macros: a `macro_rules!` macro is in scope only after its definition.
mod actions;
mod codes;

pub use actions::ActionName;
pub use codes::ErrorCode;
