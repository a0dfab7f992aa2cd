//! The emulator serves FPS's real clients unchanged (issue 17): the wire forms of Amazon's own
//! FPS client libraries and of boto 2, each kept under test. A Signature Version 2 signature
//! over the host without its port; CBUI names in another letter case; `Timestamp` with
//! milliseconds; bodies and CBUI queries from PHP's `http_build_query`; VerifySignature
//! unsigned; compact error envelopes.

use crate::sandbox_support::*;
use fps_core::canonical::{decode_query, HttpMethod, PlusIs};
use fps_core::params::SignatureMethod;
use fps_core::Endpoint;
use fps_wire::signer::{sign_pairs, SecretKey};

const RETURN: &str = "https://shop.example/thanks?order=42";
const START: &str = "/cobranded-ui/actions/start";

/// PHP's `urlencode` (what `http_build_query` writes): letters, digits and `-_.` kept, space
/// as `+`, everything else (`~` included) as uppercase `%XX`.
fn php_urlencode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => out.push(char::from(byte)),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// PHP's `http_build_query` over pairs in the order given.
fn http_build_query(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(n, v)| format!("{}={}", php_urlencode(n), php_urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(n, v)| ((*n).into(), (*v).into())).collect()
}

/// Signs `pairs` for `METHOD host path` (the host as the client saw it) and appends the
/// signature under `signature_name`.
fn signed(
    mut pairs: Vec<(String, String)>,
    method: HttpMethod,
    host: &str,
    path: &str,
    name: &str,
) -> Vec<(String, String)> {
    let endpoint = Endpoint::parse(&format!("http://{host}{path}")).unwrap();
    let secret = SecretKey::new(SECRET).unwrap();
    let signature = sign_pairs(
        &secret,
        SignatureMethod::HmacSha256,
        method,
        &endpoint,
        &pairs,
        name,
    )
    .signature;
    pairs.push((name.into(), signature));
    pairs
}

/// The common Query API parameters as the official SDKs send them: `Timestamp` with
/// milliseconds.
fn sdk_call(params: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut pairs = owned(params);
    let now = time::OffsetDateTime::now_utc();
    let timestamp = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.000Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    );
    pairs.extend(owned(&[
        ("AWSAccessKeyId", KEY),
        ("SignatureMethod", "HmacSHA256"),
        ("SignatureVersion", "2"),
        ("Timestamp", &timestamp),
        ("Version", "2010-08-28"),
    ]));
    pairs
}

fn host_with_port(h: &Harness) -> String {
    Endpoint::parse(h.sandbox.base_url()).unwrap().signed_host()
}

async fn post_body(h: &Harness, body: String) -> Reply {
    let response = h
        .http
        .post(h.sandbox.api_url())
        .header("content-type", "application/x-www-form-urlencoded; charset=utf-8")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    Reply {
        status,
        body: response.text().await.unwrap(),
    }
}

