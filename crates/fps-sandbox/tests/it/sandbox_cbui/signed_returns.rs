//! A card checkout returns a signed token with its expiry and the merchant's parameters, and
//! VerifySignature fails on every kind of tampering with the return.

use super::{parse, single_use, url_for, verify_return};
use crate::sandbox_support::*;
use fps_core::encode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn card_checkout_returns_a_signed_token_with_expiry_and_merchant_params() {
    let h = Harness::start(20, None).await;
    let mut params = single_use("order-42", "12.50");
    params.push(("paymentReason", "Blue <mug> & saucer".into()));
    params.push(("websiteDescription", "The Mug Shop".into()));
    params.push(("cobrandingUrl", "https://shop.example/logo.png".into()));
    params.push(("paymentMethod", "ABT,CC".into()));
    let (status, _, page) = h.get(&url_for(&h, &params)).await;
    assert_eq!(status, 200, "{page}");
    for shown in [
        "$12.50",
        "Blue &lt;mug&gt; &amp; saucer",
        "The Mug Shop",
        "https://shop.example/logo.png",
        "Shop AKIASANDBOXCALLER001",
    ] {
        assert!(page.contains(shown), "{shown} not on the sign-in page: {page}");
    }
    assert!(!page.contains("<script"), "no script on CBUI pages");
    let session = session_of(&page);
    let (status, _, page) = h
        .post_form(
            "/cobranded-ui/actions/signin",
            &[
                ("session", &session),
                ("email", "buyer@sandbox.test"),
                ("password", "wrong"),
                ("action", "signin"),
            ],
        )
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("role=\"alert\""), "{page}");
    let (status, _, page) = h
        .post_form(
            "/cobranded-ui/actions/signin",
            &[
                ("session", &session),
                ("email", "buyer@sandbox.test"),
                ("password", "sandbox"),
                ("action", "signin"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("value=\"ABT\"") && page.contains("value=\"CC\"") && !page.contains("value=\"ACH\""),
        "{page}"
    );
    // A method the request does not allow is refused.
    let (status, _, page) = h
        .post_form(
            "/cobranded-ui/actions/confirm",
            &[
                ("session", &session),
                ("paymentMethod", "ACH"),
                ("action", "confirm"),
            ],
        )
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("role=\"alert\""), "{page}");
    let (status, location, _) = h
        .post_form(
            "/cobranded-ui/actions/confirm",
            &[
                ("session", &session),
                ("paymentMethod", "CC"),
                ("action", "confirm"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let landing = location.unwrap();
    let parsed = parse(&landing);
    assert_eq!(parsed.status.code(), "SC");
    let token = parsed.token_id.clone().unwrap();
    assert_eq!(token.as_str().len(), 64);
    assert!(token
        .as_str()
        .bytes()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
    assert_eq!(parsed.caller_reference.as_ref().unwrap().as_str(), "order-42");
    assert!(parsed.expiry.is_some(), "cards return their expiry");
    assert_eq!(parsed.get("order"), Some("42"));
    assert_eq!(parsed.get("note"), Some("a b+c"));
    assert_eq!(parsed.signature.method.as_deref(), Some("RSA-SHA1"));
    assert_eq!(parsed.signature.version.as_deref(), Some("2"));
    let certificate_url = parsed.signature.certificate_url.clone().unwrap();
    assert_eq!(
        certificate_url,
        format!("{}/certs/090909/PKICert.pem", h.sandbox.base_url())
    );
    let (status, _, pem) = h.get(&certificate_url).await;
    assert_eq!(status, 200);
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));

    assert_eq!(verify_return(&h, &landing).await, "Success");
    // Replaying the confirm form is refused.
    let (status, _, _) = h
        .post_form(
            "/cobranded-ui/actions/confirm",
            &[
                ("session", &session),
                ("paymentMethod", "CC"),
                ("action", "confirm"),
            ],
        )
        .await;
    assert_eq!(status, 409);
    let token_info = h
        .call(&[("Action", "GetTokenByCaller"), ("TokenId", token.as_str())])
        .await;
    assert_eq!(token_info.tag("TokenType").unwrap(), "SingleUse");
    assert_eq!(token_info.tag("CallerReference").unwrap(), "order-42");
    h.sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_signature_fails_on_every_kind_of_tampering() {
    let h = Harness::start(20, None).await;
    let landing = h
        .approve(
            &url_for(&h, &single_use("order-v", "3.00")),
            "buyer@sandbox.test",
            "ABT",
        )
        .await;
    let parsed = parse(&landing);
    assert_eq!(parsed.status.code(), "SA");
    assert!(parsed.expiry.is_none());
    assert_eq!(verify_return(&h, &landing).await, "Success");
    let (endpoint, query) = landing.split_once('?').unwrap();
    let cases = [
        format!("{endpoint}/?{query}"),
        format!(
            "{}?{query}",
            endpoint.replace("https://shop.example", "https://shop.example:8443")
        ),
        // (A scheme change alone keeps host and path, which is all the RSA string to sign
        // covers, so it cannot be told apart: see SANDBOX.md.)
        format!(
            "{}?{query}",
            endpoint.replace("https://shop.example", "http://shop.example:443")
        ),
        format!("{endpoint}?{}", query.replace("order=42", "order=43")),
        format!("{endpoint}?{query}&id=7"),
        format!("{endpoint}?{}", query.replace("order=42&", "")),
        format!(
            "{endpoint}?{}",
            query.replace("certificateUrl=", "certificateUrl=%20")
        ),
        format!("{endpoint}?{}", query.replace("signature=", "signature=%20")),
        format!("{endpoint}?{}", query.replace("status=SA", "status=SC")),
        format!("{endpoint}?{query}&order=42"),
    ];
    for tampered in &cases {
        assert_eq!(verify_return(&h, tampered).await, "Failure", "{tampered}");
    }
    // A '+' of the signature decoded to a space and re-encoded as %20.
    let signature = parsed.signature.signature.clone().unwrap();
    if signature.contains('+') {
        let encoded = encode(&signature).to_string();
        let spaced = encode(&signature.replace('+', " ")).to_string();
        let broken = landing.replace(&encoded, &spaced);
        assert_eq!(verify_return(&h, &broken).await, "Failure");
    }
    // Line feeds in the base64 (as FPS sometimes wrapped it) are fine.
    let encoded = encode(&signature).to_string();
    // Split between whole characters of the encoded value, never inside a `%XX` escape (the
    // signature is random, so a fixed position would sometimes land inside one).
    let mut at = 20;
    while encoded.as_bytes()[at - 1] == b'%' || encoded.as_bytes()[at - 2] == b'%' {
        at += 1;
    }
    let wrapped = landing.replace(&encoded, &format!("{}%0A{}", &encoded[..at], &encoded[at..]));
    assert_eq!(verify_return(&h, &wrapped).await, "Success");

    // Unsigned calls are accepted, as in Amazon's validation samples.
    let query_pairs = [
        ("Action", "VerifySignature"),
        ("UrlEndPoint", endpoint),
        ("HttpParameters", query),
        ("Version", "2008-09-17"),
    ];
    let unsigned: Vec<(String, String)> = query_pairs
        .iter()
        .map(|(n, v)| ((*n).into(), (*v).into()))
        .collect();
    let reply = h.send_get(&unsigned).await;
    assert_eq!(
        reply.tag("VerificationStatus").unwrap(),
        "Success",
        "{}",
        reply.body
    );
    assert!(reply.body.contains("http://fps.amazonaws.com/doc/2008-09-17/"));
    // Missing pieces are errors, not failures.
    let without_certificate: String = query
        .split('&')
        .filter(|p| !p.starts_with("certificateUrl="))
        .collect::<Vec<_>>()
        .join("&");
    let reply = h
        .call(&[
            ("Action", "VerifySignature"),
            ("UrlEndPoint", endpoint),
            ("HttpParameters", &without_certificate),
        ])
        .await;
    assert_eq!(reply.error_code(), "InvalidParams");
    assert_eq!(
        reply.tag("Message").unwrap(),
        "certificateUrl is missing in 'HttpParameters'."
    );
    let reply = h
        .call(&[("Action", "VerifySignature"), ("HttpParameters", query)])
        .await;
    assert_eq!(reply.error_code(), "InvalidParams");
    let reply = h
        .call(&[
            ("Action", "VerifySignature"),
            ("UrlEndPoint", "not a url"),
            ("HttpParameters", query),
        ])
        .await;
    assert_eq!(reply.error_code(), "InvalidParams");
    h.sandbox.stop().await;
}
