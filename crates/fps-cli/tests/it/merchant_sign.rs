//! `POST /fps/sign` is no signing oracle: every tamper attempt is refused; what it does sign is
//! the order's own request, verifiable with the caller's secret. And no request body, however
//! hostile, makes the server fail.

use crate::common::*;
use fps_core::canonical::{decode_query, CanonicalQuery, HttpMethod, PlusIs, StringToSign};
use fps_core::params::SignatureMethod;
use fps_core::Endpoint;
use fps_wire::signer::{verify, SecretKey};
use serde_json::{json, Value};

async fn refused(h: &Harness, body: &Value) -> (u16, String) {
    let (status, answer) = h.post_json("/fps/sign", body).await;
    assert!(answer["error"]["message"].is_string(), "{answer}");
    (
        status,
        answer["error"]["code"].as_str().unwrap_or_default().to_owned(),
    )
}

fn with(body: &Value, name: &str, value: Value) -> Value {
    let mut body = body.clone();
    body["params"][name] = value;
    body
}

#[tokio::test]
async fn signs_only_the_orders_own_request() {
    let h = start().await;
    let order = h.create_order("MUG-ENAMEL", 1).await;
    let signed = h.sign(&order).await;
    assert_eq!(signed["signatureMethod"], "HmacSHA256");
    let answer = h
        .http
        .post(format!("{}/fps/sign", h.base))
        .json(&h.sign_body(&order))
        .send()
        .await
        .expect("send");
    assert_eq!(
        answer.headers().get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/json")
    );
    assert_eq!(answer.json::<Value>().await.expect("JSON answer"), signed);
    let url = signed["url"].as_str().unwrap();
    assert!(
        url.starts_with(&format!("{}cobranded-ui/actions/start?", h.fps.endpoint)),
        "{url}"
    );
    let endpoint = Endpoint::parse(url).unwrap();
    let pairs = decode_query(endpoint.query().unwrap(), PlusIs::Literal).unwrap();
    let get = |n: &str| pairs.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
    assert_eq!(get("transactionAmount"), Some("12.50"));
    assert_eq!(get("callerReference"), order["callerReference"].as_str());
    assert_eq!(get("returnURL"), Some(h.return_url.as_str()));
    assert_eq!(get("signature"), signed["signature"].as_str());
    let query = CanonicalQuery::new(pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    let bare = Endpoint::parse(endpoint.without_query()).unwrap();
    let sts = StringToSign::new(HttpMethod::Get, &bare, &query);
    let secret = SecretKey::new(crate::common::emulator::SECRET).unwrap();
    assert!(verify(
        &secret,
        SignatureMethod::HmacSha256,
        &sts,
        get("signature").unwrap()
    ));
    // Pairs in an array work the same.
    let params = h.sign_body(&order)["params"].clone();
    let list: Vec<Value> = params
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| json!([k, v]))
        .collect();
    let (status, body) = h
        .post_json("/fps/sign", &json!({ "pipeline": "SingleUse", "params": list }))
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn refuses_every_tamper_attempt() {
    let h = start().await;
    let order = h.create_order("MUG-ENAMEL", 1).await;
    let honest = h.sign_body(&order);

    let cases: Vec<(&str, Value, u16, &str)> = vec![
        (
            "changed amount",
            with(&honest, "transactionAmount", json!("0.01")),
            403,
            "AMOUNT_MISMATCH",
        ),
        (
            "bigger amount",
            with(&honest, "transactionAmount", json!("125.00")),
            403,
            "AMOUNT_MISMATCH",
        ),
        (
            "other currency",
            with(&honest, "currencyCode", json!("EUR")),
            400,
            "INVALID_PARAMETER",
        ),
        (
            "foreign returnURL",
            with(&honest, "returnURL", json!("https://attacker.example/thanks")),
            403,
            "RETURN_URL_NOT_ALLOWED",
        ),
        (
            "returnURL with a trailing slash",
            with(&honest, "returnURL", json!(format!("{}/", h.return_url))),
            403,
            "RETURN_URL_NOT_ALLOWED",
        ),
        (
            "returnURL with an extra query",
            with(
                &honest,
                "returnURL",
                json!(format!("{}?next=https://attacker.example", h.return_url)),
            ),
            403,
            "RETURN_URL_NOT_ALLOWED",
        ),
        (
            "other callerKey",
            with(&honest, "callerKey", json!("AKIAOTHERCALLER00000")),
            403,
            "FOREIGN_CALLER_KEY",
        ),
        (
            "extra parameter",
            with(&honest, "discountCode", json!("FREE")),
            400,
            "INVALID_PARAMETER",
        ),
        (
            "a signature to keep",
            with(&honest, "signature", json!("AAAA")),
            400,
            "INVALID_PARAMETER",
        ),
        (
            "marketplace recipient",
            with(&honest, "recipientToken", json!(TOKEN_OK)),
            403,
            "PARAMETER_NOT_ALLOWED",
        ),
        (
            "reserve on a pay order",
            with(&honest, "reserve", json!("True")),
            403,
            "PIPELINE_NOT_ALLOWED",
        ),
        (
            "weaker MAC",
            with(&honest, "signatureMethod", json!("HmacSHA1")),
            403,
            "PARAMETER_NOT_ALLOWED",
        ),
        (
            "unknown order",
            with(
                &honest,
                "callerReference",
                json!("ord-00000000000000000000000000000000"),
            ),
            404,
            "UNKNOWN_ORDER",
        ),
        (
            "oversized value",
            with(&honest, "paymentReason", json!("x".repeat(3000))),
            400,
            "PARAMETER_TOO_LARGE",
        ),
        (
            "oversized name",
            with(&honest, &"n".repeat(100), json!("1")),
            400,
            "PARAMETER_TOO_LARGE",
        ),
        (
            "number instead of text",
            with(&honest, "transactionAmount", json!(12.5)),
            422,
            "INVALID_BODY",
        ),
        (
            "other pipeline",
            json!({ "pipeline": "MultiUse", "params": honest["params"] }),
            403,
            "PIPELINE_NOT_ALLOWED",
        ),
        (
            "pipelineName contradicts pipeline",
            with(&honest, "pipelineName", json!("Recurring")),
            403,
            "PIPELINE_NOT_ALLOWED",
        ),
        // Unicode look-alikes: Cyrillic letters, full-width digits, a homoglyph host.
        (
            "look-alike name",
            {
                let mut b = honest.clone();
                let key = b["params"]["callerKey"].take();
                b["params"].as_object_mut().unwrap().remove("callerKey");
                b["params"]["cаllerKey"] = key;
                b
            },
            400,
            "INVALID_PARAMETER",
        ),
        (
            "full-width amount",
            with(&honest, "transactionAmount", json!("１２.50")),
            400,
            "INVALID_PARAMETER",
        ),
        (
            "homoglyph return host",
            with(
                &honest,
                "returnURL",
                json!(h.return_url.replace("127.0.0.1", "127.0.0.１")),
            ),
            400,
            "INVALID_PARAMETER",
        ),
        (
            "look-alike reference",
            with(
                &honest,
                "callerReference",
                json!(order["callerReference"].as_str().unwrap().replacen('o', "о", 1)),
            ),
            404,
            "UNKNOWN_ORDER",
        ),
    ];
    for (name, body, status, code) in cases {
        assert_eq!(refused(&h, &body).await, (status, code.to_owned()), "{name}");
    }

    // Duplicate parameters: in a JSON object and in a pair list.
    let text = serde_json::to_string(&honest).unwrap();
    let doubled = text.replacen("\"callerKey\"", "\"transactionAmount\":\"0.01\",\"callerKey\"", 1);
    let response = h
        .http
        .post(format!("{}/fps/sign", h.base))
        .header("content-type", "application/json")
        .body(doubled)
        .send()
        .await
        .unwrap();
    assert_refused(&read(response).await, 400, "INVALID_PARAMETER");
    let mut list: Vec<Value> = honest["params"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| json!([k, v]))
        .collect();
    list.push(json!(["returnURL", "https://attacker.example/"]));
    let (status, _) = refused(&h, &json!({ "pipeline": "SingleUse", "params": list })).await;
    assert_eq!(status, 400);

    // Wrong content type, huge body, no body.
    let text_body = h
        .http
        .post(format!("{}/fps/sign", h.base))
        .header("content-type", "text/plain")
        .body(serde_json::to_string(&honest).unwrap())
        .send()
        .await
        .unwrap();
    assert_refused(&read(text_body).await, 415, "UNSUPPORTED_MEDIA_TYPE");
    let huge = with(&honest, "paymentReason", json!("x".repeat(200_000)));
    let response = h
        .http
        .post(format!("{}/fps/sign", h.base))
        .json(&huge)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 413);
    let empty = h.http.post(format!("{}/fps/sign", h.base)).send().await.unwrap();
    assert!(empty.status().is_client_error());

    // After all that the order is still open and the honest request still signs.
    h.sign(&order).await;

    // A closed order is never signed again.
    let raw = h.cbui_return(&order, "SC").await;
    assert_eq!(h.post_text("/fps/return", &raw).await.0, 200);
    assert_eq!(refused(&h, &honest).await, (409, "ORDER_NOT_OPEN".to_owned()));
}

