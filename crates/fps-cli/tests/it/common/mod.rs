//! Test harness: the real merchant server on a free loopback port, against the FPS emulator
//! running in this process ([`emulator`]).

pub mod emulator;
pub mod stack;

use std::path::PathBuf;

use fps_cli::{args_from_env, serve::serve_config, FixedEnv, ServeArgs};
use fps_merchant::orders::{OrderService, ReconcileReport, Reconciler};
use fps_merchant::AppState;
use serde_json::{json, Value};

pub use emulator::{token_of, Emulator, Fault, Payer, ACCESS_KEY};

/// The admin token the harness configures.
pub const ADMIN_TOKEN: &str = "test-admin-token-0123456789";

/// A well-formed sender token id the emulator never issued (for returns refused before FPS is
/// asked, and for tampering with a genuine one).
pub const TOKEN_OK: &str = "A1B2C3D4E5F6G7H8J9K0L1M2N3P4Q5R6S7T8U9V0W1X2Y3Z4A5B6C7D8E9F0G1H2";
/// Another such token id.
pub const TOKEN_PENDING: &str = "PENDING4E5F6G7H8J9K0L1M2N3P4Q5R6S7T8U9V0W1X2Y3Z4A5B6C7D8E9F0G1H2";
/// A third one.
pub const TOKEN_DECLINE: &str = "DECLINE4E5F6G7H8J9K0L1M2N3P4Q5R6S7T8U9V0W1X2Y3Z4A5B6C7D8E9F0G1H2";

/// A client of a running merchant server: what the browser module, the shopper and the admin
/// send it. Shared by the in-process harness and the stack started as `fps-checkout demo` starts it.
pub struct Api {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The return URL on the allowlist.
    pub return_url: String,
    /// The IPN URL.
    pub ipn_url: String,
    /// The caller key the server signs for.
    pub caller_key: String,
    /// The admin bearer token.
    pub admin_token: String,
    /// A client.
    pub http: reqwest::Client,
}

/// A running merchant server and its FPS (the emulator).
pub struct Harness {
    /// The server's API.
    pub api: Api,
    /// The emulator.
    pub fps: Emulator,
    /// The server's order service (its reconciler is ticked by the tests).
    pub orders: OrderService,
    db_path: PathBuf,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Harness {
    /// Moves the server's clock past the time its unknown outcomes are first checked, then
    /// runs one reconciler tick.
    pub async fn reconcile(&self) -> ReconcileReport {
        reconcile(&self.orders).await
    }
}

/// Moves `orders`' clock past the first check of an unknown outcome (the request timeout),
/// then runs one reconciler tick.
pub async fn reconcile(orders: &OrderService) -> ReconcileReport {
    orders.advance_clock(orders.settle_time() + std::time::Duration::from_secs(1));
    Reconciler::new(orders.clone(), std::time::Duration::from_secs(1))
        .tick()
        .await
        .expect("reconciler tick")
}

impl std::ops::Deref for Harness {
    type Target = Api;

    fn deref(&self) -> &Api {
        &self.api
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.db_path.display()));
        }
    }
}

/// Starts the emulator and the merchant server (SQLite in a temporary file, 1 s FPS timeout).
pub async fn start() -> Harness {
    start_with(&[]).await
}

/// [`start`] with extra or changed settings, named by their environment variables: `serve`'s
/// arguments are parsed from them as clap would from the environment, and the secrets read
/// from them, without the process environment.
pub async fn start_with(extra: &[(&str, &str)]) -> Harness {
    let fps = Emulator::start().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let base = format!("http://127.0.0.1:{port}");
    let return_url = format!("{base}/thanks.html");
    let db_path =
        std::env::temp_dir().join(format!("fps-merchant-test-{}.db", uuid::Uuid::new_v4().simple()));
    let catalog = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../www/catalog.json");
    let env = FixedEnv::new(
        [
            ("FPS_ACCESS_KEY_ID", ACCESS_KEY.to_owned()),
            ("FPS_SECRET_KEY", emulator::SECRET.to_owned()),
            ("FPS_ENDPOINT", fps.endpoint.clone()),
            (
                "FPS_CBUI_ENDPOINT",
                format!("{}cobranded-ui/actions/start", fps.endpoint),
            ),
            (
                "FPS_RETURN_URLS",
                format!("{return_url},https://shop.example/thanks"),
            ),
            ("FPS_ADMIN_TOKEN", ADMIN_TOKEN.to_owned()),
            ("FPS_TIMEOUT_SECS", "1".to_owned()),
            ("FPS_LISTEN", format!("127.0.0.1:{port}")),
            ("DATABASE_URL", format!("sqlite:{}", db_path.display())),
            ("FPS_CATALOG", catalog.display().to_string()),
            ("FPS_CORS_ORIGINS", "https://shop.example".to_owned()),
            // Tests tick the reconciler themselves (Harness::reconcile).
            ("FPS_RECONCILE_INTERVAL_SECS", "0".to_owned()),
        ]
        .into_iter()
        .chain(extra.iter().map(|(k, v)| (*k, (*v).to_owned()))),
    );
    let args: ServeArgs = args_from_env(&env).expect("serve's arguments");
    let config = serve_config(&args, &env).expect("config");
    let ipn_url = config.ipn_url.as_str().to_owned();
    let state = AppState::new(config).await.expect("state");
    let orders = state.orders.clone();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = fps_merchant::serve(state, listener, async {
            let _ = rx.await;
        })
        .await;
    });
    Harness {
        api: Api {
            base,
            return_url,
            ipn_url,
            caller_key: ACCESS_KEY.to_owned(),
            admin_token: ADMIN_TOKEN.to_owned(),
            http: reqwest::Client::new(),
        },
        fps,
        orders,
        db_path,
        shutdown: Some(tx),
    }
}

