//! Token rules and errors, and the marketplace: recipient tokens and a sender who is also the
//! recipient.

use crate::sandbox_support::*;
use fps_core::CbuiReturn;

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