/// A small deterministic generator (xorshift) for hostile bodies.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        const ALPHABET: &[u8] = b"{}[]\":,=&%+?#\\/\n\r\t\0 azAZ09.-_~\xff\xfe\xc3\xa9";
        (0..len)
            .map(|_| ALPHABET[(self.next() % ALPHABET.len() as u64) as usize])
            .collect()
    }
}

#[tokio::test]
async fn no_body_makes_it_fail() {
    let h = start().await;
    let order = h.create_order("MUG-ENAMEL", 1).await;
    let reference = order["callerReference"].as_str().unwrap();
    let mut bodies: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"{}".to_vec(),
        b"[]".to_vec(),
        b"null".to_vec(),
        b"\"text\"".to_vec(),
        b"{\"items\":null}".to_vec(),
        b"{\"items\":[{\"sku\":\"MUG-ENAMEL\",\"quantity\":4294967296}]}".to_vec(),
        b"{\"items\":[{\"sku\":\"MUG-ENAMEL\",\"quantity\":99}],\"items\":[]}".to_vec(),
        b"{\"pipeline\":\"SingleUse\",\"params\":{}}".to_vec(),
        b"{\"pipeline\":\"SingleUse\",\"params\":[[\"a\"]]}".to_vec(),
        b"{\"amount\":\"-1\"}".to_vec(),
        b"{\"amount\":\"99999999999999999999\"}".to_vec(),
        "[".repeat(100_000).into_bytes(),
        b"status=SC&callerReference=x&tokenID=%".to_vec(),
        format!("status=SC&callerReference={reference}&tokenID={TOKEN_OK}").into_bytes(),
        b"signature=x&transactionId=T&transactionStatus=SUCCESS".to_vec(),
        b"a=%FF%FE".to_vec(),
        vec![0xff, 0xfe, 0x00, 0x80],
        "é".repeat(20_000).into_bytes(),
    ];
    let mut noise = Noise(0x9E37_79B9_7F4A_7C15);
    for i in 0..60 {
        bodies.push(noise.bytes(1 + (i * 37) % 700));
    }
    let paths = [
        "/api/orders".to_owned(),
        "/fps/sign".to_owned(),
        "/fps/return".to_owned(),
        "/fps/ipn".to_owned(),
        format!("/api/orders/{reference}/settle"),
        format!("/api/orders/{reference}/refund"),
        format!("/api/orders/{reference}/cancel"),
    ];
    for body in &bodies {
        for path in &paths {
            for content_type in [
                "application/json",
                "text/plain",
                "application/x-www-form-urlencoded",
            ] {
                let response = h
                    .http
                    .post(format!("{}{path}", h.base))
                    .header("content-type", content_type)
                    .bearer_auth(ADMIN_TOKEN)
                    .body(body.clone())
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("{path}: no answer ({e})"));
                let status = response.status().as_u16();
                assert!(
                    status != 500 && status != 200 || path == "/api/orders",
                    "{path} {content_type} {:?} -> {status}",
                    String::from_utf8_lossy(&body[..body.len().min(80)])
                );
            }
        }
    }
    let odd_paths = [
        "/api/orders/%00",
        "/api/orders/..%2F..",
        "/fps",
        "/api/orders/x/y/z",
    ];
    for path in odd_paths {
        let response = h
            .http
            .get(format!("{}{path}", h.base))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_client_error(), "{path}");
    }
    let (status, body) = read(h.http.get(format!("{}/healthz", h.base)).send().await.unwrap()).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("ok")));
    assert_eq!(
        h.fps.transactions("Pay").await.len(),
        0,
        "nothing charged by noise"
    );
}

#[test]
fn serve_stops_with_one_line_naming_the_setting() {
    let binary = env!("CARGO_BIN_EXE_fps-checkout");
    let output = std::process::Command::new(binary)
        .arg("serve")
        .env_clear()
        .env("FPS_SECRET_KEY", "top-secret-material-123")
        .env("FPS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
        .env("FPS_ADMIN_TOKEN", "test-admin-token-0123456789")
        .env("FPS_RETURN_URLS", "javascript:alert(1)")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("FPS_RETURN_URLS"), "{stderr}");
    assert!(!stderr.contains("top-secret"), "{stderr}");

    let output = std::process::Command::new(binary)
        .arg("serve")
        .env_clear()
        .env("FPS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
        .env("FPS_RETURN_URLS", "https://shop.example/thanks")
        .env("FPS_ADMIN_TOKEN", "test-admin-token-0123456789")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr.contains("FPS_SECRET_KEY"), "{stderr}");
}