/// Asserts that an answer is the API error `code` with HTTP status `expected`.
#[track_caller]
pub fn assert_refused((status, body): &(u16, Value), expected: u16, code: &str) {
    assert_eq!(
        (*status, body["error"]["code"].as_str()),
        (expected, Some(code)),
        "{body}"
    );
}

/// A response's status and JSON body (`Value::Null` when not JSON).
pub async fn read(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

impl Api {
    /// POST JSON.
    pub async fn post_json(&self, path: &str, body: &Value) -> (u16, Value) {
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

    /// POST a raw text body.
    pub async fn post_text(&self, path: &str, body: &str) -> (u16, Value) {
        read(
            self.http
                .post(format!("{}{path}", self.base))
                .header("content-type", "text/plain")
                .body(body.to_owned())
                .send()
                .await
                .expect("send"),
        )
        .await
    }

    /// An admin call.
    pub async fn admin(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.admin_token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        read(request.send().await.expect("send")).await
    }

    /// An admin action on an order (`settle`, `refund`, `cancel`, ...), with an amount or
    /// without (the whole remaining amount).
    pub async fn order_action(&self, reference: &str, action: &str, amount: Option<&str>) -> (u16, Value) {
        self.admin(
            reqwest::Method::POST,
            &format!("/api/orders/{reference}/{action}"),
            amount.map(|amount| json!({ "amount": amount })),
        )
        .await
    }

    /// GET an order as the admin sees it (refreshing from FPS).
    pub async fn order(&self, reference: &str) -> Value {
        let (status, body) = self
            .admin(reqwest::Method::GET, &format!("/api/orders/{reference}"), None)
            .await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// Opens an order for `sku` x `quantity`; returns its answer.
    pub async fn create_order(&self, sku: &str, quantity: u32) -> Value {
        let (status, body) = self
            .post_json(
                "/api/orders",
                &json!({ "items": [{ "sku": sku, "quantity": quantity }] }),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body
    }

    /// The honest signing request for an order.
    pub fn sign_body(&self, order: &Value) -> Value {
        let mut params = json!({
            "callerKey": self.caller_key,
            "callerReference": order["callerReference"],
            "transactionAmount": order["amount"],
            "currencyCode": "USD",
            "returnURL": self.return_url,
            "paymentReason": order["description"],
        });
        if order["paymentMode"] == "reserve" {
            params["reserve"] = json!("True");
            params["paymentMethod"] = json!("CC");
        }
        json!({ "pipeline": "SingleUse", "params": params })
    }

    /// Signs the order's CBUI request (must succeed).
    pub async fn sign(&self, order: &Value) -> Value {
        let (status, body) = self.post_json("/fps/sign", &self.sign_body(order)).await;
        assert_eq!(status, 200, "{body}");
        body
    }
}

impl Harness {
    /// The CBUI return for the order: the shopper goes through the emulator's CBUI pages for
    /// the order's request (signed with the caller's secret, as the backend signs it) and pays
    /// by card (`SC`), bank (`SB`) or balance (`SA`); `A` is the shopper's Cancel. Returns the
    /// landing query the browser forwards.
    pub async fn cbui_return(&self, order: &Value, status: &str) -> String {
        let reference = order["callerReference"].as_str().expect("reference");
        if status == "A" {
            return self.fps.signed_return(
                &self.return_url,
                &[("status", "A"), ("callerReference", reference)],
            );
        }
        let method = match status {
            "SC" => "CC",
            "SB" => "ACH",
            "SA" => "ABT",
            other => panic!("no CBUI return {other} for a payment"),
        };
        let mut params = vec![
            ("pipelineName", "SingleUse"),
            ("callerReference", reference),
            ("transactionAmount", order["amount"].as_str().expect("amount")),
            ("returnURL", self.return_url.as_str()),
            (
                "paymentReason",
                order["description"].as_str().expect("description"),
            ),
        ];
        if order["paymentMode"] == "reserve" {
            params.push(("reserve", "True"));
            params.push(("paymentMethod", "CC"));
        }
        let landing = self.fps.approve(&params, method).await;
        let (page, query) = landing.split_once('?').expect("a return query");
        assert_eq!(page, self.return_url, "{landing}");
        assert!(query.contains(&format!("status={status}")), "{landing}");
        query.to_owned()
    }

    /// Opens, signs and returns an order paid as `payer` pays: the state right after
    /// `/fps/return`.
    pub async fn checkout(&self, sku: &str, payer: Payer) -> (Value, u16, Value) {
        let order = self.create_order(sku, 1).await;
        self.sign(&order).await;
        let raw = self.cbui_return(&order, "SC").await;
        self.fps.prepare(payer).await;
        let (status, body) = self.post_text("/fps/return", &raw).await;
        self.fps.restore().await;
        (order, status, body)
    }
}

/// An FPS failure as the API reports it: `expected_status`, `code` and a message that says what
/// became of the order.
pub fn assert_fps_error(status: u16, body: &Value, expected_status: u16, code: &str) {
    assert_eq!(status, expected_status, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(
        body["error"]["message"].as_str().is_some_and(|m| m.len() > 20),
        "{body}"
    );
}
