//! CBUI requests read against each pipeline's `Shape` (`schema.rs`), without the
//! typed structs: what the browser module uses.
//!
//! [`CbuiRequest`](super::CbuiRequest) builds one struct per pipeline and group, code
//! monomorphized per pipeline in the wasm (BENCHMARKS.md, "Size notes"); the browser only needs
//! to know that the pairs it was given make a valid request and what its canonical pairs are.
//! [`CheckedPairs::from_pairs`] reads the same declarations (each `param_struct!`'s shape:
//! fields, groups, cross-field rules), checks each value by its type's `Kind`
//! and runs the same rule evaluator (`schema::check_rules`). Only the pair bookkeeping below (a
//! duplicate, `version` and `signatureVersion`, an unclaimed name) is written apart from the
//! typed reader's `ParamReader`: sharing it measured larger in the button module than this
//! loop (BENCHMARKS.md, "Size notes"). `tests/it/params/` runs both readers on every fixture
//! and rule and requires the same pairs or the same error.

use alloc::{borrow::ToOwned, string::String, vec::Vec};

use super::schema::{self, Field};
use super::{Common, CBUI_VERSION, SIGNATURE_VERSION};
use crate::error::{CoreError, ParamRule};

/// A validated CBUI request as the wire pairs it is signed and sent as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedPairs {
    pipeline: &'static str,
    pairs: Vec<(&'static str, String)>,
}

impl CheckedPairs {
    /// Reads untrusted decoded pairs exactly as [`CbuiRequest::from_pairs`](super::CbuiRequest::from_pairs)
    /// does: the same rules, checked in the same order, so the same error for the same input,
    /// and on success the same [`CheckedPairs::pairs`] as `CbuiRequest::pairs`.
    pub fn from_pairs<'a, I>(pairs: I) -> Result<Self, CoreError>
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        // Name, value, claimed by a field.
        let mut given: Vec<(&str, &str, bool)> = Vec::new();
        for (name, value) in pairs {
            if given.iter().any(|(seen, _, _)| *seen == name) {
                return Err(CoreError::param(name, ParamRule::Duplicate));
            }
            given.push((name, value, false));
        }
        let mut take = |name: &str| {
            given
                .iter_mut()
                .find(|(n, _, _)| *n == name)
                .map(|(_, value, used)| {
                    *used = true;
                    *value
                })
        };
        let name =
            take("pipelineName").ok_or_else(|| CoreError::param("pipelineName", ParamRule::Missing))?;
        for (fixed, expected) in [
            ("version", &[CBUI_VERSION]),
            ("signatureVersion", &[SIGNATURE_VERSION]),
        ] {
            if take(fixed).is_some_and(|raw| raw != expected[0]) {
                return Err(CoreError::param(fixed, ParamRule::NotOneOf { allowed: expected }));
            }
        }
        let mut out: Vec<(&'static str, String)> = Vec::new();
        let mut read = |fields: &[Field], out: &mut Vec<(&'static str, String)>| {
            for field in fields {
                match take(field.name) {
                    Some(raw) => out.push((field.name, field.kind.check(field.name, raw)?)),
                    None if field.required => return Err(CoreError::param(field.name, ParamRule::Missing)),
                    None => {}
                }
            }
            Ok(())
        };
        read(Common::SHAPE.fields, &mut out)?;
        let (pipeline, shape) = schema::pipeline(name)?;
        read(shape.fields, &mut out)?;
        for group in shape.groups {
            read(group.shape().fields, &mut out)?;
        }
        if let Some((unknown, _, _)) = given.iter().find(|(_, _, used)| !used) {
            return Err(CoreError::param(unknown, ParamRule::Unknown));
        }
        schema::check_rules(shape, &out)?;
        Ok(CheckedPairs { pipeline, pairs: out }.into_wire_order())
    }

    /// The pairs as `CbuiRequest::pairs` orders them: the fixed ones first, the signature method
    /// always stated.
    fn into_wire_order(self) -> Self {
        let method = self
            .pairs
            .iter()
            .find(|(name, _)| *name == "signatureMethod")
            .map_or("HmacSHA256", |(_, value)| value.as_str())
            .to_owned();
        let mut pairs: Vec<(&'static str, String)> = Vec::with_capacity(self.pairs.len() + 4);
        pairs.push(("pipelineName", self.pipeline.to_owned()));
        pairs.push(("version", CBUI_VERSION.to_owned()));
        pairs.push(("signatureVersion", SIGNATURE_VERSION.to_owned()));
        let mut rest = self.pairs.into_iter();
        // Common's first two fields are required, so they come first.
        pairs.extend(rest.by_ref().take(2));
        pairs.push(("signatureMethod", method));
        pairs.extend(rest.filter(|(name, _)| *name != "signatureMethod"));
        CheckedPairs {
            pipeline: self.pipeline,
            pairs,
        }
    }

    /// The `pipelineName`.
    pub fn pipeline(&self) -> &'static str {
        self.pipeline
    }

    /// Every parameter to send except the signature, as wire name and value, in the order of
    /// `CbuiRequest::pairs`.
    pub fn pairs(&self) -> &[(&'static str, String)] {
        &self.pairs
    }
}
