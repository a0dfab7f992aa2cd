//! What a verified notification may do (issue 15, item 6): FPS's signature proves only that FPS
//! signed it, so a transaction the order has not seen is bound to the order (GetTransaction:
//! its CallerReference, operation and amount) before it is applied, a notification about a
//! transaction that is not the order's is not remembered as applied, and `TokenCancellation`
//! notifications are accepted and recorded. Against the real backend and the emulator.

use std::time::Duration;

use crate::common::*;
use serde_json::Value;

fn reference(order: &Value) -> String {
    order["callerReference"].as_str().expect("reference").to_owned()
}

fn kinds(order: &Value) -> Vec<String> {
    order["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["kind"].as_str().map(str::to_owned))
        .collect()
}

/// An order whose Pay FPS applied but whose answer was lost (three timeouts): `charging`,
/// transaction unknown to the shop. Returns the order and its transaction at the emulator.
async fn charging_order(h: &Harness, sku: &str) -> (Value, String) {
    h.fps
        .fault("Pay", Fault::SlowAfterApply(Duration::from_millis(2500)), 3)
        .await;
    let (order, status, body) = h.checkout(sku, Payer::Pending).await;
    assert_fps_error(status, &body, 504, "FPS_TIMEOUT");
    let r = reference(&order);
    let txn = h
        .fps
        .transactions("Pay")
        .await
        .into_iter()
        .find(|(_, t)| t.caller_reference == r)
        .expect("the Pay FPS applied")
        .0;
    (order, txn)
}

/// A genuine notification (FPS signed it) naming order A's reference but order B's
/// transaction is not applied to A, and not remembered: A's own notification applies later.
#[tokio::test]
async fn a_transaction_is_bound_to_its_order_before_it_is_applied() {
    let h = start().await;
    let (a, a_txn) = charging_order(&h, "MUG-ENAMEL").await;
    let (b, b_txn) = charging_order(&h, "EBOOK-RUST").await;
    let (ra, rb) = (reference(&a), reference(&b));
    let crossed = h.fps.signed_ipn(
        &h.ipn_url,
        &[
            ("notificationType", "TransactionStatus"),
            ("transactionId", b_txn.as_str()),
            ("transactionStatus", "SUCCESS"),
            ("callerReference", ra.as_str()),
        ],
    );
    let (status, body) = h.post_text("/fps/ipn", &crossed).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("status").is_none(), "applied to an order: {body}");
    let stored = h.order(&ra).await;
    assert_eq!(stored["status"], "charging", "{stored}");
    assert!(stored["transactionId"].is_null(), "{stored}");
    assert!(
        stored["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "transaction_not_bound"
                && e["detail"].as_str().unwrap_or_default().contains(&rb)),
        "{stored}"
    );
    // Not remembered as applied: the same notification, once it is about B's own reference,
    // and A's own notification, both apply.
    let own = |txn: &str, r: &str| {
        h.fps.signed_ipn(
            &h.ipn_url,
            &[
                ("notificationType", "TransactionStatus"),
                ("transactionId", txn),
                ("transactionStatus", "SUCCESS"),
                ("callerReference", r),
            ],
        )
    };
    for (txn, r) in [(&a_txn, &ra), (&b_txn, &rb)] {
        h.fps.set_status(txn, "Success").await;
        let (status, body) = h.post_text("/fps/ipn", &own(txn, r)).await;
        assert_eq!((status, body["status"].as_str()), (200, Some("paid")), "{body}");
        assert!(kinds(&h.order(r).await).contains(&"transaction_bound".to_owned()));
    }
    assert_eq!(h.fps.transactions("Pay").await.len(), 2, "one Pay each");
}

/// A `TokenCancellation` notification (the shopper cancelled the token at Amazon) is accepted
/// once FPS verified it and recorded on the order it names.
#[tokio::test]
async fn token_cancellations_are_accepted_and_recorded() {
    let h = start().await;
    let (order, _, body) = h.checkout("MUG-ENAMEL", Payer::Ok).await;
    assert_eq!(body["status"], "paid", "{body}");
    let r = reference(&order);
    let cancelled = h.fps.signed_ipn(
        &h.ipn_url,
        &[
            ("notificationType", "TokenCancellation"),
            ("tokenId", TOKEN_OK),
            ("tokenType", "SingleUse"),
            ("callerReference", r.as_str()),
            ("dateInstalled", "1796000000"),
        ],
    );
    let (status, body) = h.post_text("/fps/ipn", &cancelled).await;
    assert_eq!(
        (status, body["notificationType"].as_str()),
        (200, Some("TokenCancellation")),
        "{body}"
    );
    let stored = h.order(&r).await;
    assert_eq!(
        stored["status"], "paid",
        "a token cancelled after the payment changes no money"
    );
    assert!(kinds(&stored).contains(&"token_cancelled".to_owned()), "{stored}");
    // Forged (changed after signing): refused, nothing recorded.
    let forged = cancelled.replace("SingleUse", "MultiUse");
    assert_eq!(h.post_text("/fps/ipn", &forged).await.0, 403);
}
