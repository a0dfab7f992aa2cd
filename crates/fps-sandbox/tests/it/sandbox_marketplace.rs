//! The sandbox as a marketplace over HTTP: a seller registers with the Recipient pipeline (SR,
//! tokenID + refundTokenID, fee caps kept), buyers pay the seller with `RecipientTokenId`, the
//! marketplace fees and FPS's fee schedule split the money, `ChargeFeeTo` says who pays FPS, the
//! balances per account move only on success, and refunds follow `MarketplaceRefundPolicy`.

use crate::sandbox_support::*;
use fps_core::CbuiReturn;
use fps_sandbox::ledger::postings::FPS_ACCOUNT;

const BUYER: &str = "buyer@sandbox.test";
const MARKET_EMAIL: &str = "market@merchant.sandbox.test";

/// Registers the seller with the marketplace caller; returns (tokenID, refundTokenID).
async fn register(h: &Harness, reference: &str, extra: &[(&str, &str)]) -> (String, String) {
    let mut params = vec![
        ("pipelineName", "Recipient"),
        ("returnURL", "https://market.example/registered"),
        ("callerReference", reference),
    ];
    params.extend_from_slice(extra);
    let url = h.cbui_url(MARKET_KEY, &params);
    let landing = h.approve(&url, SELLER_EMAIL, "ABT").await;
    let parsed = CbuiReturn::parse(landing.split_once('?').unwrap().1).unwrap();
    assert_eq!(parsed.status.code(), "SR", "{landing}");
    (
        parsed.token_id.unwrap().as_str().to_owned(),
        parsed.refund_token_id.unwrap().as_str().to_owned(),
    )
}

/// A buyer's SingleUse token on the marketplace caller.
async fn buyer_token(h: &Harness, reference: &str, amount: &str, method: &str, reserve: bool) -> String {
    h.single_use_token_as(MARKET_KEY, reference, amount, method, reserve)
        .await
}

async fn market_pay(h: &Harness, action: &str, params: &[(&str, &str)]) -> Reply {
    let mut all = vec![("Action", action), ("TransactionAmount.CurrencyCode", "USD")];
    all.extend_from_slice(params);
    h.call_as(MARKET_KEY, &all).await
}

async fn balances(h: &Harness) -> [i64; 4] {
    let store = &h.sandbox.state.store;
    [
        store.balance(BUYER).await.unwrap(),
        store.balance(SELLER_EMAIL).await.unwrap(),
        store.balance(MARKET_EMAIL).await.unwrap(),
        store.balance(FPS_ACCOUNT).await.unwrap(),
    ]
}

async fn get_transaction(h: &Harness, id: &str) -> Reply {
    let reply = h
        .call_as(MARKET_KEY, &[("Action", "GetTransaction"), ("TransactionId", id)])
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply
}

