//! Hostile input against every HTTP endpoint of the backend (`fps-checkout serve`): the real
//! server on a loopback port, FPS played by the local test server. Each bad input must get a clear
//! 4xx answer in the API's JSON error format (`{"error": {"code", "message"}}`) with the expected
//! code, the server must stay up, and nothing may be stored: no order created or changed, no
//! payment sent to FPS.
//!
//! `cargo test --test hostile_input -- --nocapture` prints the table that RELIABILITY.md holds.

use std::fmt::Write as _;

use crate::common::*;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::Method;
use serde_json::{json, Value};

/// One bad request and the answer it must get.
struct Case {
    method: Method,
    path: String,
    /// What the row says was sent.
    what: &'static str,
    headers: Vec<(&'static str, HeaderValue)>,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    /// Expected status.
    status: u16,
    /// Expected error code; `None` where hyper answers before the app (no body).
    code: Option<&'static str>,
}

fn case(method: Method, path: &str, what: &'static str, status: u16, code: Option<&'static str>) -> Case {
    Case {
        method,
        path: path.to_owned(),
        what,
        headers: Vec::new(),
        content_type: None,
        body: Vec::new(),
        status,
        code,
    }
}

impl Case {
    fn json(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.content_type = Some("application/json");
        self.body = body.into();
        self
    }

    fn text(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.content_type = Some("text/plain");
        self.body = body.into();
        self
    }

    fn typed(mut self, content_type: &'static str, body: impl Into<Vec<u8>>) -> Self {
        self.content_type = Some(content_type);
        self.body = body.into();
        self
    }

