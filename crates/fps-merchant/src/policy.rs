//! The signing policy of `POST /fps/sign`: the server signs a CBUI request only for an open order
//! of its own, at the order's price, to an allowed return URL (the one of its first signing),
//! under its own key, with no text or branding the browser chose (`signed_params`). It re-parses
//! the browser's parameters into a typed request and signs that, never a string it was handed.

use std::fmt;

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::marketplace::FeeTerms;
use super::order::{Mode, OrderState};
use super::signed_params::{self, Branding, Refusal};
use super::store::{Order, SellerSignup};
use fps_core::params::{CallerKey, CbuiRequest, Pipeline, SignatureMethod};
use fps_core::{CoreError, Endpoint};

/// Most parameters in one signing request.
pub const MAX_PARAMS: usize = 48;
/// Longest parameter name, in bytes.
pub const MAX_NAME_BYTES: usize = 64;
/// Longest parameter value, in bytes.
pub const MAX_VALUE_BYTES: usize = 2048;

/// Parameters as the browser sends them: a JSON object, or an array of `[name, value]` pairs.
/// Repeated names are kept (and refused later), never silently merged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParamList(pub Vec<(String, String)>);

impl<'de> Deserialize<'de> for ParamList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ListVisitor;

        impl<'de> Visitor<'de> for ListVisitor {
            type Value = ParamList;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of string values or an array of [name, value] string pairs")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ParamList, A::Error> {
                let mut out = Vec::new();
                while let Some((name, value)) = map.next_entry::<String, String>()? {
                    if out.len() == MAX_PARAMS {
                        return Err(de::Error::custom(format!("more than {MAX_PARAMS} parameters")));
                    }
                    out.push((name, value));
                }
                Ok(ParamList(out))
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ParamList, A::Error> {
                let mut out = Vec::new();
                while let Some((name, value)) = seq.next_element::<(String, String)>()? {
                    if out.len() == MAX_PARAMS {
                        return Err(de::Error::custom(format!("more than {MAX_PARAMS} parameters")));
                    }
                    out.push((name, value));
                }
                Ok(ParamList(out))
            }
        }

        deserializer.deserialize_any(ListVisitor)
    }
}

/// The body of `POST /fps/sign`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignRequest {
    /// The pipeline (`SingleUse`).
    pub pipeline: String,
    /// The CBUI parameters, without signature.
    pub params: ParamList,
}

/// Why the policy refused to sign.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// A parameter name or value is too long, or there are too many.
    #[error("{0}")]
    Oversized(String),
    /// The parameters do not form a valid CBUI request.
    #[error(transparent)]
    Invalid(#[from] CoreError),
    /// The pipeline is not one this shop signs for the order.
    #[error("{0}")]
    Pipeline(String),
    /// callerKey is not this server's access key id.
    #[error("callerKey is not this shop's access key id")]
    ForeignCallerKey,
    /// The callerReference names no order.
    #[error("callerReference names no order of this shop")]
    UnknownOrder,
    /// The order is no longer open.
    #[error("order is {0}; only open orders can be signed")]
    OrderNotOpen(OrderState),
    /// transactionAmount or currency differ from the order's.
    #[error("transactionAmount {asked} {asked_currency} is not the order's {expected} {currency}")]
    AmountMismatch {
        /// What was asked.
        asked: String,
        /// The currency asked.
        asked_currency: String,
        /// The order's amount.
        expected: String,
        /// The order's currency.
        currency: String,
    },
    /// returnURL is not on the allowlist.
    #[error("returnURL is not one of the shop's return URLs")]
    ReturnUrl,
    /// A parameter this shop does not sign, or not with this value; the refusal names it and
    /// carries its code (`PARAMETER_NOT_ALLOWED`, `PARAMETER_MISMATCH`, `HIDDEN_CHARACTER`,
    /// `RETURN_URL_FIXED`).
    #[error(transparent)]
    Forbidden(Refusal),
    /// The Recipient request's callerReference names no seller sign-up of this shop.
    #[error("callerReference names no seller sign-up of this shop")]
    UnknownSignup,
    /// The seller sign-up was completed already.
    #[error("this seller sign-up is complete; ask the marketplace for a new one")]
    SignupClosed,
    /// recipientPaysFee, maxFixedFee or maxVariableFee differ from the marketplace's fees.
    #[error("recipientPaysFee, maxFixedFee and maxVariableFee must be the marketplace's fees")]
    FeeTerms,
}

