//! Refunds: a refused refund gives the amount back, pending refunds complete by IPN or by refresh,
//! and concurrent refunds never exceed the payment.

use super::reference;
use crate::common::*;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn refused_refund_gives_the_amount_back() {
    let h = start().await;
    let (order, _, _) = h.checkout("MUG-ENAMEL", Payer::Ok).await;
    let r = reference(&order);
    h.fps.fault("Refund", Fault::Error("TransactionDenied"), 1).await;
    let (status, body) = h.order_action(&r, "refund", None).await;
    assert_fps_error(status, &body, 402, "PAYMENT_DECLINED");
    let stored = h.order(&r).await;
    assert_eq!(stored["refundedAmount"], "0.00");
    assert_eq!(stored["refunds"][0]["status"], "failed");
    let (status, body) = h.order_action(&r, "refund", None).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("refunded")),
        "{body}"
    );
}

/// The one refund of `order` the emulator holds.
async fn refund_of(h: &Harness, order: &str) -> (String, emulator::Txn) {
    let mut found = h.fps.transactions("Refund").await;
    found.retain(|(_, t)| t.caller_reference.starts_with(&format!("{order}-r")));
    assert_eq!(found.len(), 1, "one refund of {order}");
    found.remove(0)
}

/// A refund that FPS completes later: by its IPN (found by its transaction id, or by its own
/// CallerReference when the notification overtakes the lost answer), or by the admin GET.
#[tokio::test]
async fn pending_refunds_complete_by_ipn_or_by_refresh() {
    let h = start().await;
    h.fps.hold_refunds().await;
    let refund_ipn = |txn: &str, reference: &str, status: &str| {
        h.fps.signed_ipn(
            &h.ipn_url,
            &[
                ("notificationType", "TransactionStatus"),
                ("transactionId", txn),
                ("transactionStatus", status),
                ("statusCode", "Success"),
                ("operation", "REFUND"),
                ("callerReference", reference),
                ("transactionAmount", "USD 12.50"),
            ],
        )
    };

    // 1. Completed by its IPN.
    let (order, _, _) = h.checkout("MUG-ENAMEL", Payer::Ok).await;
    let r = reference(&order);
    let (status, body) = h.order_action(&r, "refund", None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "paid", "not refunded before FPS says so");
    assert_eq!(body["refunds"][0]["status"], "Pending");
    let (txn, t) = refund_of(&h, &r).await;
    let (status, body) = h
        .post_text("/fps/ipn", &refund_ipn(&txn, &t.caller_reference, "SUCCESS"))
        .await;
    assert_eq!(status, 200, "{body}");
    let stored = h.order(&r).await;
    assert_eq!(stored["status"], "refunded", "{stored}");
    assert_eq!(stored["refunds"][0]["status"], "Success");

    // 2. Its IPN lost: the admin GET asks FPS and completes it.
    let (order, _, _) = h.checkout("MUG-ENAMEL", Payer::Ok).await;
    let r = reference(&order);
    let (status, _) = h.order_action(&r, "refund", None).await;
    assert_eq!(status, 200);
    assert_eq!(h.order(&r).await["status"], "paid");
    let (txn, _) = refund_of(&h, &r).await;
    h.fps.set_status(&txn, "Success").await;
    let stored = h.order(&r).await;
    assert_eq!(stored["status"], "refunded", "{stored}");

    // 3. FPS's answer to Refund lost (timeouts): the IPN finds the refund by its CallerReference.
    let (order, _, _) = h.checkout("MUG-ENAMEL", Payer::Ok).await;
    let r = reference(&order);
    h.fps
        .fault("Refund", Fault::SlowAfterApply(Duration::from_millis(2500)), 3)
        .await;
    let (status, body) = h.order_action(&r, "refund", None).await;
    assert_fps_error(status, &body, 504, "FPS_TIMEOUT");
    let stored = h.order(&r).await;
    assert_eq!(stored["refunds"][0]["status"], "requested", "{stored}");
    let (txn, t) = refund_of(&h, &r).await;
    let (status, body) = h
        .post_text("/fps/ipn", &refund_ipn(&txn, &t.caller_reference, "SUCCESS"))
        .await;
    assert_eq!(status, 200, "{body}");
    let stored = h.order(&r).await;
    assert_eq!(stored["status"], "refunded", "{stored}");
    assert_eq!(stored["refunds"][0]["transactionId"], txn.as_str());
    assert_eq!(
        h.fps.transactions("Refund").await.len(),
        3,
        "each refund sent once"
    );
}

#[tokio::test]
async fn concurrent_refunds_never_exceed_the_payment() {
    let h = start().await;
    let (order, _, _) = h.checkout("MUG-ENAMEL", Payer::Ok).await;
    let r = reference(&order);
    let mut tasks = Vec::new();
    for _ in 0..5 {
        let (http, url) = (h.http.clone(), format!("{}/api/orders/{r}/refund", h.base));
        tasks.push(tokio::spawn(async move {
            http.post(url)
                .bearer_auth(ADMIN_TOKEN)
                .json(&json!({ "amount": "5.00" }))
                .send()
                .await
                .map(|r| r.status().as_u16())
        }));
    }
    let mut ok = 0;
    for task in tasks {
        let status = task.await.unwrap().unwrap();
        assert!(status == 200 || status == 409, "{status}");
        ok += usize::from(status == 200);
    }
    assert_eq!(ok, 2, "12.50 holds two refunds of 5.00");
    let stored = h.order(&r).await;
    assert_eq!(stored["refundedAmount"], "10.00");
    assert_eq!(h.fps.transactions("Refund").await.len(), 2);
}
