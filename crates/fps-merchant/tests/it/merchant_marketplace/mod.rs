//! The marketplace through the merchant backend against the real sandbox emulator, both on
//! loopback: the admin opens a seller sign-up, `/fps/sign` signs the Recipient pipeline only for
//! it and at the catalog's fees, the verified return stores the seller's tokens, a buyer's order
//! of the seller's item is reserved with `RecipientTokenId` and the fees, the admin settles, and
//! the split comes from FPS's GetTransaction.

use std::time::Duration;

use crate::sandbox_support::*;
use fps_core::params::{CallerKey, CbuiEndpoint};
use fps_core::Endpoint;
use fps_merchant::{serve, AppState, Config};
use fps_wire::signer::SecretKey;
use serde_json::{json, Value};

const ADMIN: &str = "marketplace-admin-token-0123456789";

const CATALOG: &str = r#"{"currency":"USD",
  "marketplace":{"fixedFee":"0.25","variableFee":"5","chargeFeeTo":"Recipient"},
  "products":[
    {"sku":"VASE","name":"Stoneware vase","price":"25.00","mode":"reserve","seller":"potter"},
    {"sku":"MUG","name":"Shop mug","price":"12.50","mode":"pay"}]}"#;

struct Shop {
    base: String,
    return_url: String,
    http: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Shop {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn shop(h: &Harness) -> Shop {
    let catalog = h.dir.0.join("catalog.json");
    std::fs::write(&catalog, CATALOG).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let return_url = format!("{base}/thank-you.html");
    let config = Config {
        listen: listener.local_addr().unwrap(),
        database_url: h.dir.0.join("shop.sqlite").display().to_string(),
        catalog,
        fps_endpoint: Endpoint::parse_without_query(&h.sandbox.api_url()).unwrap(),
        cbui_endpoint: CbuiEndpoint::custom(&h.sandbox.cbui_url()).unwrap(),
        return_urls: vec![Endpoint::parse(&return_url).unwrap()],
        ipn_url: Endpoint::parse(&format!("{base}/fps/ipn")).unwrap(),
        cors_origins: Vec::new(),
        access_key_id: CallerKey::new(MARKET_KEY).unwrap(),
        secret: SecretKey::new(SECRET).unwrap(),
        admin_token: SecretKey::new(ADMIN).unwrap(),
        fps_timeout: Duration::from_secs(10),
        max_in_flight: fps_merchant::config::DEFAULT_MAX_IN_FLIGHT,
        reconcile_interval: None,
        descriptions: fps_merchant::config::Descriptions::default(),
    };
    let state = AppState::new(config).await.unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(serve(state, listener, async move {
        let _ = stopped.await;
    }));
    Shop {
        base,
        return_url,
        http: reqwest::Client::new(),
        stop: Some(stop),
    }
}

impl Shop {
    async fn send(&self, request: reqwest::RequestBuilder) -> (u16, Value) {
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(self.http.post(format!("{}{path}", self.base)).json(&body))
            .await
    }

    async fn admin(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(ADMIN);
        if let Some(body) = body {
            request = request.json(&body);
        }
        self.send(request).await
    }

    async fn fps_return(&self, landing: &str) -> (u16, Value) {
        let query = landing.split_once('?').unwrap().1;
        self.send(
            self.http
                .post(format!("{}/fps/return", self.base))
                .header("content-type", "text/plain")
                .body(query.to_owned()),
        )
        .await
    }
}

fn recipient_params<'a>(reference: &'a str, return_url: &'a str) -> Vec<[&'a str; 2]> {
    vec![
        ["callerKey", MARKET_KEY],
        ["callerReference", reference],
        ["returnURL", return_url],
        ["recipientPaysFee", "True"],
        ["maxFixedFee", "0.25"],
        ["maxVariableFee", "5"],
    ]
}

/// Registers the catalog's seller `potter` through the Recipient pipeline; returns its
/// recipient token.
async fn register_potter(h: &Harness, shop: &Shop) -> String {
    let (status, signup) = shop
        .admin(
            reqwest::Method::POST,
            "/api/sellers",
            Some(json!({"seller":"potter"})),
        )
        .await;
    assert_eq!(status, 201, "{signup}");
    let reference = signup["callerReference"].as_str().unwrap().to_owned();
    let body = json!({"pipeline":"Recipient","params": recipient_params(&reference, &shop.return_url)});
    let (status, signed) = shop.post("/fps/sign", body).await;
    assert_eq!(status, 200, "{signed}");
    let landing = h
        .approve(signed["url"].as_str().unwrap(), SELLER_EMAIL, "ABT")
        .await;
    let (status, registered) = shop.fps_return(&landing).await;
    assert_eq!(status, 200, "{registered}");
    let (_, sellers) = shop.admin(reqwest::Method::GET, "/api/sellers", None).await;
    sellers["sellers"][0]["recipientTokenId"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A buyer orders one `sku` (price `amount`) and approves it with `method` (`reserve` for a
/// reserve-mode product); returns the order's reference once the backend has its outcome.
async fn buy(h: &Harness, shop: &Shop, sku: &str, amount: &str, method: &str, reserve: bool) -> String {
    let (status, order) = shop
        .post("/api/orders", json!({"items":[{"sku":sku,"quantity":1}]}))
        .await;
    assert_eq!(status, 201, "{order}");
    let order_ref = order["callerReference"].as_str().unwrap().to_owned();
    let mut params = vec![
        json!(["callerKey", MARKET_KEY]),
        json!(["callerReference", order_ref]),
        json!(["transactionAmount", amount]),
        json!(["returnURL", shop.return_url]),
    ];
    if reserve {
        params.push(json!(["reserve", "True"]));
        params.push(json!(["paymentMethod", "CC"]));
    }
    let (status, signed) = shop
        .post("/fps/sign", json!({"pipeline":"SingleUse","params": params}))
        .await;
    assert_eq!(status, 200, "{signed}");
    let landing = h
        .approve(signed["url"].as_str().unwrap(), "buyer@sandbox.test", method)
        .await;
    let (status, charged) = shop.fps_return(&landing).await;
    assert_eq!(status, 200, "{charged}");
    order_ref
}

async fn order_reaches(shop: &Shop, order_ref: &str, state: &str) {
    for _ in 0..400 {
        let (_, o) = shop
            .admin(reqwest::Method::GET, &format!("/api/orders/{order_ref}"), None)
            .await;
        if o["status"] == state {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("order {order_ref} never became {state}");
}

/// Waits for the reserve, settles it (admin), waits for the settlement.
async fn settle_when_reserved(shop: &Shop, order_ref: &str) {
    order_reaches(shop, order_ref, "reserved").await;
    let (status, body) = shop
        .admin(
            reqwest::Method::POST,
            &format!("/api/orders/{order_ref}/settle"),
            None,
        )
        .await;
    assert!(status == 200 || status == 202, "{status} {body}");
    order_reaches(shop, order_ref, "paid").await;
}

mod activity;
mod settlement;
