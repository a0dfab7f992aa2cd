//! The sandbox's Co-Branded UI over HTTP on 127.0.0.1: signature and parameter checks, the
//! sign-in and confirm pages, every return status, signed returns checked by VerifySignature.

// Grouped by what they test; the request and return helpers below are shared by all three.
mod pipelines;
mod signed_returns;
mod statuses;

use crate::sandbox_support::*;
use fps_core::canonical::HttpMethod;
use fps_core::params::{CbuiEndpoint, SignatureMethod};
use fps_core::CbuiReturn;
use fps_wire::signer::{sign_pairs, SecretKey};

const RETURN: &str = "https://shop.example/thanks?order=42&note=a+b%2Bc";

fn single_use(reference: &str, amount: &str) -> Vec<(&'static str, String)> {
    vec![
        ("pipelineName", "SingleUse".into()),
        ("returnURL", RETURN.into()),
        ("callerReference", reference.into()),
        ("transactionAmount", amount.into()),
    ]
}

fn url_for(h: &Harness, params: &[(&'static str, String)]) -> String {
    let borrowed: Vec<(&str, &str)> = params.iter().map(|(n, v)| (*n, v.as_str())).collect();
    h.cbui_url(KEY, &borrowed)
}

/// Signs raw pairs (no typed validation) for the CBUI start URL.
fn raw_url(h: &Harness, pairs: &[(&str, &str)]) -> String {
    let pairs: Vec<(String, String)> = pairs.iter().map(|(n, v)| ((*n).into(), (*v).into())).collect();
    let endpoint = CbuiEndpoint::custom(&h.sandbox.cbui_url()).unwrap();
    sign_pairs(
        &SecretKey::new(SECRET).unwrap(),
        SignatureMethod::HmacSha256,
        HttpMethod::Get,
        endpoint.endpoint(),
        &pairs,
        "signature",
    )
    .url
}

fn parse(landing: &str) -> CbuiReturn {
    assert!(
        landing.starts_with("https://shop.example/thanks?order=42&note=a+b%2Bc&"),
        "{landing}"
    );
    CbuiReturn::parse(landing.split_once('?').unwrap().1).unwrap()
}

async fn verify_return(h: &Harness, landing: &str) -> String {
    let (endpoint, query) = landing.split_once('?').unwrap();
    let reply = h
        .call(&[
            ("Action", "VerifySignature"),
            ("UrlEndPoint", endpoint),
            ("HttpParameters", query),
        ])
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(reply
        .body
        .contains("<VerifySignatureResponse xmlns=\"http://fps.amazonaws.com/doc/2010-08-28/\">"));
    reply.tag("VerificationStatus").unwrap()
}
