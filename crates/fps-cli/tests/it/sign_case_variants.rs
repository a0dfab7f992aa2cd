//! The emulator's CBUI reads a name differing from a documented one only in letter case as the
//! documented one (issue 17); the merchant's own signing stays exact: `POST /fps/sign` never
//! signs a case variant, beside the documented name or instead of it, and the strict reader
//! refuses what the emulator's tolerant reader accepts.

use crate::common::*;
use fps_core::error::{CoreError, ParamRule};
use fps_core::CbuiRequest;
use serde_json::{json, Value};

fn with(body: &Value, name: &str, value: Value) -> Value {
    let mut body = body.clone();
    body["params"][name] = value;
    body
}

fn renamed(body: &Value, from: &str, to: &str) -> Value {
    let mut body = body.clone();
    let params = body["params"].as_object_mut().unwrap();
    let value = params.remove(from).unwrap();
    params.insert(to.to_owned(), value);
    body
}

#[tokio::test]
async fn fps_sign_never_signs_a_case_variant() {
    let h = start().await;
    let order = h.create_order("MUG-ENAMEL", 1).await;
    let honest = h.sign_body(&order);
    let reference = order["callerReference"].clone();
    let cases = [
        (
            "boto's CallerReference beside callerReference",
            with(&honest, "CallerReference", reference),
        ),
        (
            "TransactionAmount beside transactionAmount",
            with(&honest, "TransactionAmount", json!("12.50")),
        ),
        (
            "SignatureMethod beside signatureMethod",
            with(&honest, "SignatureMethod", json!("HmacSHA256")),
        ),
        (
            "CallerReference instead",
            renamed(&honest, "callerReference", "CallerReference"),
        ),
        ("RETURNURL instead", renamed(&honest, "returnURL", "RETURNURL")),
    ];
    for (name, body) in cases {
        let (status, answer) = h.post_json("/fps/sign", &body).await;
        assert_eq!(status, 400, "{name}: {answer}");
        assert_eq!(answer["error"]["code"], "INVALID_PARAMETER", "{name}: {answer}");
        assert!(
            answer.get("url").is_none() && answer.get("signature").is_none(),
            "{name}"
        );
    }
    let (status, answer) = h.post_json("/fps/sign", &honest).await;
    assert_eq!(status, 200, "the honest request is still signed: {answer}");
}

fn pairs(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    let mut pairs = vec![
        ("callerKey", "AKIAIOSFODNN7EXAMPLE"),
        ("pipelineName", "SingleUse"),
        ("returnURL", "https://shop.example/thanks"),
        ("callerReference", "order-1"),
        ("transactionAmount", "5.00"),
    ];
    pairs.extend_from_slice(extra);
    pairs
}

fn unknown(result: Result<CbuiRequest, CoreError>, param: &str) {
    match result {
        Err(CoreError::Param {
            param: p,
            rule: ParamRule::Unknown,
        }) => assert_eq!(p, param),
        other => panic!("{param}: {other:?}"),
    }
}

#[test]
fn the_strict_reader_refuses_case_variants_the_emulators_reads_them() {
    let beside = pairs(&[("CallerReference", "uuid-from-boto")]);
    unknown(CbuiRequest::from_pairs(beside.clone()), "CallerReference");
    let read = CbuiRequest::from_sent_pairs(beside).unwrap();
    assert_eq!(
        read.pipeline().caller_reference().as_str(),
        "order-1",
        "documented wins"
    );

    let mut instead = pairs(&[("CallerReference", "order-2")]);
    instead.retain(|(n, _)| *n != "callerReference");
    assert!(
        matches!(
            CbuiRequest::from_pairs(instead.clone()),
            Err(CoreError::Param { ref param, rule: ParamRule::Missing }) if param == "callerReference"
        ),
        "the strict reader does not see a callerReference"
    );
    let read = CbuiRequest::from_sent_pairs(instead).unwrap();
    assert_eq!(read.pipeline().caller_reference().as_str(), "order-2");
    // What the emulator read is written back with the documented names only.
    assert!(read.pairs().iter().all(|(n, _)| *n != "CallerReference"));

    let mut twice = pairs(&[("CallerReference", "a"), ("CALLERREFERENCE", "b")]);
    twice.retain(|(n, _)| *n != "callerReference");
    assert!(matches!(
        CbuiRequest::from_sent_pairs(twice),
        Err(CoreError::Param {
            rule: ParamRule::Duplicate,
            ..
        })
    ));
    unknown(
        CbuiRequest::from_sent_pairs(pairs(&[("callerReferenceX", "x")])),
        "callerReferenceX",
    );
}
