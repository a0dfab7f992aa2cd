//! The fulfilment webhook end to end: the real backend against the real emulator, posting to a
//! real receiver (an axum server on loopback in this test) that checks every signature itself,
//! with its own HMAC, as the README tells a receiver to. An order paid through the emulator is
//! announced once; a delivery answered 500 comes again with the same event; a replay sends it
//! once more; two backends on one database deliver each event once.

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use crate::common::Api;
use crate::sandbox_support::{Harness as Fps, TempDir, KEY, SECRET};
use fps_core::params::{CallerKey, CbuiEndpoint};
use fps_core::Endpoint;
use fps_merchant::orders::OrderService;
use fps_merchant::store::Replay;
use fps_merchant::webhook::{Deliverer, WebhookConfig, WebhookSecret};
use fps_merchant::{AppState, Config};
use fps_wire::signer::SecretKey;

const WEBHOOK_SECRET: &str = "whsec-test-secret-0123456789";
const ADMIN_TOKEN: &str = "webhook-admin-token-0123456789";

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Delivery {
    id: String,
    kind: String,
    reference: String,
    body: String,
    /// What the receiver's own check of the signature found.
    verified: Result<(), String>,
}

/// What the receiver shares with its handler: what it got, and the statuses to answer next.
#[derive(Debug, Default)]
struct Inbox {
    seen: Mutex<Vec<Delivery>>,
    answers: Mutex<VecDeque<u16>>,
}

