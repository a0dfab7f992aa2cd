//! Hostile input against every HTTP endpoint of the backend (`fps-checkout serve`): the real
//! server on a loopback port, FPS played by the local test server. Each bad input must get a clear
//! 4xx answer in the API's JSON error format (`{"error": {"code", "message"}}`) with the expected
//! code, the server must stay up, and nothing may be stored: no order created or changed, no
//! payment sent to FPS.
//!
//! `cargo test -p fps-cli --test it hostile_input:: -- --nocapture` prints the table that
//! RELIABILITY.md holds. The table's rows are built per route in `shop_routes`, `fps_callbacks`
//! and `order_routes`, in that order; `connections` holds the overload and slow-client tests.

mod connections;
mod fps_callbacks;
mod order_routes;
mod shop_routes;

use std::fmt::Write as _;

use crate::common::*;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::Method;
use serde_json::Value;

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

/// What the cases are made of: the open, signed order's reference, its sign request, a return
/// FPS signed for it and one it did not, its admin paths, and a 70 KB filler.
struct Inputs {
    r: String,
    sign: Value,
    big: String,
    good_return: String,
    unsigned_return: String,
    settle: String,
    refund: String,
    cancel: String,
    get_one: String,
}

impl Inputs {
    async fn new(h: &Harness, order: &Value) -> Self {
        let r = order["callerReference"].as_str().expect("reference").to_owned();
        Self {
            sign: h.sign_body(order),
            big: "x".repeat(70 * 1024),
            good_return: h.cbui_return(order, "SC").await,
            unsigned_return: format!("callerReference={r}&status=SC&tokenID={TOKEN_OK}&expiry=10%2F2030"),
            settle: format!("/api/orders/{r}/settle"),
            refund: format!("/api/orders/{r}/refund"),
            cancel: format!("/api/orders/{r}/cancel"),
            get_one: format!("/api/orders/{r}"),
            r,
        }
    }

    /// The sign request's JSON with one parameter set to `value`.
    fn with_param(&self, name: &str, value: Value) -> Vec<u8> {
        let mut body = self.sign.clone();
        body["params"][name] = value;
        serde_json::to_vec(&body).expect("json")
    }
}

/// Every hostile case, in table order. `order` is an open, signed order of the shop.
async fn cases(h: &Harness, order: &Value) -> Vec<Case> {
    let inputs = Inputs::new(h, order).await;
    let mut all = shop_routes::cases(&inputs);
    all.extend(fps_callbacks::cases(&inputs));
    all.extend(order_routes::cases(&inputs));
    all
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
