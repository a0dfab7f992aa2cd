//! The merchant backend end to end: the real server on a loopback port against the FPS
//! emulator in the same process. Happy paths, money rules, tampering, forgeries, faults.

use std::time::Duration;

use crate::common::*;
use reqwest::Method;
use serde_json::{json, Value};

fn reference(order: &Value) -> String {
    order["callerReference"].as_str().expect("reference").to_owned()
}

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

#[tokio::test]
async fn admin_needs_the_token() {
    let h = start().await;
    let url = format!("{}/api/orders", h.base);
    let none = h.http.get(&url).send().await.unwrap();
    assert_eq!(none.status().as_u16(), 401);
    let wrong = h
        .http
        .get(&url)
        .bearer_auth("test-admin-token-0123456780")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status().as_u16(), 401);
    let (status, body) = read(wrong).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("UNAUTHORIZED"))
    );
    let (status, body) = h.admin(Method::GET, "/api/orders", None).await;
    assert_eq!(status, 200, "{body}");
    h.create_order("MUG-ENAMEL", 1).await;
    let (_, body) = h.admin(Method::GET, "/api/orders", None).await;
    assert_eq!(body["orders"].as_array().map(Vec::len), Some(1));
    h.create_order("EBOOK-RUST", 1).await;
    let (_, body) = h.admin(Method::GET, "/api/orders?limit=1", None).await;
    assert_eq!(body["orders"].as_array().map(Vec::len), Some(1));
    for bad in [
        "/api/orders?limit=abc",
        "/api/orders?limit=-1",
        "/api/orders?order=asc",
    ] {
        let (status, body) = h.admin(Method::GET, bad, None).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (400, Some("INVALID_QUERY")),
            "{bad}"
        );
    }
}

#[tokio::test]
async fn pending_payment_completes_by_ipn_and_never_moves_back() {
    let h = start().await;
    let (order, status, body) = h.checkout("MUG-ENAMEL", Payer::Pending).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "pending");
    let r = reference(&order);
    let (txn, _) = h.fps.transactions("Pay").await[0].clone();
    let ipn = |status: &str| {
        h.fps.signed_ipn(
            &h.ipn_url,
            &[
                ("notificationType", "TransactionStatus"),
                ("transactionId", &txn),
                ("transactionStatus", status),
                ("statusCode", "Success"),
                ("operation", "PAY"),
                ("callerReference", &r),
                ("transactionAmount", "USD 12.50"),
                ("paymentMethod", "CC"),
            ],
        )
    };
    let success = ipn("SUCCESS");
    let (status, body) = h.post_text("/fps/ipn", &success).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "paid");
    // Replayed: accepted (FPS resends until it gets 200) but changes nothing.
    let (status, body) = h.post_text("/fps/ipn", &success).await;
    assert_eq!(
        (status, body["result"].as_str()),
        (200, Some("duplicate")),
        "{body}"
    );
    // Late and out of order: never moves back.
    let (status, _) = h.post_text("/fps/ipn", &ipn("PENDING")).await;
    assert_eq!(status, 200);
    let (status, _) = h.post_text("/fps/ipn", &ipn("FAILURE")).await;
    assert_eq!(status, 200);
    h.fps.set_status(&txn, "Success").await;
    assert_eq!(h.order(&r).await["status"], "paid");
}

#[tokio::test]
async fn forged_ipns_are_refused() {
    let h = start().await;
    let (order, _, body) = h.checkout("MUG-ENAMEL", Payer::Pending).await;
    assert_eq!(body["status"], "pending");
    let r = reference(&order);
    let (txn, _) = h.fps.transactions("Pay").await[0].clone();
    let genuine = h.fps.signed_ipn(
        &h.ipn_url,
        &[
            ("notificationType", "TransactionStatus"),
            ("transactionId", txn.as_str()),
            ("transactionStatus", "FAILURE"),
            ("callerReference", &r),
        ],
    );
    // Changed status after signing.
    let forged = genuine.replace("FAILURE", "SUCCESS");
    assert_refused(&h.post_text("/fps/ipn", &forged).await, 403, "SIGNATURE_INVALID");
    // Signed for another URL.
    let elsewhere = h.fps.signed_ipn(
        "https://attacker.example/fps/ipn",
        &[
            ("notificationType", "TransactionStatus"),
            ("transactionId", txn.as_str()),
            ("transactionStatus", "SUCCESS"),
        ],
    );
    assert_eq!(h.post_text("/fps/ipn", &elsewhere).await.0, 403);
    // No signature at all.
    let bare = format!("transactionId={txn}&transactionStatus=SUCCESS");
    assert_eq!(h.post_text("/fps/ipn", &bare).await.0, 403);
    // Duplicate names are refused before anything else.
    let doubled = format!("{genuine}&transactionStatus=SUCCESS");
    assert_eq!(h.post_text("/fps/ipn", &doubled).await.0, 400);
    h.fps.set_status(&txn, "Pending").await;
    assert_eq!(h.order(&r).await["status"], "pending");
}

