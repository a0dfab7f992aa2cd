//! The order store on SQLite and, when TEST_DATABASE_URL names one, PostgreSQL: the same tests,
//! including races that must leave exactly one winner and never a lost update.

use fps_core::{Amount, Currency};
use fps_merchant::order::{Mode, OrderState};
use fps_merchant::store::{now, Changes, Event, NextCheck, Order, Refund, Store, StoreError};

/// A new open order of `amount_minor` cents.
pub(crate) fn new_order(amount_minor: u64) -> Order {
    Order::new_open(
        format!("ord-{}", uuid::Uuid::new_v4().simple()),
        "[]".into(),
        "1 x Mug".into(),
        Amount::from_minor(amount_minor, Currency::Usd).unwrap(),
        Mode::Pay,
        now(),
    )
}

/// The stores to test: a fresh SQLite file, and PostgreSQL when configured.
pub(crate) async fn stores() -> Vec<(Store, Option<std::path::PathBuf>)> {
    let path = std::env::temp_dir().join(format!("fps-store-test-{}.db", uuid::Uuid::new_v4().simple()));
    let mut out = vec![(
        Store::connect(&format!("sqlite:{}", path.display()))
            .await
            .expect("sqlite"),
        Some(path),
    )];
    match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => out.push((Store::connect(&url).await.expect("postgres"), None)),
        _ => {
            assert!(
                std::env::var("FPS_REQUIRE_POSTGRES").is_err(),
                "FPS_REQUIRE_POSTGRES is set but TEST_DATABASE_URL is not"
            );
            eprintln!("TEST_DATABASE_URL not set: PostgreSQL store tests skipped");
        }
    }
    out
}

pub(crate) fn cleanup(path: Option<std::path::PathBuf>) {
    if let Some(path) = path {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }
}

pub(crate) async fn paid_order(store: &Store, amount_minor: u64) -> Order {
    let order = new_order(amount_minor);
    store.create_order(&order).await.unwrap();
    store
        .transition(
            &order.reference,
            &[OrderState::Open],
            OrderState::Charging,
            Changes::default(),
            &Event::new("test", ""),
        )
        .await
        .unwrap();
    store
        .transition(
            &order.reference,
            &[OrderState::Charging],
            OrderState::Paid,
            Changes {
                transaction_id: Some(format!("T{}", uuid::Uuid::new_v4().simple())),
                settled_minor: Some(amount_minor),
                ..Changes::default()
            },
            &Event::new("test", ""),
        )
        .await
        .unwrap()
}

/// A refund of `order_reference` just sent (CallerReference: the order's plus `-{suffix}`).
pub(crate) fn requested_refund(order_reference: &str, suffix: &str, amount_minor: u64) -> Refund {
    Refund {
        caller_reference: format!("{order_reference}-{suffix}"),
        order_reference: order_reference.to_owned(),
        amount_minor,
        state: "requested".into(),
        request_timestamp: "2026-11-23T18:00:00Z".into(),
        transaction_id: None,
    }
}

#[tokio::test]
async fn orders_round_trip_and_move_only_from_the_expected_state() {
    for (store, path) in stores().await {
        let kind = store.kind();
        let order = new_order(1250);
        store.create_order(&order).await.unwrap();
        assert_eq!(
            store.order(&order.reference).await.unwrap().as_ref(),
            Some(&order),
            "{kind}"
        );
        assert!(store
            .orders(500)
            .await
            .unwrap()
            .iter()
            .any(|o| o.reference == order.reference));

        let moved = store
            .transition(
                &order.reference,
                &[OrderState::Open],
                OrderState::Charging,
                Changes {
                    sender_token_id: Some("TOKEN".into()),
                    charge_timestamp: Some("2026-11-23T18:00:00Z".into()),
                    ..Changes::default()
                },
                &Event::new("test", ""),
            )
            .await
            .unwrap();
        assert_eq!(moved.state, OrderState::Charging);
        assert_eq!(moved.sender_token_id.as_deref(), Some("TOKEN"));

        // From the wrong state: refused, nothing changed.
        let refused = store
            .transition(
                &order.reference,
                &[OrderState::Open],
                OrderState::Failed,
                Changes {
                    last_error: Some("x".into()),
                    ..Changes::default()
                },
                &Event::new("test", ""),
            )
            .await;
        assert!(
            matches!(
                refused,
                Err(StoreError::Conflict {
                    current: OrderState::Charging,
                    ..
                })
            ),
            "{kind}: {refused:?}"
        );
        let stored = store.order(&order.reference).await.unwrap().unwrap();
        assert_eq!(
            (stored.state, stored.last_error),
            (OrderState::Charging, None),
            "{kind}"
        );

        // Unset changes keep stored values.
        let transaction = format!("TXN-{}", uuid::Uuid::new_v4().simple());
        let paid = store
            .transition(
                &order.reference,
                &[OrderState::Charging, OrderState::Pending],
                OrderState::Paid,
                Changes {
                    transaction_id: Some(transaction.clone()),
                    settled_minor: Some(1250),
                    ..Changes::default()
                },
                &Event::new("test", ""),
            )
            .await
            .unwrap();
        assert_eq!(paid.sender_token_id.as_deref(), Some("TOKEN"), "{kind}");
        assert_eq!(
            store
                .order_by_transaction(&transaction)
                .await
                .unwrap()
                .map(|o| o.reference),
            Some(order.reference.clone())
        );
        assert!(matches!(
            store
                .transition(
                    "ord-missing",
                    &[OrderState::Open],
                    OrderState::Paid,
                    Changes::default(),
                    &Event::new("test", "")
                )
                .await,
            Err(StoreError::NotFound(_))
        ));
        cleanup(path);
    }
}

