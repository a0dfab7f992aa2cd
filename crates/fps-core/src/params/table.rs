//! CBUI requests read against a table of each pipeline's fields, without the typed structs.
//!
//! What the browser module uses: [`CbuiRequest`](super::CbuiRequest) builds one struct per
//! pipeline and group, code monomorphized per pipeline in the wasm (BENCHMARKS.md, "Size notes");
//! the browser only needs to know that the pairs it was given make a valid request and what its
//! canonical pairs are. [`CheckedPairs::from_pairs`] applies the same rules in the same order
//! from data: the field lists below, one value check per value type (the typed values' own
//! parsers, but one shared function for the four text types and one for the closed sets of wire
//! values), and the cross-field rules. `tests/it/params.rs` runs both readers on every fixture
//! and rule and requires the same pairs or the same error, so the two cannot drift apart.

use alloc::{borrow::ToOwned, string::String, vec::Vec};

use super::values::{
    check_len, no_control_chars, AmountType, CallerKey, CallerReference, CobrandingStyle, DisplayAmount,
    FpsBool, HttpUrl, ParamValue, PaymentMethods, Percent, Period, SignatureMethod, TokenId, TokenList,
    UnixTime, UsageLimitType, UsageLimitValue,
};
use super::{check_return_url_query, CBUI_VERSION, PIPELINE_NAMES, SIGNATURE_VERSION};
use crate::amount::{Amount, Currency};
use crate::error::{CoreError, ParamRule};
use crate::text::contains_byte;

/// The value type of a field: which typed value's parser checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    CallerKey,
    Url,
    SignatureMethod,
    CobrandingStyle,
    Description,
    AddressLine,
    ShortText,
    CallerReference,
    Amount,
    Currency,
    PaymentMethods,
    TokenId,
    TokenList,
    Bool,
    DisplayAmount,
    AmountType,
    Period,
    Percent,
    UnixTime,
    UsageLimitType,
    UsageLimitValue,
}

