//! A short-lived in-process copy of open orders for `/fps/sign`, which otherwise reads the store
//! on every call (a page reload re-signs). Only open orders are kept, each for at most
//! [`OPEN_ORDER_TTL`]; the return path forgets an order before it leaves `open`, so in one process
//! a closed order is never signed. Several processes sharing PostgreSQL may sign a just-closed
//! order within the TTL: harmless, as its return is then refused (the order is no longer open).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::order::OrderState;
use super::store::Order;

/// How long a copy is trusted.
pub const OPEN_ORDER_TTL: Duration = Duration::from_secs(2);

/// Most orders kept; when full, the copies are dropped and refilled from the store.
const CAPACITY: usize = 10_000;

/// Open orders recently read or written.
#[derive(Debug, Default)]
pub struct OpenOrders {
    entries: Mutex<HashMap<String, (Arc<Order>, Instant)>>,
}

impl OpenOrders {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Arc<Order>, Instant)>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A fresh copy of an open order.
    pub fn get(&self, reference: &str) -> Option<Arc<Order>> {
        let entries = self.lock();
        let (order, at) = entries.get(reference)?;
        (at.elapsed() < OPEN_ORDER_TTL && order.state == OrderState::Open).then(|| Arc::clone(order))
    }

    /// Keeps a copy of an open order (others are forgotten).
    pub fn put(&self, order: &Arc<Order>) {
        let mut entries = self.lock();
        if order.state != OrderState::Open {
            entries.remove(&order.reference);
            return;
        }
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(order.reference.clone(), (Arc::clone(order), Instant::now()));
    }

    /// Drops the copy of an order that is about to change.
    pub fn forget(&self, reference: &str) {
        self.lock().remove(reference);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::order::Mode;
    use fps_core::{Amount, Currency};

    fn order(state: OrderState) -> Arc<Order> {
        let usd = Amount::from_minor(100, Currency::Usd).unwrap();
        Arc::new(Order {
            state,
            ..Order::new_open("ord-1".into(), "[]".into(), String::new(), usd, Mode::Pay, 0)
        })
    }

    #[test]
    fn keeps_only_open_orders_until_forgotten() {
        let cache = OpenOrders::default();
        cache.put(&order(OrderState::Open));
        assert!(cache.get("ord-1").is_some());
        cache.put(&order(OrderState::Charging));
        assert!(cache.get("ord-1").is_none());
        cache.put(&order(OrderState::Open));
        cache.forget("ord-1");
        assert!(cache.get("ord-1").is_none());
        assert!(cache.get("ord-2").is_none());
    }
}