#[tokio::test]
async fn racing_transitions_have_exactly_one_winner() {
    for (store, path) in stores().await {
        let order = new_order(500);
        store.create_order(&order).await.unwrap();
        let mut tasks = Vec::new();
        for i in 0..12 {
            let (store, reference) = (store.clone(), order.reference.clone());
            tasks.push(tokio::spawn(async move {
                store
                    .transition(
                        &reference,
                        &[OrderState::Open],
                        OrderState::Charging,
                        Changes {
                            sender_token_id: Some(format!("TOKEN{i}")),
                            ..Changes::default()
                        },
                        &Event::new("test", ""),
                    )
                    .await
            }));
        }
        let mut winners = Vec::new();
        for task in tasks {
            match task.await.unwrap() {
                Ok(order) => winners.push(order.sender_token_id),
                Err(StoreError::Conflict { .. }) => {}
                Err(e) => panic!("{}: {e}", store.kind()),
            }
        }
        assert_eq!(winners.len(), 1, "{}", store.kind());
        let stored = store.order(&order.reference).await.unwrap().unwrap();
        assert_eq!(
            stored.sender_token_id, winners[0],
            "the winner's token is the one stored"
        );
        cleanup(path);
    }
}

#[tokio::test]
async fn refunds_never_exceed_the_payment_even_when_racing() {
    for (store, path) in stores().await {
        let kind = store.kind();
        let order = paid_order(&store, 1250).await;
        let mut tasks = Vec::new();
        for _ in 0..10 {
            let (store, reference) = (store.clone(), order.reference.clone());
            tasks.push(tokio::spawn(async move {
                let refund = requested_refund(&reference, &uuid::Uuid::new_v4().simple().to_string(), 500);
                store
                    .begin_refund(&refund, 0, &Event::new("test", ""))
                    .await
                    .map(|_| refund.caller_reference)
            }));
        }
        let mut taken = Vec::new();
        for task in tasks {
            match task.await.unwrap() {
                Ok(reference) => taken.push(reference),
                Err(StoreError::Conflict { .. }) => {}
                Err(e) => panic!("{kind}: {e}"),
            }
        }
        assert_eq!(taken.len(), 2, "{kind}");
        let stored = store.order(&order.reference).await.unwrap().unwrap();
        assert_eq!(stored.refunded_minor, 1000, "{kind}");

        // A refused refund gives its amount back, once, however often it is reported.
        store
            .finish_refund(&taken[0], "failed", None, &Event::new("test", ""), false)
            .await
            .unwrap();
        store
            .finish_refund(&taken[0], "failed", None, &Event::new("test", ""), false)
            .await
            .unwrap();
        store
            .finish_refund(&taken[0], "Success", Some("R1"), &Event::new("test", ""), false)
            .await
            .unwrap();
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
        // The other succeeds; the order is refunded only when everything taken is.
        store
            .finish_refund(&taken[1], "Success", Some("R2"), &Event::new("test", ""), false)
            .await
            .unwrap();
        let stored = store.order(&order.reference).await.unwrap().unwrap();
        assert_eq!(stored.state, OrderState::Paid, "{kind}");
        let last = requested_refund(&order.reference, "last", 750);
        store
            .begin_refund(&last, 0, &Event::new("test", ""))
            .await
            .unwrap();
        store
            .finish_refund(
                &last.caller_reference,
                "Success",
                Some("R3"),
                &Event::new("test", ""),
                true,
            )
            .await
            .unwrap();
        let stored = store.order(&order.reference).await.unwrap().unwrap();
        assert_eq!(
            (stored.state, stored.refunded_minor),
            (OrderState::Refunded, 1250),
            "{kind}"
        );
        assert_eq!(store.refunds(&order.reference).await.unwrap().len(), 3);
        // Only the announcing change wrote a webhook event (the order was paid without one).
        let announced: Vec<String> = store
            .webhook_events_of(&order.reference)
            .await
            .unwrap()
            .into_iter()
            .map(|(_, kind)| kind)
            .collect();
        assert_eq!(announced, ["order.refunded"], "{kind}");
        assert_eq!(
            store
                .refund_by_transaction("R3")
                .await
                .unwrap()
                .map(|r| r.amount_minor),
            Some(750)
        );
        cleanup(path);
    }
}

