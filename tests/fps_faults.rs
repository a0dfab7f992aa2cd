//! The real merchant backend against the real FPS emulator in fault mode (`POST /sandbox/faults`):
//! for each fault (slow, down, 5xx, truncated, malformed) the backend answers with a typed error
//! and no panic, the order stays retriable, nothing is charged twice, and once the fault is off a
//! resent return finishes the order. Each fault is met twice: first on every Query API call (the
//! return's VerifySignature fails, the order stays `open`), then on Pay alone (the order waits in
//! `charging`; for slow, truncated and malformed answers FPS did charge, and the backend cannot
//! know it yet). The emulator sends no IPNs here, so only the resent return can finish an order.
#![cfg(not(target_arch = "wasm32"))]

mod sandbox_support;

use std::path::PathBuf;
use std::time::Duration;

use fps_checkout::core::params::{CallerKey, CbuiEndpoint};
use fps_checkout::core::Endpoint;
use fps_checkout::merchant::{AppState, Config};
use fps_checkout::sandbox;
use fps_checkout::signer::SecretKey;
use sandbox_support::{Harness as Fps, TempDir, KEY, SECRET};
use serde_json::{json, Value};

const FAULT_TOKEN: &str = "fault-switch-token-0123456789";
const ADMIN_TOKEN: &str = "faults-admin-token-0123456789";

/// The merchant backend and the emulator, both on loopback ports of this process.
struct Shop {
    base: String,
    return_url: String,
    http: reqwest::Client,
    fps: Fps,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Shop {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn read(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

impl Shop {
    /// Starts the emulator (fault switch on, no IPNs) and the backend (1 s FPS timeout).
    async fn start() -> Shop {
        let dir = TempDir::new();
        let mut sandbox_config = sandbox_support::config(&dir, 50, None);
        sandbox_config.fault_token = SecretKey::new(FAULT_TOKEN);
        let sandbox = sandbox::start(sandbox_config).await.expect("sandbox");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let base = format!("http://{addr}");
        let return_url = format!("{base}/thanks.html");
        let config = Config {
            listen: addr,
            database_url: format!("sqlite:{}", dir.0.join("shop.db").display()),
            catalog: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("www/catalog.json"),
            fps_endpoint: Endpoint::parse_without_query(&sandbox.api_url()).expect("api url"),
            cbui_endpoint: CbuiEndpoint::custom(&sandbox.cbui_url()).expect("cbui url"),
            return_urls: vec![Endpoint::parse(&return_url).expect("return url")],
            ipn_url: Endpoint::parse(&format!("{base}/fps/ipn")).expect("ipn url"),
            cors_origins: Vec::new(),
            access_key_id: CallerKey::new(KEY).expect("key"),
            secret: SecretKey::new(SECRET).expect("secret"),
            admin_token: SecretKey::new(ADMIN_TOKEN).expect("token"),
            fps_timeout: Duration::from_secs(1),
            max_in_flight: fps_checkout::merchant::config::DEFAULT_MAX_IN_FLIGHT,
            reconcile_interval: None,
        };
        let state = AppState::new(config).await.expect("backend");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = fps_checkout::merchant::serve(state, listener, async {
                let _ = stopped.await;
            })
            .await;
        });
        Shop {
            base,
            return_url,
            http: reqwest::Client::new(),
            fps: Fps::with(sandbox, dir),
            stop: Some(stop),
        }
    }

    async fn post_json(&self, path: &str, body: &Value) -> (u16, Value) {
        read(
            self.http
                .post(format!("{}{path}", self.base))
                .json(body)
                .send()
                .await
                .expect("send"),
        )
        .await
    }

    /// Sets the emulator's fault.
    async fn fault(&self, fault: Value) {
        let response = self
            .http
            .post(format!("{}/sandbox/faults", self.fps.sandbox.base_url()))
            .bearer_auth(FAULT_TOKEN)
            .json(&fault)
            .send()
            .await
            .expect("fault switch");
        let (status, body) = read(response).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["mode"], fault["mode"], "{body}");
    }

