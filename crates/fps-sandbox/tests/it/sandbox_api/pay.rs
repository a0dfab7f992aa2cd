//! Pay, Reserve, Settle and Cancel: balance and card payments, declines, settling at most the
//! reserve, cancelling only what is pending or reserved, and an identical resend answered with the
//! earlier result.

use crate::sandbox_support::*;
use fps_core::canonical::HttpMethod;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pay_balance_is_final_at_once_card_goes_pending_then_success() {
    let h = Harness::start(30, None).await;
    let abt = h.single_use_token("tok-abt", "5.00", "ABT", false).await;
    let reply = h.pay("Pay", &abt, "order-1", "5.00").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(reply
        .body
        .contains("<PayResponse xmlns=\"http://fps.amazonaws.com/doc/2010-08-28/\"><PayResult>"));
    let id = reply.tag("TransactionId").unwrap();
    assert_eq!(id.len(), 35);
    assert!(id.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
    assert_eq!(reply.tag("TransactionStatus").unwrap(), "Success");
    let request_id = reply.tag("RequestId").unwrap();
    assert!(
        request_id.ends_with(":0") && request_id.len() == 38,
        "{request_id}"
    );

    let card = h.single_use_token("tok-cc", "12.34", "CC", false).await;
    let reply = h.pay("Pay", &card, "order-2", "12.34").await;
    assert_eq!(reply.tag("TransactionStatus").unwrap(), "Pending");
    let id = reply.tag("TransactionId").unwrap();
    assert_eq!(h.settled_status(&id).await, "Success");
    let status = h
        .call(&[("Action", "GetTransactionStatus"), ("TransactionId", &id)])
        .await;
    assert_eq!(status.tag("CallerReference").unwrap(), "order-2");
    assert_eq!(status.tag("StatusCode").unwrap(), "Success");
    let txn = h
        .call(&[("Action", "GetTransaction"), ("TransactionId", &id)])
        .await;
    assert_eq!(txn.tag("FPSOperation").unwrap(), "Pay");
    assert_eq!(txn.tag("PaymentMethod").unwrap(), "CC");
    assert!(txn.body.contains(
        "<TransactionAmount><CurrencyCode>USD</CurrencyCode><Value>12.340000</Value></TransactionAmount>"
    ));
    assert_eq!(txn.tags("StatusHistory").len(), 2, "{}", txn.body);
    assert_eq!(txn.tag("SenderEmail").unwrap(), "buyer@sandbox.test");
    assert_eq!(txn.tag("RecipientEmail").unwrap(), CALLER_EMAIL);
    h.sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decline_amounts_fail() {
    let h = Harness::start(20, None).await;
    let card = h.single_use_token("tok-decline", "0.60", "CC", false).await;
    let reply = h.pay("Pay", &card, "order-d1", "0.60").await;
    assert_eq!(reply.tag("TransactionStatus").unwrap(), "Pending");
    let id = reply.tag("TransactionId").unwrap();
    assert_eq!(h.settled_status(&id).await, "Failure");
    let abt = h.single_use_token("tok-decline2", "100.61", "ABT", false).await;
    let reply = h.pay("Pay", &abt, "order-d2", "100.61").await;
    assert_eq!(reply.tag("TransactionStatus").unwrap(), "Failure");
    let ok = h.single_use_token("tok-ok", "1.06", "ABT", false).await;
    assert_eq!(
        h.pay("Pay", &ok, "order-d3", "1.06")
            .await
            .tag("TransactionStatus")
            .unwrap(),
        "Success"
    );
    h.sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reserve_settles_once_and_at_most_the_reserve() {
    let h = Harness::start(20, None).await;
    let abt = h.single_use_token("tok-r-abt", "10.00", "ABT", false).await;
    assert_eq!(
        h.pay("Reserve", &abt, "res-abt", "10.00").await.error_code(),
        "PaymentInstrumentNotCC"
    );

    let card = h.single_use_token("tok-r", "10.00", "CC", true).await;
    let reply = h.pay("Reserve", &card, "res-1", "10.00").await;
    assert!(reply.body.contains("<ReserveResult>"), "{}", reply.body);
    let id = reply.tag("TransactionId").unwrap();
    // Refund before settlement is refused.
    let early = h
        .call(&[
            ("Action", "Refund"),
            ("TransactionId", &id),
            ("CallerReference", "ref-early"),
        ])
        .await;
    assert_eq!(early.error_code(), "InvalidTransactionState");
    assert_eq!(h.settled_status(&id).await, "Reserved");

    let settle = |amount: &'static str| {
        let id = id.clone();
        let h = &h;
        async move {
            h.call(&[
                ("Action", "Settle"),
                ("ReserveTransactionId", &id),
                ("TransactionAmount.Value", amount),
                ("TransactionAmount.CurrencyCode", "USD"),
            ])
            .await
        }
    };
    assert_eq!(
        settle("10.01").await.error_code(),
        "SettleAmountGreaterThanReserveAmount"
    );
    let reply = settle("7.50").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(reply.body.contains("<SettleResult>"));
    assert_eq!(reply.tag("TransactionId").unwrap(), id);
    assert_eq!(reply.tag("TransactionStatus").unwrap(), "Pending");
    assert_eq!(settle("1.00").await.error_code(), "InvalidTransactionState");
    assert_eq!(h.settled_status(&id).await, "Success");
    assert_eq!(settle("1.00").await.error_code(), "InvalidTransactionState");
    let txn = h
        .call(&[("Action", "GetTransaction"), ("TransactionId", &id)])
        .await;
    assert_eq!(txn.tag("FPSOperation").unwrap(), "Settle");
    assert!(txn.body.contains("<Value>7.500000</Value>"), "{}", txn.body);

    // Refund of a settled reserve: at most the settled amount.
    let over = h
        .call(&[
            ("Action", "Refund"),
            ("TransactionId", &id),
            ("CallerReference", "ref-over"),
            ("RefundAmount.Value", "7.51"),
            ("RefundAmount.CurrencyCode", "USD"),
        ])
        .await;
    assert_eq!(over.error_code(), "RefundAmountExceeded");

    // Settle of something that is not a reserve, and of an unknown id.
    let pay_token = h.single_use_token("tok-r-pay", "1.00", "ABT", false).await;
    let pay_id = h
        .pay("Pay", &pay_token, "pay-for-settle", "1.00")
        .await
        .tag("TransactionId")
        .unwrap();
    let reply = h
        .call(&[("Action", "Settle"), ("ReserveTransactionId", &pay_id)])
        .await;
    assert_eq!(reply.error_code(), "InvalidTransactionState");
    let reply = h
        .call(&[
            ("Action", "Settle"),
            ("ReserveTransactionId", "NOSUCHTRANSACTION"),
        ])
        .await;
    assert_eq!(reply.error_code(), "InvalidTransactionId");

    // A whole-reserve settle without an amount.
    let card2 = h.single_use_token("tok-r2", "3.00", "CC", true).await;
    let id2 = h
        .pay("Reserve", &card2, "res-2", "3.00")
        .await
        .tag("TransactionId")
        .unwrap();
    assert_eq!(h.settled_status(&id2).await, "Reserved");
    let reply = h
        .call(&[("Action", "Settle"), ("ReserveTransactionId", &id2)])
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(h.settled_status(&id2).await, "Success");
    let txn = h
        .call(&[("Action", "GetTransaction"), ("TransactionId", &id2)])
        .await;
    assert!(txn.body.contains("<Value>3.000000</Value>"), "{}", txn.body);
    h.sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_only_pending_or_reserved() {
    // A long delay keeps card payments Pending for the whole test.
    let slow = Harness::start(3_600_000, None).await;
    let card = slow.single_use_token("tok-c1", "2.00", "CC", false).await;
    let id = slow
        .pay("Pay", &card, "cancel-1", "2.00")
        .await
        .tag("TransactionId")
        .unwrap();
    let reply = slow
        .call(&[
            ("Action", "Cancel"),
            ("TransactionId", &id),
            ("Description", "out of stock"),
        ])
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(reply.body.contains("<CancelResult>"));
    assert_eq!(reply.tag("TransactionStatus").unwrap(), "Cancelled");
    assert_eq!(
        slow.call(&[("Action", "Cancel"), ("TransactionId", &id)])
            .await
            .error_code(),
        "InvalidTransactionState"
    );
    let status = slow
        .call(&[("Action", "GetTransactionStatus"), ("TransactionId", &id)])
        .await;
    assert_eq!(status.tag("StatusCode").unwrap(), "Canceled");
    slow.sandbox.stop().await;

    let h = Harness::start(20, None).await;
    let card = h.single_use_token("tok-c2", "2.00", "CC", true).await;
    let id = h
        .pay("Reserve", &card, "cancel-2", "2.00")
        .await
        .tag("TransactionId")
        .unwrap();
    assert_eq!(h.settled_status(&id).await, "Reserved");
    let reply = h.call(&[("Action", "Cancel"), ("TransactionId", &id)]).await;
    assert_eq!(reply.tag("TransactionStatus").unwrap(), "Cancelled");
    let settle = h
        .call(&[("Action", "Settle"), ("ReserveTransactionId", &id)])
        .await;
    assert_eq!(settle.error_code(), "InvalidTransactionState");
    let abt = h.single_use_token("tok-c3", "2.00", "ABT", false).await;
    let done = h
        .pay("Pay", &abt, "cancel-3", "2.00")
        .await
        .tag("TransactionId")
        .unwrap();
    assert_eq!(
        h.call(&[("Action", "Cancel"), ("TransactionId", &done)])
            .await
            .error_code(),
        "InvalidTransactionState"
    );
    assert_eq!(
        h.call(&[("Action", "Cancel"), ("TransactionId", "UNKNOWN")])
            .await
            .error_code(),
        "InvalidTransactionId"
    );
    h.sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identical_resend_returns_earlier_result_and_changed_one_is_a_duplicate() {
    let h = Harness::start(20, None).await;
    let abt = h.single_use_token("tok-i", "5.00", "ABT", false).await;
    let params = [
        ("Action", "Pay"),
        ("CallerReference", "idem-1"),
        ("SenderTokenId", abt.as_str()),
        ("TransactionAmount.Value", "5.00"),
        ("TransactionAmount.CurrencyCode", "USD"),
    ];
    let pairs = h.signed_pairs(KEY, SECRET, HttpMethod::Get, &params);
    let first = h.send_get(&pairs).await;
    assert_eq!(first.status, 200, "{}", first.body);
    let again = h.send_get(&pairs).await;
    assert_eq!(
        again.body, first.body,
        "an identical resend returns the earlier result"
    );
    let changed = h.pay("Pay", &abt, "idem-1", "4.00").await;
    assert_eq!(changed.error_code(), "DuplicateRequest");
    // Re-signed with a new timestamp is a different request too.
    let resigned = h.call(&params).await;
    assert!(
        resigned.status == 400 && resigned.error_code() == "DuplicateRequest",
        "{}",
        resigned.body
    );
    let activity = h
        .call(&[
            ("Action", "GetAccountActivity"),
            ("StartDate", "2000-01-01T00:00:00Z"),
        ])
        .await;
    assert_eq!(
        activity.tag("BatchSize").unwrap(),
        "1",
        "no second transaction: {}",
        activity.body
    );

    // Refund references are idempotent as well, and share the namespace with Pay.
    let id = first.tag("TransactionId").unwrap();
    let refund = [
        ("Action", "Refund"),
        ("TransactionId", id.as_str()),
        ("CallerReference", "idem-r"),
    ];
    let pairs = h.signed_pairs(KEY, SECRET, HttpMethod::Get, &refund);
    let r1 = h.send_get(&pairs).await;
    assert_eq!(h.send_get(&pairs).await.body, r1.body);
    let clash = h
        .call(&[
            ("Action", "Refund"),
            ("TransactionId", id.as_str()),
            ("CallerReference", "idem-1"),
        ])
        .await;
    assert_eq!(clash.error_code(), "DuplicateRequest");
    h.sandbox.stop().await;
}