impl PolicyError {
    /// A stable code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            PolicyError::Oversized(_) => "PARAMETER_TOO_LARGE",
            PolicyError::Invalid(e) => e.code(),
            PolicyError::Pipeline(_) => "PIPELINE_NOT_ALLOWED",
            PolicyError::ForeignCallerKey => "FOREIGN_CALLER_KEY",
            PolicyError::UnknownOrder => "UNKNOWN_ORDER",
            PolicyError::OrderNotOpen(_) => "ORDER_NOT_OPEN",
            PolicyError::AmountMismatch { .. } => "AMOUNT_MISMATCH",
            PolicyError::ReturnUrl => "RETURN_URL_NOT_ALLOWED",
            PolicyError::Forbidden(refusal) => refusal.code,
            PolicyError::UnknownSignup => "UNKNOWN_SIGNUP",
            PolicyError::SignupClosed => "SIGNUP_CLOSED",
            PolicyError::FeeTerms => "FEE_TERMS_MISMATCH",
        }
    }
}

/// What the server signs for.
#[derive(Debug, Clone)]
pub struct SigningPolicy {
    /// This shop's access key id.
    pub caller_key: CallerKey,
    /// Allowed return URLs, compared byte for byte.
    pub return_urls: Vec<Endpoint>,
    /// The only branding signed (the catalog's).
    pub branding: Branding,
}

impl SigningPolicy {
    /// Checks sizes and shape, then parses the parameters into a typed request (no order
    /// check yet). Returns the request and the callerReference to look up.
    pub fn parse(&self, request: &SignRequest) -> Result<CbuiRequest, PolicyError> {
        let params = &request.params.0;
        if params.len() > MAX_PARAMS {
            return Err(PolicyError::Oversized(format!(
                "more than {MAX_PARAMS} parameters"
            )));
        }
        for (name, value) in params {
            if name.len() > MAX_NAME_BYTES {
                return Err(PolicyError::Oversized(format!(
                    "a parameter name is longer than {MAX_NAME_BYTES} bytes"
                )));
            }
            if value.len() > MAX_VALUE_BYTES {
                return Err(PolicyError::Oversized(format!(
                    "parameter {name:?} is longer than {MAX_VALUE_BYTES} bytes"
                )));
            }
        }
        if request.pipeline != "SingleUse" && request.pipeline != "Recipient" {
            return Err(PolicyError::Pipeline(format!(
                "this shop signs only SingleUse (orders) and Recipient (seller sign-ups) requests, not {:?}",
                request.pipeline.chars().take(32).collect::<String>()
            )));
        }
        let mut pairs: Vec<(&str, &str)> = params.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        match pairs.iter().find(|(n, _)| *n == "pipelineName") {
            Some((_, name)) if *name != request.pipeline => {
                return Err(PolicyError::Pipeline(
                    "pipelineName differs from pipeline".to_owned(),
                ))
            }
            Some(_) => {}
            None => pairs.push(("pipelineName", request.pipeline.as_str())),
        }
        let request = CbuiRequest::from_pairs(pairs)?;
        signed_params::check_hidden(&request).map_err(PolicyError::Forbidden)?;
        Ok(request)
    }

