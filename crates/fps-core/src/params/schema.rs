//! The one CBUI schema: each field's value check, each pipeline's groups and cross-field rules as
//! data, and the one evaluator of those rules that both readers (typed and table) run.
//!
//! A pipeline is declared once, by its `param_struct!` invocation (`pipelines.rs`): the field
//! list there makes the typed struct, its reader and writer, and its [`Shape`] (fields with their
//! [`Kind`], the groups it takes, its rules). [`PIPELINES`] only names each shape.

use alloc::{borrow::ToOwned, string::String};

use super::pipelines::{
    Address, EditToken, MultiUse, Recipient, Recurring, SetupPostpaid, SetupPrepaid, SingleUse, UsageLimits,
    Validity,
};
use super::values::{
    check_len, no_control_chars, AddressLine, AmountType, CallerKey, CallerReference, CobrandingStyle,
    Description, DisplayAmount, FpsBool, HttpUrl, ParamValue, PaymentMethods, Percent, Period, ShortText,
    SignatureMethod, TokenId, TokenList, UnixTime, UsageLimitType, UsageLimitValue,
};
use super::Common;
use crate::amount::{Amount, Currency};
use crate::endpoint::Endpoint;
use crate::error::{CoreError, ParamRule};
use crate::return_url::RESERVED_RETURN_NAMES;
use crate::text::{contains_byte, parse_digits, split_byte, split_once_byte};

/// How the table reader checks a field's value: which value type's rules apply. A byte, not the
/// checks themselves, so the tables stay small; the text types share one check and the closed
/// sets another, instead of one parser each in the browser module.
#[derive(Clone, Copy)]
pub(crate) enum Kind {
    /// [`Amount`], normalised (`1` is `1.00`).
    Amount,
    /// [`DisplayAmount`], normalised.
    DisplayAmount,
    /// [`Period`], normalised (`01 Month` is `1 Month`).
    Period,
    /// [`Percent`], normalised.
    Percent,
    /// [`UnixTime`], normalised (no leading zeros).
    UnixTime,
    /// [`CallerKey`].
    CallerKey,
    /// [`HttpUrl`].
    Url,
    /// [`Currency`].
    Currency,
    /// [`PaymentMethods`].
    PaymentMethods,
    /// [`TokenId`].
    TokenId,
    /// [`TokenList`].
    TokenList,
    /// [`UsageLimitValue`].
    UsageLimitValue,
    /// [`Description`].
    Description,
    /// [`AddressLine`].
    AddressLine,
    /// [`ShortText`].
    ShortText,
    /// [`CallerReference`].
    CallerReference,
    /// [`SignatureMethod`].
    SignatureMethod,
    /// [`CobrandingStyle`].
    CobrandingStyle,
    /// [`FpsBool`].
    Bool,
    /// [`AmountType`].
    AmountType,
    /// [`UsageLimitType`].
    UsageLimitType,
}

impl Kind {
    /// Checks `raw` for the parameter `name` and returns the wire text the typed value renders.
    pub(crate) fn check(self, name: &str, raw: &str) -> Result<String, CoreError> {
        match self {
            // The types that normalise their text.
            Kind::Amount => return normalised::<Amount>(name, raw),
            Kind::DisplayAmount => return normalised::<DisplayAmount>(name, raw),
            Kind::Period => return normalised::<Period>(name, raw),
            Kind::Percent => return normalised::<Percent>(name, raw),
            Kind::UnixTime => return normalised::<UnixTime>(name, raw),
            // The rest are sent as given.
            Kind::CallerKey => parsed::<CallerKey>(name, raw),
            Kind::Url => parsed::<HttpUrl>(name, raw),
            Kind::Currency => parsed::<Currency>(name, raw),
            Kind::PaymentMethods => parsed::<PaymentMethods>(name, raw),
            Kind::TokenId => parsed::<TokenId>(name, raw),
            Kind::TokenList => parsed::<TokenList>(name, raw),
            Kind::UsageLimitValue => parsed::<UsageLimitValue>(name, raw),
            // The rules of `Text` and `CallerReference`, with each type's own limits.
            Kind::Description => text(name, raw, Description::MIN_BYTES, Description::MAX_BYTES),
            Kind::AddressLine => text(name, raw, AddressLine::MIN_BYTES, AddressLine::MAX_BYTES),
            Kind::ShortText => text(name, raw, ShortText::MIN_BYTES, ShortText::MAX_BYTES),
            Kind::CallerReference => text(name, raw, CallerReference::MIN_BYTES, CallerReference::MAX_BYTES),
            Kind::SignatureMethod => one_of(name, raw, SignatureMethod::WIRE),
            Kind::CobrandingStyle => one_of(name, raw, CobrandingStyle::WIRE),
            Kind::Bool => one_of(name, raw, FpsBool::WIRE),
            Kind::AmountType => one_of(name, raw, AmountType::WIRE),
            Kind::UsageLimitType => one_of(name, raw, UsageLimitType::WIRE),
        }?;
        Ok(raw.to_owned())
    }
}

