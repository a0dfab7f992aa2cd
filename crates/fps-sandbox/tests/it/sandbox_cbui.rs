//! The sandbox's Co-Branded UI over HTTP on 127.0.0.1: signature and parameter checks, the
//! sign-in and confirm pages, every return status, signed returns checked by VerifySignature.

use crate::sandbox_support::*;
use fps_core::canonical::{decode_query, HttpMethod, PlusIs};
use fps_core::params::{CbuiEndpoint, SignatureMethod};
use fps_core::{encode, CbuiReturn, Endpoint};
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forced_and_failure_statuses() {
    let h = Harness::start(20, None).await;
    let url = url_for(&h, &single_use("order-f", "3.00"));
    for (email, status) in [
        ("system-error@sandbox.test", "SE"),
        ("unverified@sandbox.test", "NP"),
        ("not-marketplace@sandbox.test", "NM"),
        (CALLER_EMAIL, "NP"),
    ] {
        let landing = h.approve(&url, email, "ABT").await;
        let parsed = parse(&landing);
        assert_eq!(parsed.status.code(), status, "{email}");
        assert!(parsed.token_id.is_none());
        assert!(parsed.error_message.is_some());
        assert_eq!(verify_return(&h, &landing).await, "Success");
    }
    // Balance-only buyer: PE when the request does not allow ABT, or wants a reserve.
    let mut card_only = single_use("order-pe", "3.00");
    card_only.push(("paymentMethod", "CC".into()));
    let landing = h
        .approve(&url_for(&h, &card_only), "balance-only@sandbox.test", "ABT")
        .await;
    assert_eq!(parse(&landing).status.code(), "PE");
    let mut reserve = single_use("order-pe2", "3.00");
    reserve.push(("reserve", "True".into()));
    let landing = h
        .approve(&url_for(&h, &reserve), "balance-only@sandbox.test", "ABT")
        .await;
    assert_eq!(parse(&landing).status.code(), "PE");
    let landing = h
        .approve(
            &url_for(&h, &single_use("order-ok", "3.00")),
            "balance-only@sandbox.test",
            "ABT",
        )
        .await;
    assert_eq!(parse(&landing).status.code(), "SA");
    // A reserve request offers the card only.
    let (_, _, page) = h.get(&url_for(&h, &reserve)).await;
    let session = session_of(&page);
    let (_, _, page) = h
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
    assert!(
        page.contains("value=\"CC\"") && !page.contains("value=\"ABT\""),
        "{page}"
    );

    // Abandoned on the sign-in page and on the confirm page: A.
    let (_, _, page) = h.get(&url).await;
    let session = session_of(&page);
    let (status, location, _) = h
        .post_form(
            "/cobranded-ui/actions/signin",
            &[("session", &session), ("action", "cancel")],
        )
        .await;
    assert_eq!(status, 303);
    let landing = location.unwrap();
    assert_eq!(parse(&landing).status.code(), "A");
    assert_eq!(verify_return(&h, &landing).await, "Success");
    let (status, _, _) = h
        .post_form(
            "/cobranded-ui/actions/signin",
            &[("session", &session), ("action", "cancel")],
        )
        .await;
    assert_eq!(status, 409, "a finished session cannot be used again");
    let (_, _, page) = h.get(&url).await;
    let session = session_of(&page);
    h.post_form(
        "/cobranded-ui/actions/signin",
        &[
            ("session", &session),
            ("email", "buyer@sandbox.test"),
            ("password", "sandbox"),
            ("action", "signin"),
        ],
    )
    .await;
    let (status, location, _) = h
        .post_form(
            "/cobranded-ui/actions/confirm",
            &[("session", &session), ("action", "cancel")],
        )
        .await;
    assert_eq!(status, 303);
    assert_eq!(parse(&location.unwrap()).status.code(), "A");
    let (status, _, _) = h
        .post_form(
            "/cobranded-ui/actions/confirm",
            &[
                ("session", "0123456789abcdef0123456789abcdef"),
                ("action", "confirm"),
            ],
        )
        .await;
    assert_eq!(status, 404);
    h.sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn caller_errors_return_ce_or_an_error_page() {
    let h = Harness::start(20, None).await;
    let base = [
        ("callerKey", KEY),
        ("pipelineName", "SingleUse"),
        ("returnURL", RETURN),
        ("callerReference", "order-ce"),
        ("signatureMethod", "HmacSHA256"),
        ("signatureVersion", "2"),
        ("version", "2009-01-09"),
    ];
    for (name, value) in [
        ("transactionAmount", "1.234"),
        ("transactionAmount", "5."),
        ("currencyCode", "EUR"),
        ("colour", "blue"),
    ] {
        let mut pairs = base.to_vec();
        pairs.push((name, value));
        if name != "transactionAmount" {
            pairs.push(("transactionAmount", "1.00"));
        }
        let (status, location, page) = h.get(&raw_url(&h, &pairs)).await;
        assert_eq!(status, 303, "{name}={value}: {page}");
        let landing = location.unwrap();
        let parsed = parse(&landing);
        assert_eq!(parsed.status.code(), "CE", "{name}={value}");
        assert!(
            parsed.error_message.as_deref().unwrap().contains(name),
            "{:?}",
            parsed.error_message
        );
        assert_eq!(parsed.caller_reference.unwrap().as_str(), "order-ce");
        assert_eq!(verify_return(&h, &landing).await, "Success");
    }
    // Missing required parameter.
    let (status, location, _) = h.get(&raw_url(&h, &base)).await;
    assert_eq!(status, 303);
    assert_eq!(parse(&location.unwrap()).status.code(), "CE");
    // Untrustworthy requests never redirect.
    let good = url_for(&h, &single_use("order-page", "1.00"));
    let (status, location, page) = h
        .get(&good.replace("transactionAmount=1.00", "transactionAmount=9.00"))
        .await;
    assert_eq!((status, location), (403, None));
    assert!(page.contains("signature"), "{page}");
    let (status, _, _) = h.get(&good.replace(KEY, "AKIAUNKNOWNKEY000000")).await;
    assert_eq!(status, 400);
    let unsigned: String = good
        .split('&')
        .filter(|p| !p.starts_with("signature="))
        .collect::<Vec<_>>()
        .join("&");
    assert_eq!(h.get(&unsigned).await.0, 400);
    let (status, _, _) = h.get(&format!("{good}&callerReference=again")).await;
    assert_eq!(status, 400, "duplicate names are refused");
    // A case variant beside the documented name is signed but ignored: the request still lacks
    // its amount, and that is what the return says.
    let mut api_names = base.to_vec();
    api_names.push(("SignatureMethod", "HmacSHA1"));
    let (status, location, _) = h.get(&raw_url(&h, &api_names)).await;
    assert_eq!(status, 303);
    let ignored = parse(&location.unwrap());
    assert_eq!(ignored.status.code(), "CE");
    assert!(
        ignored
            .error_message
            .as_deref()
            .unwrap_or_default()
            .contains("transactionAmount"),
        "{:?}",
        ignored.error_message
    );
    // Signed for the host without its port (clients written for port 443): accepted, an
    // emulator tolerance. Signed for another port: refused, naming both strings to sign.
    let endpoint = Endpoint::parse(&h.sandbox.cbui_url()).unwrap();
    let mut complete: Vec<(String, String)> = base.iter().map(|(n, v)| ((*n).into(), (*v).into())).collect();
    complete.push(("transactionAmount".into(), "1.00".into()));
    let signed_for = |host: &str| {
        let signed_endpoint = Endpoint::parse(&format!("http://{host}/cobranded-ui/actions/start")).unwrap();
        sign_pairs(
            &SecretKey::new(SECRET).unwrap(),
            SignatureMethod::HmacSha256,
            HttpMethod::Get,
            &signed_endpoint,
            &complete,
            "signature",
        )
        .url
        .replace(signed_endpoint.without_query(), endpoint.without_query())
    };
    assert_eq!(h.get(&signed_for("127.0.0.1")).await.0, 200);
    let (status, _, page) = h.get(&signed_for("127.0.0.1:1")).await;
    assert_eq!(status, 403);
    let port = endpoint.signed_host();
    assert!(
        page.contains(&format!("&quot;GET\\n{port}\\n/cobranded-ui/actions/start\\n")),
        "{page}"
    );
    assert!(
        page.contains("&quot;GET\\n127.0.0.1\\n/cobranded-ui/actions/start\\n"),
        "{page}"
    );
    // HmacSHA1-signed start URLs work.
    let mut sha1 = single_use("order-sha1", "1.00");
    sha1.push(("signatureMethod", "HmacSHA1".into()));
    assert_eq!(h.get(&url_for(&h, &sha1)).await.0, 200);
    h.sandbox.stop().await;
}

/// The landing query's value of `name`.
fn landing_value(landing: &str, name: &str) -> Option<String> {
    let query = landing.split_once('?')?.1;
    decode_query(query, PlusIs::Space)
        .ok()?
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prepaid_and_postpaid_pipelines_install_their_tokens_and_instruments() {
    let h = Harness::start(20, None).await;
    let prepaid = raw_url(
        &h,
        &[
            ("callerKey", KEY),
            ("pipelineName", "SetupPrepaid"),
            ("returnURL", RETURN),
            ("callerReferenceSender", "prepaid-s-1"),
            ("callerReferenceFunding", "prepaid-f-1"),
            ("fundingAmount", "10.00"),
            ("signatureMethod", "HmacSHA256"),
            ("signatureVersion", "2"),
            ("version", "2009-01-09"),
        ],
    );
    let landing = h.approve(&prepaid, "buyer@sandbox.test", "CC").await;
    assert_eq!(parse(&landing).status.code(), "SC");
    assert_eq!(
        landing_value(&landing, "callerReference").as_deref(),
        Some("prepaid-s-1")
    );
    assert_eq!(verify_return(&h, &landing).await, "Success");
    let ids: Vec<String> = ["fundingTokenID", "prepaidSenderTokenID", "prepaidInstrumentID"]
        .iter()
        .map(|n| landing_value(&landing, n).unwrap_or_else(|| panic!("{n} in {landing}")))
        .collect();
    for id in &ids {
        assert!(
            id.len() == 64 && id.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()),
            "{id}"
        );
    }
    // The prepaid sender token spends only what FundPrepaid put in: nothing yet
    // (the whole flow is in sandbox_prepaid).
    let spend = h.pay("Pay", &ids[1], "prepaid-pay-1", "6.00").await;
    assert_eq!(spend.error_code(), "InsufficientBalance");

    let postpaid = raw_url(
        &h,
        &[
            ("callerKey", KEY),
            ("pipelineName", "SetupPostpaid"),
            ("returnURL", RETURN),
            ("callerReferenceSender", "postpaid-s-1"),
            ("callerReferenceSettlement", "postpaid-t-1"),
            ("creditLimit", "20.00"),
            ("globalAmountLimit", "50.00"),
            ("signatureMethod", "HmacSHA256"),
            ("signatureVersion", "2"),
            ("version", "2009-01-09"),
        ],
    );
    let landing = h.approve(&postpaid, "buyer@sandbox.test", "CC").await;
    assert_eq!(parse(&landing).status.code(), "SC");
    assert_eq!(verify_return(&h, &landing).await, "Success");
    let credit = landing_value(&landing, "creditSenderTokenID").expect("creditSenderTokenID");
    assert!(landing_value(&landing, "settlementTokenID").is_some());
    assert!(landing_value(&landing, "creditInstrumentID").is_some());
    let within = h.pay("Pay", &credit, "postpaid-pay-1", "20.00").await;
    assert_eq!(within.status, 200, "{}", within.body);
    let over = h.pay("Pay", &credit, "postpaid-pay-2", "0.01").await;
    assert_eq!(over.status, 400, "the credit limit is spent: {}", over.body);

    // Still validated: the credit limit above the global limit is a caller error.
    let bad = raw_url(
        &h,
        &[
            ("callerKey", KEY),
            ("pipelineName", "SetupPostpaid"),
            ("returnURL", RETURN),
            ("callerReferenceSender", "postpaid-s-2"),
            ("callerReferenceSettlement", "postpaid-t-2"),
            ("creditLimit", "60.00"),
            ("globalAmountLimit", "50.00"),
            ("signatureMethod", "HmacSHA256"),
            ("signatureVersion", "2"),
            ("version", "2009-01-09"),
        ],
    );
    let (status, location, _) = h.get(&bad).await;
    assert_eq!(status, 303);
    assert_eq!(parse(&location.unwrap()).status.code(), "CE");
    h.sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edit_token_recipient_and_multi_use_pipelines() {
    let h = Harness::start(20, None).await;
    let token = h.single_use_token("order-e", "5.00", "ABT", false).await;
    for name in ["tokenId", "tokenID"] {
        let edit = raw_url(
            &h,
            &[
                ("callerKey", KEY),
                ("pipelineName", "EditToken"),
                ("returnURL", RETURN),
                ("callerReference", "edit-1"),
                (name, &token),
                ("paymentMethod", "CC"),
                ("signatureMethod", "HmacSHA256"),
                ("signatureVersion", "2"),
                ("version", "2009-01-09"),
            ],
        );
        let landing = h.approve(&edit, "buyer@sandbox.test", "CC").await;
        let parsed = parse(&landing);
        assert_eq!(parsed.status.code(), "SU", "{name}");
        assert_eq!(parsed.token_id.unwrap().as_str(), token);
        assert_eq!(verify_return(&h, &landing).await, "Success");
    }
    // The edited token is now a card: Reserve accepts it.
    let reply = h.pay("Reserve", &token, "after-edit", "5.00").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let unknown = h.cbui_url(
        KEY,
        &[
            ("pipelineName", "EditToken"),
            ("returnURL", RETURN),
            ("callerReference", "edit-2"),
            ("tokenId", &"Z".repeat(64)),
        ],
    );
    let (status, location, _) = h.get(&unknown).await;
    assert_eq!(status, 303);
    assert_eq!(parse(&location.unwrap()).status.code(), "CE");

    // Recipient: only business accounts may sign in.
    let recipient = h.cbui_url(
        KEY,
        &[
            ("pipelineName", "Recipient"),
            ("returnURL", RETURN),
            ("callerReference", "rcp-1"),
            ("recipientPaysFee", "True"),
        ],
    );
    let (_, _, page) = h.get(&recipient).await;
    let session = session_of(&page);
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
    assert_eq!(status, 200);
    assert!(page.contains("business"), "{page}");
    let landing = h.approve(&recipient, SELLER_EMAIL, "ABT").await;
    let parsed = parse(&landing);
    assert_eq!(parsed.status.code(), "SR");
    assert!(parsed.refund_token_id.is_some());
    assert_eq!(verify_return(&h, &landing).await, "Success");
    let info = h
        .call(&[("Action", "GetTokenByCaller"), ("CallerReference", "rcp-1")])
        .await;
    assert_eq!(info.tag("TokenType").unwrap(), "Unrestricted");

    // Recurring shows its period; MultiUse its cap.
    let recurring = h.cbui_url(
        KEY,
        &[
            ("pipelineName", "Recurring"),
            ("returnURL", RETURN),
            ("callerReference", "rec-1"),
            ("transactionAmount", "9.99"),
            ("recurringPeriod", "1 Month"),
        ],
    );
    let (_, _, page) = h.get(&recurring).await;
    assert!(page.contains("$9.99 every 1 Month"), "{page}");
    let landing = h.approve(&recurring, "buyer@sandbox.test", "ACH").await;
    assert_eq!(parse(&landing).status.code(), "SB");
    h.sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shipping_address_is_shown_or_collected_and_returned() {
    let h = Harness::start(20, None).await;
    // An address in the request is shown on the confirm page.
    let mut shown = single_use("order-addr-1", "4.00");
    shown.push(("addressName", "Ada Lovelace".into()));
    shown.push(("addressLine1", "12 Analytical Row".into()));
    shown.push(("city", "London".into()));
    let (_, _, page) = h.get(&url_for(&h, &shown)).await;
    let session = session_of(&page);
    let (_, _, page) = h
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
    assert!(
        page.contains("Ada Lovelace<br>12 Analytical Row<br>London"),
        "{page}"
    );
    assert!(!page.contains("name=\"addressLine1\""));

    // collectShippingAddress=True: the page collects one and the return carries it, signed.
    let mut collect = single_use("order-addr-2", "4.00");
    collect.push(("collectShippingAddress", "True".into()));
    let (_, _, page) = h.get(&url_for(&h, &collect)).await;
    let session = session_of(&page);
    let (_, _, page) = h
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
    assert!(
        page.contains("name=\"addressLine1\"") && page.contains("value=\"Test Buyer\""),
        "{page}"
    );
    let form = |line1: &'static str| {
        let session = session.clone();
        let h = &h;
        async move {
            h.post_form(
                "/cobranded-ui/actions/confirm",
                &[
                    ("session", &session),
                    ("paymentMethod", "ABT"),
                    ("action", "confirm"),
                    ("addressName", "Grace Hopper"),
                    ("addressLine1", line1),
                    ("addressLine2", ""),
                    ("city", "Arlington"),
                    ("state", "VA"),
                    ("zip", "22201"),
                    ("country", "US"),
                    ("phoneNumber", "+1 555 0100"),
                ],
            )
            .await
        }
    };
    let (status, _, page) = form("  ").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("role=\"alert\"") && page.contains("value=\"Grace Hopper\""),
        "{page}"
    );
    let (status, location, _) = form("1 Navy Yard & Pier").await;
    assert_eq!(status, 303);
    let landing = location.unwrap();
    let parsed = parse(&landing);
    assert_eq!(parsed.status.code(), "SA");
    assert_eq!(parsed.get("addressName"), Some("Grace Hopper"));
    assert_eq!(parsed.get("addressLine1"), Some("1 Navy Yard & Pier"));
    assert_eq!(parsed.get("addressLine2"), None, "empty fields are left out");
    assert_eq!(parsed.get("zip"), Some("22201"));
    assert_eq!(parsed.get("phoneNumber"), Some("+1 555 0100"));
    assert_eq!(verify_return(&h, &landing).await, "Success");
    h.sandbox.stop().await;
}