async fn get_query(h: &Harness, query: String) -> Reply {
    let (status, _, body) = h.get(&format!("{}?{query}", h.sandbox.api_url())).await;
    Reply { status, body }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn query_api_as_the_official_sdks_send_it() {
    let h = Harness::start(20, None).await;
    let token = h.single_use_token("sdk-1", "10.00", "ABT", false).await;
    let pay = sdk_call(&[
        ("Action", "Pay"),
        ("CallerReference", "sdk order 1~a"),
        ("SenderTokenId", &token),
        ("TransactionAmount.Value", "10.00"),
        ("TransactionAmount.CurrencyCode", "USD"),
    ]);
    // POSTed, form-encoded by http_build_query (`+`, `%7E`), milliseconds, signed over the host
    // without its port while the Host header carries it.
    let body = http_build_query(&signed(
        pay.clone(),
        HttpMethod::Post,
        "127.0.0.1",
        "/",
        "Signature",
    ));
    assert!(body.contains("sdk+order+1%7Ea"), "{body}");
    let paid = post_body(&h, body).await;
    assert_eq!(paid.status, 200, "{}", paid.body);
    assert_eq!(paid.tag("TransactionStatus").as_deref(), Some("Success"));
    // The same host line with the port, by GET, works as before.
    let status = sdk_call(&[
        ("Action", "GetTransactionStatus"),
        ("TransactionId", &paid.tag("TransactionId").unwrap()),
    ]);
    let with_port = signed(
        status.clone(),
        HttpMethod::Get,
        &host_with_port(&h),
        "/",
        "Signature",
    );
    let reply = get_query(&h, http_build_query(&with_port)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let without_port = signed(status.clone(), HttpMethod::Get, "127.0.0.1", "/", "Signature");
    let reply = get_query(&h, http_build_query(&without_port)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    // Another host line is refused, naming both strings to sign.
    let other = signed(status, HttpMethod::Get, "127.0.0.1:1", "/", "Signature");
    let refused = get_query(&h, http_build_query(&other)).await;
    assert_eq!(refused.error_code(), "SignatureDoesNotMatch");
    let message = refused.tag("Message").unwrap();
    assert!(
        message.contains(&format!("\"GET\\n{}\\n/\\nAWSAccessKeyId=", host_with_port(&h))),
        "{message}"
    );
    assert!(
        message.contains("\"GET\\n127.0.0.1\\n/\\nAWSAccessKeyId="),
        "{message}"
    );
    // Compact error envelope: Amazon's PHP client reads it with regexes allowing no
    // whitespace; boto takes the last <Code>.
    assert!(
        refused
            .body
            .contains("<Response><Errors><Error><Code>SignatureDoesNotMatch</Code><Message>"),
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("</Message></Error></Errors><RequestID>"),
        "{}",
        refused.body
    );
    assert_eq!(refused.body.matches("<Code>").count(), 1);
    h.sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cbui_and_unsigned_verify_signature_as_the_official_sdks_send_them() {
    let h = Harness::start(20, None).await;
    // A CBUI query string from http_build_query (`+` for space, `%7E` for `~`), signed with the
    // port as the SDK's pipeline classes do.
    let request = owned(&[
        ("callerKey", KEY),
        ("callerReference", "php cbui~1"),
        ("paymentReason", "Mug & tea~set"),
        ("pipelineName", "SingleUse"),
        ("returnURL", RETURN),
        ("signatureMethod", "HmacSHA256"),
        ("signatureVersion", "2"),
        ("transactionAmount", "3.00"),
        ("version", "2009-01-09"),
    ]);
    let query = http_build_query(&signed(
        request,
        HttpMethod::Get,
        &host_with_port(&h),
        START,
        "signature",
    ));
    assert!(query.contains("Mug+%26+tea%7Eset"), "{query}");
    let landing = h
        .approve(
            &format!("{}?{query}", h.sandbox.cbui_url()),
            "buyer@sandbox.test",
            "ABT",
        )
        .await;
    let (endpoint, landing_query) = landing.split_once('?').unwrap();
    let received = decode_query(landing_query, PlusIs::Space).unwrap();
    assert!(received.contains(&("status".into(), "SA".into())), "{landing}");
    assert!(
        received.contains(&("callerReference".into(), "php cbui~1".into())),
        "{landing}"
    );
    // VerifySignature unsigned, as the PHP SDK sends it: HttpParameters rebuilt from $_GET by
    // http_build_query, then encoded once more in the request.
    let verify = |parameters: &[(String, String)]| {
        http_build_query(&owned(&[
            ("Action", "VerifySignature"),
            ("UrlEndPoint", endpoint),
            ("HttpParameters", &http_build_query(parameters)),
            ("Version", "2010-08-28"),
        ]))
    };
    let reply = get_query(&h, verify(&received)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.tag("VerificationStatus").as_deref(), Some("Success"));
    let reply = post_body(&h, verify(&received)).await;
    assert_eq!(reply.tag("VerificationStatus").as_deref(), Some("Success"));
    let mut changed = received.clone();
    changed[0].1.push('3');
    let reply = get_query(&h, verify(&changed)).await;
    assert_eq!(reply.tag("VerificationStatus").as_deref(), Some("Failure"));
    h.sandbox.stop().await;
}

/// The landing query of a 303 answer to the start URL (a `CE` return).
fn returned(location: Option<String>) -> Vec<(String, String)> {
    let location = location.expect("a return");
    decode_query(location.split_once('?').unwrap().1, PlusIs::Space).unwrap()
}

fn value<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cbui_names_in_another_letter_case_are_read_as_the_documented_ones() {
    let h = Harness::start(20, None).await;
    let start = |extra: &[(&str, &str)], without: &[&str]| {
        let mut pairs = owned(&[
            ("callerKey", KEY),
            ("callerReference", "case-1"),
            ("pipelineName", "SingleUse"),
            ("returnURL", RETURN),
            ("signatureMethod", "HmacSHA256"),
            ("signatureVersion", "2"),
            ("transactionAmount", "2.00"),
            ("version", "2009-01-09"),
        ]);
        pairs.retain(|(n, _)| !without.contains(&n.as_str()));
        pairs.extend(owned(extra));
        let query = http_build_query(&signed(
            pairs,
            HttpMethod::Get,
            &host_with_port(&h),
            START,
            "signature",
        ));
        format!("{}?{query}", h.sandbox.cbui_url())
    };
    // boto 2's cbui_url: a signed `CallerReference` beside `callerReference`. The documented one
    // wins; the other is ignored.
    let boto = start(&[("CallerReference", "a1b2c3d4-uuid")], &[]);
    let landing = h.approve(&boto, "buyer@sandbox.test", "ABT").await;
    let received = decode_query(landing.split_once('?').unwrap().1, PlusIs::Space).unwrap();
    assert_eq!(value(&received, "status"), Some("SA"), "{landing}");
    assert_eq!(value(&received, "callerReference"), Some("case-1"));
    // A variant alone is read as the documented name.
    let alone = start(
        &[("CallerReference", "case-2"), ("TRANSACTIONAMOUNT", "2.50")],
        &["callerReference", "transactionAmount"],
    );
    let landing = h.approve(&alone, "buyer@sandbox.test", "ABT").await;
    let received = decode_query(landing.split_once('?').unwrap().1, PlusIs::Space).unwrap();
    assert_eq!(value(&received, "status"), Some("SA"), "{landing}");
    assert_eq!(value(&received, "callerReference"), Some("case-2"));
    let token = value(&received, "tokenID").unwrap().to_owned();
    let paid = h.pay("Pay", &token, "case-pay", "2.50").await;
    assert_eq!(paid.status, 200, "{}", paid.body);
    // Two other spellings without the documented one: CE. An unknown name: CE.
    let twice = start(
        &[("CallerReference", "x"), ("CALLERREFERENCE", "y")],
        &["callerReference"],
    );
    let (status, location, page) = h.get(&twice).await;
    assert_eq!(status, 303, "{page}");
    let ce = returned(location);
    assert_eq!(value(&ce, "status"), Some("CE"));
    assert!(
        value(&ce, "errorMessage").unwrap().contains("CALLERREFERENCE"),
        "{ce:?}"
    );
    let unknown = start(&[("callerReferenceX", "x")], &[]);
    let (status, location, _) = h.get(&unknown).await;
    assert_eq!(status, 303);
    let ce = returned(location);
    assert_eq!(value(&ce, "status"), Some("CE"));
    assert!(
        value(&ce, "errorMessage").unwrap().contains("callerReferenceX"),
        "{ce:?}"
    );
    h.sandbox.stop().await;
}