/// One parameter: wire name, value type, whether it must be present.
type Field = (&'static str, Kind, bool);

const REQ: bool = true;
const OPT: bool = false;

/// Parameters every pipeline shares (`Common`).
const COMMON: &[Field] = &[
    ("callerKey", Kind::CallerKey, REQ),
    ("returnURL", Kind::Url, REQ),
    ("signatureMethod", Kind::SignatureMethod, OPT),
    ("cobrandingStyle", Kind::CobrandingStyle, OPT),
    ("cobrandingUrl", Kind::Url, OPT),
    ("websiteDescription", Kind::Description, OPT),
];

const SINGLE_USE: &[Field] = &[
    ("callerReference", Kind::CallerReference, REQ),
    ("transactionAmount", Kind::Amount, REQ),
    ("currencyCode", Kind::Currency, OPT),
    ("paymentMethod", Kind::PaymentMethods, OPT),
    ("paymentReason", Kind::Description, OPT),
    ("recipientToken", Kind::TokenId, OPT),
    ("reserve", Kind::Bool, OPT),
    ("collectShippingAddress", Kind::Bool, OPT),
    ("itemTotal", Kind::DisplayAmount, OPT),
    ("shipping", Kind::DisplayAmount, OPT),
    ("handling", Kind::DisplayAmount, OPT),
    ("discount", Kind::DisplayAmount, OPT),
    ("tax", Kind::DisplayAmount, OPT),
    ("giftWrapping", Kind::DisplayAmount, OPT),
];

const MULTI_USE: &[Field] = &[
    ("callerReference", Kind::CallerReference, REQ),
    ("globalAmountLimit", Kind::Amount, REQ),
    ("amountType", Kind::AmountType, OPT),
    ("transactionAmount", Kind::Amount, OPT),
    ("isRecipientCobranding", Kind::Bool, OPT),
    ("recipientTokenList", Kind::TokenList, OPT),
    ("currencyCode", Kind::Currency, OPT),
    ("paymentMethod", Kind::PaymentMethods, OPT),
    ("paymentReason", Kind::Description, OPT),
    ("collectShippingAddress", Kind::Bool, OPT),
];

const RECURRING: &[Field] = &[
    ("callerReference", Kind::CallerReference, REQ),
    ("transactionAmount", Kind::Amount, REQ),
    ("recurringPeriod", Kind::Period, REQ),
    ("currencyCode", Kind::Currency, OPT),
    ("paymentMethod", Kind::PaymentMethods, OPT),
    ("paymentReason", Kind::Description, OPT),
    ("recipientToken", Kind::TokenId, OPT),
    ("isRecipientCobranding", Kind::Bool, OPT),
    ("collectShippingAddress", Kind::Bool, OPT),
];

const RECIPIENT: &[Field] = &[
    ("callerReference", Kind::CallerReference, REQ),
    ("recipientPaysFee", Kind::Bool, REQ),
    ("maxFixedFee", Kind::Amount, OPT),
    ("maxVariableFee", Kind::Percent, OPT),
    ("paymentMethod", Kind::PaymentMethods, OPT),
];

const SETUP_PREPAID: &[Field] = &[
    ("callerReferenceSender", Kind::CallerReference, REQ),
    ("callerReferenceFunding", Kind::CallerReference, REQ),
    ("fundingAmount", Kind::Amount, REQ),
    ("paymentMethod", Kind::PaymentMethods, OPT),
    ("paymentReason", Kind::Description, OPT),
    ("currencyCode", Kind::Currency, OPT),
];

const SETUP_POSTPAID: &[Field] = &[
    ("callerReferenceSender", Kind::CallerReference, REQ),
    ("callerReferenceSettlement", Kind::CallerReference, REQ),
    ("creditLimit", Kind::Amount, REQ),
    ("globalAmountLimit", Kind::Amount, REQ),
    ("paymentMethod", Kind::PaymentMethods, OPT),
    ("paymentReason", Kind::Description, OPT),
    ("currencyCode", Kind::Currency, OPT),
];

const EDIT_TOKEN: &[Field] = &[
    ("callerReference", Kind::CallerReference, REQ),
    ("tokenId", Kind::TokenId, REQ),
    ("paymentMethod", Kind::PaymentMethods, OPT),
];

const ADDRESS: &[Field] = &[
    ("addressName", Kind::AddressLine, OPT),
    ("addressLine1", Kind::AddressLine, OPT),
    ("addressLine2", Kind::AddressLine, OPT),
    ("city", Kind::AddressLine, OPT),
    ("state", Kind::ShortText, OPT),
    ("country", Kind::AddressLine, OPT),
    ("zip", Kind::ShortText, OPT),
    ("phoneNumber", Kind::ShortText, OPT),
];

const VALIDITY: &[Field] = &[
    ("validityStart", Kind::UnixTime, OPT),
    ("validityExpiry", Kind::UnixTime, OPT),
];

const USAGE_LIMITS: &[Field] = &[
    ("usageLimitType1", Kind::UsageLimitType, OPT),
    ("usageLimitPeriod1", Kind::Period, OPT),
    ("usageLimitValue1", Kind::UsageLimitValue, OPT),
    ("usageLimitType2", Kind::UsageLimitType, OPT),
    ("usageLimitPeriod2", Kind::Period, OPT),
    ("usageLimitValue2", Kind::UsageLimitValue, OPT),
];

/// Each pipeline's own fields, then the optional groups it takes, in the typed reader's order
/// (as `PIPELINE_NAMES`).
const PIPELINES: [[&[Field]; 4]; 7] = [
    [SINGLE_USE, ADDRESS, &[], &[]],
    [MULTI_USE, ADDRESS, VALIDITY, USAGE_LIMITS],
    [RECURRING, ADDRESS, VALIDITY, &[]],
    [RECIPIENT, VALIDITY, &[], &[]],
    [SETUP_PREPAID, ADDRESS, VALIDITY, &[]],
    [SETUP_POSTPAID, ADDRESS, VALIDITY, USAGE_LIMITS],
    [EDIT_TOKEN, &[], &[], &[]],
];

/// Checks `raw` as the value type `T` and returns its wire text.
fn wire<T: ParamValue>(name: &str, raw: &str) -> Result<String, CoreError> {
    T::parse_param(name, raw).map(|value| value.render())
}

/// Checks `raw` as the value type `T`, whose wire text is `raw` itself.
fn valid<T: ParamValue>(name: &str, raw: &str) -> Result<(), CoreError> {
    T::parse_param(name, raw).map(drop)
}

/// The rules of [`Text`](super::values::Text) and [`CallerReference`]: a byte length in
/// `min..=max`, no control characters. One function for the four text types instead of one
/// parser per length pair.
fn text(name: &str, raw: &str, min: usize, max: usize) -> Result<(), CoreError> {
    check_len(name, raw, min, max)?;
    no_control_chars(name, raw)
}

/// The rule of a closed set of wire values: exactly one of `allowed` (what `wire_enum!`'s
/// parsers check, from their `WIRE` list instead of one `match` per enum).
fn one_of(name: &str, raw: &str, allowed: &'static [&'static str]) -> Result<(), CoreError> {
    if allowed.contains(&raw) {
        Ok(())
    } else {
        Err(CoreError::param(name, ParamRule::NotOneOf { allowed }))
    }
}

