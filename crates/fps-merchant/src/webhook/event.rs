//! What the fulfilment webhook announces: which state changes are events (pure rules, no I/O)
//! and the JSON body each event is posted with.

use serde_json::{json, Value};

use crate::order::{money, Mode, OrderState};
use crate::store::Order;

/// Every event type a receiver may see.
pub const EVENT_TYPES: [&str; 6] = [
    "order.paid",
    "order.reserved",
    "order.settled",
    "order.refunded",
    "order.cancelled",
    "order.failed",
];

/// The event type announcing that `order` (as it is after the change) moved from `before`, or
/// `None` when the change is not one receivers hear of: the state did not change, or it changed
/// to one that is not an outcome (`charging`, `pending`, `settling`), or a refused Settle took a
/// reserved order back to `reserved` (announced once already).
pub fn announced_type(before: OrderState, order: &Order) -> Option<&'static str> {
    if before == order.state {
        return None;
    }
    match order.state {
        OrderState::Paid if order.mode == Mode::Reserve => Some("order.settled"),
        OrderState::Paid => Some("order.paid"),
        OrderState::Reserved if before == OrderState::Settling => None,
        OrderState::Reserved => Some("order.reserved"),
        OrderState::Refunded => Some("order.refunded"),
        OrderState::Cancelled => Some("order.cancelled"),
        OrderState::Failed => Some("order.failed"),
        OrderState::Open | OrderState::Charging | OrderState::Pending | OrderState::Settling => None,
    }
}

/// A new event id: `evt_` and 32 random hex digits (the receiver's deduplication key).
pub fn new_event_id() -> String {
    format!("evt_{}", uuid::Uuid::new_v4().simple())
}

/// The body posted for event `id` of `event_type`, created at `created` (Unix seconds), about
/// `order` as it is after the change. Stored once, so every delivery and replay sends the same
/// bytes.
pub fn event_body(id: &str, event_type: &str, created: i64, order: &Order) -> String {
    // The lines are stored as JSON by the order service; a row that does not parse is sent as
    // null rather than failing the order's state change.
    let items: Value = serde_json::from_str(&order.items).unwrap_or(Value::Null);
    json!({
        "id": id,
        "type": event_type,
        "created": created,
        "order": {
            "reference": order.reference,
            "state": order.state.as_str(),
            "mode": order.mode.as_str(),
            "amount": money(order.amount_minor),
            "currency": order.currency,
            "description": order.description,
            "items": items,
            "settledAmount": money(order.settled_minor),
            "refundedAmount": money(order.refunded_minor),
            "transactionId": order.transaction_id,
            "attempt": order.attempt,
        }
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use fps_core::{Amount, Currency};

    fn order(mode: Mode, state: OrderState) -> Order {
        let mut order = Order::new_open(
            "ord-1".into(),
            r#"[{"sku":"MUG","quantity":1}]"#.into(),
            "1 x Mug".into(),
            Amount::from_minor(1250, Currency::Usd).unwrap(),
            mode,
            0,
        );
        order.state = state;
        order
    }

    #[test]
    fn only_outcomes_are_announced_and_each_once() {
        use OrderState::*;
        let cases = [
            (Mode::Pay, Charging, Paid, Some("order.paid")),
            (Mode::Pay, Pending, Paid, Some("order.paid")),
            (Mode::Reserve, Charging, Reserved, Some("order.reserved")),
            (Mode::Reserve, Pending, Reserved, Some("order.reserved")),
            (Mode::Reserve, Settling, Paid, Some("order.settled")),
            (Mode::Reserve, Settling, Reserved, None),
            (Mode::Pay, Paid, Refunded, Some("order.refunded")),
            (Mode::Pay, Open, Cancelled, Some("order.cancelled")),
            (Mode::Reserve, Reserved, Cancelled, Some("order.cancelled")),
            (Mode::Pay, Charging, Failed, Some("order.failed")),
            (Mode::Pay, Open, Charging, None),
            (Mode::Pay, Charging, Pending, None),
            (Mode::Reserve, Reserved, Settling, None),
            (Mode::Pay, Paid, Paid, None),
            (Mode::Pay, Charging, Charging, None),
        ];
        for (mode, before, after, expected) in cases {
            assert_eq!(
                announced_type(before, &order(mode, after)),
                expected,
                "{mode:?} {before} -> {after}"
            );
        }
        for (_, _, _, expected) in cases {
            if let Some(t) = expected {
                assert!(EVENT_TYPES.contains(&t), "{t}");
            }
        }
    }

    #[test]
    fn the_body_carries_the_event_and_the_order() {
        let mut paid = order(Mode::Pay, OrderState::Paid);
        paid.settled_minor = 1250;
        let body: Value = serde_json::from_str(&event_body("evt_1", "order.paid", 42, &paid)).unwrap();
        assert_eq!(body["id"], "evt_1");
        assert_eq!(body["type"], "order.paid");
        assert_eq!(body["created"], 42);
        assert_eq!(body["order"]["reference"], "ord-1");
        assert_eq!(body["order"]["state"], "paid");
        assert_eq!(body["order"]["amount"], "12.50");
        assert_eq!(body["order"]["currency"], "USD");
        assert_eq!(body["order"]["settledAmount"], "12.50");
        assert_eq!(body["order"]["items"][0]["sku"], "MUG");
        paid.items = "not json".into();
        let body: Value = serde_json::from_str(&event_body("evt_1", "order.paid", 42, &paid)).unwrap();
        assert!(body["order"]["items"].is_null());
    }

    #[test]
    fn event_ids_are_distinct() {
        let a = new_event_id();
        assert!(a.starts_with("evt_") && a.len() == 36, "{a}");
        assert_ne!(a, new_event_id());
    }
}
