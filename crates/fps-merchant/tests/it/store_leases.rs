//! The reconciler's work list in the store on SQLite and PostgreSQL: leases by conditional update
//! so that backends sharing one database never work on one order at once.

use fps_merchant::order::OrderState;
use fps_merchant::store::{now, Changes, Event, NextCheck};

use crate::merchant_store::{cleanup, new_order, stores};

/// Two backends' reconcilers leasing work from one database at once never get the same order,
/// and together get every due order.
#[tokio::test]
async fn reconciler_leases_never_overlap() {
    for (store, path) in stores().await {
        let mut due = Vec::new();
        for _ in 0..12 {
            let order = new_order(500);
            store.create_order(&order).await.unwrap();
            // Due since the first second: first in line even where the shared PostgreSQL test
            // database holds due orders left by other runs (their checks are later).
            store.check_by(&order.reference, 1).await.unwrap();
            due.push(order.reference);
        }
        let (a, b) = tokio::join!(
            store.claim_due("backend-a", now(), now() + 60, 100),
            store.claim_due("backend-b", now(), now() + 60, 100)
        );
        let a: Vec<String> = a.unwrap().into_iter().map(|o| o.reference).collect();
        let b: Vec<String> = b.unwrap().into_iter().map(|o| o.reference).collect();
        assert!(
            a.iter().all(|r| !b.contains(r)),
            "both leased one order: {a:?} {b:?}"
        );
        for reference in &due {
            assert!(
                a.contains(reference) || b.contains(reference),
                "{reference} not leased"
            );
        }
        // Leased orders are not leased again until released; released ones wait for their check.
        assert!(store
            .claim_due("backend-c", now(), now() + 60, 100)
            .await
            .unwrap()
            .iter()
            .all(|o| !due.contains(&o.reference)));
        for reference in &a {
            store
                .release(reference, "backend-a", Some(now() + 3600), 1)
                .await
                .unwrap();
        }
        assert!(store
            .claim_due("backend-c", now(), now() + 60, 100)
            .await
            .unwrap()
            .iter()
            .all(|o| !a.contains(&o.reference)));
        // Nothing of this test stays due, so runs on one database never pile up work.
        let event = Event::new("test_done", "");
        for reference in &due {
            let done = Changes {
                next_check: NextCheck::Clear,
                ..Changes::default()
            };
            store
                .transition(reference, &[OrderState::Open], OrderState::Open, done, &event)
                .await
                .unwrap();
        }
        cleanup(path);
    }
}
