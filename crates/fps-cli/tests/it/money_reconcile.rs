//! Money is never wrong: the real backend against the real emulator with IPNs off, answers lost
//! by the emulator's fault switch and time moved by both test clocks. Each scenario ends with the
//! order in FPS's true state and exactly one charge at FPS, and the shop never says "nothing was
//! charged" while FPS holds a payment.

use std::time::Duration;

use crate::shop_support::Shop;
use serde_json::{json, Value};

const TWENTY_MINUTES: Duration = Duration::from_secs(20 * 60);
const PAST_SEVEN_DAYS: Duration = Duration::from_secs(7 * 24 * 3600 + 2 * 3600);

/// Lets the emulator apply the call and spoil only its answer, for `action` alone.
fn lost_answer(action: &str) -> Value {
    json!({ "mode": "truncated", "actions": [action] })
}

/// The answer to a call whose outcome is unknown: an error that never says nothing was charged.
fn assert_unknown(status: u16, body: &Value) {
    assert!(status >= 500, "{status} {body}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("not known"), "{message}");
    assert!(!message.contains("nothing was charged"), "{message}");
}

/// Ticks the reconciler until the order is in `state` (a card payment passes through Pending).
async fn reconciled_to(shop: &Shop, reference: &str, state: &str) -> Value {
    for _ in 0..10 {
        shop.reconcile().await;
        let order = shop.order(reference).await;
        if order["status"] == state {
            return order;
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    panic!(
        "{reference} never reached {state}: {}",
        shop.order(reference).await
    );
}

/// The defect of issue 15: Pay applied, its answer lost, no IPN; the same return resent more
/// than 15 minutes later (its Pay's Timestamp is stale by then) must find the payment, not fail.
#[tokio::test]
async fn lost_pay_answer_resent_after_twenty_minutes_is_paid_once() {
    // A 2 s skew limit makes the stored Timestamp stale after a real wait of 3 s.
    let shop = Shop::start_with_skew(Duration::from_secs(2)).await;
    let (reference, query) = shop.authorized_return().await;
    shop.fault(lost_answer("Pay")).await;
    let (status, body) = shop.send_return(&query).await;
    assert_unknown(status, &body);
    assert_eq!(shop.order_state(&reference).await, "charging");
    shop.fault(json!({ "mode": "none" })).await;
    shop.advance_clocks(TWENTY_MINUTES).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (status, body) = shop.send_return(&query).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("paid")), "{body}");
    assert_eq!(
        shop.transactions("Pay", &reference).await,
        1,
        "exactly one Pay at FPS"
    );
}

/// The same past FPS's 7-day resend window, with no return resent and IPNs off: the reconciler
/// alone finds the payment by its CallerReference, binds it and ends the order paid.
#[tokio::test]
async fn lost_pay_answer_past_seven_days_is_reconciled_to_paid() {
    let shop = Shop::start().await;
    let (reference, query) = shop.authorized_return().await;
    shop.fault(lost_answer("Pay")).await;
    let (status, body) = shop.send_return(&query).await;
    assert_unknown(status, &body);
    shop.fault(json!({ "mode": "none" })).await;
    shop.advance_clocks(PAST_SEVEN_DAYS).await;
    let order = reconciled_to(&shop, &reference, "paid").await;
    assert_eq!(order["settledAmount"], "12.50", "{order}");
    assert_eq!(shop.transactions("Pay", &reference).await, 1);
    let events: Vec<&str> = order["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert!(events.contains(&"charge_unknown"), "{events:?}");
    assert!(events.contains(&"transaction_bound"), "{events:?}");
    assert!(!events.contains(&"charge_refused"), "{events:?}");
}

/// Reserve (a card: pending, then reserved, learnt by the reconciler with IPNs off), then a
/// Settle whose answer is lost: inside the window the reconciler resends the identical Settle;
/// past it, the reserve's own status shows it settled. Either way the order ends paid, settled
/// once.
async fn lost_settle_answer(past_window: bool) {
    let shop = Shop::start().await;
    let (reference, query) = shop.authorized_return_of("TENT-2P", "CC").await;
    let (status, body) = shop.send_return(&query).await;
    assert_eq!(status, 200, "{body}");
    reconciled_to(&shop, &reference, "reserved").await;
    shop.fault(lost_answer("Settle")).await;
    let (status, body) = shop.order_action(&reference, "settle", None).await;
    assert!(status >= 500, "{status} {body}");
    shop.fault(json!({ "mode": "none" })).await;
    assert_eq!(shop.stored_state(&reference).await, "settling");
    if past_window {
        shop.advance_clocks(PAST_SEVEN_DAYS).await;
    }
    let order = reconciled_to(&shop, &reference, "paid").await;
    assert_eq!(order["settledAmount"], "189.00", "{order}");
    assert_eq!(shop.transactions("Reserve", &reference).await, 1);
}

#[tokio::test]
async fn lost_settle_answer_is_resent_and_settled_once() {
    lost_settle_answer(false).await;
}

#[tokio::test]
async fn lost_settle_answer_past_seven_days_is_reconciled_to_paid() {
    lost_settle_answer(true).await;
}

/// A refund whose answer is lost stays requested (its amount held); inside the window the
/// reconciler's identical resend completes it, past it GetAccountActivity finds it by its own
/// CallerReference: one Refund at FPS, the order refunded.
async fn lost_refund_answer(past_window: bool) {
    let shop = Shop::start().await;
    let (reference, query) = shop.authorized_return().await;
    let (status, body) = shop.send_return(&query).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("paid")), "{body}");
    shop.fault(lost_answer("Refund")).await;
    let (status, body) = shop.order_action(&reference, "refund", None).await;
    assert!(status >= 500, "{status} {body}");
    shop.fault(json!({ "mode": "none" })).await;
    let order = shop.order(&reference).await;
    assert_eq!(order["refunds"][0]["status"], "requested", "{order}");
    assert_eq!(order["refundedAmount"], "12.50", "the amount stays held");
    if past_window {
        shop.advance_clocks(PAST_SEVEN_DAYS).await;
    }
    let order = reconciled_to(&shop, &reference, "refunded").await;
    assert_eq!(order["refunds"][0]["status"], "Success", "{order}");
    assert_eq!(shop.transactions("Refund", &reference).await, 1);
}

