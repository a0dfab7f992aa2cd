//! Orders through their life: paid, priced by the server, reserved, settled, refunded, cancelled.

use super::reference;
use crate::common::*;
use serde_json::json;

#[tokio::test]
async fn pay_happy_path() {
    let h = start().await;
    let (order, status, body) = h.checkout("MUG-ENAMEL", Payer::Ok).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "paid");
    assert_eq!(body["transactionStatus"], "Success");
    assert_eq!(body["orderId"], order["callerReference"]);
    assert_eq!(h.fps.calls("VerifySignature"), 1);
    let pays = h.fps.transactions("Pay").await;
    assert_eq!(pays.len(), 1);
    assert_eq!(pays[0].1.caller_reference, reference(&order));
    assert_eq!(pays[0].1.amount_minor, 1250);
    let stored = h.order(&reference(&order)).await;
    assert_eq!(stored["status"], "paid");
    assert_eq!(stored["settledAmount"], "12.50");
    assert_eq!(stored["transactionId"], pays[0].0.as_str());
}

#[tokio::test]
async fn orders_are_priced_by_the_server() {
    let h = start().await;
    let order = h.create_order("MUG-ENAMEL", 3).await;
    assert_eq!(order["amount"], "37.50");
    assert_eq!(order["currency"], "USD");
    assert_eq!(order["paymentMode"], "pay");
    assert_eq!(h.create_order("TENT-2P", 1).await["paymentMode"], "reserve");
    for bad in [
        json!({ "items": [] }),
        json!({ "items": [{ "sku": "NOPE", "quantity": 1 }] }),
        json!({ "items": [{ "sku": "MUG-ENAMEL", "quantity": 0 }] }),
        json!({ "items": [{ "sku": "MUG-ENAMEL", "quantity": 1, "price": "0.01" }] }),
        json!({ "items": [{ "sku": "MUG-ENAMEL", "quantity": -1 }] }),
        json!({ "amount": "0.01" }),
    ] {
        let (status, body) = h.post_json("/api/orders", &bad).await;
        assert!(status == 400 || status == 422, "{bad} -> {status} {body}");
        assert!(body["error"]["code"].is_string(), "{body}");
    }
}

#[tokio::test]
async fn reserve_settle_refund_rules() {
    let h = start().await;
    let (order, status, body) = h.checkout("TENT-2P", Payer::Ok).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "reserved");
    let r = reference(&order);
    assert_eq!(h.fps.transactions("Reserve").await.len(), 1);
    assert!(h.fps.transactions("Pay").await.is_empty());

    // No refund before settlement; no settle above the reserve.
    assert_refused(&h.order_action(&r, "refund", None).await, 409, "WRONG_STATE");
    assert_refused(
        &h.order_action(&r, "settle", Some("189.01")).await,
        409,
        "AMOUNT_TOO_LARGE",
    );

    // Settle less than reserved, once.
    let (status, body) = h.order_action(&r, "settle", Some("150.00")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "paid");
    assert_eq!(body["settledAmount"], "150.00");
    let (status, _) = h.order_action(&r, "settle", None).await;
    assert_eq!(status, 409);
    assert_eq!(h.fps.calls("Settle"), 1);

    // Refunds: cumulative at most what was settled.
    assert_refused(
        &h.order_action(&r, "refund", Some("150.01")).await,
        409,
        "AMOUNT_TOO_LARGE",
    );
    let (status, body) = h.order_action(&r, "refund", Some("100")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["refundedAmount"], "100.00");
    assert_eq!(body["status"], "paid");
    let (status, body) = h.order_action(&r, "refund", None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["refundedAmount"], "150.00");
    assert_eq!(body["status"], "refunded");
    assert_eq!(body["refunds"].as_array().map(Vec::len), Some(2));
    let (status, _) = h.order_action(&r, "refund", Some("0.01")).await;
    assert_eq!(status, 409);
    assert_eq!(h.fps.transactions("Refund").await.len(), 2);
    let cancel = h.order_action(&r, "cancel", None).await;
    assert_eq!(cancel.0, 409, "completed payments can only be refunded");
}

#[tokio::test]
async fn cancel_only_while_pending_or_reserved() {
    let h = start().await;
    let (order, _, body) = h.checkout("TENT-2P", Payer::Ok).await;
    assert_eq!(body["status"], "reserved");
    let r = reference(&order);
    let (status, body) = h.order_action(&r, "cancel", None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "cancelled");
    let (id, txn) = &h.fps.transactions("Reserve").await[0];
    assert_eq!(txn.status, "Cancelled", "{id}");
    assert_eq!(h.order_action(&r, "cancel", None).await.0, 409);
    assert_eq!(h.order_action(&r, "settle", None).await.0, 409);

    let (paid, _, body) = h.checkout("MUG-ENAMEL", Payer::Ok).await;
    assert_eq!(body["status"], "paid");
    assert_refused(
        &h.order_action(&reference(&paid), "cancel", None).await,
        409,
        "WRONG_STATE",
    );

    let (pending, _, body) = h.checkout("MUG-ENAMEL", Payer::Pending).await;
    assert_eq!(body["status"], "pending");
    let (status, body) = h.order_action(&reference(&pending), "cancel", None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "cancelled");
}
