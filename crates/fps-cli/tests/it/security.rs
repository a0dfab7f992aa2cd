//! Security review points that a native test can show (RELIABILITY.md, "Security review"):
//! the secret key and the admin token never reach a log line, an HTTP answer or a Debug print,
//! through a full flow with its failure paths; CORS answers only the configured origins on every
//! route; every admin route refuses without the token.

use std::io::Write;
use std::sync::{Arc, Mutex, Once};

use crate::common::*;
use reqwest::Method;
use serde_json::{json, Value};

/// Captures every log line written on this thread, at every level of every crate, until the guard
/// drops. The thread's, not the process's: the other modules' tests run in this process at the
/// same time, and their lines (other servers, other tokens) are not this test's to judge. A
/// `#[tokio::test]` runtime has one thread, so the servers that `start` spawns log on it too.
fn capture_logs() -> (Arc<Mutex<Vec<u8>>>, tracing::subscriber::DefaultGuard) {
    let buffer = Arc::new(Mutex::new(Vec::new()));
    let writer = {
        let buffer = buffer.clone();
        move || Capture(buffer.clone())
    };
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(writer)
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    forward_log_records();
    (buffer, guard)
}

/// Sends the `log` crate's records (reqwest's among them) into `tracing`, where the capture above
/// sees those of its thread. Only a process-wide `init` installs that bridge: this one keeps no
/// line itself, and sets the bridge's level from the most verbose subscriber, the capture's.
fn forward_log_records() {
    static BRIDGE: Once = Once::new();
    BRIDGE.call_once(|| {
        let _ = tracing_subscriber::fmt()
            .with_max_level(tracing::level_filters::LevelFilter::OFF)
            .try_init();
    });
}

struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Forms of a secret that would betray it: itself, and its percent- and base64-encoded forms.
fn forms(secret: &str) -> Vec<String> {
    use base64::Engine as _;
    vec![
        secret.to_owned(),
        fps_core::encode(secret),
        base64::engine::general_purpose::STANDARD.encode(secret),
    ]
}

fn assert_clean(what: &str, text: &str) {
    for secret in [caller_secret(), ADMIN_TOKEN] {
        for form in forms(secret) {
            assert!(!text.contains(&form), "{what} holds a secret ({form:?})");
        }
    }
}

fn caller_secret() -> &'static str {
    crate::common::emulator::SECRET
}

#[tokio::test]
async fn secrets_never_reach_logs_answers_or_debug() {
    let (logs, _capture) = capture_logs();
    let h = start().await;
    let mut answers = Vec::new();
    let mut keep = |(status, body): (u16, Value)| {
        answers.push(format!("{status} {body}"));
        body
    };

    // Pay: order, sign, return, the admin view.
    let (order, status, body) = h.checkout("MUG-ENAMEL", Payer::Ok).await;
    assert_eq!(status, 200, "{body}");
    keep((status, body));
    let r = order["callerReference"].as_str().expect("reference").to_owned();
    keep(h.admin(Method::GET, &format!("/api/orders/{r}"), None).await);

    // Reserve, settle, refund; an IPN; a declined payment.
    let (reserve, status, body) = h.checkout("TENT-2P", Payer::Ok).await;
    keep((status, body));
    let rr = reserve["callerReference"].as_str().expect("reference").to_owned();
    keep(
        h.admin(Method::POST, &format!("/api/orders/{rr}/settle"), None)
            .await,
    );
    keep(
        h.admin(
            Method::POST,
            &format!("/api/orders/{rr}/refund"),
            Some(json!({ "amount": "1.00" })),
        )
        .await,
    );
    let (pending, status, body) = h.checkout("MUG-ENAMEL", Payer::Pending).await;
    keep((status, body));
    let (txn, _) = h
        .fps
        .transactions("Pay")
        .await
        .into_iter()
        .find(|(_, t)| pending["callerReference"] == t.caller_reference.as_str())
        .expect("the pending payment");
    let ipn = h.fps.signed_ipn(
        &h.ipn_url,
        &[
            ("notificationType", "TransactionStatus"),
            ("transactionId", &txn),
            ("transactionStatus", "SUCCESS"),
            (
                "callerReference",
                pending["callerReference"].as_str().expect("ref"),
            ),
        ],
    );
    keep(h.post_text("/fps/ipn", &ipn).await);
    let (_, status, body) = h.checkout("MUG-ENAMEL", Payer::Declined).await;
    keep((status, body));

    // Failure paths that log: FPS down (500 then malformed XML), a forged return, bad tokens.
    let order = h.create_order("EBOOK-RUST", 1).await;
    keep((200, h.sign(&order).await));
    h.fps.fault("VerifySignature", Fault::Http500, 3).await;
    let raw = h.cbui_return(&order, "SC").await;
    keep(h.post_text("/fps/return", &raw).await);
    h.fps.fault("VerifySignature", Fault::Malformed, 3).await;
    keep(h.post_text("/fps/return", &raw).await);
    keep(
        h.post_text("/fps/return", &raw.replace(&token_of(&raw), TOKEN_PENDING))
            .await,
    );
    keep(
        read(
            h.http
                .get(format!("{}/api/orders", h.base))
                .bearer_auth(&ADMIN_TOKEN[..ADMIN_TOKEN.len() - 1])
                .send()
                .await
                .expect("send"),
        )
        .await,
    );
    keep(h.admin(Method::GET, "/api/orders", None).await);

    let text = String::from_utf8_lossy(&logs.lock().expect("logs")).into_owned();
    assert!(
        text.contains("charged"),
        "the flow was logged (at TRACE): {} bytes",
        text.len()
    );
    assert!(text.contains("refused"), "the refusals were logged");
    assert_clean("the log", &text);
    assert_clean("the answers", &answers.join("\n"));

    // Debug and Display of the configuration and the secret types.
    let secret = fps_wire::signer::SecretKey::new(caller_secret()).expect("secret");
    assert_clean("SecretKey Debug", &format!("{secret:?} {secret}"));
    let signer = fps_wire::signer::Signer::new(&secret);
    assert_clean("Signer Debug", &format!("{signer:?}"));
}

