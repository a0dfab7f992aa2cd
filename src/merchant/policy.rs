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
use crate::core::params::{CallerKey, CbuiRequest, Pipeline, SignatureMethod};
use crate::core::{CoreError, Endpoint};

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
mod tests {
    use super::*;
    use crate::core::{Amount, Currency};

    const KEY: &str = "AKIAIOSFODNN7EXAMPLE";
    const RETURN: &str = "https://shop.example/thanks";

    fn policy() -> SigningPolicy {
        SigningPolicy {
            caller_key: CallerKey::new(KEY).unwrap(),
            return_urls: vec![Endpoint::parse(RETURN).unwrap()],
            branding: Branding::default(),
        }
    }

    fn order(state: OrderState, mode: Mode) -> Order {
        let usd = Amount::from_minor(1250, Currency::Usd).unwrap();
        Order {
            state,
            ..Order::new_open("ord-1".into(), "[]".into(), "1 x Mug".into(), usd, mode, 0)
        }
    }

    fn request(changes: &[(&str, Option<&str>)]) -> SignRequest {
        let mut params: Vec<(String, String)> = [
            ("callerKey", KEY),
            ("callerReference", "ord-1"),
            ("transactionAmount", "12.50"),
            ("returnURL", RETURN),
            ("paymentReason", "1 x Mug"),
        ]
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
        for (name, value) in changes {
            params.retain(|(n, _)| n != name);
            if let Some(value) = value {
                params.push((name.to_string(), value.to_string()));
            }
        }
        SignRequest {
            pipeline: "SingleUse".into(),
            params: ParamList(params),
        }
    }

    fn verdict(changes: &[(&str, Option<&str>)], order: Option<&Order>) -> Result<(), PolicyError> {
        let request = policy().parse(&request(changes))?;
        policy().check(&request, order)
    }

    #[test]
    fn signs_the_honest_request() {
        let open = order(OrderState::Open, Mode::Pay);
        assert_eq!(verdict(&[], Some(&open)), Ok(()));
        assert_eq!(
            verdict(&[("transactionAmount", Some("12.5"))], Some(&open)),
            Ok(())
        );
        let reserve = order(OrderState::Open, Mode::Reserve);
        assert_eq!(
            verdict(
                &[("reserve", Some("True")), ("paymentMethod", Some("CC"))],
                Some(&reserve)
            ),
            Ok(())
        );
    }

    #[test]
    fn refuses_every_tamper() {
        let open = order(OrderState::Open, Mode::Pay);
        let code = |changes: &[(&str, Option<&str>)], order: Option<&Order>| {
            verdict(changes, order).map_err(|e| e.code()).unwrap_err()
        };
        assert_eq!(
            code(&[("transactionAmount", Some("1.00"))], Some(&open)),
            "AMOUNT_MISMATCH"
        );
        assert_eq!(
            code(&[("currencyCode", Some("EUR"))], Some(&open)),
            "INVALID_PARAMETER"
        );
        assert_eq!(
            code(&[("returnURL", Some("https://evil.example/thanks"))], Some(&open)),
            "RETURN_URL_NOT_ALLOWED"
        );
        assert_eq!(
            code(
                &[("returnURL", Some("https://shop.example/thanks/"))],
                Some(&open)
            ),
            "RETURN_URL_NOT_ALLOWED"
        );
        assert_eq!(
            code(&[("callerKey", Some("AKIAOTHERKEY00000000"))], Some(&open)),
            "FOREIGN_CALLER_KEY"
        );
        assert_eq!(code(&[("extra", Some("1"))], Some(&open)), "INVALID_PARAMETER");
        assert_eq!(code(&[], None), "UNKNOWN_ORDER");
        assert_eq!(
            code(&[], Some(&order(OrderState::Paid, Mode::Pay))),
            "ORDER_NOT_OPEN"
        );
        assert_eq!(
            code(&[("reserve", Some("True"))], Some(&open)),
            "PIPELINE_NOT_ALLOWED"
        );
        assert_eq!(
            code(&[("signatureMethod", Some("HmacSHA1"))], Some(&open)),
            "PARAMETER_NOT_ALLOWED"
        );
        // Unicode look-alikes: Cyrillic "а" in a name, full-width digits, a homoglyph host.
        assert_eq!(
            code(&[("cаllerKey", Some(KEY))], Some(&open)),
            "INVALID_PARAMETER"
        );
        assert_eq!(
            code(&[("transactionAmount", Some("１２.50"))], Some(&open)),
            "INVALID_PARAMETER"
        );
        assert_eq!(
            code(&[("returnURL", Some("https://shоp.example/thanks"))], Some(&open)),
            "INVALID_PARAMETER"
        );
        assert_eq!(
            code(&[("paymentReason", Some(&"x".repeat(3000)))], Some(&open)),
            "PARAMETER_TOO_LARGE"
        );
        let mut duplicate = request(&[]);
        duplicate
            .params
            .0
            .push(("transactionAmount".into(), "12.50".into()));
        assert!(matches!(policy().parse(&duplicate), Err(PolicyError::Invalid(_))));
        let mut other = request(&[]);
        other.pipeline = "MultiUse".into();
        assert!(matches!(policy().parse(&other), Err(PolicyError::Pipeline(_))));
    }

