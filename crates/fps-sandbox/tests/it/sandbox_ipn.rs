//! The sandbox's IPN delivery over HTTP on 127.0.0.1: a signed form POST per status change,
//! retried with back-off until answered 200, verifiable with VerifySignature.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::sandbox_support::*;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use fps_core::canonical::{decode_query, PlusIs};

/// A merchant IPN endpoint that refuses the first `refuse` posts of each path.
#[derive(Clone, Default)]
struct Receiver {
    log: Arc<Mutex<Vec<(String, String)>>>,
    refuse: usize,
}

async fn receive(State(r): State<Receiver>, Path(path): Path<String>, body: String) -> StatusCode {
    let mut log = r.log.lock().unwrap();
    log.push((path.clone(), body));
    let seen = log.iter().filter(|(p, _)| *p == path).count();
    if path == "never" || seen <= r.refuse {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    }
}

async fn start_receiver(refuse: usize) -> (String, Receiver) {
    let receiver = Receiver {
        log: Arc::default(),
        refuse,
    };
    let app = Router::new()
        .route("/{path}", post(receive))
        .with_state(receiver.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, receiver)
}

fn field(body: &str, name: &str) -> Option<String> {
    decode_query(body, PlusIs::Space)
        .unwrap()
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
}

impl Receiver {
    fn bodies(&self, path: &str) -> Vec<String> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, b)| b.clone())
            .collect()
    }

    /// Waits (bounded) until `path` got a notification matching `pred`.
    async fn wait_for(&self, path: &str, pred: impl Fn(&str) -> bool) -> String {
        for _ in 0..2000 {
            if let Some(body) = self.bodies(path).into_iter().find(|b| pred(b)) {
                return body;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("no matching IPN at /{path}; got {:?}", self.bodies(path));
    }
}

async fn verify(h: &Harness, url: &str, body: &str) -> String {
    let reply = h
        .call(&[
            ("Action", "VerifySignature"),
            ("UrlEndPoint", url),
            ("HttpParameters", body),
        ])
        .await;
    reply
        .tag("VerificationStatus")
        .unwrap_or_else(|| panic!("{}", reply.body))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_are_signed_retried_and_sent_for_every_status_change() {
    let (base, receiver) = start_receiver(1).await;
    let ipn_url = format!("{base}/ipn");
    let h = Harness::start(20, Some(ipn_url.clone())).await;

    let card = h.single_use_token("tok-ipn", "8.00", "CC", false).await;
    let id = h
        .pay("Pay", &card, "ipn-1", "8.00")
        .await
        .tag("TransactionId")
        .unwrap();
    let is = |status: &'static str, operation: &'static str| {
        let id = id.clone();
        move |b: &str| {
            field(b, "transactionId").as_deref() == Some(id.as_str())
                && field(b, "transactionStatus").as_deref() == Some(status)
                && field(b, "operation").as_deref() == Some(operation)
        }
    };
    let pending = receiver.wait_for("ipn", is("PENDING", "PAY")).await;
    let success = receiver.wait_for("ipn", is("SUCCESS", "PAY")).await;
    // The first post was refused with 500 and sent again, unchanged.
    let first = receiver.bodies("ipn")[0].clone();
    // Wait for the resend itself: `first` matches its own first copy at once. At most 20 s.
    let copies = || receiver.bodies("ipn").iter().filter(|b| **b == first).count();
    for _ in 0..400 {
        if copies() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(receiver.bodies("ipn").iter().filter(|b| **b == first).count() >= 2);

    for body in [&pending, &success] {
        assert_eq!(field(body, "notificationType").unwrap(), "TransactionStatus");
        assert_eq!(field(body, "callerReference").unwrap(), "ipn-1");
        assert_eq!(field(body, "transactionAmount").unwrap(), "USD 8.00");
        assert_eq!(field(body, "paymentMethod").unwrap(), "CC");
        assert_eq!(field(body, "buyerEmail").unwrap(), "buyer@sandbox.test");
        assert_eq!(field(body, "signatureMethod").unwrap(), "RSA-SHA1");
        assert_eq!(field(body, "signatureVersion").unwrap(), "2");
        assert!(field(body, "transactionDate").unwrap().parse::<u64>().is_ok());
        assert_eq!(verify(&h, &ipn_url, body).await, "Success");
    }
    assert_eq!(verify(&h, &format!("{ipn_url}/"), &success).await, "Failure");
    let tampered = success.replace("USD%208.00", "USD%209.00");
    assert_ne!(tampered, success);
    assert_eq!(verify(&h, &ipn_url, &tampered).await, "Failure");

    // Reserve, settle, refund; OverrideIPNURL wins over the account's URL.
    let override_url = format!("{base}/override");
    let reserve_token = h.single_use_token("tok-ipn-r", "5.00", "CC", true).await;
    let reserve = h
        .call(&[
            ("Action", "Reserve"),
            ("CallerReference", "ipn-r"),
            ("SenderTokenId", &reserve_token),
            ("TransactionAmount.Value", "5.00"),
            ("TransactionAmount.CurrencyCode", "USD"),
            ("OverrideIPNURL", &override_url),
        ])
        .await;
    let rid = reserve.tag("TransactionId").unwrap();
    let reserved = receiver
        .wait_for("override", |b| {
            field(b, "transactionStatus").as_deref() == Some("RESERVED")
        })
        .await;
    assert_eq!(field(&reserved, "operation").unwrap(), "RESERVE");
    assert_eq!(verify(&h, &override_url, &reserved).await, "Success");
    assert_eq!(h.settled_status(&rid).await, "Reserved");
    let settle = h
        .call(&[
            ("Action", "Settle"),
            ("ReserveTransactionId", &rid),
            ("TransactionAmount.Value", "4.00"),
            ("TransactionAmount.CurrencyCode", "USD"),
        ])
        .await;
    assert_eq!(settle.status, 200, "{}", settle.body);
    let settled = receiver
        .wait_for("override", |b| {
            field(b, "operation").as_deref() == Some("SETTLE")
                && field(b, "transactionStatus").as_deref() == Some("SUCCESS")
        })
        .await;
    assert_eq!(field(&settled, "transactionAmount").unwrap(), "USD 4.00");
    let refund = h
        .call(&[
            ("Action", "Refund"),
            ("TransactionId", &rid),
            ("CallerReference", "ipn-refund"),
        ])
        .await;
    let refund_id = refund.tag("TransactionId").unwrap();
    let refunded = receiver
        .wait_for("ipn", |b| {
            field(b, "transactionId").as_deref() == Some(refund_id.as_str())
                && field(b, "transactionStatus").as_deref() == Some("SUCCESS")
        })
        .await;
    assert_eq!(field(&refunded, "operation").unwrap(), "REFUND");
    assert_eq!(field(&refunded, "parentTransactionId").unwrap(), rid);
    assert_eq!(verify(&h, &ipn_url, &refunded).await, "Success");

    // Cancelling a token notifies too.
    let spare = h.single_use_token("tok-ipn-c", "1.00", "ABT", false).await;
    assert_eq!(
        h.call(&[("Action", "CancelToken"), ("TokenId", &spare)])
            .await
            .status,
        200
    );
    let cancelled = receiver
        .wait_for("ipn", |b| field(b, "tokenId").as_deref() == Some(spare.as_str()))
        .await;
    assert_eq!(
        field(&cancelled, "notificationType").unwrap(),
        "TokenCancellation"
    );
    assert_eq!(verify(&h, &ipn_url, &cancelled).await, "Success");
    h.sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delivery_gives_up_after_the_configured_attempts() {
    let (base, receiver) = start_receiver(0).await;
    let dir = TempDir::new();
    let mut config = config(&dir, 20, Some(format!("{base}/never")));
    config.ipn.max_attempts = 3;
    let h = Harness::with(fps_sandbox::start(config).await.unwrap(), dir);
    let abt = h.single_use_token("tok-never", "1.00", "ABT", false).await;
    assert_eq!(h.pay("Pay", &abt, "never-1", "1.00").await.status, 200);
    let db = format!("sqlite://{}", h.dir.0.join("sandbox.sqlite").display());
    let pool = sqlx::SqlitePool::connect(&db).await.unwrap();
    let mut gave_up = false;
    for _ in 0..2000 {
        let row: (i64, i64) = sqlx::query_as("SELECT gave_up, attempts FROM ipn_outbox")
            .fetch_one(&pool)
            .await
            .unwrap();
        if row.0 == 1 {
            assert_eq!(row.1, 3);
            gave_up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(gave_up, "the outbox never gave up");
    assert_eq!(receiver.bodies("never").len(), 3);
    pool.close().await;
    h.sandbox.stop().await;
}
