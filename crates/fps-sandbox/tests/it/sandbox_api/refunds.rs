//! Refunds: only completed money, cumulatively at most the payment.

use crate::sandbox_support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refunds_only_completed_money_cumulatively_at_most_the_payment() {
    let h = Harness::start(20, None).await;
    let abt = h.single_use_token("tok-ref", "10.00", "ABT", false).await;
    let id = h
        .pay("Pay", &abt, "order-ref", "10.00")
        .await
        .tag("TransactionId")
        .unwrap();
    let refund = |reference: &'static str, amount: Option<&'static str>| {
        let id = id.clone();
        let h = &h;
        async move {
            let mut params = vec![
                ("Action", "Refund"),
                ("TransactionId", id.as_str()),
                ("CallerReference", reference),
            ];
            if let Some(amount) = amount {
                params.push(("RefundAmount.Value", amount));
                params.push(("RefundAmount.CurrencyCode", "USD"));
            }
            h.call(&params).await
        }
    };
    let first = refund("refund-1", Some("4.00")).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert!(first.body.contains("<RefundResult>"));
    assert_eq!(first.tag("TransactionStatus").unwrap(), "Success");
    let refund_id = first.tag("TransactionId").unwrap();
    assert_ne!(refund_id, id);
    assert_eq!(
        refund("refund-2", Some("6.01")).await.error_code(),
        "RefundAmountExceeded"
    );
    let rest = refund("refund-3", None).await;
    assert_eq!(rest.status, 200, "{}", rest.body);
    assert_eq!(
        refund("refund-4", Some("0.01")).await.error_code(),
        "TransactionFullyRefundedAlready"
    );
    let txn = h
        .call(&[
            ("Action", "GetTransaction"),
            ("TransactionId", &rest.tag("TransactionId").unwrap()),
        ])
        .await;
    assert!(txn.body.contains("<Value>6.000000</Value>"), "{}", txn.body);
    assert!(txn.body.contains("<RelationType>Parent</RelationType>"));
    assert_eq!(txn.tag("FPSOperation").unwrap(), "Refund");
    let original = h
        .call(&[("Action", "GetTransaction"), ("TransactionId", &id)])
        .await;
    assert_eq!(original.tags("RelationType"), vec!["Refund", "Refund"]);
    let again = h
        .call(&[
            ("Action", "Refund"),
            ("TransactionId", &refund_id),
            ("CallerReference", "refund-5"),
        ])
        .await;
    assert_eq!(again.error_code(), "TransactionTypeNotRefundable");

    // A card refund is Pending, then Success; a failed payment cannot be refunded.
    let card = h.single_use_token("tok-ref-cc", "2.00", "CC", false).await;
    let card_id = h
        .pay("Pay", &card, "order-ref-cc", "2.00")
        .await
        .tag("TransactionId")
        .unwrap();
    assert_eq!(h.settled_status(&card_id).await, "Success");
    let reply = h
        .call(&[
            ("Action", "Refund"),
            ("TransactionId", &card_id),
            ("CallerReference", "refund-cc"),
        ])
        .await;
    assert_eq!(reply.tag("TransactionStatus").unwrap(), "Pending");
    assert_eq!(
        h.settled_status(&reply.tag("TransactionId").unwrap()).await,
        "Success"
    );
    let declined = h.single_use_token("tok-ref-dec", "0.65", "ABT", false).await;
    let dec_id = h
        .pay("Pay", &declined, "order-ref-dec", "0.65")
        .await
        .tag("TransactionId")
        .unwrap();
    let reply = h
        .call(&[
            ("Action", "Refund"),
            ("TransactionId", &dec_id),
            ("CallerReference", "refund-dec"),
        ])
        .await;
    assert_eq!(reply.error_code(), "InvalidTransactionState");
    h.sandbox.stop().await;
}
