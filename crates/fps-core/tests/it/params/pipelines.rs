//! Every pipeline builds, round-trips and requires what it should; the accessors, endpoints and
//! signed URL a caller relies on.

use super::{build, minimal, refused, with, without, KEY, PIPELINES};
use fps_core::error::ParamRule;
use fps_core::params::{CbuiEndpoint, CbuiRequest, Pipeline, SignatureMethod, PRODUCTION_CBUI};

#[test]
fn every_pipeline_builds_and_round_trips() {
    for &name in PIPELINES {
        let request = build(&minimal(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(request.pipeline().name(), name);
        assert_eq!(request.signature_method(), SignatureMethod::HmacSha256);
        let pairs = request.pairs();
        for fixed in [
            ("version", "2009-01-09"),
            ("signatureVersion", "2"),
            ("signatureMethod", "HmacSHA256"),
        ] {
            assert!(
                pairs.iter().any(|(n, v)| (*n, v.as_str()) == fixed),
                "{name} lacks {fixed:?}"
            );
        }
        let again = CbuiRequest::from_pairs(pairs.iter().map(|(n, v)| (*n, v.as_str()))).unwrap();
        assert_eq!(again, request, "{name} round trip");
    }
}

#[test]
fn every_required_parameter_is_required() {
    for &name in PIPELINES {
        for (param, _) in minimal(name) {
            let expected = if param == "pipelineName" {
                "pipelineName"
            } else {
                param
            };
            refused(without(name, param), expected, ParamRule::Missing);
        }
    }
}

#[test]
fn accessors_expose_the_policy_relevant_fields() {
    let request = with("SingleUse", &[("currencyCode", "USD")]).unwrap();
    assert_eq!(request.pipeline().caller_reference().as_str(), "ref-1");
    assert_eq!(request.common().caller_key.as_str(), KEY);
    assert_eq!(
        request.common().return_url.as_str(),
        "https://shop.example/thanks?order=7"
    );
    assert!(matches!(request.pipeline(), Pipeline::SingleUse(p) if p.transaction_amount.minor_units() == 90));
    let prepaid = build(&minimal("SetupPrepaid")).unwrap();
    assert_eq!(prepaid.pipeline().caller_reference().as_str(), "s-1");
    assert_eq!(prepaid.pipeline().amount().map(|a| a.minor_units()), Some(5000));
}

#[test]
fn endpoints() {
    assert_eq!(
        CbuiEndpoint::parse("production").unwrap().endpoint().as_str(),
        PRODUCTION_CBUI
    );
    assert_eq!(
        CbuiEndpoint::parse("sandbox").unwrap().endpoint().host(),
        "authorize.payments-sandbox.amazon.com"
    );
    let local = CbuiEndpoint::parse("http://127.0.0.1:8123/cobranded-ui/actions/start").unwrap();
    assert_eq!(local.endpoint().signed_host(), "127.0.0.1:8123");
    assert!(CbuiEndpoint::parse("http://127.0.0.1:8123/start?x=1").is_err());
    assert!(CbuiEndpoint::parse("Sandbox").is_err());
}

#[test]
fn signed_url_carries_every_parameter_and_the_signature() {
    let request = build(&minimal("SingleUse")).unwrap();
    let url = request.signed_url(&CbuiEndpoint::sandbox(), "ab+/=");
    assert!(url.starts_with("https://authorize.payments-sandbox.amazon.com/cobranded-ui/actions/start?"));
    assert!(url.ends_with("&signature=ab%2B%2F%3D"));
    assert!(url.contains("returnURL=https%3A%2F%2Fshop.example%2Fthanks%3Forder%3D7"));
}