async fn status_of(h: &Harness, id: &str) -> String {
    for _ in 0..2000 {
        let reply = h
            .call_as(
                MARKET_KEY,
                &[("Action", "GetTransactionStatus"), ("TransactionId", id)],
            )
            .await;
        let status = reply
            .tag("TransactionStatus")
            .unwrap_or_else(|| panic!("{}", reply.body));
        if status != "Pending" {
            return status;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("transaction {id} stayed Pending");
}

fn amount_value(reply: &Reply, element: &str) -> String {
    let inner = reply
        .tag(element)
        .unwrap_or_else(|| panic!("no {element}: {}", reply.body));
    tag(&inner, "Value").unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pay_splits_between_seller_marketplace_and_fps() {
    let h = Harness::start(20, None).await;
    let (recipient, refund_token) = register(
        &h,
        "seller-fees",
        &[
            ("recipientPaysFee", "True"),
            ("maxFixedFee", "0.50"),
            ("maxVariableFee", "10"),
        ],
    )
    .await;
    assert_ne!(recipient, refund_token);
    assert_eq!(recipient.len(), 64);
    let token = h
        .call_as(
            MARKET_KEY,
            &[("Action", "GetTokenByCaller"), ("CallerReference", "seller-fees")],
        )
        .await;
    assert_eq!(token.tag("TokenId").unwrap(), recipient);

    // $9.00 by balance: marketplace 0.25 + 5 % = 0.70; FPS 1.5 % + 0.01 = 0.15 (13.5 -> 14 + 1).
    let buyer = buyer_token(&h, "buy-1", "9.00", "ABT", false).await;
    let paid = market_pay(
        &h,
        "Pay",
        &[
            ("CallerReference", "pay-1"),
            ("SenderTokenId", &buyer),
            ("RecipientTokenId", &recipient),
            ("TransactionAmount.Value", "9.00"),
            ("MarketplaceFixedFee.Value", "0.25"),
            ("MarketplaceFixedFee.CurrencyCode", "USD"),
            ("MarketplaceVariableFee", "5"),
        ],
    )
    .await;
    assert_eq!(paid.status, 200, "{}", paid.body);
    assert_eq!(paid.tag("TransactionStatus").unwrap(), "Success");
    let id = paid.tag("TransactionId").unwrap();
    let txn = get_transaction(&h, &id).await;
    assert_eq!(amount_value(&txn, "TransactionAmount"), "9.000000");
    assert_eq!(amount_value(&txn, "FPSFees"), "0.150000");
    assert_eq!(amount_value(&txn, "MarketplaceFees"), "0.700000");
    assert_eq!(txn.tag("FPSFeesPaidBy").unwrap(), "Recipient");
    assert_eq!(txn.tag("RecipientEmail").unwrap(), SELLER_EMAIL);
    assert_eq!(balances(&h).await, [-900, 815, 70, 15]);
    let entries = h.sandbox.state.store.entries(&id).await.unwrap();
    assert_eq!(
        entries.iter().map(|e| e.amount_minor).sum::<i64>(),
        0,
        "money is kept"
    );

    // Account activity shows who paid which fees.
    let activity = h
        .call_as(
            MARKET_KEY,
            &[("Action", "GetAccountActivity"), ("StartDate", &now_iso(-60))],
        )
        .await;
    assert_eq!(activity.status, 200, "{}", activity.body);
    let fees: Vec<String> = activity
        .tags("FeesPaid")
        .iter()
        .map(|f| tag(f, "Value").unwrap())
        .collect();
    assert_eq!(
        fees,
        ["0.000000", "0.850000", "0.000000"],
        "sender, recipient, caller"
    );

    // A refund of half, both the seller and the marketplace giving back their share.
    let refund = h
        .call_as(
            MARKET_KEY,
            &[
                ("Action", "Refund"),
                ("TransactionId", &id),
                ("CallerReference", "refund-1"),
                ("RefundAmount.Value", "4.50"),
                ("RefundAmount.CurrencyCode", "USD"),
                ("MarketplaceRefundPolicy", "MasterAndMarketplaceTxn"),
            ],
        )
        .await;
    assert_eq!(refund.status, 200, "{}", refund.body);
    assert_eq!(refund.tag("TransactionStatus").unwrap(), "Success");
    let refund_id = refund.tag("TransactionId").unwrap();
    assert_eq!(
        amount_value(&get_transaction(&h, &refund_id).await, "MarketplaceFees"),
        "0.350000"
    );
    // Buyer -9.00 + 4.50; seller 8.15 - 4.15; marketplace 0.70 - 0.35; FPS keeps its fee.
    assert_eq!(balances(&h).await, [-450, 400, 35, 15]);
    // The default policy: the seller alone gives the rest back.
    let rest = h
        .call_as(
            MARKET_KEY,
            &[
                ("Action", "Refund"),
                ("TransactionId", &id),
                ("CallerReference", "refund-2"),
            ],
        )
        .await;
    assert_eq!(rest.status, 200, "{}", rest.body);
    assert_eq!(balances(&h).await, [0, -50, 35, 15]);
    h.sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reserve_fees_follow_the_settled_amount_and_charge_fee_to_caller() {
    let h = Harness::start(20, None).await;
    let (recipient, _) = register(&h, "seller-r", &[("recipientPaysFee", "False")]).await;
    let card = buyer_token(&h, "buy-r", "25.00", "CC", true).await;
    let pay = |reference: &'static str, charge_fee_to: Option<&'static str>| {
        let card = card.clone();
        let recipient = recipient.clone();
        let h = &h;
        async move {
            let mut params = vec![
                ("CallerReference", reference),
                ("SenderTokenId", card.as_str()),
                ("RecipientTokenId", recipient.as_str()),
                ("TransactionAmount.Value", "25.00"),
                ("MarketplaceFixedFee.Value", "0.25"),
                ("MarketplaceFixedFee.CurrencyCode", "USD"),
                ("MarketplaceVariableFee", "5.00"),
            ];
            if let Some(to) = charge_fee_to {
                params.push(("ChargeFeeTo", to));
            }
            market_pay(h, "Reserve", &params).await
        }
    };
    // The seller did not agree to pay FPS's fee: the default ChargeFeeTo=Recipient is denied.
    assert_eq!(pay("res-0", None).await.error_code(), "TransactionDenied");
    let reserved = pay("res-1", Some("Caller")).await;
    assert_eq!(reserved.status, 200, "{}", reserved.body);
    let id = reserved.tag("TransactionId").unwrap();
    assert_eq!(status_of(&h, &id).await, "Reserved");
    assert_eq!(balances(&h).await, [0, 0, 0, 0], "a reserve moves no money");

    let settled = h
        .call_as(
            MARKET_KEY,
            &[
                ("Action", "Settle"),
                ("ReserveTransactionId", &id),
                ("TransactionAmount.Value", "20.00"),
                ("TransactionAmount.CurrencyCode", "USD"),
            ],
        )
        .await;
    assert_eq!(settled.status, 200, "{}", settled.body);
    assert_eq!(status_of(&h, &id).await, "Success");
    // $20.00 by card: FPS 2.9 % + 0.30 = 0.88; marketplace 0.25 + 1.00 = 1.25, less FPS's fee.
    let txn = get_transaction(&h, &id).await;
    assert_eq!(amount_value(&txn, "TransactionAmount"), "20.000000");
    assert_eq!(amount_value(&txn, "FPSFees"), "0.880000");
    assert_eq!(amount_value(&txn, "MarketplaceFees"), "1.250000");
    assert_eq!(txn.tag("FPSFeesPaidBy").unwrap(), "Caller");
    assert_eq!(balances(&h).await, [-2000, 1875, 37, 88]);
    h.sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fee_rules_and_failures_move_no_money() {
    let h = Harness::start(20, None).await;
    let (recipient, _) = register(
        &h,
        "seller-caps",
        &[
            ("recipientPaysFee", "True"),
            ("maxFixedFee", "0.50"),
            ("maxVariableFee", "10"),
        ],
    )
    .await;
    let buyer = buyer_token(&h, "buy-c", "9.00", "ABT", false).await;
    let attempt = |reference: &'static str, extra: Vec<(&'static str, &'static str)>| {
        let buyer = buyer.clone();
        let recipient = recipient.clone();
        let h = &h;
        async move {
            let mut params = vec![
                ("CallerReference", reference),
                ("SenderTokenId", buyer.as_str()),
                ("RecipientTokenId", recipient.as_str()),
                ("TransactionAmount.Value", "9.00"),
            ];
            params.extend(extra);
            market_pay(h, "Pay", &params).await
        }
    };
    let above_variable = attempt("cap-1", vec![("MarketplaceVariableFee", "10.01")]).await;
    assert_eq!(above_variable.error_code(), "TransactionDenied");
    assert!(
        above_variable.body.contains("maxVariableFee 10.00%"),
        "{}",
        above_variable.body
    );
    let above_fixed = attempt(
        "cap-2",
        vec![
            ("MarketplaceFixedFee.Value", "0.51"),
            ("MarketplaceFixedFee.CurrencyCode", "USD"),
        ],
    )
    .await;
    assert_eq!(above_fixed.error_code(), "TransactionDenied");
    // Fees but no recipient: the marketplace would pay itself.
    let no_recipient = market_pay(
        &h,
        "Pay",
        &[
            ("CallerReference", "cap-3"),
            ("SenderTokenId", &buyer),
            ("TransactionAmount.Value", "9.00"),
            ("MarketplaceVariableFee", "5"),
        ],
    )
    .await;
    assert_eq!(no_recipient.error_code(), "InvalidParams");
    assert_eq!(balances(&h).await, [0, 0, 0, 0]);

    // A decline amount fails: no fees, no money.
    let declined_token = buyer_token(&h, "buy-d", "9.60", "ABT", false).await;
    let declined = market_pay(
        &h,
        "Pay",
        &[
            ("CallerReference", "dec-1"),
            ("SenderTokenId", &declined_token),
            ("RecipientTokenId", &recipient),
            ("TransactionAmount.Value", "9.60"),
            ("MarketplaceVariableFee", "5"),
        ],
    )
    .await;
    assert_eq!(
        declined.tag("TransactionStatus").unwrap(),
        "Failure",
        "{}",
        declined.body
    );
    let txn = get_transaction(&h, &declined.tag("TransactionId").unwrap()).await;
    assert_eq!(amount_value(&txn, "FPSFees"), "0.000000");
    assert_eq!(amount_value(&txn, "MarketplaceFees"), "0.000000");
    assert_eq!(balances(&h).await, [0, 0, 0, 0]);

    // Within the caps it goes through, and a non-marketplace shop pays FPS itself.
    let ok = attempt("cap-4", vec![("MarketplaceVariableFee", "10")]).await;
    assert_eq!(ok.tag("TransactionStatus").unwrap(), "Success", "{}", ok.body);
    let own = h.single_use_token("own-1", "10.00", "ABT", false).await;
    let paid = h.pay("Pay", &own, "own-pay-1", "10.00").await;
    let txn = h
        .call(&[
            ("Action", "GetTransaction"),
            ("TransactionId", &paid.tag("TransactionId").unwrap()),
        ])
        .await;
    assert_eq!(amount_value(&txn, "FPSFees"), "0.160000"); // 15 + 1
    assert_eq!(amount_value(&txn, "MarketplaceFees"), "0.000000");
    assert_eq!(h.sandbox.state.store.balance(CALLER_EMAIL).await.unwrap(), 984);
    h.sandbox.stop().await;
}
