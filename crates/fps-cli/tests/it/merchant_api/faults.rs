//! FPS faults: outages, timeouts, unknown outcomes and malformed answers lose nothing, charge
//! once, and lost Pay and Settle answers are recovered.

use super::reference;
use crate::common::*;
use std::time::Duration;

#[tokio::test]
async fn fps_outage_while_verifying_loses_nothing() {
    let h = start().await;
    let order = h.create_order("MUG-ENAMEL", 1).await;
    h.sign(&order).await;
    let raw = h.cbui_return(&order, "SC").await;
    h.fps.fault("VerifySignature", Fault::Http500, 3).await;
    let (status, body) = h.post_text("/fps/return", &raw).await;
    assert_fps_error(status, &body, 502, "FPS_UNAVAILABLE");
    assert_eq!(h.fps.calls("Pay"), 0);
    assert_eq!(h.order(&reference(&order)).await["status"], "open");
    // FPS is back: the same return goes through.
    let (status, body) = h.post_text("/fps/return", &raw).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("paid")), "{body}");
}

#[tokio::test]
async fn pay_timeout_is_resent_identically_and_charges_once() {
    let h = start().await;
    h.fps
        .fault("Pay", Fault::SlowAfterApply(Duration::from_millis(2500)), 1)
        .await;
    let (order, status, body) = h.checkout("MUG-ENAMEL", Payer::Ok).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("paid")), "{body}");
    assert_eq!(h.fps.calls("Pay"), 2, "one timed-out call, one identical resend");
    assert_eq!(h.fps.transactions("Pay").await.len(), 1);
    assert_eq!(h.order(&reference(&order)).await["status"], "paid");
}

#[tokio::test]
async fn pay_outcome_unknown_keeps_the_order_and_resumes_without_double_charge() {
    let h = start().await;
    h.fps
        .fault("Pay", Fault::SlowAfterApply(Duration::from_millis(2500)), 3)
        .await;
    let order = h.create_order("MUG-ENAMEL", 1).await;
    h.sign(&order).await;
    let raw = h.cbui_return(&order, "SC").await;
    let (status, body) = h.post_text("/fps/return", &raw).await;
    assert_fps_error(status, &body, 504, "FPS_TIMEOUT");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("not known"),
        "{body}"
    );
    let stored = h.order(&reference(&order)).await;
    assert_eq!(stored["status"], "charging");
    assert!(stored["lastError"].is_string());
    // The browser retries the same return: the identical Pay gets FPS's first answer.
    let (status, body) = h.post_text("/fps/return", &raw).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("paid")), "{body}");
    assert_eq!(h.fps.transactions("Pay").await.len(), 1, "charged exactly once");
}

#[tokio::test]
async fn malformed_fps_answers_are_reported_and_resumable() {
    let h = start().await;
    h.fps.fault("Reserve", Fault::Malformed, 1).await;
    let order = h.create_order("TENT-2P", 1).await;
    h.sign(&order).await;
    let raw = h.cbui_return(&order, "SC").await;
    let (status, body) = h.post_text("/fps/return", &raw).await;
    assert_fps_error(status, &body, 502, "FPS_BAD_RESPONSE");
    assert_eq!(h.order(&reference(&order)).await["status"], "charging");
    let (status, body) = h.post_text("/fps/return", &raw).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("reserved")),
        "{body}"
    );
    assert_eq!(h.fps.transactions("Reserve").await.len(), 1);
}

#[tokio::test]
async fn settle_failures_keep_the_reserve() {
    let h = start().await;
    let (order, _, body) = h.checkout("TENT-2P", Payer::Ok).await;
    assert_eq!(body["status"], "reserved");
    let r = reference(&order);
    // A refusal: back to reserved at once.
    h.fps
        .fault("Settle", Fault::Error("InvalidTransactionState"), 1)
        .await;
    let (status, body) = h.order_action(&r, "settle", None).await;
    assert_fps_error(status, &body, 502, "FPS_ERROR");
    assert_eq!(h.order(&r).await["status"], "reserved");
    // A 5xx: the outcome is unknown, so the order stays settling (never back to reserved on a
    // guess); the reconciler resends the identical Settle and applies FPS's answer.
    h.fps.fault("Settle", Fault::Http500, 1).await;
    let (status, body) = h.order_action(&r, "settle", None).await;
    assert_fps_error(status, &body, 502, "FPS_UNAVAILABLE");
    assert_eq!(h.fps.calls("Settle"), 2, "settle is never resent automatically");
    assert_eq!(h.order(&r).await["status"], "settling");
    let report = h.reconcile().await;
    assert_eq!(report.claimed, 1, "{report:?}");
    assert_eq!(h.fps.calls("Settle"), 3, "one identical resend by the reconciler");
    let stored = h.order(&r).await;
    assert_eq!(stored["status"], "paid", "{stored}");
    assert_eq!(stored["settledAmount"], "189.00");
}

#[tokio::test]
async fn lost_settle_answer_is_recovered_by_refresh() {
    let h = start().await;
    let (order, _, body) = h.checkout("TENT-2P", Payer::Ok).await;
    assert_eq!(body["status"], "reserved");
    let r = reference(&order);
    // FPS settles but the answer never arrives in time.
    h.fps
        .fault("Settle", Fault::SlowAfterApply(Duration::from_millis(2500)), 1)
        .await;
    let (status, body) = h.order_action(&r, "settle", Some("100.00")).await;
    assert_fps_error(status, &body, 504, "FPS_TIMEOUT");
    let (status, _) = h.order_action(&r, "settle", None).await;
    assert_eq!(
        status, 409,
        "no second settle while the first one's outcome is unknown"
    );
    // The refresh asks FPS and finds the reserve settled.
    let stored = h.order(&r).await;
    assert_eq!(stored["status"], "paid", "{stored}");
    assert_eq!(stored["settledAmount"], "100.00");
    assert_eq!(h.fps.calls("Settle"), 1);
}

#[tokio::test]
async fn lost_pay_answer_is_recovered_by_ipn() {
    let h = start().await;
    h.fps
        .fault("Pay", Fault::SlowAfterApply(Duration::from_millis(2500)), 3)
        .await;
    let (order, status, body) = h.checkout("MUG-ENAMEL", Payer::Pending).await;
    assert_fps_error(status, &body, 504, "FPS_TIMEOUT");
    let r = reference(&order);
    let (txn, _) = h.fps.transactions("Pay").await[0].clone();
    let ipn = h.fps.signed_ipn(
        &h.ipn_url,
        &[
            ("notificationType", "TransactionStatus"),
            ("transactionId", txn.as_str()),
            ("transactionStatus", "SUCCESS"),
            ("callerReference", r.as_str()),
            ("operation", "PAY"),
        ],
    );
    let (status, body) = h.post_text("/fps/ipn", &ipn).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("paid")), "{body}");
    h.fps.set_status(&txn, "Success").await;
    let stored = h.order(&r).await;
    assert_eq!(stored["transactionId"], txn.as_str());
    assert_eq!(stored["status"], "paid");
    assert_eq!(h.fps.transactions("Pay").await.len(), 1);
}