impl Kind {
    /// Checks `raw` for the parameter `name` and returns the wire text the typed value renders.
    fn check(self, name: &str, raw: &str) -> Result<String, CoreError> {
        let checked = match self {
            // The types that normalise their text (`1` is `1.00`, `01 Month` is `1 Month`).
            Kind::Amount => return wire::<Amount>(name, raw),
            Kind::DisplayAmount => return wire::<DisplayAmount>(name, raw),
            Kind::Period => return wire::<Period>(name, raw),
            Kind::Percent => return wire::<Percent>(name, raw),
            Kind::UnixTime => return wire::<UnixTime>(name, raw),
            // The rest are sent as given.
            Kind::Description => text(name, raw, 1, 1024),
            Kind::AddressLine => text(name, raw, 1, 128),
            Kind::ShortText => text(name, raw, 1, 32),
            Kind::CallerReference => text(name, raw, 1, CallerReference::MAX_BYTES),
            Kind::SignatureMethod => one_of(name, raw, SignatureMethod::WIRE),
            Kind::CobrandingStyle => one_of(name, raw, CobrandingStyle::WIRE),
            Kind::Bool => one_of(name, raw, FpsBool::WIRE),
            Kind::AmountType => one_of(name, raw, AmountType::WIRE),
            Kind::UsageLimitType => one_of(name, raw, UsageLimitType::WIRE),
            Kind::CallerKey => valid::<CallerKey>(name, raw),
            Kind::Url => valid::<HttpUrl>(name, raw),
            Kind::Currency => valid::<Currency>(name, raw),
            Kind::PaymentMethods => valid::<PaymentMethods>(name, raw),
            Kind::TokenId => valid::<TokenId>(name, raw),
            Kind::TokenList => valid::<TokenList>(name, raw),
            Kind::UsageLimitValue => valid::<UsageLimitValue>(name, raw),
        };
        checked.map(|()| raw.to_owned())
    }
}

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
            for &(field, kind, required) in fields {
                match take(field) {
                    Some(raw) => out.push((field, kind.check(field, raw)?)),
                    None if required => return Err(CoreError::param(field, ParamRule::Missing)),
                    None => {}
                }
            }
            Ok(())
        };
        read(COMMON, &mut out)?;
        let index = PIPELINE_NAMES.iter().position(|p| *p == name).ok_or_else(|| {
            CoreError::param(
                "pipelineName",
                ParamRule::NotOneOf {
                    allowed: PIPELINE_NAMES,
                },
            )
        })?;
        let pipeline = PIPELINE_NAMES[index];
        for fields in PIPELINES[index] {
            read(fields, &mut out)?;
        }
        if let Some((unknown, _, _)) = given.iter().find(|(_, _, used)| !used) {
            return Err(CoreError::param(unknown, ParamRule::Unknown));
        }
        let request = CheckedPairs { pipeline, pairs: out };
        request.check_rules()?;
        Ok(request.into_wire_order())
    }

    /// The value of `name`, as it will be sent.
    fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The amount in `name` (only names of amount fields, already checked).
    fn amount(&self, name: &str) -> Option<Amount> {
        self.get(name).and_then(|raw| Amount::parse(raw).ok())
    }

    /// The cross-field rules, in the order `CbuiRequest::new` checks them.
    fn check_rules(&self) -> Result<(), CoreError> {
        let conflict =
            |name: &str, reason: &'static str| Err(CoreError::param(name, ParamRule::Conflict { reason }));
        let requires =
            |name: &str, other: &'static str| Err(CoreError::param(name, ParamRule::Requires { other }));
        // returnURL was checked as a URL, so it parses.
        if let Some(url) = self
            .get("returnURL")
            .and_then(|url| HttpUrl::parse_param("returnURL", url).ok())
        {
            check_return_url_query(url.endpoint())?;
        }
        match self.pipeline {
            "MultiUse" => {
                let amount = self.amount("transactionAmount");
                if self.get("amountType").is_some() && amount.is_none() {
                    return requires("amountType", "transactionAmount");
                }
                if amount > self.amount("globalAmountLimit") {
                    return conflict("transactionAmount", "must not exceed globalAmountLimit");
                }
                match (
                    self.get("isRecipientCobranding") == Some("True"),
                    self.get("recipientTokenList").is_some(),
                ) {
                    (true, false) => return Err(CoreError::param("recipientTokenList", ParamRule::Missing)),
                    (false, true) => return requires("recipientTokenList", "isRecipientCobranding"),
                    _ => {}
                }
            }
            "SetupPrepaid" if self.get("callerReferenceSender") == self.get("callerReferenceFunding") => {
                return conflict("callerReferenceFunding", "must differ from callerReferenceSender");
            }
            "SetupPostpaid" => {
                if self.get("callerReferenceSender") == self.get("callerReferenceSettlement") {
                    return conflict(
                        "callerReferenceSettlement",
                        "must differ from callerReferenceSender",
                    );
                }
                if self.amount("creditLimit") > self.amount("globalAmountLimit") {
                    return conflict("creditLimit", "must not exceed globalAmountLimit");
                }
            }
            _ => {}
        }
        // Unix seconds are rendered without leading zeros: compare as numbers.
        let seconds = |name| self.get(name).and_then(crate::text::parse_digits);
        if let (Some(start), Some(expiry)) = (seconds("validityStart"), seconds("validityExpiry")) {
            if expiry <= start {
                return conflict("validityExpiry", "must be later than validityStart");
            }
        }
        for [type_name, period_name, value_name] in [
            ["usageLimitType1", "usageLimitPeriod1", "usageLimitValue1"],
            ["usageLimitType2", "usageLimitPeriod2", "usageLimitValue2"],
        ] {
            let kind = self.get(type_name);
            match (kind, self.get(value_name)) {
                (Some(_), None) => return Err(CoreError::param(value_name, ParamRule::Missing)),
                (None, Some(_)) => return requires(value_name, type_name),
                (Some("Count"), Some(value)) if contains_byte(value, b'.') => {
                    return Err(CoreError::param(
                        value_name,
                        ParamRule::Format {
                            expected: "a whole number for a Count limit",
                        },
                    ))
                }
                _ => {}
            }
            if self.get(period_name).is_some() && kind.is_none() {
                return requires(period_name, type_name);
            }
        }
        Ok(())
    }

    /// The pairs as `CbuiRequest::pairs` orders them: the fixed ones first, the signature method
    /// always stated.
    fn into_wire_order(self) -> Self {
        let method = self.get("signatureMethod").unwrap_or("HmacSHA256").to_owned();
        let mut pairs: Vec<(&'static str, String)> = Vec::with_capacity(self.pairs.len() + 4);
        pairs.push(("pipelineName", self.pipeline.to_owned()));
        pairs.push(("version", CBUI_VERSION.to_owned()));
        pairs.push(("signatureVersion", SIGNATURE_VERSION.to_owned()));
        let mut rest = self.pairs.into_iter();
        // COMMON's first two fields are required, so they come first.
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