#[tokio::test]
async fn notifications_and_events() {
    for (store, path) in stores().await {
        let transaction = format!("T{}", uuid::Uuid::new_v4().simple());
        assert!(store
            .remember_notification(&transaction, "Success")
            .await
            .unwrap());
        assert!(!store
            .remember_notification(&transaction, "Success")
            .await
            .unwrap());
        assert!(store
            .remember_notification(&transaction, "Pending")
            .await
            .unwrap());
        let order = new_order(100);
        store.create_order(&order).await.unwrap();
        store
            .record_event(Some(&order.reference), &Event::new("return_forged", "status=SC"))
            .await
            .unwrap();
        store
            .record_event(
                Some(&order.reference),
                &Event::new("return_replayed", "x".repeat(5000)),
            )
            .await
            .unwrap();
        let events = store.events(Some(&order.reference)).await.unwrap();
        assert_eq!(events.len(), 2, "{}", store.kind());
        assert!(events.iter().any(|(kind, _)| kind == "return_forged"));
        assert!(events.iter().all(|(_, detail)| detail.len() <= 1000));
        store.ping().await.unwrap();
        cleanup(path);
    }
}

/// A change writes only the fields it sets (the others keep their stored values) and schedules,
/// clears or keeps the order's next check.
#[tokio::test]
async fn transition_writes_only_what_a_change_sets() {
    for (store, path) in stores().await {
        let order = new_order(900);
        store.create_order(&order).await.unwrap();
        let event = Event::new("t", "");
        let step = |from, to, changes| store.transition(&order.reference, from, to, changes, &event);
        let at = now() + 600;
        let changes = Changes {
            sender_token_id: Some("TOK".into()),
            next_check: NextCheck::At(at),
            ..Changes::default()
        };
        let charging = step(&[OrderState::Open], OrderState::Charging, changes)
            .await
            .unwrap();
        assert_eq!(charging.next_check_at, Some(at));
        let changes = Changes {
            transaction_status: Some("Pending".into()),
            ..Changes::default()
        };
        let pending = step(
            &[OrderState::Open, OrderState::Charging],
            OrderState::Pending,
            changes,
        )
        .await
        .unwrap();
        assert_eq!(pending.sender_token_id.as_deref(), Some("TOK"), "kept");
        assert_eq!(pending.next_check_at, Some(at), "NextCheck::Keep");
        let changes = Changes {
            settled_minor: Some(900),
            next_check: NextCheck::Clear,
            ..Changes::default()
        };
        let paid = step(&[OrderState::Pending], OrderState::Paid, changes)
            .await
            .unwrap();
        assert_eq!((paid.settled_minor, paid.next_check_at), (900, None));
        assert_eq!(paid.transaction_status.as_deref(), Some("Pending"), "kept");
        cleanup(path);
    }
}

/// A stored value that is not valid is reported as corrupt (naming it), not as a database
/// failure (a refund's row: a corrupt order would break other tests' listings); a database
/// failure keeps sqlx's error as its source.
#[tokio::test]
async fn corrupt_rows_and_database_failures_are_told_apart() {
    for (store, path) in stores().await {
        let order = paid_order(&store, 100).await;
        let refund = requested_refund(&order.reference, "r", 100);
        store
            .begin_refund(&refund, now(), &Event::new("t", ""))
            .await
            .unwrap();
        let corrupt = "UPDATE refunds SET amount_minor = -5 WHERE caller_reference = $1";
        let reference = &refund.caller_reference;
        match &store {
            Store::Sqlite(pool) => sqlx::query(corrupt).bind(reference).execute(pool).await.map(drop),
            Store::Postgres(pool) => sqlx::query(corrupt).bind(reference).execute(pool).await.map(drop),
        }
        .unwrap();
        match store.refund(reference).await {
            Err(StoreError::Corrupt(e)) => assert_eq!((e.what, e.value.as_str()), ("amount", "-5")),
            other => panic!("{other:?}"),
        }
        match &store {
            Store::Sqlite(pool) => pool.close().await,
            Store::Postgres(pool) => pool.close().await,
        }
        let failed = store.refund(reference).await.unwrap_err();
        assert!(matches!(failed, StoreError::Database(_)), "{failed:?}");
        assert!(std::error::Error::source(&failed).is_some(), "sqlx's error kept");
        cleanup(path);
    }
}