#[tokio::test]
async fn lost_refund_answer_is_resent_and_refunded_once() {
    lost_refund_answer(false).await;
}

#[tokio::test]
async fn lost_refund_answer_past_seven_days_is_found_and_refunded_once() {
    lost_refund_answer(true).await;
}

/// A Pay FPS never received (the emulator down for the call), the shopper gone for good: past
/// the window FPS's account activity proves there is no payment, and only then the order fails.
#[tokio::test]
async fn pay_never_received_fails_only_once_fps_proves_it() {
    let shop = Shop::start().await;
    let (reference, query) = shop.authorized_return().await;
    shop.fault(json!({ "mode": "down", "actions": ["Pay"] })).await;
    let (status, body) = shop.send_return(&query).await;
    assert_unknown(status, &body);
    // Inside the window the reconciler resends; while FPS stays down, nothing is decided.
    shop.reconcile().await;
    assert_eq!(shop.order_state(&reference).await, "charging");
    shop.fault(json!({ "mode": "none" })).await;
    shop.advance_clocks(PAST_SEVEN_DAYS).await;
    let order = reconciled_to(&shop, &reference, "failed").await;
    assert!(
        order["lastError"]
            .as_str()
            .unwrap_or_default()
            .contains("FPS has no payment"),
        "{order}"
    );
    assert_eq!(shop.transactions("Pay", &reference).await, 0);
}

/// A return sent again while its Pay's outcome is unknown, and FPS failing the verification
/// this time: the answer must not say nothing was charged (the first Pay went through).
#[tokio::test]
async fn a_resent_return_never_says_nothing_was_charged_while_the_charge_is_unknown() {
    let shop = Shop::start().await;
    let (reference, query) = shop.authorized_return().await;
    shop.fault(lost_answer("Pay")).await;
    let (status, body) = shop.send_return(&query).await;
    assert_unknown(status, &body);
    shop.fault(json!({ "mode": "5xx", "status": 503 })).await;
    let (status, body) = shop.send_return(&query).await;
    assert!(status >= 500, "{status} {body}");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(!message.contains("nothing was charged"), "{message}");
    assert!(message.contains("still being confirmed"), "{message}");
    shop.fault(json!({ "mode": "none" })).await;
    reconciled_to(&shop, &reference, "paid").await;
    assert_eq!(shop.pays(&reference).await, 1);
}