    /// Opens an order, has the backend sign it, and approves it on the CBUI pages with the
    /// buyer's balance (final at once). Returns the order's reference and the return's query.
    async fn authorized_return(&self) -> (String, String) {
        let (status, order) = self
            .post_json(
                "/api/orders",
                &json!({ "items": [{ "sku": "MUG-ENAMEL", "quantity": 1 }] }),
            )
            .await;
        assert_eq!(status, 201, "{order}");
        let reference = order["callerReference"].as_str().expect("reference").to_owned();
        let (status, signed) = self
            .post_json(
                "/fps/sign",
                &json!({ "pipeline": "SingleUse", "params": {
                    "callerKey": KEY,
                    "callerReference": reference,
                    "transactionAmount": order["amount"],
                    "currencyCode": "USD",
                    "returnURL": self.return_url,
                    "paymentReason": order["description"],
                }}),
            )
            .await;
        assert_eq!(status, 200, "{signed}");
        let landing = self
            .fps
            .approve(signed["url"].as_str().expect("url"), "buyer@sandbox.test", "ABT")
            .await;
        let (page, query) = landing.split_once('?').expect("a return query");
        assert_eq!(page, self.return_url);
        (reference, query.to_owned())
    }

    /// `POST /fps/return` with the query as CBUI appended it.
    async fn send_return(&self, query: &str) -> (u16, Value) {
        read(
            self.http
                .post(format!("{}/fps/return", self.base))
                .header("content-type", "text/plain")
                .body(query.to_owned())
                .send()
                .await
                .expect("send"),
        )
        .await
    }

    /// The order's state as the admin API shows it.
    async fn order_state(&self, reference: &str) -> String {
        let response = self
            .http
            .get(format!("{}/api/orders/{reference}", self.base))
            .bearer_auth(ADMIN_TOKEN)
            .send()
            .await
            .expect("send");
        let (status, body) = read(response).await;
        assert_eq!(status, 200, "{body}");
        body["status"].as_str().expect("status").to_owned()
    }

    /// How many Pay transactions the emulator holds under this CallerReference (asked through the
    /// Query API, so only while no fault is in force).
    async fn pays(&self, reference: &str) -> usize {
        let reply = self
            .fps
            .call(&[
                ("Action", "GetAccountActivity"),
                ("StartDate", "2000-01-01T00:00:00Z"),
                ("FPSOperation", "Pay"),
                ("MaxBatchSize", "200"),
            ])
            .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply
            .tags("CallerReference")
            .iter()
            .filter(|r| *r == reference)
            .count()
    }
}

/// The error a return must get while a fault is in force.
#[derive(Clone, Copy)]
struct Refusal<'a> {
    status: u16,
    code: &'a str,
    /// Words the message must contain.
    says: &'a str,
}

impl Shop {
    /// Sends the return with `fault` in force, checks the refusal, then lifts the fault.
    async fn refused_under(&self, fault: Value, query: &str, refused: &Refusal<'_>) {
        self.fault(fault).await;
        let (got, body) = self.send_return(query).await;
        assert_eq!(
            (got, body["error"]["code"].as_str()),
            (refused.status, Some(refused.code)),
            "{body}"
        );
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(refused.says), "{message}");
        self.fault(json!({ "mode": "none" })).await;
    }
}

