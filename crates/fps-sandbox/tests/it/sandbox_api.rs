//! The sandbox's Query API over HTTP on 127.0.0.1: every action, every error code, every money
//! rule, idempotency, restart safety. Requests are signed with the project's signer.

use crate::sandbox_support::*;
use fps_core::canonical::HttpMethod;
use fps_core::CbuiReturn;

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_rules_and_errors() {
    let h = Harness::start(20, None).await;
    let token = h.single_use_token("tok-t", "5.00", "ABT", false).await;
    assert_eq!(
        h.pay("Pay", &token, "t-over", "5.01").await.error_code(),
        "TokenUsageError"
    );
    assert_eq!(h.pay("Pay", &token, "t-1", "4.00").await.status, 200);
    assert_eq!(
        h.pay("Pay", &token, "t-2", "1.00").await.error_code(),
        "TokenUsageError"
    );
    assert_eq!(
        h.pay("Pay", &"A".repeat(64), "t-3", "1.00").await.error_code(),
        "InvalidTokenId_Sender"
    );
    let other = h
        .call_as(
            OTHER_KEY,
            &[
                ("Action", "Pay"),
                ("CallerReference", "t-4"),
                ("SenderTokenId", token.as_str()),
                ("TransactionAmount.Value", "1.00"),
                ("TransactionAmount.CurrencyCode", "USD"),
            ],
        )
        .await;
    assert_eq!(
        other.error_code(),
        "InvalidTokenId_Sender",
        "tokens belong to their caller"
    );
    for (broken, _) in fps_sandbox::ledger::BROKEN_SENDER_TOKENS {
        assert_eq!(
            h.pay("Pay", broken, "t-5", "1.00").await.error_code(),
            "InvalidAccountState_Sender"
        );
    }
    let fresh = h.single_use_token("tok-t2", "20000.00", "ABT", false).await;
    assert_eq!(
        h.pay("Pay", &fresh, "t-6", "10000.01").await.error_code(),
        "AmountOutOfRange"
    );
    for (broken, _) in fps_sandbox::ledger::BROKEN_RECIPIENT_TOKENS {
        let reply = h
            .call(&[
                ("Action", "Pay"),
                ("CallerReference", "t-7"),
                ("SenderTokenId", fresh.as_str()),
                ("RecipientTokenId", broken),
                ("TransactionAmount.Value", "1.00"),
                ("TransactionAmount.CurrencyCode", "USD"),
            ])
            .await;
        assert_eq!(reply.error_code(), "InvalidAccountState_Recipient");
    }
    let reply = h
        .call(&[
            ("Action", "Pay"),
            ("CallerReference", "t-8"),
            ("SenderTokenId", fresh.as_str()),
            ("RecipientTokenId", &"B".repeat(64)),
            ("TransactionAmount.Value", "1.00"),
            ("TransactionAmount.CurrencyCode", "USD"),
        ])
        .await;
    assert_eq!(reply.error_code(), "InvalidTokenId_Recipient");
    let reply = h
        .call(&[
            ("Action", "Pay"),
            ("CallerReference", "t-9"),
            ("SenderTokenId", fresh.as_str()),
            ("TransactionAmount.Value", "1.00"),
            ("TransactionAmount.CurrencyCode", "USD"),
            ("MarketplaceFixedFee.Value", "0.10"),
            ("MarketplaceFixedFee.CurrencyCode", "USD"),
        ])
        .await;
    assert_eq!(reply.error_code(), "NotMarketplaceApp");

    // CancelToken, GetTokenByCaller, and paying with a cancelled token.
    let multi = h.cbui_url(
        KEY,
        &[
            ("pipelineName", "MultiUse"),
            ("returnURL", "https://shop.example/thanks"),
            ("callerReference", "multi-1"),
            ("globalAmountLimit", "10.00"),
            ("paymentReason", "Subscription"),
        ],
    );
    let landing = h.approve(&multi, "buyer@sandbox.test", "ABT").await;
    let multi_token = CbuiReturn::parse(landing.split_once('?').unwrap().1)
        .unwrap()
        .token_id
        .unwrap();
    let multi_token = multi_token.as_str();
    assert_eq!(h.pay("Pay", multi_token, "m-1", "6.00").await.status, 200);
    assert_eq!(
        h.pay("Pay", multi_token, "m-2", "4.01").await.error_code(),
        "TokenUsageError"
    );
    assert_eq!(h.pay("Pay", multi_token, "m-3", "4.00").await.status, 200);
    let by_ref = h
        .call(&[("Action", "GetTokenByCaller"), ("CallerReference", "multi-1")])
        .await;
    assert_eq!(by_ref.tag("TokenId").unwrap(), multi_token);
    assert_eq!(by_ref.tag("TokenType").unwrap(), "MultiUse");
    assert_eq!(by_ref.tag("TokenStatus").unwrap(), "Active");
    assert_eq!(by_ref.tag("PaymentReason").unwrap(), "Subscription");
    let by_id = h
        .call(&[("Action", "GetTokenByCaller"), ("TokenId", multi_token)])
        .await;
    assert_eq!(by_id.tag("CallerReference").unwrap(), "multi-1");
    let both = h
        .call(&[
            ("Action", "GetTokenByCaller"),
            ("TokenId", multi_token),
            ("CallerReference", "multi-1"),
        ])
        .await;
    assert_eq!(both.error_code(), "InvalidParams");
    let cancel = h
        .call(&[
            ("Action", "CancelToken"),
            ("TokenId", multi_token),
            ("ReasonText", "closed"),
        ])
        .await;
    assert_eq!(cancel.status, 200, "{}", cancel.body);
    assert!(cancel.body.contains("<CancelTokenResponse") && !cancel.body.contains("CancelTokenResult"));
    assert_eq!(
        h.call(&[("Action", "CancelToken"), ("TokenId", multi_token)])
            .await
            .error_code(),
        "TokenNotActive_Sender"
    );
    let by_id = h
        .call(&[("Action", "GetTokenByCaller"), ("TokenId", multi_token)])
        .await;
    assert_eq!(by_id.tag("TokenStatus").unwrap(), "Inactive");
    assert_eq!(
        h.pay("Pay", multi_token, "m-4", "0.01").await.error_code(),
        "TokenNotActive_Sender"
    );
    let unknown = h
        .call(&[("Action", "GetTokenByCaller"), ("TokenId", &"C".repeat(64))])
        .await;
    assert_eq!(unknown.error_code(), "InvalidTokenId_Sender");
    h.sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn marketplace_recipient_and_same_sender_and_recipient() {
    let h = Harness::start(20, None).await;
    // The seller installs a recipient token with the marketplace caller.
    let recipient_url = h.cbui_url(
        MARKET_KEY,
        &[
            ("pipelineName", "Recipient"),
            ("returnURL", "https://market.example/registered"),
            ("callerReference", "seller-1"),
            ("recipientPaysFee", "True"),
        ],
    );
    let landing = h.approve(&recipient_url, SELLER_EMAIL, "ABT").await;
    let parsed = CbuiReturn::parse(landing.split_once('?').unwrap().1).unwrap();
    assert_eq!(parsed.status.code(), "SR");
    let recipient_token = parsed.token_id.unwrap().as_str().to_owned();
    assert!(parsed.refund_token_id.is_some());

    let sender_url = h.cbui_url(
        MARKET_KEY,
        &[
            ("pipelineName", "SingleUse"),
            ("returnURL", "https://market.example/thanks"),
            ("callerReference", "m-buy-1"),
            ("transactionAmount", "9.00"),
        ],
    );
    let landing = h.approve(&sender_url, "buyer@sandbox.test", "ABT").await;
    let buyer_token = CbuiReturn::parse(landing.split_once('?').unwrap().1)
        .unwrap()
        .token_id
        .unwrap();
    let pay = |reference: &'static str, token: String| {
        let recipient_token = recipient_token.clone();
        let h = &h;
        async move {
            h.call_as(
                MARKET_KEY,
                &[
                    ("Action", "Pay"),
                    ("CallerReference", reference),
                    ("SenderTokenId", token.as_str()),
                    ("RecipientTokenId", recipient_token.as_str()),
                    ("TransactionAmount.Value", "9.00"),
                    ("TransactionAmount.CurrencyCode", "USD"),
                    ("MarketplaceVariableFee", "5"),
                    ("ChargeFeeTo", "Recipient"),
                ],
            )
            .await
        }
    };
    let paid = pay("m-pay-1", buyer_token.as_str().to_owned()).await;
    assert_eq!(paid.status, 200, "{}", paid.body);
    let id = paid.tag("TransactionId").unwrap();
    let txn = h
        .call_as(
            MARKET_KEY,
            &[("Action", "GetTransaction"), ("TransactionId", &id)],
        )
        .await;
    assert_eq!(txn.tag("RecipientEmail").unwrap(), SELLER_EMAIL);
    assert_eq!(txn.tag("RecipientTokenId").unwrap(), recipient_token);

    // The seller buying from themself.
    let landing = h
        .approve(
            &h.cbui_url(
                MARKET_KEY,
                &[
                    ("pipelineName", "SingleUse"),
                    ("returnURL", "https://market.example/thanks"),
                    ("callerReference", "m-buy-2"),
                    ("transactionAmount", "9.00"),
                ],
            ),
            SELLER_EMAIL,
            "ABT",
        )
        .await;
    let seller_token = CbuiReturn::parse(landing.split_once('?').unwrap().1)
        .unwrap()
        .token_id
        .unwrap();
    assert_eq!(
        pay("m-pay-2", seller_token.as_str().to_owned())
            .await
            .error_code(),
        "SameSenderAndRecipient"
    );

    // A caller that is no marketplace cannot pay the seller.
    let own = h.single_use_token("tok-nm", "1.00", "ABT", false).await;
    let reply = h
        .call(&[
            ("Action", "Pay"),
            ("CallerReference", "nm-1"),
            ("SenderTokenId", own.as_str()),
            ("RecipientTokenId", recipient_token.as_str()),
            ("TransactionAmount.Value", "1.00"),
            ("TransactionAmount.CurrencyCode", "USD"),
        ])
        .await;
    assert_eq!(reply.error_code(), "NotMarketplaceApp");
    // A cancelled recipient token cannot be paid any more.
    let another = h
        .approve(
            &h.cbui_url(
                MARKET_KEY,
                &[
                    ("pipelineName", "SingleUse"),
                    ("returnURL", "https://market.example/thanks"),
                    ("callerReference", "m-buy-3"),
                    ("transactionAmount", "9.00"),
                ],
            ),
            "buyer@sandbox.test",
            "ABT",
        )
        .await;
    let another = CbuiReturn::parse(another.split_once('?').unwrap().1)
        .unwrap()
        .token_id
        .unwrap();
    let cancelled = h
        .call_as(
            MARKET_KEY,
            &[("Action", "CancelToken"), ("TokenId", &recipient_token)],
        )
        .await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    assert_eq!(
        pay("m-pay-3", another.as_str().to_owned()).await.error_code(),
        "TokenNotActive_Recipient"
    );

    h.sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authentication_time_and_parameter_errors() {
    let h = Harness::start(20, None).await;
    let status = [
        ("Action", "GetTransactionStatus"),
        ("TransactionId", "NOSUCHTRANSACTION"),
    ];
    assert_eq!(h.call(&status).await.error_code(), "InvalidTransactionId");

    let wrong_secret = h.signed_pairs(KEY, "not the secret", HttpMethod::Get, &status);
    let reply = h.send_get(&wrong_secret).await;
    assert_eq!(reply.status, 403);
    assert_eq!(reply.error_code(), "SignatureDoesNotMatch");
    let mut tampered = h.signed_pairs(KEY, SECRET, HttpMethod::Get, &status);
    tampered[1].1.push('X');
    assert_eq!(h.send_get(&tampered).await.error_code(), "SignatureDoesNotMatch");
    // Signed for GET, sent as POST.
    assert_eq!(
        h.send_post(&h.signed_pairs(KEY, SECRET, HttpMethod::Get, &status))
            .await
            .error_code(),
        "SignatureDoesNotMatch"
    );
    let post = h
        .send_post(&h.signed_pairs(KEY, SECRET, HttpMethod::Post, &status))
        .await;
    assert_eq!(
        post.error_code(),
        "InvalidTransactionId",
        "a POST signed as POST is accepted"
    );
    let sha1 = h
        .call(&[
            ("Action", "GetTransactionStatus"),
            ("TransactionId", "X"),
            ("SignatureMethod", "HmacSHA1"),
        ])
        .await;
    assert_eq!(sha1.error_code(), "InvalidTransactionId");

    assert_eq!(
        h.call_as("AKIAUNKNOWNKEY000000", &status).await.error_code(),
        "InvalidClientTokenId"
    );
    let stale = now_iso(-20 * 60);
    assert_eq!(
        h.call(&[status[0], status[1], ("Timestamp", &stale)])
            .await
            .error_code(),
        "RequestExpired"
    );
    let future = now_iso(20 * 60);
    assert_eq!(
        h.call(&[status[0], status[1], ("Timestamp", &future)])
            .await
            .error_code(),
        "RequestExpired"
    );
    let recent = now_iso(-5 * 60);
    assert_eq!(
        h.call(&[status[0], status[1], ("Timestamp", &recent)])
            .await
            .error_code(),
        "InvalidTransactionId"
    );
    let expired = now_iso(-1);
    assert_eq!(
        h.call(&[status[0], status[1], ("Expires", &expired)])
            .await
            .error_code(),
        "RequestExpired"
    );
    let later = now_iso(60);
    assert_eq!(
        h.call(&[status[0], status[1], ("Expires", &later)])
            .await
            .error_code(),
        "InvalidTransactionId"
    );
    let both = h
        .call(&[status[0], status[1], ("Expires", &later), ("Timestamp", &recent)])
        .await;
    assert_eq!(both.error_code(), "InvalidParams");
    let bad = h.call(&[status[0], status[1], ("Timestamp", "yesterday")]).await;
    assert_eq!(bad.error_code(), "InvalidParameterValue");
    assert_eq!(
        h.call(&[status[0], status[1], ("SignatureVersion", "1")])
            .await
            .error_code(),
        "InvalidParams"
    );
    assert_eq!(
        h.call(&[status[0], status[1], ("Version", "2099-01-01")])
            .await
            .error_code(),
        "InvalidParams"
    );

    assert_eq!(
        h.call(&[("Action", "Transmogrify")]).await.error_code(),
        "InvalidAction"
    );
    assert_eq!(
        h.call(&[("Action", "GetTransactionStatus")]).await.error_code(),
        "InvalidParams"
    );
    // A parameter the action does not have is answered as FPS did; names are case-sensitive.
    let extra = h.call(&[status[0], status[1], ("Colour", "blue")]).await;
    assert_eq!(
        (extra.status, extra.error_code().as_str()),
        (400, "InvalidRequest")
    );
    assert_eq!(
        extra.tag("Message").unwrap(),
        "The request doesn't conform to the interface specification in the WSDL. \
         Element/Parameter \":Colour\" in request is either invalid or is found at unexpected location"
    );
    let lower = h
        .call(&[("Action", "GetTokenByCaller"), ("callerReference", "order-1")])
        .await;
    assert_eq!(lower.error_code(), "InvalidRequest");
    assert!(lower.tag("Message").unwrap().contains("\":callerReference\""));
    let amounts = ["5.", "-1.00", "1.234", "abc", "0"];
    let token = "A".repeat(64);
    for amount in amounts {
        let reply = h.pay("Pay", &token, "bad-amount", amount).await;
        assert_eq!(reply.error_code(), "InvalidParams", "{amount}");
    }
    let eur = h
        .call(&[
            ("Action", "Pay"),
            ("CallerReference", "eur"),
            ("SenderTokenId", &token),
            ("TransactionAmount.Value", "1.00"),
            ("TransactionAmount.CurrencyCode", "EUR"),
        ])
        .await;
    assert_eq!(eur.error_code(), "InvalidParams");
    let long_reference = "r".repeat(129);
    assert_eq!(
        h.pay("Pay", &token, &long_reference, "1.00").await.error_code(),
        "InvalidParams"
    );
    // Duplicate names are refused before anything else.
    let mut dup = h.signed_pairs(KEY, SECRET, HttpMethod::Get, &status);
    dup.push(("TransactionId".into(), "Y".into()));
    assert_eq!(h.send_get(&dup).await.error_code(), "InvalidParams");

    // Another caller's transaction is unknown.
    let abt = h.single_use_token("tok-auth", "1.00", "ABT", false).await;
    let id = h
        .pay("Pay", &abt, "auth-1", "1.00")
        .await
        .tag("TransactionId")
        .unwrap();
    let foreign = h
        .call_as(OTHER_KEY, &[("Action", "GetTransaction"), ("TransactionId", &id)])
        .await;
    assert_eq!(foreign.error_code(), "InvalidTransactionId");
    h.sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_activity_filters_and_pages() {
    let h = Harness::start(20, None).await;
    let start = now_iso(-60);
    let mut ids = Vec::new();
    for n in 0..3 {
        let token = h
            .single_use_token(&format!("tok-a{n}"), "3.00", "ABT", false)
            .await;
        ids.push(
            h.pay("Pay", &token, &format!("act-{n}"), "3.00")
                .await
                .tag("TransactionId")
                .unwrap(),
        );
    }
    let refund = h
        .call(&[
            ("Action", "Refund"),
            ("TransactionId", &ids[0]),
            ("CallerReference", "act-r"),
        ])
        .await;
    assert_eq!(refund.status, 200, "{}", refund.body);
    let all = h
        .call(&[("Action", "GetAccountActivity"), ("StartDate", &start)])
        .await;
    assert_eq!(all.status, 200, "{}", all.body);
    assert_eq!(all.tag("BatchSize").unwrap(), "4");
    assert!(all.tag("StartTimeForNextTransaction").is_none());
    assert_eq!(all.tags("Role").len(), 12, "three TransactionParts each");
    let refunds = h
        .call(&[
            ("Action", "GetAccountActivity"),
            ("StartDate", &start),
            ("FPSOperation", "Refund"),
        ])
        .await;
    assert_eq!(refunds.tag("BatchSize").unwrap(), "1");
    assert_eq!(refunds.tag("FPSOperation").unwrap(), "Refund");
    let page = h
        .call(&[
            ("Action", "GetAccountActivity"),
            ("StartDate", &start),
            ("MaxBatchSize", "2"),
            ("SortOrderByDate", "Ascending"),
        ])
        .await;
    assert_eq!(page.tag("BatchSize").unwrap(), "2");
    assert!(page.tag("StartTimeForNextTransaction").is_some());
    assert_eq!(page.tags("TransactionId")[0], ids[0]);
    let future = h
        .call(&[("Action", "GetAccountActivity"), ("StartDate", &now_iso(3600))])
        .await;
    assert_eq!(future.tag("BatchSize").unwrap(), "0");
    let other = h
        .call_as(
            OTHER_KEY,
            &[("Action", "GetAccountActivity"), ("StartDate", &start)],
        )
        .await;
    assert_eq!(other.tag("BatchSize").unwrap(), "0");
    assert_eq!(
        h.call(&[("Action", "GetAccountActivity")]).await.error_code(),
        "InvalidParams"
    );
    let bad = h
        .call(&[
            ("Action", "GetAccountActivity"),
            ("StartDate", &start),
            ("Status", "Lost"),
        ])
        .await;
    assert_eq!(bad.error_code(), "InvalidParams");
    h.sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_and_signing_key_survive_a_restart() {
    let h = Harness::start(3_600_000, None).await;
    let card = h.single_use_token("tok-restart", "4.00", "CC", false).await;
    let id = h
        .pay("Pay", &card, "restart-1", "4.00")
        .await
        .tag("TransactionId")
        .unwrap();
    let (_, _, certificate) = h
        .get(&format!("{}/certs/090909/PKICert.pem", h.sandbox.base_url()))
        .await;
    assert!(
        certificate.starts_with("-----BEGIN CERTIFICATE-----"),
        "{certificate}"
    );
    let Harness { sandbox, dir, .. } = h;
    sandbox.stop().await;

    // Same file: the payment is still pending after the restart...
    let restarted = fps_sandbox::start(config(&dir, 3_600_000, None)).await.unwrap();
    let h = Harness::with(restarted, dir);
    let status = h
        .call(&[("Action", "GetTransactionStatus"), ("TransactionId", &id)])
        .await;
    assert_eq!(status.tag("TransactionStatus").unwrap(), "Pending");
    let Harness { sandbox, dir, .. } = h;
    sandbox.stop().await;
    // ...and once its hour has passed (moved into the past in the file), a restarted sandbox completes it.
    {
        let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", dir.0.join("sandbox.sqlite").display()))
            .await
            .unwrap();
        sqlx::query("UPDATE transactions SET due_at = 0")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    }
    let restarted = fps_sandbox::start(config(&dir, 3_600_000, None)).await.unwrap();
    let h = Harness::with(restarted, dir);
    assert_eq!(h.settled_status(&id).await, "Success");
    let (_, _, again) = h
        .get(&format!("{}/certs/090909/PKICert.pem", h.sandbox.base_url()))
        .await;
    assert_eq!(again, certificate, "the signing key and certificate are kept");
    let token = h
        .call(&[("Action", "GetTokenByCaller"), ("TokenId", &card)])
        .await;
    assert_eq!(
        token.tag("TokenStatus").unwrap(),
        "Inactive",
        "a used single-use token stays used"
    );
    h.sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_memory_state_serves_a_whole_payment() {
    let dir = TempDir::new();
    let mut config = config(&dir, 10, None);
    config.database = None;
    let h = Harness::with(fps_sandbox::start(config).await.unwrap(), dir);
    let card = h.single_use_token("tok-mem", "2.00", "CC", false).await;
    let id = h
        .pay("Pay", &card, "mem-1", "2.00")
        .await
        .tag("TransactionId")
        .unwrap();
    assert_eq!(h.settled_status(&id).await, "Success");
    assert!(
        !h.dir.0.join("sandbox.sqlite").exists(),
        "nothing was written to disk"
    );
    h.sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsettled_reserves_expire() {
    let dir = TempDir::new();
    let mut config = config(&dir, 10, None);
    config.reserve_validity = std::time::Duration::from_millis(50);
    let h = Harness::with(fps_sandbox::start(config).await.unwrap(), dir);
    let card = h.single_use_token("tok-exp", "2.00", "CC", true).await;
    let id = h
        .pay("Reserve", &card, "exp-1", "2.00")
        .await
        .tag("TransactionId")
        .unwrap();
    let mut status = String::new();
    for _ in 0..2000 {
        let reply = h
            .call(&[("Action", "GetTransactionStatus"), ("TransactionId", &id)])
            .await;
        status = reply.tag("TransactionStatus").unwrap();
        if status == "Cancelled" {
            assert_eq!(reply.tag("StatusCode").unwrap(), "Expired");
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(status, "Cancelled", "the reserve never expired");
    let settle = h
        .call(&[("Action", "Settle"), ("ReserveTransactionId", &id)])
        .await;
    assert_eq!(settle.error_code(), "InvalidTransactionState");
    let history = h
        .call(&[("Action", "GetTransaction"), ("TransactionId", &id)])
        .await;
    assert_eq!(
        history.tags("StatusCode"),
        vec!["Expired", "PendingNetworkResponse", "Success", "Expired"]
    );
    h.sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tricky_values_round_trip_through_signing_by_get_and_post() {
    let h = Harness::start(10, None).await;
    let values = [
        "a b+c*d~e/f=g&h?i#j",
        "é ü ß 😀 中文",
        "%41%2B literally",
        "'quotes' \"double\" <tag> & amp;",
        "  padded  ",
    ];
    for (n, value) in values.iter().enumerate() {
        let token = h
            .single_use_token(&format!("tok-tricky-{n}"), "1.00", "ABT", false)
            .await;
        let reference = format!("tricky {n} + {value}");
        let params = [
            ("Action", "Pay"),
            ("CallerReference", reference.as_str()),
            ("SenderTokenId", token.as_str()),
            ("TransactionAmount.Value", "1.00"),
            ("TransactionAmount.CurrencyCode", "USD"),
            ("CallerDescription", value),
        ];
        let method = if n % 2 == 0 {
            HttpMethod::Get
        } else {
            HttpMethod::Post
        };
        let pairs = h.signed_pairs(KEY, SECRET, method, &params);
        let reply = if method == HttpMethod::Get {
            h.send_get(&pairs).await
        } else {
            h.send_post(&pairs).await
        };
        assert_eq!(reply.status, 200, "{value}: {}", reply.body);
        let id = reply.tag("TransactionId").unwrap();
        let txn = h
            .call(&[("Action", "GetTransaction"), ("TransactionId", &id)])
            .await;
        let escaped = value
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        assert_eq!(txn.tag("CallerDescription").unwrap(), escaped);
        let escaped_reference = reference
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        assert_eq!(txn.tag("CallerReference").unwrap(), escaped_reference);
    }
    h.sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_activity_pages_exactly_by_start_time_for_next_transaction() {
    let h = Harness::start(20, None).await;
    let start = now_iso(-60);
    let mut ids = Vec::new();
    for n in 0..5 {
        let token = h
            .single_use_token(&format!("tok-page{n}"), "2.00", "ABT", false)
            .await;
        ids.push(
            h.pay("Pay", &token, &format!("page-{n}"), "2.00")
                .await
                .tag("TransactionId")
                .unwrap(),
        );
    }
    // Oldest first: the next batch starts at StartTimeForNextTransaction.
    let mut seen = Vec::new();
    let mut from = start.clone();
    for round in 0.. {
        assert!(round < 5, "paging does not end");
        let page = h
            .call(&[
                ("Action", "GetAccountActivity"),
                ("StartDate", &from),
                ("MaxBatchSize", "2"),
                ("SortOrderByDate", "Ascending"),
            ])
            .await;
        assert_eq!(page.status, 200, "{}", page.body);
        let batch = page.tags("TransactionId");
        assert_eq!(page.tag("BatchSize").unwrap(), batch.len().to_string());
        seen.extend(batch);
        match page.tag("StartTimeForNextTransaction") {
            Some(next) => from = next,
            None => break,
        }
    }
    assert_eq!(seen, ids, "every transaction once, in order");
    // Newest first: the next batch ends at it.
    let mut seen = Vec::new();
    let mut end: Option<String> = None;
    for round in 0.. {
        assert!(round < 5, "paging does not end");
        let mut params = vec![
            ("Action", "GetAccountActivity"),
            ("StartDate", start.as_str()),
            ("MaxBatchSize", "2"),
        ];
        if let Some(end) = &end {
            params.push(("EndDate", end.as_str()));
        }
        let page = h.call(&params).await;
        seen.extend(page.tags("TransactionId"));
        match page.tag("StartTimeForNextTransaction") {
            Some(next) => end = Some(next),
            None => break,
        }
    }
    ids.reverse();
    assert_eq!(seen, ids);
    // Each transaction has a DateReceived of its own.
    let all = h
        .call(&[("Action", "GetAccountActivity"), ("StartDate", &start)])
        .await;
    let mut dates = all.tags("DateReceived");
    dates.dedup();
    assert_eq!(dates.len(), 5, "{}", all.body);
    // Role: the caller's part. It received the five payments and sends the refund of one.
    let refund = h
        .call(&[
            ("Action", "Refund"),
            ("TransactionId", &ids[0]),
            ("CallerReference", "page-refund"),
        ])
        .await;
    assert_eq!(refund.status, 200, "{}", refund.body);
    let count = |role: &'static str| {
        let start = start.clone();
        let h = &h;
        async move {
            h.call(&[
                ("Action", "GetAccountActivity"),
                ("StartDate", &start),
                ("Role", role),
            ])
            .await
            .tag("BatchSize")
            .unwrap()
        }
    };
    assert_eq!(count("Caller").await, "6");
    assert_eq!(count("Recipient").await, "5");
    assert_eq!(count("Sender").await, "1");
    h.sandbox.stop().await;
}
