//! Refunds the shopper asks for (issue 19) against the real emulator: only a paid order, within
//! what is left to refund, one pending request per order, bounded reasons; the admin declines
//! with a message the shopper sees, or approves, which refunds once through the order service.

use crate::common::emulator::{Fault, Payer};
use crate::common::stack::{start_stack, Shopper, Stack};
use crate::common::{assert_fps_error, assert_refused, start, Api};
use reqwest::Method;
use serde_json::{json, Value};

/// The order reference and key of the order's `order.html#<reference>.<key>` link.
fn link(order: &Value) -> (String, String) {
    let page = order["orderPage"].as_str().expect("orderPage");
    let fragment = page.strip_prefix("order.html#").expect("order.html# link");
    let (reference, key) = fragment.rsplit_once('.').expect("reference.key");
    (reference.to_owned(), key.to_owned())
}

/// The shopper's refund request for `reference`, with the page `key`.
async fn ask(s: &Api, reference: &str, key: &str, body: Value) -> (u16, Value) {
    let response = s
        .http
        .post(format!("{}/api/shop/orders/{reference}/refund-request", s.base))
        .header("Fps-Order-Key", key)
        .json(&body)
        .send()
        .await
        .expect("refund request");
    crate::common::read(response).await
}

/// The order as its shopper sees it.
async fn shopper_view(s: &Api, reference: &str, key: &str) -> Value {
    let response = s
        .http
        .get(format!("{}/api/shop/orders/{reference}", s.base))
        .header("Fps-Order-Key", key)
        .send()
        .await
        .expect("order page");
    let (status, body) = crate::common::read(response).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// The pending requests the admin page lists.
async fn pending(s: &Api) -> Vec<Value> {
    let (status, body) = s.admin(Method::GET, "/api/refund-requests", None).await;
    assert_eq!(status, 200, "{body}");
    body["requests"].as_array().expect("requests").clone()
}

/// The id of the pending request of order `reference`.
async fn pending_id(s: &Api, reference: &str) -> String {
    pending(s)
        .await
        .iter()
        .find(|r| r["orderReference"] == reference)
        .and_then(|r| r["id"].as_str())
        .unwrap_or_else(|| panic!("no pending request of {reference}"))
        .to_owned()
}

/// A paid mug order: its reference and page key.
async fn paid_mug(s: &Stack) -> (String, String) {
    let (order, _, status, body) = s.checkout("MUG-ENAMEL", Shopper::Confirms).await;
    assert_eq!(status, 200, "{body}");
    let (reference, key) = link(&order);
    s.reaches(&reference, "paid").await;
    (reference, key)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_a_paid_order_and_only_what_is_left() {
    let s = start_stack(0).await;
    // An open order: nothing was taken, nothing to refund.
    let open = s.create_order("MUG-ENAMEL", 1).await;
    let (reference, key) = link(&open);
    assert_refused(
        &ask(&s, &reference, &key, json!({ "reason": "changed my mind" })).await,
        409,
        "WRONG_STATE",
    );
    // A reserved order: not charged yet either.
    let (order, _, status, body) = s.checkout("TENT-2P", Shopper::Confirms).await;
    assert_eq!(status, 200, "{body}");
    let (tent, tent_key) = link(&order);
    s.reaches(&tent, "reserved").await;
    assert_refused(
        &ask(&s, &tent, &tent_key, json!({ "reason": "too big" })).await,
        409,
        "WRONG_STATE",
    );
    // Another order's key opens nothing.
    let (reference_paid, key_paid) = paid_mug(&s).await;
    assert_refused(
        &ask(&s, &reference_paid, &key, json!({ "reason": "x" })).await,
        404,
        "UNKNOWN_ORDER",
    );
    let view = shopper_view(&s, &reference_paid, &key_paid).await;
    assert_eq!(view["canRequestRefund"], true, "{view}");
    assert_eq!(view["refundableAmount"], "12.50");

    // Amount bounds: more than was paid, nothing, a malformed amount.
    for (amount, code) in [("12.51", "AMOUNT_TOO_LARGE"), ("100.00", "AMOUNT_TOO_LARGE")] {
        assert_refused(
            &ask(
                &s,
                &reference_paid,
                &key_paid,
                json!({ "reason": "broken", "amount": amount }),
            )
            .await,
            409,
            code,
        );
    }
    assert_refused(
        &ask(
            &s,
            &reference_paid,
            &key_paid,
            json!({ "reason": "broken", "amount": "0.00" }),
        )
        .await,
        400,
        "INVALID_AMOUNT",
    );
    let (status, body) = ask(
        &s,
        &reference_paid,
        &key_paid,
        json!({ "reason": "broken", "amount": "-1" }),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    // Reason bounds: empty, too long, control characters, unknown fields.
    for reason in [
        String::new(),
        "   ".to_owned(),
        "x".repeat(501),
        "bell\u{7}".to_owned(),
    ] {
        assert_refused(
            &ask(&s, &reference_paid, &key_paid, json!({ "reason": reason })).await,
            400,
            "INVALID_REASON",
        );
    }
    assert_refused(
        &ask(
            &s,
            &reference_paid,
            &key_paid,
            json!({ "reason": "x", "refund": "all" }),
        )
        .await,
        400,
        "INVALID_BODY",
    );
    assert!(pending(&s).await.is_empty(), "nothing refused was recorded");

    // A part, with a reason of the longest length: recorded, and one pending per order.
    let (status, body) = ask(
        &s,
        &reference_paid,
        &key_paid,
        json!({ "reason": "é".repeat(500), "amount": "5.00" }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["refundRequest"]["status"], "pending", "{body}");
    assert_eq!(body["refundRequest"]["amount"], "5.00");
    assert_eq!(body["canRequestRefund"], false);
    assert_refused(
        &ask(&s, &reference_paid, &key_paid, json!({ "reason": "again" })).await,
        409,
        "REQUEST_PENDING",
    );
    let listed = pending(&s).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["amount"], "5.00");
    assert_eq!(listed[0]["refundableAmount"], "12.50");
    // The request is an order event; no money moved.
    let admin = s.order(&reference_paid).await;
    assert_eq!(admin["refundedAmount"], "0.00", "{admin}");
    assert_eq!(admin["status"], "paid");
    assert!(
        admin["events"]
            .as_array()
            .expect("events")
            .iter()
            .any(|e| e["kind"] == "refund_request"),
        "{admin}"
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declined_request_shows_the_message_and_moves_no_money() {
    let s = start_stack(0).await;
    let (reference, key) = paid_mug(&s).await;
    let (status, body) = ask(&s, &reference, &key, json!({ "reason": "arrived chipped" })).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["refundRequest"]["amount"], "12.50", "all by default");
    let id = pending_id(&s, &reference).await;

    // The admin API needs its token; a decline needs a message.
    for (method, path) in [
        (Method::GET, "/api/refund-requests".to_owned()),
        (Method::POST, format!("/api/refund-requests/{id}/approve")),
        (Method::POST, format!("/api/refund-requests/{id}/decline")),
    ] {
        let response = s
            .http
            .request(method, format!("{}{path}", s.base))
            .json(&json!({ "message": "no" }))
            .send()
            .await
            .expect("send");
        assert_eq!(response.status().as_u16(), 401, "{path}");
    }
    assert_eq!(pending(&s).await.len(), 1, "nothing decided without the token");
    let path = format!("/api/refund-requests/{id}/decline");
    assert_refused(
        &s.admin(Method::POST, &path, Some(json!({ "message": "  " })))
            .await,
        400,
        "INVALID_MESSAGE",
    );
    assert_refused(
        &s.admin(Method::POST, &path, Some(json!({ "message": "m".repeat(501) })))
            .await,
        400,
        "INVALID_MESSAGE",
    );
    let message = "Chips in enamel are normal wear; see our returns policy.";
    let (status, body) = s
        .admin(Method::POST, &path, Some(json!({ "message": message })))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["request"]["status"], "declined");

    let view = shopper_view(&s, &reference, &key).await;
    assert_eq!(view["refundRequest"]["status"], "declined", "{view}");
    assert_eq!(view["refundRequest"]["message"], message);
    assert_eq!(view["refundedAmount"], "0.00");
    assert_eq!(view["canRequestRefund"], true, "a new request may follow");
    assert!(pending(&s).await.is_empty());
    // Decided: neither a second decline nor an approval.
    assert_refused(
        &s.admin(Method::POST, &path, Some(json!({ "message": message })))
            .await,
        409,
        "REQUEST_DECIDED",
    );
    assert_refused(
        &s.admin(Method::POST, &format!("/api/refund-requests/{id}/approve"), None)
            .await,
        409,
        "REQUEST_DECIDED",
    );
    assert_eq!(s.order(&reference).await["refundedAmount"], "0.00");
    assert_refused(
        &s.admin(Method::POST, "/api/refund-requests/rr-nope/approve", None)
            .await,
        404,
        "UNKNOWN_REQUEST",
    );
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approved_request_refunds_once() {
    let s = start_stack(0).await;
    let (reference, key) = paid_mug(&s).await;
    let (status, body) = ask(
        &s,
        &reference,
        &key,
        json!({ "reason": "wrong colour", "amount": "4.50" }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let id = pending_id(&s, &reference).await;
    let approve = format!("/api/refund-requests/{id}/approve");

    // Two approvals at once: one Refund.
    let (first, second) = tokio::join!(
        s.admin(Method::POST, &approve, None),
        s.admin(Method::POST, &approve, None)
    );
    let (ok, refused): (Vec<_>, Vec<_>) = [first, second]
        .into_iter()
        .partition(|(status, _)| *status == 200);
    assert_eq!((ok.len(), refused.len()), (1, 1), "{ok:?} {refused:?}");
    assert_refused(&refused[0], 409, "REQUEST_DECIDED");
    assert_eq!(ok[0].1["request"]["status"], "approved", "{:?}", ok[0]);
    assert_eq!(ok[0].1["order"]["refundedAmount"], "4.50");

    let admin = s.order(&reference).await;
    let refunds = admin["refunds"].as_array().expect("refunds");
    assert_eq!(refunds.len(), 1, "{admin}");
    assert_eq!(refunds[0]["amount"], "4.50");
    assert_eq!(refunds[0]["status"], "Success", "{admin}");
    assert_eq!(admin["status"], "paid", "a part was refunded");
    assert_refused(
        &s.admin(Method::POST, &approve, None).await,
        409,
        "REQUEST_DECIDED",
    );

    let view = shopper_view(&s, &reference, &key).await;
    assert_eq!(view["refundRequest"]["status"], "approved", "{view}");
    assert_eq!(view["refundRequest"]["refundStatus"], "Success");
    assert_eq!(view["refundedAmount"], "4.50");
    assert_eq!(view["refundableAmount"], "8.00");

    // A second request, for the rest, while the admin refunds part of it directly: the approval
    // is held to what is left, and refunds nothing more.
    let (status, body) = ask(&s, &reference, &key, json!({ "reason": "the rest" })).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["refundRequest"]["amount"], "8.00");
    let id = pending_id(&s, &reference).await;
    let (status, body) = s.order_action(&reference, "refund", Some("1.00")).await;
    assert_eq!(status, 200, "{body}");
    assert_refused(
        &s.admin(Method::POST, &format!("/api/refund-requests/{id}/approve"), None)
            .await,
        409,
        "AMOUNT_TOO_LARGE",
    );
    assert_eq!(
        pending(&s).await.len(),
        1,
        "still pending: the admin may decline it"
    );
    let admin = s.order(&reference).await;
    assert_eq!(admin["refundedAmount"], "5.50", "{admin}");
    assert_eq!(admin["refunds"].as_array().expect("refunds").len(), 2);
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_refund_reopens_the_request_and_an_unknown_one_is_never_reported_as_nothing() {
    let h = start().await;
    let (order, status, body) = h.checkout("MUG-ENAMEL", Payer::Ok).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("paid")), "{body}");
    let (reference, key) = link(&order);
    let (status, body) = ask(&h.api, &reference, &key, json!({ "reason": "never arrived" })).await;
    assert_eq!(status, 200, "{body}");
    let id = pending_id(&h.api, &reference).await;
    let approve = format!("/api/refund-requests/{id}/approve");

    // FPS refuses the Refund: nothing refunded, the request waits for the admin again.
    h.fps.fault("Refund", Fault::Error("TransactionDenied"), 1).await;
    let (status, body) = h.admin(Method::POST, &approve, None).await;
    assert_fps_error(status, &body, 402, "PAYMENT_DECLINED");
    assert_eq!(pending_id(&h.api, &reference).await, id, "pending again");
    let stored = h.order(&reference).await;
    assert_eq!(stored["refundedAmount"], "0.00", "{stored}");
    assert_eq!(stored["refunds"][0]["status"], "failed");
    assert!(
        stored["events"]
            .as_array()
            .expect("events")
            .iter()
            .any(|e| e["kind"] == "refund_request_reopened"),
        "{stored}"
    );

    // The answer is lost (FPS did refund): the request stays approved, the amount held, and the
    // shopper is told it is being processed, never that nothing was refunded.
    h.fps.fault("Refund", Fault::Malformed, 1).await;
    let (status, body) = h.admin(Method::POST, &approve, None).await;
    assert!(status >= 500, "{status} {body}");
    assert!(pending(&h.api).await.is_empty());
    let view = shopper_view(&h.api, &reference, &key).await;
    assert_eq!(view["refundRequest"]["status"], "approved", "{view}");
    assert_eq!(view["refundRequest"]["refundStatus"], "requested", "{view}");
    assert_eq!(view["refundedAmount"], "12.50");
    assert_refused(
        &h.admin(Method::POST, &approve, None).await,
        409,
        "REQUEST_DECIDED",
    );

    // The reconciler finds out from FPS: refunded, once.
    h.reconcile().await;
    let view = shopper_view(&h.api, &reference, &key).await;
    assert_eq!(view["status"], "refunded", "{view}");
    assert_eq!(view["refundRequest"]["refundStatus"], "Success", "{view}");
    let refunds = h.fps.transactions("Refund").await;
    let mine = refunds
        .iter()
        .filter(|(_, t)| t.caller_reference.starts_with(&format!("{reference}-r")))
        .count();
    assert_eq!(mine, 1, "one Refund reached FPS");
}