/// One fault, met on every call and then on Pay alone, then lifted.
/// `applied`: whether FPS carries out the call despite the fault (the answer alone is spoilt).
async fn meet(fault: Value, status: u16, code: &str, applied: bool) {
    let shop = Shop::start().await;
    let (reference, query) = shop.authorized_return().await;

    // Every Query API call fails: the return cannot even be verified.
    let refused = Refusal {
        status,
        code,
        says: "nothing was charged",
    };
    shop.refused_under(fault.clone(), &query, &refused).await;
    assert_eq!(shop.order_state(&reference).await, "open");
    assert_eq!(shop.pays(&reference).await, 0);

    // Only Pay fails: the return is verified, the charge's outcome is unknown.
    let mut on_pay = fault.clone();
    on_pay["actions"] = json!(["Pay"]);
    let refused = Refusal {
        says: "without charging twice",
        ..refused
    };
    shop.refused_under(on_pay, &query, &refused).await;
    assert_eq!(shop.order_state(&reference).await, "charging");
    assert_eq!(shop.pays(&reference).await, usize::from(applied));

    // FPS recovers: the same return finishes the order, with one Pay at FPS.
    let (got, body) = shop.send_return(&query).await;
    assert_eq!(got, 200, "{body}");
    assert_eq!(body["status"], "paid", "{body}");
    assert_eq!(shop.order_state(&reference).await, "paid");
    assert_eq!(shop.pays(&reference).await, 1);
    let (got, body) = shop.send_return(&query).await;
    assert_eq!(
        (got, body["error"]["code"].as_str()),
        (409, Some("ALREADY_PROCESSED")),
        "{body}"
    );
    assert_eq!(shop.pays(&reference).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_fps_times_out_and_the_order_resumes() {
    meet(
        json!({ "mode": "slow", "delayMs": 2500 }),
        504,
        "FPS_TIMEOUT",
        true,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fps_down_is_unavailable_and_the_order_resumes() {
    meet(json!({ "mode": "down" }), 502, "FPS_UNAVAILABLE", false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fps_5xx_is_an_fps_error_and_the_order_resumes() {
    meet(json!({ "mode": "5xx", "status": 503 }), 502, "FPS_ERROR", false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn truncated_xml_is_a_bad_response_and_the_order_resumes() {
    meet(json!({ "mode": "truncated" }), 502, "FPS_BAD_RESPONSE", true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_xml_is_a_bad_response_and_the_order_resumes() {
    meet(json!({ "mode": "malformed" }), 502, "FPS_BAD_RESPONSE", true).await;
}

#[tokio::test]
async fn the_fault_switch_needs_its_token() {
    let shop = Shop::start().await;
    let url = format!("{}/sandbox/faults", shop.fps.sandbox.base_url());
    let down = json!({ "mode": "down" });
    for token in [None, Some("wrong-token"), Some("")] {
        let mut request = shop.http.post(&url).json(&down);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let (status, body) = read(request.send().await.expect("send")).await;
        assert_eq!(status, 401, "{token:?}: {body}");
    }
    for bad in [
        json!({ "mode": "fire" }),
        json!({ "mode": "slow" }),
        json!({ "mode": "slow", "delayMs": 10_000_000 }),
        json!({ "mode": "5xx", "status": 200 }),
        json!({ "mode": "down", "actions": ["Pay Now"] }),
    ] {
        let response = shop
            .http
            .post(&url)
            .bearer_auth(FAULT_TOKEN)
            .json(&bad)
            .send()
            .await
            .expect("send");
        let (status, body) = read(response).await;
        assert_eq!(status, 400, "{bad}: {body}");
    }
    // Nothing was switched on by the refused requests.
    let response = shop
        .http
        .get(&url)
        .bearer_auth(FAULT_TOKEN)
        .send()
        .await
        .expect("send");
    let (status, body) = read(response).await;
    assert_eq!((status, body["mode"].as_str()), (200, Some("none")), "{body}");
    assert_eq!(shop.pays("nothing").await, 0);

    // Without a configured token the switch does not exist.
    let plain = Fps::start(0, None).await;
    let response = plain
        .http
        .post(format!("{}/sandbox/faults", plain.sandbox.base_url()))
        .bearer_auth(FAULT_TOKEN)
        .json(&down)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status().as_u16(), 404);
}
