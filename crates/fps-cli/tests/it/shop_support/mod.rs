//! The real merchant backend against the real FPS emulator in one test process, with the
//! emulator's fault switch and test clock at hand and no IPNs: what the fault and money tests
//! drive. The backend runs no reconciler of its own; tests tick it through [`Shop::orders`].

use std::path::PathBuf;
use std::time::Duration;

use crate::common::{read, Api};
use crate::sandbox_support::{self, Harness as Fps, TempDir, KEY, SECRET};
use fps_core::params::{CallerKey, CbuiEndpoint};
use fps_core::Endpoint;
use fps_merchant::orders::OrderService;
use fps_merchant::{AppState, Config};
use fps_wire::signer::SecretKey;
use serde_json::Value;

pub const FAULT_TOKEN: &str = "fault-switch-token-0123456789";
pub const ADMIN_TOKEN: &str = "faults-admin-token-0123456789";

/// The merchant backend and the emulator, both on loopback ports of this process.
pub struct Shop {
    /// The backend's API, as the browser, the shopper and the admin call it.
    pub api: Api,
    /// The emulator.
    pub fps: Fps,
    /// The backend's order service (reconciler ticked by the tests; none runs on its own).
    pub orders: OrderService,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Shop {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl std::ops::Deref for Shop {
    type Target = Api;

    fn deref(&self) -> &Api {
        &self.api
    }
}

impl Shop {
    /// Starts the emulator (fault switch on, no IPNs) and the backend (1 s FPS timeout).
    pub async fn start() -> Shop {
        Shop::start_with_skew(Duration::from_secs(15 * 60)).await
    }

    /// [`Shop::start`] with the emulator's Timestamp skew limit at `max_skew` (a short one
    /// makes a request's Timestamp stale after a real wait of seconds).
    pub async fn start_with_skew(max_skew: Duration) -> Shop {
        let dir = TempDir::new();
        let mut sandbox_config = sandbox_support::config(&dir, 50, None);
        sandbox_config.fault_token = SecretKey::new(FAULT_TOKEN);
        sandbox_config.max_skew = max_skew;
        let sandbox = fps_sandbox::start(sandbox_config).await.expect("sandbox");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let base = format!("http://{addr}");
        let return_url = format!("{base}/thanks.html");
        let config = Config {
            listen: addr,
            database_url: format!("sqlite:{}", dir.0.join("shop.db").display()),
            catalog: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../www/catalog.json"),
            fps_endpoint: Endpoint::parse_without_query(&sandbox.api_url()).expect("api url"),
            cbui_endpoint: CbuiEndpoint::custom(&sandbox.cbui_url()).expect("cbui url"),
            return_urls: vec![Endpoint::parse(&return_url).expect("return url")],
            ipn_url: Endpoint::parse(&format!("{base}/fps/ipn")).expect("ipn url"),
            cors_origins: Vec::new(),
            access_key_id: CallerKey::new(KEY).expect("key"),
            secret: SecretKey::new(SECRET).expect("secret"),
            admin_token: SecretKey::new(ADMIN_TOKEN).expect("token"),
            fps_timeout: Duration::from_secs(1),
            max_in_flight: fps_merchant::config::DEFAULT_MAX_IN_FLIGHT,
            reconcile_interval: None,
            descriptions: fps_merchant::config::Descriptions::default(),
        };
        let state = AppState::new(config).await.expect("backend");
        let orders = state.orders.clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = fps_merchant::serve(state, listener, async {
                let _ = stopped.await;
            })
            .await;
        });
        Shop {
            api: Api {
                ipn_url: format!("{base}/fps/ipn"),
                base,
                return_url,
                caller_key: KEY.to_owned(),
                admin_token: ADMIN_TOKEN.to_owned(),
                http: reqwest::Client::new(),
            },
            fps: Fps::with(sandbox, dir),
            orders,
            stop: Some(stop),
        }
    }

    /// Sets the emulator's fault.
    pub async fn fault(&self, fault: Value) {
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
    pub async fn authorized_return(&self) -> (String, String) {
        self.authorized_return_of("MUG-ENAMEL", "ABT").await
    }

    /// [`Shop::authorized_return`] for one `sku`, paid with `method` (`ABT`, `CC`; a Reserve
    /// product needs `CC`).
    pub async fn authorized_return_of(&self, sku: &str, method: &str) -> (String, String) {
        let order = self.create_order(sku, 1).await;
        let reference = order["callerReference"].as_str().expect("reference").to_owned();
        let signed = self.sign(&order).await;
        let landing = self
            .fps
            .approve(signed["url"].as_str().expect("url"), "buyer@sandbox.test", method)
            .await;
        let (page, query) = landing.split_once('?').expect("a return query");
        assert_eq!(page, self.return_url);
        (reference, query.to_owned())
    }

    /// Moves both clocks, the emulator's business time and the backend's, forward by `by`.
    pub async fn advance_clocks(&self, by: Duration) {
        self.fps
            .sandbox
            .advance_clock(by)
            .await
            .expect("advance the emulator's clock");
        self.orders.advance_clock(by);
    }

    /// One reconciler tick of the backend, once its first check of an unknown outcome is due.
    pub async fn reconcile(&self) -> fps_merchant::orders::ReconcileReport {
        self.orders
            .advance_clock(self.orders.settle_time() + Duration::from_secs(1));
        fps_merchant::orders::Reconciler::new(self.orders.clone(), Duration::from_secs(1))
            .tick()
            .await
            .expect("reconciler tick")
    }

    /// How many transactions of `operation` the emulator holds under this CallerReference or
    /// one it begins (a refund's own reference begins with its order's).
    pub async fn transactions(&self, operation: &str, reference: &str) -> usize {
        let reply = self
            .fps
            .call(&[
                ("Action", "GetAccountActivity"),
                ("StartDate", "2000-01-01T00:00:00Z"),
                ("FPSOperation", operation),
                ("MaxBatchSize", "200"),
            ])
            .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        reply
            .tags("CallerReference")
            .iter()
            .filter(|r| r.starts_with(reference))
            .count()
    }

    /// `POST /fps/return` with the query as CBUI appended it.
    pub async fn send_return(&self, query: &str) -> (u16, Value) {
        self.post_text("/fps/return", query).await
    }

    /// The order's state as the admin API shows it.
    pub async fn order_state(&self, reference: &str) -> String {
        self.order(reference).await["status"]
            .as_str()
            .expect("status")
            .to_owned()
    }

    /// The order's state as stored, without the refresh from FPS the admin read does (which,
    /// once a card transaction's short pending time is over, may already show its outcome).
    pub async fn stored_state(&self, reference: &str) -> String {
        self.orders
            .load(reference)
            .await
            .expect("order")
            .state
            .to_string()
    }

    /// How many Pay transactions the emulator holds under this CallerReference (asked through the
    /// Query API, so only while no fault is in force).
    pub async fn pays(&self, reference: &str) -> usize {
        self.transactions("Pay", reference).await
    }
}