/// A parameter value type as the schema knows it: which [`Kind`] of check its wire text gets.
/// Every type a `param_struct!` field names implements it (a new type fails to compile until it
/// does), so a field's table entry comes from its Rust type, length limits included.
pub(crate) trait FieldValue: ParamValue {
    /// The check the table reader applies.
    const KIND: Kind;
}

macro_rules! kinds {
    ($($ty:ty => $kind:ident),* $(,)?) => {
        $( impl FieldValue for $ty { const KIND: Kind = Kind::$kind; } )*
    };
}

kinds! {
    Amount => Amount, DisplayAmount => DisplayAmount, Period => Period, Percent => Percent,
    UnixTime => UnixTime, CallerKey => CallerKey, HttpUrl => Url, Currency => Currency,
    PaymentMethods => PaymentMethods, TokenId => TokenId, TokenList => TokenList,
    UsageLimitValue => UsageLimitValue, Description => Description, AddressLine => AddressLine,
    ShortText => ShortText, CallerReference => CallerReference, SignatureMethod => SignatureMethod,
    CobrandingStyle => CobrandingStyle, FpsBool => Bool, AmountType => AmountType,
    UsageLimitType => UsageLimitType,
}

/// Checks `raw` as `T` and returns `T`'s wire text.
fn normalised<T: ParamValue>(name: &str, raw: &str) -> Result<String, CoreError> {
    T::parse_param(name, raw).map(|value| value.render())
}

/// Checks `raw` as `T`, whose wire text is `raw` itself.
fn parsed<T: ParamValue>(name: &str, raw: &str) -> Result<(), CoreError> {
    T::parse_param(name, raw).map(drop)
}

/// The rules of [`Text`](super::values::Text) and [`CallerReference`]: a byte length in
/// `min..=max`, no control characters.
fn text(name: &str, raw: &str, min: usize, max: usize) -> Result<(), CoreError> {
    check_len(name, raw, min, max)?;
    no_control_chars(name, raw)
}

/// The rule of a closed set of wire values: exactly one of `allowed` (what `wire_enum!`'s
/// parsers check).
fn one_of(name: &str, raw: &str, allowed: &'static [&'static str]) -> Result<(), CoreError> {
    if allowed.contains(&raw) {
        Ok(())
    } else {
        Err(CoreError::param(name, ParamRule::NotOneOf { allowed }))
    }
}

/// One parameter: wire name, value check, whether it must be present.
#[derive(Clone, Copy)]
pub(crate) struct Field {
    /// The wire name.
    pub(crate) name: &'static str,
    /// How its value is checked.
    pub(crate) kind: Kind,
    /// Whether it must be present.
    pub(crate) required: bool,
}

/// The optional parameter groups, in the order they are read and written.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Group {
    /// [`Address`].
    Address,
    /// [`Validity`].
    Validity,
    /// [`UsageLimits`].
    UsageLimits,
}

impl Group {
    /// The group's own shape.
    pub(crate) fn shape(self) -> &'static Shape {
        match self {
            Group::Address => &Address::SHAPE,
            Group::Validity => &Validity::SHAPE,
            Group::UsageLimits => &UsageLimits::SHAPE,
        }
    }
}

