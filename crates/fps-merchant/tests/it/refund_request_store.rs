//! Refund requests in the store, on SQLite and (when TEST_DATABASE_URL names one) PostgreSQL:
//! one pending request per order and one approval (one Refund) per request, even when racing.

use fps_merchant::store::{now, ApproveError, Event, RefundRequest, RequestState, StoreError};

use crate::merchant_store::{cleanup, paid_order, requested_refund, stores};

/// A pending refund request of `order_reference` for `amount_minor`.
fn refund_request(order_reference: &str, amount_minor: u64) -> RefundRequest {
    RefundRequest {
        id: format!("rr-{}", uuid::Uuid::new_v4().simple()),
        order_reference: order_reference.to_owned(),
        amount_minor,
        reason: "arrived broken".into(),
        state: RequestState::Pending,
        message: None,
        refund_reference: None,
        created_at: now(),
        decided_at: None,
    }
}

#[tokio::test]
async fn refund_requests_one_pending_per_order_and_approved_once_even_when_racing() {
    for (store, path) in stores().await {
        let kind = store.kind();
        let order = paid_order(&store, 1250).await;
        // Ten shoppers' tabs ask at once: one request is pending.
        let mut tasks = Vec::new();
        for _ in 0..10 {
            let (store, reference) = (store.clone(), order.reference.clone());
            tasks.push(tokio::spawn(async move {
                let request = refund_request(&reference, 500);
                let created = store
                    .create_refund_request(&request, &Event::new("test", ""))
                    .await;
                created.map(|created| created.then_some(request.id))
            }));
        }
        let mut created = Vec::new();
        for task in tasks {
            if let Some(id) = task.await.unwrap().unwrap_or_else(|e| panic!("{kind}: {e}")) {
                created.push(id);
            }
        }
        assert_eq!(created.len(), 1, "{kind}");
        let id = created.remove(0);
        let listed = store.pending_refund_requests(10).await.unwrap();
        assert!(listed.iter().any(|r| r.id == id), "{kind}");

        // Ten admins approve at once: one Refund, held once against the order.
        let mut tasks = Vec::new();
        for n in 0..10 {
            let (store, reference, id) = (store.clone(), order.reference.clone(), id.clone());
            tasks.push(tokio::spawn(async move {
                let refund = requested_refund(&reference, &format!("r{n}"), 500);
                let event = Event::new("test", "");
                store
                    .approve_refund_request(&id, &refund, 0, [&event, &event])
                    .await
                    .map(|_| refund.caller_reference)
            }));
        }
        let mut approved = Vec::new();
        for task in tasks {
            match task.await.unwrap() {
                Ok(reference) => approved.push(reference),
                Err(ApproveError::Decided) => {}
                Err(e) => panic!("{kind}: {e}"),
            }
        }
        assert_eq!(approved.len(), 1, "{kind}");
        let stored = store.order(&order.reference).await.unwrap().unwrap();
        assert_eq!(stored.refunded_minor, 500, "{kind}");
        assert_eq!(store.refunds(&order.reference).await.unwrap().len(), 1, "{kind}");
        let request = store.refund_request(&id).await.unwrap().unwrap();
        assert_eq!(request.state, RequestState::Approved, "{kind}");
        assert_eq!(request.refund_reference.as_ref(), Some(&approved[0]), "{kind}");

        // A decided request is not declined; a new one may be, with its message; then another.
        let event = Event::new("test", "");
        assert!(!store
            .move_refund_request(
                &id,
                RequestState::Pending,
                RequestState::Declined,
                Some("no"),
                &event
            )
            .await
            .unwrap());
        let second = refund_request(&order.reference, 750);
        assert!(
            store.create_refund_request(&second, &event).await.unwrap(),
            "{kind}"
        );
        // A second pending one is refused.
        let another = refund_request(&order.reference, 100);
        assert!(
            !store.create_refund_request(&another, &event).await.unwrap(),
            "{kind}"
        );
        // More than is left: the approval records nothing and the request stays pending.
        let refund = requested_refund(&order.reference, "big", 800);
        match store
            .approve_refund_request(&second.id, &refund, 0, [&event, &event])
            .await
        {
            Err(ApproveError::Store(StoreError::Conflict { .. })) => {}
            other => panic!("{kind}: {other:?}"),
        }
        let still = store.refund_request(&second.id).await.unwrap().unwrap();
        assert_eq!(still.state, RequestState::Pending, "{kind}");
        assert!(store
            .move_refund_request(
                &second.id,
                RequestState::Pending,
                RequestState::Declined,
                Some("no"),
                &event
            )
            .await
            .unwrap());
        let declined = store.refund_requests_of(&order.reference).await.unwrap();
        assert_eq!(declined.len(), 2, "{kind}");
        assert_eq!(
            declined
                .iter()
                .find(|r| r.id == second.id)
                .unwrap()
                .message
                .as_deref(),
            Some("no")
        );
        assert_eq!(
            store
                .order(&order.reference)
                .await
                .unwrap()
                .unwrap()
                .refunded_minor,
            500,
            "{kind}"
        );
        cleanup(path);
    }
}
