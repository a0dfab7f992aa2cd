//! The shopper's order page API (issue 8, items 3 and 4) against the real emulator: the secret
//! link, cancel before money is taken, and a new authorization after a failed settlement.

use crate::common::assert_refused;
use crate::common::stack::{start_stack, Shopper, Stack};
use reqwest::Method;
use serde_json::Value;

/// The order reference and key of an `order.html#<reference>.<key>` link.
fn link(order: &Value) -> (String, String) {
    let page = order["orderPage"].as_str().expect("orderPage");
    let fragment = page.strip_prefix("order.html#").expect("order.html# link");
    let (reference, key) = fragment.rsplit_once('.').expect("reference.key");
    (reference.to_owned(), key.to_owned())
}

/// Calls the shopper API with a key.
async fn shop(s: &Stack, method: Method, path: &str, key: &str) -> (u16, Value) {
    let response = s
        .http
        .request(method, format!("{}{path}", s.base))
        .header("Fps-Order-Key", key)
        .send()
        .await
        .expect("shopper API");
    crate::common::read(response).await
}

/// The shopper's cancel of `reference`, with the order page's `key`.
async fn cancel(s: &Stack, reference: &str, key: &str) -> (u16, Value) {
    shop(
        s,
        Method::POST,
        &format!("/api/shop/orders/{reference}/cancel"),
        key,
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_secret_link_opens_only_its_order() {
    let s = start_stack(0).await;
    let first = s.create_order("MUG-ENAMEL", 1).await;
    let second = s.create_order("MUG-ENAMEL", 1).await;
    let (reference, key) = link(&first);
    assert_eq!(reference, first["callerReference"]);
    assert_eq!(key.len(), 43, "256-bit key");
    let (other, other_key) = link(&second);
    assert_ne!(key, other_key);

    let (status, body) = shop(&s, Method::GET, &format!("/api/shop/orders/{reference}"), &key).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "open");
    assert_eq!(body["amount"], "12.50");
    assert_eq!(body["canCancel"], true);
    assert_eq!(body["canReauthorize"], false);
    assert!(
        body.get("transactionId").is_none(),
        "no FPS ids for shoppers: {body}"
    );

    // Wrong key, another order's key, no key, a long key, an unknown order: all the same 404.
    let long = "A".repeat(5000);
    for (path_ref, try_key) in [
        (reference.as_str(), other_key.as_str()),
        (other.as_str(), key.as_str()),
        (reference.as_str(), ""),
        (reference.as_str(), &key[..42]),
        (reference.as_str(), long.as_str()),
        ("ord-00000000000000000000000000000000", key.as_str()),
    ] {
        for (method, path) in [
            (Method::GET, format!("/api/shop/orders/{path_ref}")),
            (Method::POST, format!("/api/shop/orders/{path_ref}/cancel")),
            (Method::POST, format!("/api/shop/orders/{path_ref}/reauthorize")),
        ] {
            let (status, body) = shop(&s, method, &path, try_key).await;
            assert_eq!(
                (status, body["error"]["code"].as_str()),
                (404, Some("UNKNOWN_ORDER")),
                "{path} {body}"
            );
        }
    }
    // Nothing was cancelled by the refused calls.
    assert_eq!(s.order(&reference).await["status"], "open");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shoppers_cancel_before_money_is_taken() {
    let s = start_stack(0).await;
    // An open order (never authorized): cancelled by the shop alone, and no longer signed.
    let open = s.create_order("MUG-ENAMEL", 1).await;
    let (reference, key) = link(&open);
    let (status, body) = cancel(&s, &reference, &key).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("cancelled")),
        "{body}"
    );
    assert_refused(
        &s.post_json("/fps/sign", &s.sign_body(&open)).await,
        409,
        "ORDER_NOT_OPEN",
    );

    // A reserved order: cancelled with FPS (the emulator's transaction is Cancelled too).
    let (order, _, status, body) = s.checkout("TENT-2P", Shopper::Confirms).await;
    assert_eq!(status, 200, "{body}");
    let (reference, key) = link(&order);
    s.reaches(&reference, "reserved").await;
    let (status, body) = cancel(&s, &reference, &key).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("cancelled")),
        "{body}"
    );
    assert_eq!(body["canCancel"], false);
    let admin = s.order(&reference).await;
    assert_eq!(admin["transactionStatus"], "Cancelled", "{admin}");
    // Twice is refused, and changes nothing.
    assert_refused(&cancel(&s, &reference, &key).await, 409, "WRONG_STATE");

    // A paid order: only the shop refunds it.
    let (order, _, status, body) = s.checkout("MUG-ENAMEL", Shopper::Confirms).await;
    assert_eq!(status, 200, "{body}");
    let (reference, key) = link(&order);
    s.reaches(&reference, "paid").await;
    assert_refused(&cancel(&s, &reference, &key).await, 409, "WRONG_STATE");
    assert_eq!(s.order(&reference).await["status"], "paid");
    s.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_settlement_is_authorized_again_under_a_new_caller_reference() {
    let s = start_stack(0).await;
    let (order, first_return, status, body) = s
        .checkout("TENT-2P", Shopper::ConfirmsAs("settle-declined@sandbox.test"))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["orderPage"], order["orderPage"],
        "the return answer links the order page"
    );
    let (reference, key) = link(&order);
    s.reaches(&reference, "reserved").await;
    // Not failed yet: no new authorization.
    let path = format!("/api/shop/orders/{reference}/reauthorize");
    assert_refused(&shop(&s, Method::POST, &path, &key).await, 409, "WRONG_STATE");

    let (status, body) = s.order_action(&reference, "settle", None).await;
    assert_eq!(status, 200, "{body}");
    let failed = s.reaches(&reference, "failed").await;
    assert!(
        failed["lastError"].as_str().is_some_and(|e| e.contains("settle")),
        "{failed}"
    );
    assert!(
        failed["needsAttention"]
            .as_str()
            .is_some_and(|a| a.contains("could not settle")),
        "{failed}"
    );
    let (status, list) = s.admin(Method::GET, "/api/orders", None).await;
    assert_eq!(status, 200);
    let listed = list["orders"]
        .as_array()
        .expect("orders")
        .iter()
        .find(|o| o["callerReference"] == reference.as_str())
        .expect("listed")
        .clone();
    assert!(listed["needsAttention"].is_string(), "{listed}");

    let (status, view) = shop(&s, Method::GET, &format!("/api/shop/orders/{reference}"), &key).await;
    assert_eq!(status, 200);
    assert_eq!(view["canReauthorize"], true, "{view}");
    assert!(view["reason"].as_str().is_some(), "{view}");

    let (status, again) = shop(&s, Method::POST, &path, &key).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["status"], "open");
    assert_eq!(again["attempt"], 2);
    let new_reference = format!("{reference}-a2");
    assert_eq!(again["callerReference"], new_reference.as_str());
    // A second click does not make a third attempt.
    let (status, body) = shop(&s, Method::POST, &path, &key).await;
    assert_eq!(status, 409, "{body}");

    // The first attempt's return, replayed, charges nothing; its callerReference is not signed.
    assert_refused(
        &s.post_text("/fps/return", &first_return).await,
        409,
        "STALE_AUTHORIZATION",
    );
    assert_refused(
        &s.post_json("/fps/sign", &s.sign_body(&order)).await,
        404,
        "UNKNOWN_ORDER",
    );

    // The new authorization, with a card that captures, reserves and settles.
    let (_, status, body) = s.authorize(&again, Shopper::Confirms).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["orderId"], reference.as_str());
    s.reaches(&reference, "reserved").await;
    let (status, body) = s.order_action(&reference, "settle", None).await;
    assert_eq!(status, 200, "{body}");
    let paid = s.reaches(&reference, "paid").await;
    assert_eq!(paid["settledAmount"], "189.00");
    assert_eq!(paid["attempt"], 2);
    assert!(paid["needsAttention"].is_null(), "{paid}");
    let events = paid["events"].as_array().expect("events");
    assert!(events.iter().any(|e| e["kind"] == "reauthorize"), "{paid}");
    s.stop().await;
}
