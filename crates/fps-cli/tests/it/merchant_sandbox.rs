//! The merchant backend with FPS played by the project's emulator: both real HTTP servers on
//! 127.0.0.1, the shopper going through the emulator's CBUI pages, returns signed with the
//! emulator's RSA key and checked through its VerifySignature, charges settled by its ledger and
//! completed by its IPNs. Covers the happy paths of Pay and Reserve -> Settle -> Refund, cancel,
//! a declined payment, an abandoned checkout, and forged and replayed returns.

use crate::common::assert_refused;
use crate::common::stack::{start_stack, Shopper};

fn reference(order: &serde_json::Value) -> String {
    order["callerReference"].as_str().expect("reference").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pay_completes_through_the_emulator() {
    let s = start_stack(200).await;
    let (order, _, status, body) = s.checkout("MUG-ENAMEL", Shopper::Confirms).await;
    assert_eq!(status, 200, "{body}");
    let r = reference(&order);
    assert_eq!(body["orderId"], r.as_str());
    assert!(
        matches!(body["status"].as_str(), Some("pending" | "paid")),
        "a card payment is Pending first: {body}"
    );
    let paid = s.reaches(&r, "paid").await;
    assert_eq!(paid["amount"], "12.50");
    assert_eq!(paid["settledAmount"], "12.50");
    assert!(
        paid["transactionId"].as_str().is_some_and(|t| t.len() == 35),
        "{paid}"
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reserve_settle_refund_through_the_emulator() {
    let s = start_stack(200).await;
    let (order, _, status, body) = s.checkout("TENT-2P", Shopper::Confirms).await;
    assert_eq!(status, 200, "{body}");
    let r = reference(&order);
    s.reaches(&r, "reserved").await;
    assert_refused(&s.order_action(&r, "refund", None).await, 409, "WRONG_STATE");

    let (status, body) = s.order_action(&r, "settle", None).await;
    assert_eq!(status, 200, "{body}");
    let paid = s.reaches(&r, "paid").await;
    assert_eq!(paid["settledAmount"], "189.00");
    let (status, _) = s.order_action(&r, "settle", None).await;
    assert_eq!(status, 409, "a reserve settles once");

    // A partial refund, then the rest; the order is refunded once FPS completes both.
    let (status, body) = s.order_action(&r, "refund", Some("89.00")).await;
    assert_eq!(status, 200, "{body}");
    assert_refused(
        &s.order_action(&r, "refund", Some("100.01")).await,
        409,
        "AMOUNT_TOO_LARGE",
    );
    let (status, body) = s.order_action(&r, "refund", None).await;
    assert_eq!(status, 200, "{body}");
    let refunded = s.reaches(&r, "refunded").await;
    assert_eq!(refunded["refundedAmount"], "189.00");
    let refunds = refunded["refunds"].as_array().expect("refunds");
    assert_eq!(refunds.len(), 2);
    assert!(refunds.iter().all(|r| r["status"] == "Success"), "{refunded}");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_decline_and_abandon_through_the_emulator() {
    let s = start_stack(200).await;
    // A reserve cancelled before it is settled.
    let (order, _, status, body) = s.checkout("TENT-2P", Shopper::Confirms).await;
    assert_eq!(status, 200, "{body}");
    let r = reference(&order);
    s.reaches(&r, "reserved").await;
    let (status, body) = s.order_action(&r, "cancel", None).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("cancelled")),
        "{body}"
    );

    // The sandbox declines amounts whose first decimal is 6.
    let (order, _, _, _) = s.checkout("MAP-TRAIL", Shopper::Confirms).await;
    let failed = s.reaches(&reference(&order), "failed").await;
    assert!(
        failed["lastError"].is_string() || failed["transactionStatus"] == "Failure",
        "{failed}"
    );

    // Abandoned at the CBUI: status A, nothing charged, the order stays open to try again.
    let (order, raw, status, body) = s.checkout("EBOOK-RUST", Shopper::Cancels).await;
    assert!(raw.contains("status=A"), "{raw}");
    assert!(status >= 400 || body["status"] == "open", "{status} {body}");
    let stored = s.order(&reference(&order)).await;
    assert_eq!(stored["status"], "open", "{stored}");
    assert_eq!(stored["transactionId"], serde_json::Value::Null);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_and_replayed_returns_charge_nothing_more() {
    let s = start_stack(200).await;
    let (order, raw, status, body) = s.checkout("MUG-ENAMEL", Shopper::Confirms).await;
    assert_eq!(status, 200, "{body}");
    let r = reference(&order);
    s.reaches(&r, "paid").await;
    // The same return again (a reload of the thank-you page): the same order, no second charge.
    let (status, body) = s.post_text("/fps/return", &raw).await;
    assert!(status == 200 || status == 409, "{status} {body}");
    let stored = s.order(&r).await;
    assert_eq!(stored["status"], "paid");

    // A forged return: another order's reference spliced into a genuine signed query.
    let other = s.create_order("MUG-ENAMEL", 1).await;
    s.sign(&other).await;
    let forged = raw.replace(&r, other["callerReference"].as_str().expect("reference"));
    assert_refused(
        &s.post_text("/fps/return", &forged).await,
        403,
        "SIGNATURE_INVALID",
    );
    assert_eq!(s.order(&reference(&other)).await["status"], "open");
    s.stop().await;
}