    fn header(mut self, name: &'static str, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    fn admin(self) -> Self {
        let bearer = HeaderValue::from_str(&format!("Bearer {ADMIN_TOKEN}")).expect("header");
        self.header("authorization", bearer)
    }
}

fn nested_json(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

fn many_params(n: usize) -> String {
    let params: Vec<String> = (0..n).map(|i| format!("\"p{i}\":\"v\"")).collect();
    format!(
        "{{\"pipeline\":\"SingleUse\",\"params\":{{{}}}}}",
        params.join(",")
    )
}

/// Every hostile case, in table order. `order` is an open, signed order of the shop.
async fn cases(h: &Harness, order: &Value) -> Vec<Case> {
    use Method as M;
    let r = order["callerReference"].as_str().expect("reference").to_owned();
    let sign = h.sign_body(order);
    let with_param = |name: &str, value: Value| {
        let mut body = sign.clone();
        body["params"][name] = value;
        serde_json::to_vec(&body).expect("json")
    };
    let big = "x".repeat(70 * 1024);
    let good_return = h.cbui_return(order, "SC").await;
    let unsigned_return = format!("callerReference={r}&status=SC&tokenID={TOKEN_OK}&expiry=10%2F2030");
    let settle = format!("/api/orders/{r}/settle");
    let refund = format!("/api/orders/{r}/refund");
    let cancel = format!("/api/orders/{r}/cancel");
    let get_one = format!("/api/orders/{r}");
    let many_headers = (0..120).fold(
        case(M::GET, "/healthz", "120 extra headers", 431, None),
        |c, i| {
            let name: &'static str = Box::leak(format!("x-h{i}").into_boxed_str());
            c.header(name, HeaderValue::from_static("1"))
        },
    );

    vec![
        // /healthz
        case(
            M::POST,
            "/healthz",
            "wrong method (POST)",
            405,
            Some("METHOD_NOT_ALLOWED"),
        ),
        case(M::GET, "/healthz", "20 KB header", 431, Some("HEADERS_TOO_LARGE")).header(
            "x-junk",
            HeaderValue::from_str(&"a".repeat(20 * 1024)).expect("header"),
        ),
        case(M::GET, "/healthz", "1 MB header", 431, None).header(
            "x-junk",
            HeaderValue::from_str(&"a".repeat(1024 * 1024)).expect("header"),
        ),
        many_headers,
        // Unknown paths
        case(M::GET, "/nope", "unknown path", 404, Some("NO_SUCH_PATH")),
        case(
            M::GET,
            "/API/ORDERS",
            "path in upper case",
            404,
            Some("NO_SUCH_PATH"),
        ),
        case(
            M::GET,
            "/%FF%FE",
            "non-UTF-8 percent-encoded path",
            404,
            Some("NO_SUCH_PATH"),
        ),
        // POST /api/orders
        case(
            M::PUT,
            "/api/orders",
            "wrong method (PUT)",
            405,
            Some("METHOD_NOT_ALLOWED"),
        ),
        case(
            M::DELETE,
            "/api/orders",
            "wrong method (DELETE)",
            405,
            Some("METHOD_NOT_ALLOWED"),
        ),
        case(
            M::POST,
            "/api/orders",
            "no body, no content type",
            415,
            Some("UNSUPPORTED_MEDIA_TYPE"),
        ),
        case(
            M::POST,
            "/api/orders",
            "JSON sent as text/plain",
            415,
            Some("UNSUPPORTED_MEDIA_TYPE"),
        )
        .text(r#"{"items":[{"sku":"MUG-ENAMEL","quantity":1}]}"#),
        case(
            M::POST,
            "/api/orders",
            "empty JSON body",
            400,
            Some("INVALID_BODY"),
        )
        .json(""),
        case(
            M::POST,
            "/api/orders",
            "truncated JSON",
            400,
            Some("INVALID_BODY"),
        )
        .json(r#"{"items":[{"sku""#),
        case(
            M::POST,
            "/api/orders",
            "JSON array instead of object",
            422,
            Some("INVALID_BODY"),
        )
        .json("[]"),
        case(
            M::POST,
            "/api/orders",
            "missing field items",
            422,
            Some("INVALID_BODY"),
        )
        .json("{}"),
        case(M::POST, "/api/orders", "unknown field", 422, Some("INVALID_BODY"))
            .json(r#"{"items":[{"sku":"MUG-ENAMEL","quantity":1}],"amount":"0.01"}"#),
        case(
            M::POST,
            "/api/orders",
            "duplicate key items",
            422,
            Some("INVALID_BODY"),
        )
        .json(r#"{"items":[],"items":[{"sku":"MUG-ENAMEL","quantity":1}]}"#),
        case(
            M::POST,
            "/api/orders",
            "quantity as string",
            422,
            Some("INVALID_BODY"),
        )
        .json(r#"{"items":[{"sku":"MUG-ENAMEL","quantity":"1"}]}"#),
        case(M::POST, "/api/orders", "quantity 2^64", 422, Some("INVALID_BODY"))
            .json(r#"{"items":[{"sku":"MUG-ENAMEL","quantity":18446744073709551616}]}"#),
        case(
            M::POST,
            "/api/orders",
            "quantity 4294967295 (overflow)",
            400,
            Some("INVALID_ORDER"),
        )
        .json(r#"{"items":[{"sku":"MUG-ENAMEL","quantity":4294967295}]}"#),
        case(M::POST, "/api/orders", "quantity 1.5", 422, Some("INVALID_BODY"))
            .json(r#"{"items":[{"sku":"MUG-ENAMEL","quantity":1.5}]}"#),
        case(M::POST, "/api/orders", "empty items", 400, Some("INVALID_ORDER")).json(r#"{"items":[]}"#),
        case(M::POST, "/api/orders", "unknown SKU", 400, Some("INVALID_ORDER"))
            .json(r#"{"items":[{"sku":"NOPE","quantity":1}]}"#),
        case(
            M::POST,
            "/api/orders",
            "SKU with Cyrillic look-alike",
            400,
            Some("INVALID_ORDER"),
        )
        .json(r#"{"items":[{"sku":"MUG-ЕNAMEL","quantity":1}]}"#),
        case(
            M::POST,
            "/api/orders",
            "SKU with NUL and RTL override",
            400,
            Some("INVALID_ORDER"),
        )
        .json("{\"items\":[{\"sku\":\"MUG\\u0000\u{202E}ENAMEL\",\"quantity\":1}]}"),
        case(
            M::POST,
            "/api/orders",
            "lone surrogate escape",
            400,
            Some("INVALID_BODY"),
        )
        .json(r#"{"items":[{"sku":"\ud800","quantity":1}]}"#),
        case(
            M::POST,
            "/api/orders",
            "invalid UTF-8 in JSON",
            400,
            Some("INVALID_BODY"),
        )
        .json(b"{\"items\":[{\"sku\":\"\xff\xfe\",\"quantity\":1}]}".to_vec()),
        case(
            M::POST,
            "/api/orders",
            "UTF-8 BOM before JSON",
            400,
            Some("INVALID_BODY"),
        )
        .json(b"\xef\xbb\xbf{\"items\":[]}".to_vec()),
        case(
            M::POST,
            "/api/orders",
            "JSON nested 10 000 deep",
            422,
            Some("INVALID_BODY"),
        )
        .json(nested_json(10_000)),
        case(
            M::POST,
            "/api/orders",
            "5 000 items (175 KB)",
            413,
            Some("BODY_TOO_LARGE"),
        )
        .json(format!(
            "{{\"items\":[{}]}}",
            vec![r#"{"sku":"MUG-ENAMEL","quantity":1}"#; 5_000].join(",")
        )),
        case(M::POST, "/api/orders", "70 KB body", 413, Some("BODY_TOO_LARGE"))
            .json(format!("{{\"items\":[],\"pad\":\"{big}\"}}")),
        // POST /fps/sign
        case(
            M::GET,
            "/fps/sign",
            "wrong method (GET)",
            405,
            Some("METHOD_NOT_ALLOWED"),
        ),
        case(
            M::POST,
            "/fps/sign",
            "form-encoded body",
            415,
            Some("UNSUPPORTED_MEDIA_TYPE"),
        )
        .typed("application/x-www-form-urlencoded", "pipeline=SingleUse"),
        case(M::POST, "/fps/sign", "not JSON", 400, Some("INVALID_BODY")).json("pipeline=SingleUse"),
        case(M::POST, "/fps/sign", "missing params", 422, Some("INVALID_BODY"))
            .json(r#"{"pipeline":"SingleUse"}"#),
        case(
            M::POST,
            "/fps/sign",
            "params as a string",
            422,
            Some("INVALID_BODY"),
        )
        .json(r#"{"pipeline":"SingleUse","params":"callerKey=x"}"#),
        case(M::POST, "/fps/sign", "a number value", 422, Some("INVALID_BODY"))
            .json(with_param("transactionAmount", json!(12.5))),
        case(M::POST, "/fps/sign", "a null value", 422, Some("INVALID_BODY"))
            .json(with_param("paymentReason", Value::Null)),
        case(M::POST, "/fps/sign", "49 parameters", 422, Some("INVALID_BODY")).json(many_params(49)),
        case(
            M::POST,
            "/fps/sign",
            "3 000-byte value",
            400,
            Some("PARAMETER_TOO_LARGE"),
        )
        .json(with_param("paymentReason", json!("x".repeat(3000)))),
        case(M::POST, "/fps/sign", "17 KB body", 413, Some("BODY_TOO_LARGE")).json(format!(
            "{{\"pipeline\":\"SingleUse\",\"params\":{{\"a\":\"{}\"}}}}",
            "x".repeat(17 * 1024)
        )),
        case(
            M::POST,
            "/fps/sign",
            "duplicate transactionAmount",
            400,
            Some("INVALID_PARAMETER"),
        )
        .json(serde_json::to_string(&sign).expect("json").replacen(
            "\"params\":{",
            "\"params\":{\"transactionAmount\":\"0.01\",",
            1,
        )),
        case(
            M::POST,
            "/fps/sign",
            "unknown parameter",
            400,
            Some("INVALID_PARAMETER"),
        )
        .json(with_param("extra", json!("1"))),
        case(
            M::POST,
            "/fps/sign",
            "full-width digits in amount",
            400,
            Some("INVALID_PARAMETER"),
        )
        .json(with_param("transactionAmount", json!("１２.50"))),
        case(
            M::POST,
            "/fps/sign",
            "amount changed",
            403,
            Some("AMOUNT_MISMATCH"),
        )
        .json(with_param("transactionAmount", json!("0.01"))),
        case(
            M::POST,
            "/fps/sign",
            "foreign returnURL",
            403,
            Some("RETURN_URL_NOT_ALLOWED"),
        )
        .json(with_param("returnURL", json!("https://evil.example/thanks"))),
        case(
            M::POST,
            "/fps/sign",
            "foreign callerKey",
            403,
            Some("FOREIGN_CALLER_KEY"),
        )
        .json(with_param("callerKey", json!("AKIAOTHERKEY00000000"))),
        case(
            M::POST,
            "/fps/sign",
            "unknown callerReference",
            404,
            Some("UNKNOWN_ORDER"),
        )
        .json(with_param("callerReference", json!("ord-does-not-exist"))),
        case(
            M::POST,
            "/fps/sign",
            "pipeline MultiUse",
            403,
            Some("PIPELINE_NOT_ALLOWED"),
        )
        .json(
            serde_json::to_vec(&json!({ "pipeline": "MultiUse", "params": sign["params"] })).expect("json"),
        ),
        // POST /fps/return
        case(
            M::GET,
            "/fps/return",
            "wrong method (GET)",
            405,
            Some("METHOD_NOT_ALLOWED"),
        ),
        case(M::POST, "/fps/return", "empty body", 400, Some("INVALID_RETURN")).text(""),
        case(M::POST, "/fps/return", "no status", 400, Some("INVALID_RETURN"))
            .text(format!("callerReference={r}&tokenID={TOKEN_OK}")),
        case(
            M::POST,
            "/fps/return",
            "unknown status",
            400,
            Some("INVALID_RETURN"),
        )
        .text(format!("callerReference={r}&status=XX")),
        case(
            M::POST,
            "/fps/return",
            "bad percent escape",
            400,
            Some("INVALID_RETURN"),
        )
        .text(format!("callerReference={r}&status=SC&x=%G1")),
        case(
            M::POST,
            "/fps/return",
            "percent-encoded invalid UTF-8",
            400,
            Some("INVALID_RETURN"),
        )
        .text(format!("callerReference={r}&status=SC&x=%C3%28")),
        case(
            M::POST,
            "/fps/return",
            "raw invalid UTF-8 body",
            400,
            Some("INVALID_BODY"),
        )
        .text(b"status=SC&x=\xff".to_vec()),
        case(
            M::POST,
            "/fps/return",
            "duplicate status",
            400,
            Some("INVALID_RETURN"),
        )
        .text(format!("callerReference={r}&status=A&status=SC")),
        case(
            M::POST,
            "/fps/return",
            "lowercase tokenID",
            400,
            Some("INVALID_RETURN"),
        )
        .text(format!("callerReference={r}&status=SC&tokenID=abc")),
        case(M::POST, "/fps/return", "200 pairs", 400, Some("INVALID_RETURN"))
            .text(format!("status=SC&{}", vec!["a=1"; 200].join("&"))),
        case(M::POST, "/fps/return", "9 KB query", 400, Some("INVALID_RETURN"))
            .text(format!("status=SC&x={}", "a".repeat(9 * 1024))),
        case(M::POST, "/fps/return", "70 KB body", 413, Some("BODY_TOO_LARGE")).text("x".repeat(70 * 1024)),
        case(
            M::POST,
            "/fps/return",
            "unknown order",
            404,
            Some("UNKNOWN_ORDER"),
        )
        .text(format!("callerReference=ord-nope&status=SC&tokenID={TOKEN_OK}")),
        case(
            M::POST,
            "/fps/return",
            "Unicode callerReference",
            404,
            Some("UNKNOWN_ORDER"),
        )
        .text(format!(
            "callerReference=%E2%80%AEord&status=SC&tokenID={TOKEN_OK}"
        )),
        case(
            M::POST,
            "/fps/return",
            "success without FPS signature",
            403,
            Some("SIGNATURE_INVALID"),
        )
        .text(unsigned_return.clone()),
        case(
            M::POST,
            "/fps/return",
            "forged signature",
            403,
            Some("SIGNATURE_INVALID"),
        )
        .text(format!(
            "{unsigned_return}&signatureMethod=RSA-SHA1&signatureVersion=2\
             &certificateUrl=https%3A%2F%2Ffps.example%2Fcert.pem&signature=Zm9yZ2Vk"
        )),
        case(
            M::POST,
            "/fps/return",
            "signed return, tokenID swapped",
            403,
            Some("SIGNATURE_INVALID"),
        )
        .text(good_return.replace(&token_of(&good_return), TOKEN_DECLINE)),
        // POST /fps/ipn
        case(
            M::GET,
            "/fps/ipn",
            "wrong method (GET)",
            405,
            Some("METHOD_NOT_ALLOWED"),
        ),
        case(M::POST, "/fps/ipn", "empty body", 403, Some("SIGNATURE_INVALID")).text(""),
        case(
            M::POST,
            "/fps/ipn",
            "JSON instead of a form",
            403,
            Some("SIGNATURE_INVALID"),
        )
        .json(r#"{"transactionId":"T1","transactionStatus":"SUCCESS"}"#),
        case(
            M::POST,
            "/fps/ipn",
            "bad percent escape",
            400,
            Some("INVALID_NOTIFICATION"),
        )
        .typed(
            "application/x-www-form-urlencoded",
            "transactionId=%ZZ&signature=x",
        ),
        case(
            M::POST,
            "/fps/ipn",
            "duplicate transactionStatus",
            400,
            Some("INVALID_NOTIFICATION"),
        )
        .typed(
            "application/x-www-form-urlencoded",
            "transactionId=T1&transactionStatus=FAILURE&transactionStatus=SUCCESS&signature=x",
        ),
        case(
            M::POST,
            "/fps/ipn",
            "raw invalid UTF-8 body",
            400,
            Some("INVALID_BODY"),
        )
        .typed(
            "application/x-www-form-urlencoded",
            b"transactionId=\xc3\x28".to_vec(),
        ),
        case(
            M::POST,
            "/fps/ipn",
            "forged signature",
            403,
            Some("SIGNATURE_INVALID"),
        )
        .typed(
            "application/x-www-form-urlencoded",
            format!(
                "transactionId=T1&transactionStatus=SUCCESS&callerReference={r}&signatureMethod=RSA-SHA1\
                 &signatureVersion=2&certificateUrl=https%3A%2F%2Ffps.example%2Fcert.pem&signature=Zm9yZ2Vk"
            ),
        ),
        case(M::POST, "/fps/ipn", "70 KB body", 413, Some("BODY_TOO_LARGE")).text(big),
        // The shopper's order page API (the key goes in Fps-Order-Key; these requests carry none
        // or a wrong one: every answer is the same 404, which tells nobody which orders exist).
        case(
            M::GET,
            &format!("/api/shop/orders/{r}"),
            "no order key",
            404,
            Some("UNKNOWN_ORDER"),
        ),
        case(
            M::GET,
            &format!("/api/shop/orders/{r}"),
            "order key with non-ASCII bytes",
            404,
            Some("UNKNOWN_ORDER"),
        )
        .header(
            "fps-order-key",
            HeaderValue::from_bytes(b"\xff\xfekey").expect("h"),
        ),
        case(
            M::GET,
            &format!("/api/shop/orders/{r}"),
            "the admin token as order key",
            404,
            Some("UNKNOWN_ORDER"),
        )
        .header("fps-order-key", HeaderValue::from_static(ADMIN_TOKEN)),
        case(
            M::POST,
            &format!("/api/shop/orders/{r}/cancel"),
            "cancel without key",
            404,
            Some("UNKNOWN_ORDER"),
        ),
        case(
            M::POST,
            &format!("/api/shop/orders/{r}/reauthorize"),
            "reauthorize, 5 KB key",
            404,
            Some("UNKNOWN_ORDER"),
        )
        .header(
            "fps-order-key",
            HeaderValue::from_str(&"k".repeat(5000)).expect("h"),
        ),
        case(
            M::GET,
            &format!("/api/shop/orders/{r}/cancel"),
            "GET on cancel",
            405,
            Some("METHOD_NOT_ALLOWED"),
        ),
        case(
            M::POST,
            &format!("/api/shop/orders/{r}/cancel"),
            "70 KB body",
            413,
            Some("BODY_TOO_LARGE"),
        )
        .text("x".repeat(70 * 1024)),
        case(
            M::GET,
            "/api/shop/orders/%FF%FE",
            "reference not UTF-8",
            400,
            Some("INVALID_PATH"),
        ),
        // Admin routes
        case(M::GET, "/api/orders", "no token", 401, Some("UNAUTHORIZED")),
        case(M::GET, "/api/orders", "wrong token", 401, Some("UNAUTHORIZED")).header(
            "authorization",
            HeaderValue::from_static("Bearer test-admin-token-0123456780"),
        ),
        case(M::GET, "/api/orders", "token as Basic", 401, Some("UNAUTHORIZED")).header(
            "authorization",
            HeaderValue::from_str(&format!("Basic {ADMIN_TOKEN}")).expect("h"),
        ),
        case(
            M::GET,
            "/api/orders",
            "token lowercase bearer",
            401,
            Some("UNAUTHORIZED"),
        )
        .header(
            "authorization",
            HeaderValue::from_str(&format!("bearer {ADMIN_TOKEN}")).expect("h"),
        ),
        case(
            M::GET,
            "/api/orders",
            "token prefix only",
            401,
            Some("UNAUTHORIZED"),
        )
        .header("authorization", HeaderValue::from_static("Bearer test-admin")),
        case(
            M::GET,
            "/api/orders",
            "non-ASCII bytes in the token",
            401,
            Some("UNAUTHORIZED"),
        )
        .header(
            "authorization",
            HeaderValue::from_bytes(b"Bearer \xfftoken").expect("h"),
        ),
        case(
            M::GET,
            "/api/orders",
            "two Authorization headers, first wrong",
            401,
            Some("UNAUTHORIZED"),
        )
        .header("authorization", HeaderValue::from_static("Bearer wrong"))
        .admin(),
        case(M::GET, &get_one, "no token", 401, Some("UNAUTHORIZED")),
        case(M::POST, &settle, "no token", 401, Some("UNAUTHORIZED")),
        case(M::POST, &cancel, "no token", 401, Some("UNAUTHORIZED")),
        case(M::POST, &refund, "no token", 401, Some("UNAUTHORIZED")),
        case(
            M::GET,
            "/api/orders?limit=abc",
            "limit not a number",
            400,
            Some("INVALID_QUERY"),
        )
        .admin(),
        case(
            M::GET,
            "/api/orders?limit=99999999999999999999",
            "limit 10^20",
            400,
            Some("INVALID_QUERY"),
        )
        .admin(),
        case(
            M::GET,
            "/api/orders?limit=1&limit=2",
            "duplicate limit",
            400,
            Some("INVALID_QUERY"),
        )
        .admin(),
        case(
            M::GET,
            "/api/orders/ord-nope",
            "unknown order",
            404,
            Some("UNKNOWN_ORDER"),
        )
        .admin(),
        case(
            M::GET,
            "/api/orders/%FF",
            "non-UTF-8 reference",
            400,
            Some("INVALID_PATH"),
        )
        .admin(),
        case(
            M::GET,
            "/api/orders/%E2%80%AE%00",
            "RTL override and NUL reference",
            404,
            Some("UNKNOWN_ORDER"),
        )
        .admin(),
        case(
            M::GET,
            &settle,
            "wrong method (GET)",
            405,
            Some("METHOD_NOT_ALLOWED"),
        )
        .admin(),
        case(M::POST, &settle, "not JSON", 400, Some("INVALID_BODY"))
            .admin()
            .json("amount=1"),
        case(M::POST, &settle, "amount as number", 400, Some("INVALID_BODY"))
            .admin()
            .json(r#"{"amount":12.5}"#),
        case(
            M::POST,
            &settle,
            "amount with 3 decimals",
            400,
            Some("INVALID_AMOUNT"),
        )
        .admin()
        .json(r#"{"amount":"1.005"}"#),
        case(M::POST, &settle, "negative amount", 400, Some("INVALID_AMOUNT"))
            .admin()
            .json(r#"{"amount":"-1"}"#),
        case(
            M::POST,
            &settle,
            "open order (not reserved)",
            409,
            Some("WRONG_STATE"),
        )
        .admin(),
        case(M::POST, &refund, "amount 1e400", 400, Some("INVALID_AMOUNT"))
            .admin()
            .json(r#"{"amount":"1e400"}"#),
        case(
            M::POST,
            &refund,
            "open order (nothing to refund)",
            409,
            Some("WRONG_STATE"),
        )
        .admin(),
        case(
            M::POST,
            &cancel,
            "open order (nothing to cancel)",
            409,
            Some("WRONG_STATE"),
        )
        .admin(),
        case(
            M::POST,
            "/api/orders/ord-nope/refund",
            "unknown order",
            404,
            Some("UNKNOWN_ORDER"),
        )
        .admin(),
    ]
}

fn excerpt(text: &str) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c == '|' || c.is_control() { ' ' } else { c })
        .collect();
    match one_line.char_indices().nth(70) {
        Some((at, _)) => format!("{}...", &one_line[..at]),
        None => one_line,
    }
}

#[tokio::test]
async fn every_endpoint_refuses_hostile_input_clearly() {
    let h = start().await;
    let order = h.create_order("MUG-ENAMEL", 1).await;
    h.sign(&order).await;
    let (_, before) = h.admin(Method::GET, "/api/orders", None).await;
    assert_eq!(before["orders"].as_array().map(Vec::len), Some(1), "{before}");

    let mut table =
        String::from("| Endpoint | Input | Status | Code | Message (start) |\n|---|---|---|---|---|\n");
    let mut failures = Vec::new();
    let cases = cases(&h, &order).await;
    let count = cases.len();
    for c in cases {
        let mut headers = HeaderMap::new();
        for (name, value) in &c.headers {
            headers.append(HeaderName::from_static(name), value.clone());
        }
        let mut request = h
            .http
            .request(c.method.clone(), format!("{}{}", h.base, c.path))
            .headers(headers);
        if let Some(content_type) = c.content_type {
            request = request.header("content-type", content_type).body(c.body.clone());
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let text = response.text().await.unwrap_or_default();
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let code = body["error"]["code"].as_str();
        let message = body["error"]["message"].as_str().unwrap_or("");
        let endpoint = format!(
            "{} {}",
            c.method,
            excerpt(
                &c.path
                    .replace(order["callerReference"].as_str().unwrap_or("-"), "{ref}")
            )
        );
        let _ = writeln!(
            table,
            "| `{endpoint}` | {} | {status} | {} | {} |",
            c.what,
            code.unwrap_or("(hyper, no body)"),
            excerpt(message)
        );
        let well_formed = match c.code {
            Some(_) => content_type.starts_with("application/json") && !message.is_empty(),
            None => true,
        };
        if status != c.status || code != c.code || !well_formed {
            failures.push(format!(
                "{endpoint} {}: expected {} {:?}, got {status} {content_type} {}",
                c.what,
                c.status,
                c.code,
                excerpt(&text)
            ));
        }
        let alive = h
            .http
            .get(format!("{}/healthz", h.base))
            .send()
            .await
            .expect("alive");
        assert_eq!(alive.status().as_u16(), 200, "the server survives {}", c.what);
    }
    println!("{count} hostile inputs:\n\n{table}");
    assert!(
        failures.is_empty(),
        "{} of {count} cases:\n{}",
        failures.len(),
        failures.join("\n")
    );

    // Nothing stored: the one order is exactly as it was, and FPS was never asked to move money.
    let (_, after) = h.admin(Method::GET, "/api/orders", None).await;
    assert_eq!(after, before, "orders changed");
    for action in ["Pay", "Reserve", "Settle", "Refund", "Cancel"] {
        assert_eq!(h.fps.calls(action), 0, "{action} was sent");
    }
}

#[tokio::test]
async fn too_many_requests_in_flight_are_shed_with_503() {
    let h = start_with(&[("FPS_MAX_IN_FLIGHT", "1")]).await;
    let order = h.create_order("MUG-ENAMEL", 1).await;
    h.sign(&order).await;
    // Holds the only slot: VerifySignature answers after the client's 1 s timeout (retried).
    h.fps
        .fault(
            "VerifySignature",
            Fault::SlowAfterApply(std::time::Duration::from_secs(3)),
            3,
        )
        .await;
    let raw = h.cbui_return(&order, "SC").await;
    let slow = {
        let (http, url) = (h.http.clone(), format!("{}/fps/return", h.base));
        tokio::spawn(async move {
            http.post(url)
                .header("content-type", "text/plain")
                .body(raw)
                .send()
                .await
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let shed = h
        .http
        .get(format!("{}/healthz", h.base))
        .send()
        .await
        .expect("answer");
    assert_eq!(shed.status().as_u16(), 503);
    assert_eq!(
        shed.headers().get("retry-after").and_then(|v| v.to_str().ok()),
        Some("1")
    );
    let (status, body) = read(shed).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (503, Some("OVERLOADED"))
    );
    let _ = slow.await;
    let again = h
        .http
        .get(format!("{}/healthz", h.base))
        .send()
        .await
        .expect("answer");
    assert_eq!(again.status().as_u16(), 200, "the slot is free again");
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let h = start().await;
    let address = h.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.expect("connect");
    // A request line and one header, then silence (slowloris).
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: shop\r\n")
        .await
        .expect("write");
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(
        fps_merchant::server::HEADER_READ_TIMEOUT * 3,
        stream.read_to_end(&mut rest),
    )
    .await;
    assert!(
        matches!(closed, Ok(Ok(_)) | Ok(Err(_))),
        "the server still holds a connection whose headers never came"
    );
    let answer = String::from_utf8_lossy(&rest);
    assert!(!answer.contains("200 OK"), "{answer}");
    let alive = h
        .http
        .get(format!("{}/healthz", h.base))
        .send()
        .await
        .expect("alive");
    assert_eq!(alive.status().as_u16(), 200);
}