#[tokio::test]
async fn pending_payment_completes_by_status_refresh() {
    let h = start().await;
    let (order, _, body) = h.checkout("MUG-ENAMEL", Payer::Pending).await;
    assert_eq!(body["status"], "pending");
    let (txn, _) = h.fps.transactions("Pay").await[0].clone();
    assert_eq!(h.order(&reference(&order)).await["status"], "pending");
    h.fps.set_status(&txn, "Success").await;
    let stored = h.order(&reference(&order)).await;
    assert_eq!(stored["status"], "paid");
    assert_eq!(stored["transactionStatus"], "Success");
}

#[tokio::test]
async fn forged_replayed_and_mismatched_returns_are_refused() {
    let h = start().await;
    let order = h.create_order("MUG-ENAMEL", 1).await;
    let r = reference(&order);

    // Before any signed request: refused.
    let raw = h.cbui_return(&order, "SC").await;
    assert_refused(&h.post_text("/fps/return", &raw).await, 409, "NOT_SIGNED");
    h.sign(&order).await;

    // Tampered after FPS signed it: another token.
    let forged = raw.replace(&token_of(&raw), TOKEN_PENDING);
    assert_refused(
        &h.post_text("/fps/return", &forged).await,
        403,
        "SIGNATURE_INVALID",
    );
    // Signed for another return URL.
    let other = h.fps.signed_return(
        "https://shop.example/thanks",
        &[("callerReference", &r), ("status", "SC"), ("tokenID", TOKEN_OK)],
    );
    assert_eq!(h.post_text("/fps/return", &other).await.0, 403);
    // Without FPS's signature at all: refused before asking FPS.
    let unsigned = format!("callerReference={r}&status=SC&tokenID={TOKEN_OK}");
    assert_refused(
        &h.post_text("/fps/return", &unsigned).await,
        403,
        "SIGNATURE_INVALID",
    );
    // An unknown order.
    let stranger = h.fps.signed_return(
        &h.return_url,
        &[
            ("callerReference", "ord-unknown"),
            ("status", "SC"),
            ("tokenID", TOKEN_OK),
        ],
    );
    assert_eq!(h.post_text("/fps/return", &stranger).await.0, 404);
    // Malformed.
    assert_eq!(h.post_text("/fps/return", "status=ZZ").await.0, 400);
    assert_eq!(h.post_text("/fps/return", "").await.0, 400);
    assert_eq!(h.fps.transactions("Pay").await.len(), 0, "nothing charged");

    // The shopper abandoned: nothing to verify or charge, the order stays open.
    let abandoned = h.cbui_return(&order, "A").await;
    let (status, body) = h.post_text("/fps/return", &abandoned).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("open")), "{body}");

    // The genuine return charges once; its replay is refused and charges nothing.
    let (status, body) = h.post_text("/fps/return", &raw).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("paid")), "{body}");
    assert_refused(&h.post_text("/fps/return", &raw).await, 409, "ALREADY_PROCESSED");
    assert_eq!(h.fps.transactions("Pay").await.len(), 1);
    assert_eq!(h.fps.calls("Pay"), 1);

    // Every refusal is on the order's record.
    let kinds: Vec<String> = h.order(&r).await["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect();
    for kind in ["return_unsigned", "return_forged", "return_replayed"] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} not in {kinds:?}");
    }
    assert_eq!(kinds.iter().filter(|k| *k == "return_forged").count(), 2);
}

#[tokio::test]
async fn concurrent_returns_charge_once() {
    let h = start().await;
    let order = h.create_order("MUG-ENAMEL", 2).await;
    h.sign(&order).await;
    let raw = h.cbui_return(&order, "SB").await;
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let (http, url, raw) = (h.http.clone(), format!("{}/fps/return", h.base), raw.clone());
        tasks.push(tokio::spawn(async move {
            http.post(url).body(raw).send().await.map(|r| r.status().as_u16())
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap().unwrap());
    }
    assert!(statuses.iter().all(|s| *s == 200 || *s == 409), "{statuses:?}");
    assert!(statuses.contains(&200), "{statuses:?}");
    assert_eq!(h.fps.transactions("Pay").await.len(), 1, "{statuses:?}");
    assert_eq!(h.order(&reference(&order)).await["status"], "paid");
}

#[tokio::test]
async fn declined_payment_is_reported_and_recorded() {
    let h = start().await;
    let (order, status, body) = h.checkout("MUG-ENAMEL", Payer::Declined).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (402, Some("PAYMENT_DECLINED")),
        "{body}"
    );
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("InsufficientBalance"));
    let stored = h.order(&reference(&order)).await;
    assert_eq!(stored["status"], "failed");
    assert!(stored["lastError"]
        .as_str()
        .unwrap()
        .contains("InsufficientBalance"));
}

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

#[tokio::test]
async fn cors_allows_only_the_configured_origins() {
    let h = start().await;
    let preflight = |origin: &'static str| {
        h.http
            .request(Method::OPTIONS, format!("{}/fps/sign", h.base))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let allowed = preflight("https://shop.example").await.unwrap();
    assert_eq!(
        allowed
            .headers()
            .get("access-control-allow-origin")
            .and_then(|v| v.to_str().ok()),
        Some("https://shop.example")
    );
    let other = preflight("https://evil.example").await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
}
