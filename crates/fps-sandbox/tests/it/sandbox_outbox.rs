//! The emulator's outbox: the e-mails FPS sends senders (payment succeeded or failed, settlement
//! failed, refund) are recorded once each and listed, escaped, on `GET /outbox`.

use crate::sandbox_support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payments_failures_settlements_and_refunds_send_the_sender_email() {
    let h = Harness::start(20, None).await;
    let (status, _, page) = h.get(&format!("{}/outbox", h.sandbox.base_url())).await;
    assert_eq!(status, 200);
    assert!(page.contains("No e-mails sent yet."), "{page}");

    let paid = h.single_use_token("out-1", "3.00", "ABT", false).await;
    let pay = h.pay("Pay", &paid, "out-pay", "3.00").await;
    let pay_id = pay.tag("TransactionId").unwrap();
    let declined = h.single_use_token("out-2", "0.60", "ABT", false).await;
    h.pay("Pay", &declined, "out-decline", "0.60").await;
    // A reserve whose settle amount the sandbox declines: the settlement fails.
    let card = h.single_use_token("out-3", "10.00", "CC", true).await;
    let reserve_id = h
        .pay("Reserve", &card, "out-reserve", "10.00")
        .await
        .tag("TransactionId")
        .unwrap();
    assert_eq!(h.settled_status(&reserve_id).await, "Reserved");
    let settle = h
        .call(&[
            ("Action", "Settle"),
            ("ReserveTransactionId", &reserve_id),
            ("TransactionAmount.Value", "9.60"),
            ("TransactionAmount.CurrencyCode", "USD"),
        ])
        .await;
    assert_eq!(settle.status, 200, "{}", settle.body);
    assert_eq!(h.settled_status(&reserve_id).await, "Failure");
    let refund = h
        .call(&[
            ("Action", "Refund"),
            ("TransactionId", &pay_id),
            ("CallerReference", "out-refund"),
        ])
        .await;
    assert_eq!(refund.status, 200, "{}", refund.body);

    let emails = h.sandbox.state.store.emails(50).await.unwrap();
    let kinds: Vec<&str> = emails.iter().rev().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "payment_succeeded",
            "payment_failed",
            "settlement_failed",
            "refund"
        ]
    );
    assert!(emails.iter().all(|e| e.to_email == "buyer@sandbox.test"));
    let failed = emails.iter().find(|e| e.kind == "settlement_failed").unwrap();
    assert_eq!(failed.transaction_id, reserve_id);
    assert!(failed.subject.contains("$9.60"), "{}", failed.subject);
    assert!(
        failed.body.contains("fund your payment method"),
        "{}",
        failed.body
    );

    let (status, _, page) = h.get(&format!("{}/outbox", h.sandbox.base_url())).await;
    assert_eq!(status, 200);
    assert_eq!(page.matches("<li class=\"email\"").count(), 4, "{page}");
    assert!(page.contains(&format!("data-transaction=\"{reserve_id}\"")));
    assert!(
        page.contains("Refund of $3.00 from Shop AKIASANDBOXCALLER001"),
        "{page}"
    );
    h.sandbox.stop().await;
}