    /// Checks a Recipient request against the seller sign-up it names (`None`: no such sign-up)
    /// and the marketplace's fees, which the seller must accept exactly.
    pub fn check_recipient(
        &self,
        request: &CbuiRequest,
        signup: Option<&SellerSignup>,
        terms: Option<&FeeTerms>,
    ) -> Result<(), PolicyError> {
        let Pipeline::Recipient(recipient) = request.pipeline() else {
            return Err(PolicyError::Pipeline("not a Recipient request".to_owned()));
        };
        if request.common().caller_key != self.caller_key {
            return Err(PolicyError::ForeignCallerKey);
        }
        let signup = signup.ok_or(PolicyError::UnknownSignup)?;
        let terms = terms.ok_or(PolicyError::UnknownSignup)?;
        if signup.reference != recipient.caller_reference.as_str() {
            return Err(PolicyError::UnknownSignup);
        }
        if signup.state != "open" {
            return Err(PolicyError::SignupClosed);
        }
        let return_url = request.common().return_url.as_str();
        if !self
            .return_urls
            .iter()
            .any(|allowed| allowed.as_str() == return_url)
        {
            return Err(PolicyError::ReturnUrl);
        }
        if recipient.recipient_pays_fee.get() != terms.recipient_pays_fee()
            || recipient.max_fixed_fee != terms.fixed_fee
            || recipient.max_variable_fee != terms.variable_fee
        {
            return Err(PolicyError::FeeTerms);
        }
        check_signature_method(request)?;
        self.branding
            .check_request(request)
            .map_err(PolicyError::Forbidden)
    }

    /// Checks a parsed request against the order it names (`None`: no such order).
    pub fn check(&self, request: &CbuiRequest, order: Option<&Order>) -> Result<(), PolicyError> {
        let Pipeline::SingleUse(single) = request.pipeline() else {
            return Err(PolicyError::Pipeline(
                "this shop signs only SingleUse requests".to_owned(),
            ));
        };
        if request.common().caller_key != self.caller_key {
            return Err(PolicyError::ForeignCallerKey);
        }
        let order = order.ok_or(PolicyError::UnknownOrder)?;
        if !super::order::names_attempt(single.caller_reference.as_str(), &order.reference, order.attempt) {
            return Err(PolicyError::UnknownOrder);
        }
        if order.state != OrderState::Open {
            return Err(PolicyError::OrderNotOpen(order.state));
        }
        let currency = single.currency_code.unwrap_or_default();
        if single.transaction_amount.minor_units() != order.amount_minor || currency.code() != order.currency
        {
            return Err(PolicyError::AmountMismatch {
                asked: single.transaction_amount.to_string(),
                asked_currency: currency.code().to_owned(),
                expected: super::order::money(order.amount_minor),
                currency: order.currency.clone(),
            });
        }
        let return_url = request.common().return_url.as_str();
        if !self
            .return_urls
            .iter()
            .any(|allowed| allowed.as_str() == return_url)
        {
            return Err(PolicyError::ReturnUrl);
        }
        // The first signing stored its return URL: the return is verified against it, so a
        // later request (by anyone holding the reference) must not name another one.
        if order
            .return_url
            .as_deref()
            .is_some_and(|fixed| fixed != return_url)
        {
            return Err(PolicyError::Forbidden(Refusal::new(
                signed_params::RETURN_URL_FIXED,
                "returnURL",
                "must be the one this order was first signed with",
            )));
        }
        check_signature_method(request)?;
        if signed_params::wants_reserve(single) != (order.mode == Mode::Reserve) {
            return Err(PolicyError::Pipeline(
                if order.mode == Mode::Reserve {
                    "reserve must be True for this Reserve order"
                } else {
                    "reserve must be False or absent for this Pay order"
                }
                .to_owned(),
            ));
        }
        signed_params::check_order(request, single, order).map_err(PolicyError::Forbidden)?;
        self.branding
            .check_request(request)
            .map_err(PolicyError::Forbidden)
    }
}

/// Only HmacSHA256 is signed.
fn check_signature_method(request: &CbuiRequest) -> Result<(), PolicyError> {
    if request.signature_method() != SignatureMethod::HmacSha256 {
        return Err(PolicyError::Forbidden(Refusal::new(
            signed_params::NOT_ALLOWED,
            "signatureMethod",
            "must be HmacSHA256",
        )));
    }
    Ok(())
}

#[cfg(test)]
#[path = "policy_tests.rs"]
mod tests;