#[tokio::test]
async fn cors_answers_only_configured_origins_on_every_route() {
    let h = start().await;
    let order = h.create_order("MUG-ENAMEL", 1).await;
    let r = order["callerReference"].as_str().expect("reference").to_owned();
    let routes = [
        (Method::GET, "/healthz".to_owned()),
        (Method::POST, "/api/orders".to_owned()),
        (Method::GET, "/api/orders".to_owned()),
        (Method::GET, format!("/api/orders/{r}")),
        (Method::POST, format!("/api/orders/{r}/settle")),
        (Method::POST, format!("/api/orders/{r}/cancel")),
        (Method::POST, format!("/api/orders/{r}/refund")),
        (Method::POST, "/fps/sign".to_owned()),
        (Method::POST, "/fps/return".to_owned()),
        (Method::POST, "/fps/ipn".to_owned()),
        (Method::GET, "/no-such-path".to_owned()),
    ];
    for (method, path) in &routes {
        for (origin, allowed) in [
            ("https://shop.example", true),
            ("https://evil.example", false),
            ("https://shop.example.evil.example", false),
            ("http://shop.example", false),
            ("null", false),
        ] {
            let simple = h
                .http
                .request(method.clone(), format!("{}{path}", h.base))
                .header("origin", origin)
                .send()
                .await
                .expect("send");
            let preflight = h
                .http
                .request(Method::OPTIONS, format!("{}{path}", h.base))
                .header("origin", origin)
                .header("access-control-request-method", method.as_str())
                .header("access-control-request-headers", "content-type")
                .send()
                .await
                .expect("send");
            for (kind, response) in [("request", simple), ("preflight", preflight)] {
                let acao = response
                    .headers()
                    .get("access-control-allow-origin")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                assert!(
                    response
                        .headers()
                        .get("access-control-allow-credentials")
                        .is_none(),
                    "{method} {path}: credentials never allowed"
                );
                // Caches must key CORS answers on the origin, allowed or not.
                let vary: Vec<&str> = response
                    .headers()
                    .get_all("vary")
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .flat_map(|v| v.split(','))
                    .map(str::trim)
                    .collect();
                assert!(
                    vary.iter().any(|v| v.eq_ignore_ascii_case("origin")),
                    "{kind} {method} {path}: Vary {vary:?}"
                );
                if allowed {
                    assert_eq!(
                        acao.as_deref(),
                        Some(origin),
                        "{kind} {method} {path} from {origin}"
                    );
                } else {
                    assert_eq!(acao, None, "{kind} {method} {path} from {origin}");
                }
            }
        }
    }
}

#[tokio::test]
async fn every_admin_route_refuses_without_the_token() {
    let h = start().await;
    let (order, status, _) = h.checkout("TENT-2P", Payer::Ok).await;
    assert_eq!(status, 200);
    let r = order["callerReference"].as_str().expect("reference").to_owned();
    let before = h.order(&r).await;
    let routes = [
        (Method::GET, "/api/orders".to_owned()),
        (Method::GET, format!("/api/orders/{r}")),
        (Method::POST, format!("/api/orders/{r}/settle")),
        (Method::POST, format!("/api/orders/{r}/cancel")),
        (Method::POST, format!("/api/orders/{r}/refund")),
        (Method::GET, format!("/api/orders/{r}/transaction")),
        (Method::GET, "/api/activity?from=2026-01-01".to_owned()),
    ];
    let wrong = [
        None,
        Some(String::new()),
        Some("Bearer".to_owned()),
        Some("Bearer ".to_owned()),
        Some(format!("Bearer {}", &ADMIN_TOKEN[1..])),
        Some(format!("Bearer {ADMIN_TOKEN}x")),
        Some(format!("Bearer  {ADMIN_TOKEN}")),
        Some(format!("bearer {ADMIN_TOKEN}")),
        Some(format!("Basic {ADMIN_TOKEN}")),
        Some(ADMIN_TOKEN.to_owned()),
    ];
    for (method, path) in &routes {
        for authorization in &wrong {
            let mut request = h.http.request(method.clone(), format!("{}{path}", h.base));
            if let Some(value) = authorization {
                request = request.header("authorization", value);
            }
            let response = request.send().await.expect("send");
            assert_eq!(
                response
                    .headers()
                    .get("www-authenticate")
                    .and_then(|v| v.to_str().ok()),
                Some("Bearer")
            );
            let (status, body) = read(response).await;
            assert_eq!(
                (status, body["error"]["code"].as_str()),
                (401, Some("UNAUTHORIZED")),
                "{method} {path} with {authorization:?}"
            );
            assert!(
                body.get("orders").is_none()
                    && body.get("callerReference").is_none()
                    && body.get("transactions").is_none()
            );
        }
    }
    assert_eq!(
        h.fps.calls("Settle") + h.fps.calls("Cancel") + h.fps.calls("Refund"),
        0
    );
    let after = h.order(&r).await;
    assert_eq!(after["status"], before["status"]);
    assert_eq!(after["status"], "reserved");
}
