//! Reading typed parameters out of untrusted name/value pairs, and writing them back in order.

use alloc::{borrow::ToOwned, string::String, vec::Vec};

use super::values::ParamValue;
use crate::error::{CoreError, ParamRule};

/// Untrusted pairs being read into typed fields; every pair must be claimed exactly once.
///
/// A request has a few dozen pairs at most, so a list searched in order is enough (and much
/// smaller in the wasm than a map).
pub(crate) struct ParamReader<'a> {
    /// Name, value, and whether a field claimed it.
    pairs: Vec<(&'a str, &'a str, bool)>,
    /// Whether a name differing only in letter case is read as the documented one (the
    /// emulator's CBUI, as real CBUI did); exact everywhere else.
    case_tolerant: bool,
    /// A documented name sent only in two or more other spellings: refused by [`Self::finish`].
    ambiguous: Option<&'a str>,
}

impl<'a> ParamReader<'a> {
    /// Takes the pairs; a repeated name is an error.
    pub(crate) fn new<I>(pairs: I) -> Result<Self, CoreError>
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        let mut list: Vec<(&'a str, &'a str, bool)> = Vec::new();
        for (name, value) in pairs {
            if list.iter().any(|(seen, _, _)| *seen == name) {
                return Err(CoreError::param(name, ParamRule::Duplicate));
            }
            list.push((name, value, false));
        }
        Ok(ParamReader {
            pairs: list,
            case_tolerant: false,
            ambiguous: None,
        })
    }

    /// Like [`Self::new`], but a name that differs from a documented one only in letter case is
    /// read as it. When the documented spelling is present too, it wins and the other spellings
    /// are taken as read and ignored; two other spellings without the documented one are a
    /// duplicate.
    pub(crate) fn case_tolerant<I>(pairs: I) -> Result<Self, CoreError>
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        let mut reader = Self::new(pairs)?;
        reader.case_tolerant = true;
        Ok(reader)
    }

    /// The raw value of `name`, marked as used.
    pub(crate) fn raw(&mut self, name: &str) -> Option<&'a str> {
        if !self.case_tolerant {
            let (_, value, used) = self.pairs.iter_mut().find(|(n, _, _)| *n == name)?;
            *used = true;
            return Some(*value);
        }
        let exact = self.pairs.iter().find(|(n, _, _)| *n == name).map(|(_, v, _)| *v);
        let mut found = exact;
        let mut variants = 0usize;
        for (n, value, used) in self.pairs.iter_mut() {
            if n.eq_ignore_ascii_case(name) {
                *used = true;
                if *n != name {
                    variants += 1;
                    found = found.or(Some(*value));
                    if exact.is_none() && variants > 1 && self.ambiguous.is_none() {
                        self.ambiguous = Some(*n);
                    }
                }
            }
        }
        found
    }

    /// A required field: present and valid.
    pub(crate) fn required<T: ParamValue>(&mut self, name: &'static str) -> Result<T, CoreError> {
        match self.raw(name) {
            Some(raw) => T::parse_param(name, raw),
            None => Err(CoreError::param(name, ParamRule::Missing)),
        }
    }

    /// An optional field: valid if present.
    pub(crate) fn optional<T: ParamValue>(&mut self, name: &'static str) -> Result<Option<T>, CoreError> {
        self.raw(name).map(|raw| T::parse_param(name, raw)).transpose()
    }

    /// A fixed-value parameter (`version`, `signatureVersion`): absent or exactly `expected`.
    pub(crate) fn fixed(
        &mut self,
        name: &'static str,
        expected: &'static [&'static str],
    ) -> Result<(), CoreError> {
        match self.raw(name) {
            Some(raw) if !expected.contains(&raw) => {
                Err(CoreError::param(name, ParamRule::NotOneOf { allowed: expected }))
            }
            _ => Ok(()),
        }
    }

    /// Fails on the first pair no field claimed.
    pub(crate) fn finish(self) -> Result<(), CoreError> {
        if let Some(name) = self.ambiguous {
            return Err(CoreError::param(name, ParamRule::Duplicate));
        }
        match self.pairs.iter().find(|(_, _, used)| !used) {
            Some((name, _, _)) => Err(CoreError::param(name, ParamRule::Unknown)),
            None => Ok(()),
        }
    }
}

/// Typed fields being written out as wire pairs, in declaration order.
#[derive(Debug, Default)]
pub(crate) struct ParamWriter(pub(crate) Vec<(&'static str, String)>);

impl ParamWriter {
    /// Writes a present value.
    pub(crate) fn required<T: ParamValue>(&mut self, name: &'static str, value: &T) {
        self.0.push((name, value.render()));
    }

    /// Writes a value when present.
    pub(crate) fn optional<T: ParamValue>(&mut self, name: &'static str, value: &Option<T>) {
        if let Some(value) = value {
            self.required(name, value);
        }
    }

    /// Writes a literal value.
    pub(crate) fn literal(&mut self, name: &'static str, value: &str) {
        self.0.push((name, value.to_owned()));
    }
}

/// The field type for a `required` or `optional` field in [`param_struct!`].
macro_rules! field_type {
    (required $ty:ty) => { $ty };
    (optional $ty:ty) => { Option<$ty> };
}

/// Whether a `required` or `optional` field in [`param_struct!`] must be present.
macro_rules! field_required {
    (required) => {
        true
    };
    (optional) => {
        false
    };
}

/// Declares a struct of typed CBUI parameters from one field list: the struct, its reader and
/// writer, and its [`Shape`](super::schema::Shape) (the same fields as data, each checked by its
/// type's [`Kind`](super::schema::Kind), plus the groups a pipeline takes and the cross-field
/// rules), which the browser's table reader reads instead of the struct.
macro_rules! param_struct {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$fmeta:meta])* $kind:ident $field:ident : $ty:ty = $wire:literal, )*
        }
        $( groups: [$($group:ident),* $(,)?] )?
        $( rules: [$($rule:expr),* $(,)?] )?
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $crate::params::wire::field_type!($kind $ty), )*
        }

        impl $name {
            /// Every parameter name this struct reads, in declaration order.
            pub const PARAMS: &'static [&'static str] = &[$($wire),*];

            /// The same declaration as data: what the table reader and the rule checks read.
            pub(crate) const SHAPE: $crate::params::schema::Shape = $crate::params::schema::Shape {
                fields: &[$($crate::params::schema::Field {
                    name: $wire,
                    kind: <$ty as $crate::params::schema::FieldValue>::KIND,
                    required: $crate::params::wire::field_required!($kind),
                }),*],
                groups: &[$($($crate::params::schema::Group::$group),*)?],
                rules: &[$($($rule),*)?],
            };

            /// Reads the fields in declaration order: the first missing or invalid one is the
            /// error. Each value is parsed once (the server signs with this reader; the browser
            /// module reads against `table` instead).
            pub(crate) fn read(reader: &mut $crate::params::wire::ParamReader<'_>) -> Result<Self, $crate::error::CoreError> {
                Ok($name { $( $field: reader.$kind::<$ty>($wire)?, )* })
            }

            pub(crate) fn write(&self, writer: &mut $crate::params::wire::ParamWriter) {
                $( writer.$kind($wire, &self.$field); )*
            }
        }
    };
}

pub(crate) use {field_required, field_type, param_struct};