/// A cross-field rule, over the wire names and the (checked) wire values.
#[derive(Clone, Copy)]
pub(crate) enum Rule {
    /// The URL's query must not use a name CBUI adds on return.
    ReturnQuery(&'static str),
    /// `field` may be given only with `other`.
    Requires {
        /// The dependent field.
        field: &'static str,
        /// The field it needs.
        other: &'static str,
    },
    /// The amount `field` must not exceed the amount `limit`.
    NotAbove {
        /// The bounded amount.
        field: &'static str,
        /// The bound.
        limit: &'static str,
        /// The refusal's reason.
        reason: &'static str,
    },
    /// `field` must differ from `other`.
    Differs {
        /// The field refused.
        field: &'static str,
        /// The field it must differ from.
        other: &'static str,
        /// The refusal's reason.
        reason: &'static str,
    },
    /// `field` is given exactly when `flag` is `True`.
    WithFlag {
        /// The flag.
        flag: &'static str,
        /// The field it calls for.
        field: &'static str,
    },
    /// The Unix time `field` must be later than `earlier`.
    Later {
        /// The later time.
        field: &'static str,
        /// The earlier time.
        earlier: &'static str,
        /// The refusal's reason.
        reason: &'static str,
    },
    /// A usage limit: a type needs a value, a value and a period need a type, a `Count` limit's
    /// value is whole.
    UsageLimit {
        /// What the limit counts.
        kind: &'static str,
        /// Its period.
        period: &'static str,
        /// Its value.
        value: &'static str,
    },
}

/// What one `param_struct!` declares, as data: its fields, the groups it takes (pipelines only)
/// and its cross-field rules.
pub(crate) struct Shape {
    /// The fields, in reading and writing order.
    pub(crate) fields: &'static [Field],
    /// The optional groups a pipeline takes, in order.
    pub(crate) groups: &'static [Group],
    /// The cross-field rules, in the order they are checked.
    pub(crate) rules: &'static [Rule],
}

impl Shape {
    /// Whether a pipeline of this shape takes `group`.
    pub(crate) fn takes(&self, group: Group) -> bool {
        self.groups.contains(&group)
    }
}

/// Each pipeline's name and shape, in the order of [`PIPELINE_NAMES`](super::PIPELINE_NAMES).
pub(crate) const PIPELINES: [(&str, &Shape); 7] = [
    ("SingleUse", &SingleUse::SHAPE),
    ("MultiUse", &MultiUse::SHAPE),
    ("Recurring", &Recurring::SHAPE),
    ("Recipient", &Recipient::SHAPE),
    ("SetupPrepaid", &SetupPrepaid::SHAPE),
    ("SetupPostpaid", &SetupPostpaid::SHAPE),
    ("EditToken", &EditToken::SHAPE),
];

/// The pipeline named `name` (its name as a static) and its shape.
pub(crate) fn pipeline(name: &str) -> Result<(&'static str, &'static Shape), CoreError> {
    PIPELINES
        .iter()
        .find(|(known, _)| *known == name)
        .copied()
        .ok_or_else(|| {
            CoreError::param(
                "pipelineName",
                ParamRule::NotOneOf {
                    allowed: super::PIPELINE_NAMES,
                },
            )
        })
}

/// Checks every cross-field rule of a request of `shape` over its wire pairs: the common rules,
/// the pipeline's, then each group's, in that order (the first broken one is the error).
pub(crate) fn check_rules(shape: &Shape, pairs: &[(&'static str, String)]) -> Result<(), CoreError> {
    let groups = shape.groups.iter().map(|group| group.shape().rules);
    for rules in [Common::SHAPE.rules, shape.rules].into_iter().chain(groups) {
        for rule in rules {
            check_rule(*rule, pairs)?;
        }
    }
    Ok(())
}

/// The value of `name` among `pairs`.
fn value<'a>(pairs: &'a [(&'static str, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
}

fn check_rule(rule: Rule, pairs: &[(&'static str, String)]) -> Result<(), CoreError> {
    let get = |name| value(pairs, name);
    let conflict = |name: &str, reason| Err(CoreError::param(name, ParamRule::Conflict { reason }));
    let requires = |name: &str, other| Err(CoreError::param(name, ParamRule::Requires { other }));
    let missing = |name: &str| Err(CoreError::param(name, ParamRule::Missing));
    // The values were checked by their kinds, so they parse.
    let amount = |name| get(name).and_then(|raw| Amount::parse(raw).ok());
    match rule {
        Rule::ReturnQuery(field) => {
            if get(field)
                .and_then(|raw| Endpoint::parse(raw).ok())
                .is_some_and(|url| uses_return_name(&url))
            {
                return conflict(
                    field,
                    "its query must not use a name CBUI adds on return (status, tokenID, callerReference, signature, ...)",
                );
            }
        }
        Rule::Requires { field, other } if get(field).is_some() && get(other).is_none() => {
            return requires(field, other)
        }
        Rule::NotAbove { field, limit, reason } => {
            if let (Some(value), Some(limit)) = (amount(field), amount(limit)) {
                if value > limit {
                    return conflict(field, reason);
                }
            }
        }
        Rule::Differs { field, other, reason } if get(field).is_some() && get(field) == get(other) => {
            return conflict(field, reason)
        }
        Rule::WithFlag { flag, field } => match (get(flag) == Some("True"), get(field).is_some()) {
            (true, false) => return missing(field),
            (false, true) => return requires(field, flag),
            _ => {}
        },
        Rule::Later {
            field,
            earlier,
            reason,
        } => {
            // Unix seconds are rendered without leading zeros, but compare them as numbers.
            let seconds = |name| get(name).and_then(parse_digits);
            if let (Some(start), Some(end)) = (seconds(earlier), seconds(field)) {
                if end <= start {
                    return conflict(field, reason);
                }
            }
        }
        Rule::UsageLimit { kind, period, value } => {
            match (get(kind), get(value)) {
                (Some(_), None) => return missing(value),
                (None, Some(_)) => return requires(value, kind),
                (Some("Count"), Some(given)) if contains_byte(given, b'.') => {
                    return Err(CoreError::param(
                        value,
                        ParamRule::Format {
                            expected: "a whole number for a Count limit",
                        },
                    ))
                }
                _ => {}
            }
            if get(period).is_some() && get(kind).is_none() {
                return requires(period, kind);
            }
        }
        Rule::Requires { .. } | Rule::Differs { .. } => {}
    }
    Ok(())
}

/// Whether the query of a `returnURL` uses a name CBUI adds on return, so that the return's
/// parameters could not be told from the merchant's own.
fn uses_return_name(url: &Endpoint) -> bool {
    url.query().is_some_and(|query| {
        split_byte(query, b'&').any(|segment| {
            let name = split_once_byte(segment, b'=').map_or(segment, |(n, _)| n);
            RESERVED_RETURN_NAMES.contains(&name)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every name a rule mentions is a field of the shape it belongs to (or of Common, or of a
    /// group the pipeline takes), so a renamed field cannot leave a rule checking nothing.
    #[test]
    fn every_rule_names_fields_of_its_pipeline() {
        for (pipeline, shape) in PIPELINES {
            let mut known: Vec<&str> = Common::SHAPE.fields.iter().map(|f| f.name).collect();
            known.extend(shape.fields.iter().map(|f| f.name));
            for group in shape.groups {
                known.extend(group.shape().fields.iter().map(|f| f.name));
            }
            let groups = shape.groups.iter().map(|group| group.shape().rules);
            for rule in [Common::SHAPE.rules, shape.rules]
                .into_iter()
                .chain(groups)
                .flatten()
            {
                let names: Vec<&str> = match *rule {
                    Rule::ReturnQuery(field) => vec![field],
                    Rule::Requires { field, other } | Rule::Differs { field, other, .. } => {
                        vec![field, other]
                    }
                    Rule::NotAbove { field, limit, .. } => vec![field, limit],
                    Rule::WithFlag { flag, field } => vec![flag, field],
                    Rule::Later { field, earlier, .. } => vec![field, earlier],
                    Rule::UsageLimit { kind, period, value } => vec![kind, period, value],
                };
                for name in names {
                    assert!(
                        known.contains(&name),
                        "{pipeline}: a rule names {name}, not one of its fields"
                    );
                }
            }
        }
    }

    /// The pipeline list and the public names agree, in order.
    #[test]
    fn pipeline_names_match_the_shapes() {
        let names: Vec<&str> = PIPELINES.iter().map(|(name, _)| *name).collect();
        assert_eq!(names, super::super::PIPELINE_NAMES);
    }

    /// A field's kind comes from its Rust type, limits included.
    #[test]
    fn kinds_come_from_the_field_types() {
        let zip = Address::SHAPE
            .fields
            .iter()
            .find(|f| f.name == "zip")
            .map(|f| f.kind);
        assert!(matches!(zip, Some(Kind::ShortText)));
        assert!(matches!(<AddressLine as FieldValue>::KIND, Kind::AddressLine));
    }
}
