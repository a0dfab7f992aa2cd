//! Hostile input against the FPS sandbox's public endpoints (the Query API at `/`, the CBUI
//! start, sign-in and confirm pages, the certificate): sizes, encodings, Unicode, duplicates,
//! wrong methods, missing and forged signatures. Each must get a 4xx with a body that names the
//! error (the FPS XML error envelope with a `<Code>` for the API, a page for CBUI), never a 5xx
//! or a dropped connection, and no transaction may be created.
//!
//! `cargo test --test sandbox_hostile -- --nocapture` prints the table RELIABILITY.md holds.

use std::fmt::Write as _;

use crate::sandbox_support::*;
use fps_core::canonical::HttpMethod;
use reqwest::Method;

struct Case {
    method: Method,
    url: String,
    what: &'static str,
    content_type: Option<&'static str>,
    body: Vec<u8>,
}

fn case(method: Method, url: String, what: &'static str) -> Case {
    Case {
        method,
        url,
        what,
        content_type: None,
        body: Vec::new(),
    }
}

impl Case {
    fn form(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.content_type = Some("application/x-www-form-urlencoded");
        self.body = body.into();
        self
    }
}

fn query(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(n, v)| format!("{}={}", fps_core::encode(n), fps_core::encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[tokio::test]
async fn the_sandbox_refuses_hostile_input_clearly() {
    let h = Harness::start(0, None).await;
    let api = h.sandbox.api_url();
    let cbui = h.sandbox.cbui_url();
    let base = api.trim_end_matches('/').to_owned();
    let signed = |params: &[(&str, &str)]| query(&h.signed_pairs(KEY, SECRET, HttpMethod::Get, params));
    let pay = [
        ("Action", "Pay"),
        ("SenderTokenId", "NOSUCHTOKEN0000000000000000000000000"),
        ("TransactionAmount.Value", "1.00"),
        ("TransactionAmount.CurrencyCode", "USD"),
        ("CallerReference", "hostile-1"),
    ];
    let good_pay = signed(&pay);
    let forged = good_pay.replace("hostile-1", "hostile-2");
    let start = h.cbui_url(
        KEY,
        &[
            ("pipelineName", "SingleUse"),
            ("returnURL", "https://shop.example/thanks"),
            ("callerReference", "hostile-cbui"),
            ("transactionAmount", "5.00"),
        ],
    );
    let big = "x".repeat(70 * 1024);
    let cases = vec![
        // The Query API.
        case(Method::GET, api.clone(), "no parameters"),
        case(Method::GET, format!("{api}?Action=Pay"), "unsigned call"),
        case(
            Method::GET,
            format!("{api}?{forged}"),
            "signature of another call",
        ),
        case(
            Method::GET,
            format!("{api}?{}", signed(&[("Action", "Nope")])),
            "unknown Action",
        ),
        case(
            Method::GET,
            format!("{api}?{good_pay}&Action=Pay"),
            "duplicate Action",
        ),
        case(
            Method::GET,
            format!("{api}?{good_pay}&x=%G0"),
            "bad percent escape",
        ),
        case(
            Method::GET,
            format!("{api}?{good_pay}&x=%C3%28"),
            "escaped invalid UTF-8",
        ),
        case(
            Method::GET,
            format!(
                "{api}?{}",
                signed(&[
                    ("Action", "Pay"),
                    ("SenderTokenId", "T"),
                    ("TransactionAmount.Value", "１.00"),
                    ("TransactionAmount.CurrencyCode", "USD"),
                    ("CallerReference", "hostile-3"),
                ])
            ),
            "full-width digits in the amount",
        ),
        case(
            Method::GET,
            format!(
                "{api}?{}",
                signed(&[
                    ("Action", "Pay"),
                    ("SenderTokenId", "T"),
                    ("TransactionAmount.Value", "1e400"),
                    ("TransactionAmount.CurrencyCode", "USD"),
                    ("CallerReference", "hostile-4"),
                ])
            ),
            "amount 1e400",
        ),
        case(Method::GET, format!("{api}?{}", "a=1&".repeat(300)), "300 pairs"),
        case(
            Method::GET,
            format!("{api}?x={}", "a".repeat(20 * 1024)),
            "20 KiB query",
        ),
        case(Method::POST, api.clone(), "POST, empty form").form(""),
        case(Method::POST, api.clone(), "POST, raw invalid UTF-8").form(b"Action=\xff".to_vec()),
        case(Method::POST, api.clone(), "POST, 70 KB body").form(big.clone()),
        case(Method::PUT, api.clone(), "wrong method (PUT)"),
        // The CBUI pages.
        case(Method::GET, cbui.clone(), "CBUI start without parameters"),
        case(
            Method::GET,
            start.replace("5.00", "0.01"),
            "CBUI start, amount changed after signing",
        ),
        case(
            Method::GET,
            format!("{start}&callerReference=again"),
            "CBUI start, duplicate name",
        ),
        case(
            Method::GET,
            format!("{start}&x=%ZZ"),
            "CBUI start, bad percent escape",
        ),
        case(
            Method::GET,
            format!("{cbui}?{}", "a=1&".repeat(300)),
            "CBUI start, 300 pairs",
        ),
        case(Method::POST, cbui.clone(), "CBUI start, wrong method (POST)").form("a=1"),
        case(
            Method::POST,
            format!("{base}/cobranded-ui/actions/signin"),
            "sign-in, empty form",
        )
        .form(""),
        case(
            Method::POST,
            format!("{base}/cobranded-ui/actions/signin"),
            "sign-in, unknown session",
        )
        .form("session=nope&email=a%40b&password=x"),
        case(
            Method::POST,
            format!("{base}/cobranded-ui/actions/signin"),
            "sign-in, 70 KB body",
        )
        .form(big),
        case(
            Method::POST,
            format!("{base}/cobranded-ui/actions/confirm"),
            "confirm, unknown session",
        )
        .form("session=%E2%80%AE%00&decision=confirm"),
        case(
            Method::GET,
            format!("{base}/cobranded-ui/actions/confirm"),
            "confirm, wrong method (GET)",
        ),
        case(Method::GET, format!("{base}/nope"), "unknown path"),
    ];

    let mut table = String::from("| Endpoint | Input | Status | Answer (start) |\n|---|---|---|---|\n");
    let mut failures = Vec::new();
    let count = cases.len();
    for c in cases {
        let mut request = h.http.request(c.method.clone(), &c.url);
        if let Some(content_type) = c.content_type {
            request = request.header("content-type", content_type).body(c.body.clone());
        }
        let response = request.send().await.expect("the sandbox answers");
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        let answer = match tag(&text, "Code") {
            Some(code) => format!("FPS error `{code}`"),
            None => {
                let plain: String = text
                    .replace(['\n', '|'], " ")
                    .chars()
                    .filter(|c| !c.is_control())
                    .collect();
                let start = plain.find("<h1>").map_or(plain.as_str(), |at| &plain[at..]);
                start.chars().take(60).collect()
            }
        };
        let path = c.url.trim_start_matches(&base);
        let path: String = path.split('?').next().unwrap_or("").chars().take(40).collect();
        let _ = writeln!(
            table,
            "| `{} {path}` | {} | {status} | {answer} |",
            c.method, c.what
        );
        let is_api = (c.url == api || c.url.starts_with(&format!("{api}?"))) && c.method != Method::PUT;
        let clear = if is_api && status != 413 {
            tag(&text, "Code").is_some()
        } else {
            status == 404 || status == 405 || status == 413 || !text.trim().is_empty()
        };
        if !(400..500).contains(&status) || !clear {
            failures.push(format!("{} {}: {status} {}", c.method, c.what, answer));
        }
    }
    println!("{count} hostile inputs to the sandbox:\n\n{table}");
    assert!(
        failures.is_empty(),
        "{} of {count}:\n{}",
        failures.len(),
        failures.join("\n")
    );

    // Nothing was charged: the caller's account shows no transaction.
    let activity = h
        .call(&[("Action", "GetAccountActivity"), ("StartDate", &now_iso(-3600))])
        .await;
    assert_eq!(activity.status, 200, "{}", activity.body);
    assert!(activity.tags("TransactionId").is_empty(), "{}", activity.body);
}