/// A webhook receiver on a loopback port.
struct Receiver {
    url: String,
    inbox: Arc<Inbox>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Receiver {
    /// Starts a receiver that answers each of `answers` in turn, then 200.
    async fn start(answers: &[u16]) -> Receiver {
        let inbox = Arc::new(Inbox::default());
        inbox.answers.lock().unwrap().extend(answers);
        let app = axum::Router::new()
            .route("/hooks/fps", axum::routing::post(receive))
            .with_state(inbox.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hooks/fps", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Receiver {
            url,
            inbox,
            _stop: stop,
        }
    }

    /// The deliveries about `reference`, in the order they came.
    fn of(&self, reference: &str) -> Vec<Delivery> {
        let seen = self.inbox.seen.lock().unwrap();
        seen.iter()
            .filter(|d| d.reference == reference)
            .cloned()
            .collect()
    }

    /// Waits until `count` deliveries about `reference` came (or fails after 15 s).
    async fn wait_for(&self, reference: &str, count: usize) -> Vec<Delivery> {
        for _ in 0..300 {
            let got = self.of(reference);
            if got.len() >= count {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "{count} deliveries about {reference} never came: {:?}",
            self.of(reference)
        );
    }
}

/// The receiver's handler: verifies the signature as the README says (HMAC-SHA256 of
/// `t.body`, `t` within 5 minutes), records the delivery, answers the next scripted status.
async fn receive(State(inbox): State<Arc<Inbox>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = headers
        .get("fps-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let verified = verify(header, &body);
    let json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let delivery = Delivery {
        id: json["id"].as_str().unwrap_or_default().to_owned(),
        kind: json["type"].as_str().unwrap_or_default().to_owned(),
        reference: json["order"]["reference"].as_str().unwrap_or_default().to_owned(),
        body: String::from_utf8_lossy(&body).into_owned(),
        verified: verified.clone(),
    };
    inbox.seen.lock().unwrap().push(delivery);
    if verified.is_err() {
        return StatusCode::BAD_REQUEST;
    }
    let next = inbox.answers.lock().unwrap().pop_front().unwrap_or(200);
    StatusCode::from_u16(next).unwrap()
}

/// An independent check of `Fps-Signature: t=<unix>,v1=<hex>` over `body`.
fn verify(header: &str, body: &[u8]) -> Result<(), String> {
    let fields: HashMap<&str, &str> = header.split(',').filter_map(|p| p.split_once('=')).collect();
    let t = fields.get("t").ok_or("no t")?;
    let v1 = fields.get("v1").ok_or("no v1")?;
    let sent: i64 = t.parse().map_err(|_| "t is not a number")?;
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap();
    if (now - sent).abs() > 300 {
        return Err(format!("t={sent} is more than 5 minutes from now"));
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(WEBHOOK_SECRET.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if expected == *v1 {
        Ok(())
    } else {
        Err(format!("v1 {v1} is not {expected}"))
    }
}

/// One merchant backend with a webhook to `receiver`, against the emulator `fps`.
struct Backend {
    api: Api,
    orders: OrderService,
    webhook: Arc<WebhookConfig>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl std::ops::Deref for Backend {
    type Target = Api;

    fn deref(&self) -> &Api {
        &self.api
    }
}

impl Backend {
    /// Starts a backend on `database_url`. With `worker`, `serve` runs its delivery worker
    /// (polling every 50 ms); without, the test ticks a [`Deliverer`] itself.
    async fn start(fps: &Fps, database_url: &str, receiver: &Receiver, worker: bool) -> Backend {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let base = format!("http://{addr}");
        let return_url = format!("{base}/thanks.html");
        let config = Config {
            listen: addr,
            database_url: database_url.to_owned(),
            catalog: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../www/catalog.json"),
            fps_endpoint: Endpoint::parse_without_query(&fps.sandbox.api_url()).unwrap(),
            cbui_endpoint: CbuiEndpoint::custom(&fps.sandbox.cbui_url()).unwrap(),
            return_urls: vec![Endpoint::parse(&return_url).unwrap()],
            ipn_url: Endpoint::parse(&format!("{base}/fps/ipn")).unwrap(),
            cors_origins: Vec::new(),
            access_key_id: CallerKey::new(KEY).unwrap(),
            secret: SecretKey::new(SECRET).unwrap(),
            admin_token: SecretKey::new(ADMIN_TOKEN).unwrap(),
            fps_timeout: Duration::from_secs(2),
            max_in_flight: fps_merchant::config::DEFAULT_MAX_IN_FLIGHT,
            reconcile_interval: None,
            descriptions: fps_merchant::config::Descriptions::default(),
        };
        let mut webhook = WebhookConfig::new(
            Endpoint::parse(&receiver.url).unwrap(),
            WebhookSecret::new(WEBHOOK_SECRET).unwrap(),
        );
        webhook.poll_interval = Duration::from_millis(50);
        webhook.timeout = Duration::from_secs(2);
        let state = AppState::with_webhook(config, Some(webhook)).await.unwrap();
        let orders = state.orders.clone();
        let webhook = state.webhook.clone().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let shutdown = async {
            let _ = stopped.await;
        };
        if worker {
            tokio::spawn(fps_merchant::serve(state, listener, shutdown));
        } else {
            let app = fps_merchant::server::router(state);
            tokio::spawn(fps_merchant::server::serve_service(app, listener, shutdown));
        }
        Backend {
            api: Api {
                ipn_url: format!("{base}/fps/ipn"),
                base,
                return_url,
                caller_key: KEY.to_owned(),
                admin_token: ADMIN_TOKEN.to_owned(),
                http: reqwest::Client::new(),
            },
            orders,
            webhook,
            _stop: stop,
        }
    }

    /// Pays a mug through the emulator's pages with the buyer's balance; returns the order's
    /// reference once the backend says it is paid.
    async fn pay(&self, fps: &Fps) -> String {
        let order = self.create_order("MUG-ENAMEL", 1).await;
        let reference = order["callerReference"].as_str().unwrap().to_owned();
        let signed = self.sign(&order).await;
        let landing = fps
            .approve(signed["url"].as_str().unwrap(), "buyer@sandbox.test", "ABT")
            .await;
        let (_, query) = landing.split_once('?').unwrap();
        let (status, body) = self.post_text("/fps/return", query).await;
        assert_eq!((status, body["status"].as_str()), (200, Some("paid")), "{body}");
        reference
    }

    /// A delivery worker of this backend, ticked by the test.
    fn deliverer(&self) -> Deliverer {
        Deliverer::new(self.orders.clone(), self.webhook.clone()).unwrap()
    }
}

/// The database two backends share: PostgreSQL when `FPS_REQUIRE_POSTGRES` is set (its URL in
/// `TEST_DATABASE_URL`, as the store's tests take it), else an SQLite file in `dir`.
fn shared_database(dir: &TempDir) -> String {
    if std::env::var("FPS_REQUIRE_POSTGRES").is_ok() {
        return std::env::var("TEST_DATABASE_URL").expect("FPS_REQUIRE_POSTGRES needs TEST_DATABASE_URL");
    }
    format!("sqlite:{}", dir.0.join("shop.db").display())
}

#[tokio::test]
async fn a_paid_order_is_announced_once_with_a_valid_signature() {
    let fps = Fps::start(50, None).await;
    let receiver = Receiver::start(&[]).await;
    let database = format!("sqlite:{}", fps.dir.0.join("shop.db").display());
    let shop = Backend::start(&fps, &database, &receiver, true).await;
    let reference = shop.pay(&fps).await;
    let got = receiver.wait_for(&reference, 1).await;
    // Several polls later, still one.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let got_later = receiver.of(&reference);
    assert_eq!(got_later.len(), 1, "{got_later:?}");
    let delivery = &got[0];
    assert_eq!(delivery.verified, Ok(()), "{delivery:?}");
    assert_eq!(delivery.kind, "order.paid");
    assert!(delivery.id.starts_with("evt_"), "{delivery:?}");
    let body: Value = serde_json::from_str(&delivery.body).unwrap();
    assert_eq!(body["order"]["state"], "paid", "{body}");
    assert_eq!(body["order"]["amount"], "12.50", "{body}");
    assert_eq!(body["order"]["currency"], "USD", "{body}");
    assert!(body["created"].as_i64().unwrap() > 1_700_000_000, "{body}");
    assert_eq!(shop.orders.store().webhook_backlog().await.unwrap(), 0);
    // The store wrote one event for the order: the intermediate `charging` is not announced.
    let written = shop.orders.store().webhook_events_of(&reference).await.unwrap();
    assert_eq!(written.len(), 1, "{written:?}");
}

#[tokio::test]
async fn a_failed_delivery_comes_again_with_the_same_event_and_a_replay_once_more() {
    let fps = Fps::start(50, None).await;
    let receiver = Receiver::start(&[500]).await;
    let database = format!("sqlite:{}", fps.dir.0.join("shop.db").display());
    let shop = Backend::start(&fps, &database, &receiver, false).await;
    let reference = shop.pay(&fps).await;
    let deliverer = shop.deliverer();

    let first = deliverer.tick().await.unwrap();
    assert_eq!((first.attempted, first.delivered), (1, 0), "{first:?}");
    assert_eq!(shop.orders.store().webhook_backlog().await.unwrap(), 1);
    // Not due again before its backoff.
    assert_eq!(deliverer.tick().await.unwrap().attempted, 0);
    shop.orders.advance_clock(Duration::from_secs(31));
    let second = deliverer.tick().await.unwrap();
    assert_eq!((second.attempted, second.delivered), (1, 1), "{second:?}");
    assert_eq!(shop.orders.store().webhook_backlog().await.unwrap(), 0);
    shop.orders.advance_clock(Duration::from_secs(7200));
    assert_eq!(
        deliverer.tick().await.unwrap().attempted,
        0,
        "delivered: never again"
    );

    let got = receiver.of(&reference);
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(got.iter().all(|d| d.verified.is_ok()), "{got:?}");
    assert_eq!(got[0].id, got[1].id, "the same event");
    assert_eq!(got[0].body, got[1].body, "the same bytes");

    // `fps-checkout webhook-replay --event ID` makes it due again.
    let id = got[0].id.clone();
    let (status, out, err) = replay_command(&database, &["--event", &id]).await;
    assert_eq!(status, 0, "{err}");
    assert_eq!(out.trim(), "1 webhook event(s) due again");
    let third = deliverer.tick().await.unwrap();
    assert_eq!((third.attempted, third.delivered), (1, 1), "{third:?}");
    let got = receiver.of(&reference);
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(got[2].id, id);
    // An unknown id is an error naming the flag; `--since` counts what it makes due.
    let (status, _, err) = replay_command(&database, &["--event", "evt_0000"]).await;
    assert_eq!(status, 2, "{err}");
    assert!(err.contains("--event"), "{err}");
    let replayed = shop
        .orders
        .store()
        .replay_webhook_events(&Replay::Since(0), fps_merchant::store::now())
        .await
        .unwrap();
    assert_eq!(replayed, 1);
}

/// Runs `fps-checkout webhook-replay --database-url DATABASE ARGS` (off the test's runtime: the
/// command makes its own); its exit status, standard output and standard error.
async fn replay_command(database: &str, args: &[&str]) -> (i32, String, String) {
    let args: Vec<String> = ["fps-checkout", "webhook-replay", "--database-url", database]
        .iter()
        .chain(args)
        .map(|a| (*a).to_owned())
        .collect();
    tokio::task::spawn_blocking(move || {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let status = fps_cli::main_with(args, &fps_cli::FixedEnv::default(), &mut out, &mut err);
        (
            status,
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn two_backends_on_one_database_deliver_each_event_once() {
    let fps = Fps::start(50, None).await;
    let receiver = Receiver::start(&[]).await;
    let dir = TempDir::new();
    let database = shared_database(&dir);
    let first = Backend::start(&fps, &database, &receiver, true).await;
    let second = Backend::start(&fps, &database, &receiver, true).await;
    let mut references = Vec::new();
    for _ in 0..2 {
        references.push(first.pay(&fps).await);
        references.push(second.pay(&fps).await);
    }
    // Two more workers over the same database, racing tick for tick with the running ones.
    let (a, b) = (first.deliverer(), second.deliverer());
    for _ in 0..5 {
        let (x, y) = tokio::join!(a.tick(), b.tick());
        x.unwrap();
        y.unwrap();
    }
    for reference in &references {
        receiver.wait_for(reference, 1).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    for reference in &references {
        let got = receiver.of(reference);
        assert_eq!(got.len(), 1, "{reference}: {got:?}");
        assert_eq!(got[0].verified, Ok(()), "{got:?}");
        assert_eq!(got[0].kind, "order.paid");
    }
}

/// `GET /metrics`, with the admin token or not: status and body.
async fn scrape(shop: &Backend, token: Option<&str>) -> (u16, String, String) {
    let mut request = shop.http.get(format!("{}/metrics", shop.base));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, kind, response.text().await.unwrap())
}

#[tokio::test]
async fn metrics_need_the_admin_token_and_count_a_payment() {
    let fps = Fps::start(50, None).await;
    let receiver = Receiver::start(&[]).await;
    let database = format!("sqlite:{}", fps.dir.0.join("shop.db").display());
    let shop = Backend::start(&fps, &database, &receiver, true).await;
    for token in [None, Some("not-the-admin-token-0123456789")] {
        let (status, _, body) = scrape(&shop, token).await;
        assert_eq!(status, 401, "{body}");
        assert!(!body.contains("fps_checkout_"), "{body}");
    }
    let reference = shop.pay(&fps).await;
    receiver.wait_for(&reference, 1).await;
    // One refusal: a return that is not one.
    let (status, _) = shop.post_text("/fps/return", "junk=1").await;
    assert_eq!(status, 400);

    let (status, kind, text) = scrape(&shop, Some(ADMIN_TOKEN)).await;
    assert_eq!(status, 200, "{text}");
    assert!(kind.starts_with("application/openmetrics-text"), "{kind}");
    for line in [
        r#"fps_checkout_fps_calls_total{action="Pay",outcome="applied"} 1"#,
        r#"fps_checkout_fps_calls_total{action="VerifySignature",outcome="applied"} 1"#,
        r#"fps_checkout_fps_call_duration_seconds_count{action="Pay"} 1"#,
        r#"fps_checkout_orders{state="paid"} 1"#,
        r#"fps_checkout_orders{state="failed"} 0"#,
        "fps_checkout_reconciler_backlog 0",
        "fps_checkout_webhook_backlog 0",
        // The scrape itself.
        "fps_checkout_requests_in_flight 1",
    ] {
        assert!(text.lines().any(|l| l == line), "no {line:?} in:\n{text}");
    }
    assert!(
        text.lines()
            .any(|l| l.starts_with("fps_checkout_refusals_total{reason=")),
        "no refusal counted:\n{text}"
    );
}