    #[test]
    fn recipient_only_for_an_open_signup_at_the_marketplace_fees() {
        use crate::core::Currency;
        let terms: crate::merchant::marketplace::FeeTermsFile =
            serde_json::from_str(r#"{"fixedFee":"0.25","variableFee":"5"}"#).unwrap();
        let terms = terms.check(Currency::Usd).unwrap();
        let signup = |state: &str| SellerSignup {
            reference: "sel-1".into(),
            seller: "potter".into(),
            state: state.into(),
            return_url: None,
            last_status: None,
        };
        let recipient = |changes: &[(&str, Option<&str>)]| {
            let mut params: Vec<(String, String)> = [
                ("callerKey", KEY),
                ("callerReference", "sel-1"),
                ("returnURL", RETURN),
                ("recipientPaysFee", "True"),
                ("maxFixedFee", "0.25"),
                ("maxVariableFee", "5"),
            ]
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
            for (name, value) in changes {
                params.retain(|(n, _)| n != name);
                if let Some(value) = value {
                    params.push((name.to_string(), value.to_string()));
                }
            }
            policy()
                .parse(&SignRequest {
                    pipeline: "Recipient".into(),
                    params: ParamList(params),
                })
                .unwrap()
        };
        let open = signup("open");
        let verdict = |changes: &[(&str, Option<&str>)], s: Option<&SellerSignup>| {
            policy()
                .check_recipient(&recipient(changes), s, Some(&terms))
                .map_err(|e| e.code())
        };
        assert_eq!(verdict(&[], Some(&open)), Ok(()));
        assert_eq!(verdict(&[("maxVariableFee", Some("5.00"))], Some(&open)), Ok(()));
        assert_eq!(verdict(&[], None), Err("UNKNOWN_SIGNUP"));
        assert_eq!(verdict(&[], Some(&signup("registered"))), Err("SIGNUP_CLOSED"));
        assert_eq!(
            verdict(&[("callerReference", Some("sel-2"))], Some(&open)),
            Err("UNKNOWN_SIGNUP")
        );
        assert_eq!(
            verdict(&[("maxVariableFee", Some("50"))], Some(&open)),
            Err("FEE_TERMS_MISMATCH")
        );
        assert_eq!(
            verdict(&[("maxFixedFee", None)], Some(&open)),
            Err("FEE_TERMS_MISMATCH")
        );
        assert_eq!(
            verdict(&[("recipientPaysFee", Some("False"))], Some(&open)),
            Err("FEE_TERMS_MISMATCH")
        );
        assert_eq!(
            verdict(&[("returnURL", Some("https://evil.example/thanks"))], Some(&open)),
            Err("RETURN_URL_NOT_ALLOWED")
        );
        assert_eq!(
            verdict(&[("callerKey", Some("AKIAOTHERKEY00000000"))], Some(&open)),
            Err("FOREIGN_CALLER_KEY")
        );
        // No marketplace configured: nothing to sign up for.
        assert_eq!(
            policy()
                .check_recipient(&recipient(&[]), Some(&open), None)
                .map_err(|e| e.code()),
            Err("UNKNOWN_SIGNUP")
        );
        // A Recipient request never passes as an order's.
        assert!(policy().check(&recipient(&[]), None).is_err());
    }

    #[test]
    fn param_lists_keep_duplicates() {
        let list: ParamList = serde_json::from_str(r#"{"a":"1","a":"2"}"#).unwrap();
        assert_eq!(list.0.len(), 2);
        let pairs: ParamList = serde_json::from_str(r#"[["a","1"],["b","2"]]"#).unwrap();
        assert_eq!(pairs.0[1], ("b".to_string(), "2".to_string()));
        assert!(serde_json::from_str::<ParamList>(r#"{"a":1}"#).is_err());
        assert!(serde_json::from_str::<ParamList>(r#""a""#).is_err());
    }
}
