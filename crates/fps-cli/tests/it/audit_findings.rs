//! The audit's findings 1 and 3 (issue 16), against the real backend and the emulator: no order
//! page key without a verified return, and unauthenticated junk bounded in rows, log size and
//! calls to FPS.

use crate::common::*;
use serde_json::Value;

fn reference(order: &Value) -> String {
    order["callerReference"].as_str().expect("reference").to_owned()
}

/// Finding 1: a return FPS did not sign gets no `orderPage` (the key opens the order's page);
/// only `POST /api/orders` and a verified return hand it out.
#[tokio::test]
async fn no_order_key_without_a_verified_return() {
    let h = start().await;
    let order = h.create_order("MUG-ENAMEL", 1).await;
    assert!(order["orderPage"].is_string(), "{order}");
    h.sign(&order).await;
    let r = reference(&order);
    let (status, body) = h
        .post_text("/fps/return", &format!("status=A&callerReference={r}"))
        .await;
    assert_eq!((status, body["status"].as_str()), (200, Some("open")), "{body}");
    assert!(
        body.get("orderPage").is_none(),
        "an unsigned return got the key: {body}"
    );
    let unsigned = format!("status=SC&callerReference={r}&tokenID={TOKEN_OK}&expiry=10%2F2030");
    let (status, body) = h.post_text("/fps/return", &unsigned).await;
    assert_eq!(status, 403, "{body}");
    assert!(body.get("orderPage").is_none(), "{body}");
    // The genuine return hands it out.
    let (status, body) = h
        .post_text("/fps/return", &h.cbui_return(&order, "SC").await)
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body["orderPage"].as_str().is_some_and(|p| p.contains(&r)),
        "{body}"
    );
}

/// Finding 3: junk that names no order adds one counted row per kind and day, not a row each;
/// a notification naming nothing of this shop costs no VerifySignature call; an order's trail
/// keeps a few refusals of each kind and counts the rest.
#[tokio::test]
async fn unauthenticated_junk_is_bounded() {
    let h = start().await;
    let store = h.orders.store();
    let big = "x".repeat(12_000);
    for i in 0..40 {
        assert_eq!(
            h.post_text("/fps/return", &format!("status=ZZ&n={i}")).await.0,
            400
        );
        let unknown = format!("status=A&callerReference=ord-nobody-{i}");
        assert_eq!(h.post_text("/fps/return", &unknown).await.0, 404);
        let ipn = format!(
            "notificationType=TransactionStatus&transactionId=T{i}&transactionStatus=SUCCESS\
             &callerReference=ord-nobody-{i}&signature=Zm9yZ2Vk&junk={big}"
        );
        let (status, body) = h.post_text("/fps/ipn", &ipn).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (404, Some("UNKNOWN_ORDER")),
            "{body}"
        );
    }
    assert_eq!(h.fps.calls("VerifySignature"), 0, "junk never reaches FPS");
    assert!(
        store.events(None).await.unwrap().is_empty(),
        "no row per junk request"
    );
    let counts = store.refusal_counts(None).await.unwrap();
    assert_eq!(counts.len(), 3, "{counts:?}");
    for (kind, _, count, latest) in &counts {
        assert_eq!(*count, 40, "{kind}");
        assert!(
            latest.chars().count() <= 300,
            "{kind}: excerpt of {}",
            latest.len()
        );
    }

    // Refusals about one order: its trail keeps ten of a kind, the rest are counted.
    let order = h.create_order("MUG-ENAMEL", 1).await;
    h.sign(&order).await;
    let r = reference(&order);
    let unsigned = format!("status=SC&callerReference={r}&tokenID={TOKEN_OK}&expiry=10%2F2030");
    for _ in 0..25 {
        assert_eq!(h.post_text("/fps/return", &unsigned).await.0, 403);
    }
    let shown = h.order(&r).await;
    let kept = shown["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "return_unsigned_by_fps")
        .count();
    assert_eq!(kept, 10, "{shown}");
    assert_eq!(shown["refusalCounts"][0]["count"], 15, "{shown}");
}

/// Finding 6's race: two first signings of one order with different allowed return URLs, at
/// once. Exactly one fixes its URL; the other is refused, whatever the interleaving.
#[tokio::test]
async fn racing_first_signings_fix_one_return_url() {
    let h = start().await;
    for _ in 0..10 {
        let order = h.create_order("MUG-ENAMEL", 1).await;
        let first = h.sign_body(&order);
        let mut second = first.clone();
        second["params"]["returnURL"] = Value::from("https://shop.example/thanks");
        let (a, b) = tokio::join!(
            h.post_json("/fps/sign", &first),
            h.post_json("/fps/sign", &second)
        );
        let statuses = [a.0, b.0];
        assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{a:?} {b:?}");
        let refused = if a.0 == 200 { &b.1 } else { &a.1 };
        assert_eq!(refused["error"]["code"], "RETURN_URL_FIXED", "{refused}");
    }
}
