//! Unit tests of the signing policy (`policy.rs`), kept apart to keep that module short.

use super::*;
use fps_core::{Amount, Currency};

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
    use fps_core::Currency;
    let terms: crate::marketplace::FeeTermsFile =
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
