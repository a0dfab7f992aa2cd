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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seller_registers_buyer_reserves_admin_settles_split_from_fps() {
    let h = Harness::start(20, None).await;
    let shop = shop(&h).await;

    // The seller's item cannot be ordered before the seller registers.
    let (status, body) = shop
        .post("/api/orders", json!({"items":[{"sku":"VASE","quantity":1}]}))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("SELLER_NOT_REGISTERED")),
        "{body}"
    );

    // Only the admin opens sign-ups, only for sellers of the catalog.
    let (status, _) = shop.post("/api/sellers", json!({"seller":"potter"})).await;
    assert_eq!(status, 401);
    let (status, body) = shop
        .admin(
            reqwest::Method::POST,
            "/api/sellers",
            Some(json!({"seller":"stranger"})),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("UNKNOWN_SELLER"))
    );
    let (status, signup) = shop
        .admin(
            reqwest::Method::POST,
            "/api/sellers",
            Some(json!({"seller":"potter"})),
        )
        .await;
    assert_eq!(status, 201, "{signup}");
    let reference = signup["callerReference"].as_str().unwrap().to_owned();
    assert_eq!(signup["maxVariableFee"], "5");
    assert_eq!(signup["recipientPaysFee"], "True");
    let (status, shown) = shop
        .send(shop.http.get(format!("{}/api/sellers/{reference}", shop.base)))
        .await;
    assert_eq!((status, shown["seller"].as_str()), (200, Some("potter")));

    // The policy: Recipient only for this sign-up, only at the marketplace's fees.
    let sign = |params: Vec<[&str; 2]>| {
        let shop = &shop;
        let body = json!({"pipeline":"Recipient","params": params});
        async move { shop.post("/fps/sign", body).await }
    };
    let mut greedy = recipient_params(&reference, &shop.return_url);
    greedy[5] = ["maxVariableFee", "50"];
    let (status, body) = sign(greedy).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("FEE_TERMS_MISMATCH"))
    );
    let (status, body) = sign(recipient_params("sel-made-up", &shop.return_url)).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("UNKNOWN_SIGNUP"))
    );
    let (status, signed) = sign(recipient_params(&reference, &shop.return_url)).await;
    assert_eq!(status, 200, "{signed}");

    // The seller approves on the emulator's pages; the shop verifies the SR return.
    let landing = h
        .approve(signed["url"].as_str().unwrap(), SELLER_EMAIL, "ABT")
        .await;
    assert!(landing.contains("status=SR"), "{landing}");
    let (status, registered) = shop.fps_return(&landing).await;
    assert_eq!(status, 200, "{registered}");
    assert_eq!(registered["transactionStatus"], "SR");
    let (status, again) = shop.fps_return(&landing).await;
    assert_eq!(
        (status, again["error"]["code"].as_str()),
        (409, Some("ALREADY_PROCESSED"))
    );
    let (_, sellers) = shop.admin(reqwest::Method::GET, "/api/sellers", None).await;
    let recipient_token = sellers["sellers"][0]["recipientTokenId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        landing.contains(&recipient_token),
        "the stored token is the one FPS returned"
    );
    let (status, body) = sign(recipient_params(&reference, &shop.return_url)).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("SIGNUP_CLOSED"))
    );

    // A buyer reserves the seller's vase by card; the admin settles when it ships.
    let order_ref = buy(&h, &shop, "VASE", "25.00", "CC", true).await;
    settle_when_reserved(&shop, &order_ref).await;

    let (status, split) = shop
        .admin(
            reqwest::Method::GET,
            &format!("/api/orders/{order_ref}/split"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{split}");
    assert_eq!(split["seller"], "potter");
    assert_eq!(split["source"], "GetTransaction");
    // $25.00 by card: FPS 2.9 % + 0.30 = 1.03 (72.5 -> 73 + 30); marketplace 0.25 + 1.25 = 1.50.
    assert_eq!(split["split"]["amount"], "25.00", "{split}");
    assert_eq!(split["split"]["fpsFees"], "1.03");
    assert_eq!(split["split"]["marketplaceFees"], "1.50");
    assert_eq!(split["split"]["fpsFeesPaidBy"], "Recipient");
    assert_eq!(split["split"]["seller"], "22.47");
    assert_eq!(split["split"]["marketplace"], "1.50");
    assert_eq!(split["split"]["fps"], "1.03");
    assert_eq!(split["split"]["recipientEmail"], SELLER_EMAIL);
    // The emulator's own books agree.
    let store = &h.sandbox.state.store;
    assert_eq!(store.balance(SELLER_EMAIL).await.unwrap(), 2247);
    assert_eq!(store.balance("market@merchant.sandbox.test").await.unwrap(), 150);

    // The shop's own item is no marketplace order.
    let (_, mug) = shop
        .post("/api/orders", json!({"items":[{"sku":"MUG","quantity":1}]}))
        .await;
    let (_, split) = shop
        .admin(
            reqwest::Method::GET,
            &format!("/api/orders/{}/split", mug["callerReference"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(split["marketplace"], false);
    let (status, body) = shop
        .post(
            "/api/orders",
            json!({"items":[{"sku":"MUG","quantity":1},{"sku":"VASE","quantity":1}]}),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    drop(shop);
    h.sandbox.stop().await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_activity_pages_by_fps_date_per_account_and_shows_transaction_details() {
    let h = Harness::start(20, None).await;
    let shop = shop(&h).await;
    let today = time::OffsetDateTime::now_utc().date().to_string();
    let recipient_token = register_potter(&h, &shop).await;
    let vase = buy(&h, &shop, "VASE", "25.00", "CC", true).await;
    let mut mugs = Vec::new();
    for _ in 0..4 {
        mugs.push(buy(&h, &shop, "MUG", "12.50", "ABT", false).await);
    }
    settle_when_reserved(&shop, &vase).await;

    // The caller's activity, two at a time, each next page from FPS's own date.
    let mut seen: Vec<Value> = Vec::new();
    let mut path = format!("/api/activity?from={today}&limit=2");
    let mut pages = 0;
    loop {
        let (status, page) = shop.admin(reqwest::Method::GET, &path, None).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["source"], "GetAccountActivity");
        let batch = page["transactions"].as_array().unwrap();
        assert!(batch.len() <= 2, "{page}");
        seen.extend(batch.iter().cloned());
        pages += 1;
        match page["next"].as_str() {
            Some(next) => {
                path = format!(
                    "/api/activity?from={today}&limit=2&after={}",
                    fps_core::encode(next)
                )
            }
            None => break,
        }
        assert!(pages < 10, "paging does not end");
    }
    assert_eq!(pages, 3, "five transactions, two a page");
    let references: Vec<&str> = seen
        .iter()
        .map(|t| t["callerReference"].as_str().unwrap())
        .collect();
    let mut expected: Vec<&str> = std::iter::once(vase.as_str())
        .chain(mugs.iter().map(String::as_str))
        .collect();
    expected.sort_unstable();
    let mut sorted = references.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, expected, "each transaction once, none lost");
    let dates: Vec<&str> = seen.iter().map(|t| t["dateReceived"].as_str().unwrap()).collect();
    assert!(dates.windows(2).all(|w| w[0] < w[1]), "oldest first: {dates:?}");

    // A part of the vase is refunded: the refund belongs to the seller's activity too.
    let (status, refunded) = shop
        .admin(
            reqwest::Method::POST,
            &format!("/api/orders/{vase}/refund"),
            Some(json!({"amount":"5.00"})),
        )
        .await;
    assert!(status == 200 || status == 202, "{status} {refunded}");

    // The seller's part: the vase and its refund, with the split as FPS reports it per party.
    let (status, potter) = shop
        .admin(
            reqwest::Method::GET,
            &format!("/api/activity?account=potter&from={today}&limit=100"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{potter}");
    let only = potter["transactions"].as_array().unwrap();
    assert_eq!(only.len(), 2, "{potter}");
    let sale = &only[0];
    assert_eq!(only[1]["operation"], "Refund");
    assert_eq!(only[1]["amount"], "5.00");
    assert_eq!(only[1]["related"][0]["transactionId"], sale["transactionId"]);
    assert_eq!(sale["callerReference"], vase.as_str());
    assert_eq!(sale["recipientTokenId"], recipient_token.as_str());
    assert_eq!(sale["operation"], "Settle");
    assert_eq!(
        (sale["fpsFees"].as_str(), sale["marketplaceFees"].as_str()),
        (Some("1.03"), Some("1.50"))
    );
    let fees_of = |role: &str| {
        sale["parts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["role"] == role)
            .map(|p| p["feesPaid"].as_str().unwrap().to_owned())
    };
    assert_eq!(fees_of("Recipient").as_deref(), Some("2.53"), "{sale}");
    assert_eq!(fees_of("Caller").as_deref(), Some("0.00"));

    // GetTransaction per order.
    let (status, details) = shop
        .admin(
            reqwest::Method::GET,
            &format!("/api/orders/{vase}/transaction"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{details}");
    assert_eq!(details["source"], "GetTransaction");
    let t = &details["transaction"];
    assert_eq!(
        (t["operation"].as_str(), t["status"].as_str()),
        (Some("Settle"), Some("Success"))
    );
    assert_eq!(t["amount"], "25.00");
    assert_eq!(t["recipientEmail"], SELLER_EMAIL);
    assert!(t["history"].as_array().unwrap().len() >= 3, "{t}");
    let (status, _) = shop
        .admin(
            reqwest::Method::GET,
            "/api/orders/no-such-order/transaction",
            None,
        )
        .await;
    assert_eq!(status, 404);

    // Refusals: bad dates and ranges, unknown accounts, no or a wrong admin token.
    for (query, code, http) in [
        (format!("from={today}&to=2000-01-01"), "INVALID_QUERY", 400),
        ("from=last-week".to_owned(), "INVALID_QUERY", 400),
        ("to=2026-11-30".to_owned(), "INVALID_QUERY", 400),
        (format!("from={today}&limit=1000"), "INVALID_QUERY", 400),
        (
            format!("from={today}&endpoint=http://elsewhere"),
            "INVALID_QUERY",
            400,
        ),
        (format!("from={today}&account=stranger"), "UNKNOWN_SELLER", 404),
    ] {
        let (status, body) = shop
            .admin(reqwest::Method::GET, &format!("/api/activity?{query}"), None)
            .await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (http, Some(code)),
            "{query}: {body}"
        );
    }
    let url = format!("{}/api/activity?from={today}", shop.base);
    let (status, _) = shop.send(shop.http.get(&url)).await;
    assert_eq!(status, 401);
    let (status, _) = shop
        .send(shop.http.get(&url).bearer_auth("not-the-admin-token-000"))
        .await;
    assert_eq!(status, 401);
    let (status, _) = shop
        .send(
            shop.http
                .get(format!("{}/api/orders/{vase}/transaction", shop.base)),
        )
        .await;
    assert_eq!(status, 401);
    drop(shop);
    h.sandbox.stop().await;
}
