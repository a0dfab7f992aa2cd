//! The emulator's token, recipient and subscription actions (issue 20), each driven through the
//! project's typed client (`fps_wire::FpsClient`) against the running emulator: GetTokens and its
//! filters, GetTokenUsage, GetPaymentInstruction, GetRecipientVerificationStatus, and the Simple
//! Pay subscription actions, which answer as FPS answers an unknown subscription.

use crate::sandbox_accounts::client_as;
use crate::sandbox_support::*;
use fps_core::params::CallerReference;
use fps_core::{Amount, CbuiReturn};
use fps_wire::token_queries::{TokenStatus, TokenType};
use fps_wire::{
    ErrorCode, FpsError, PaymentInstruction, RecipientVerification, SubscriptionRefund, Timestamp,
    TokenFilter, TokenUsageLimit,
};

const INSTRUCTION: &str = "MyRole == 'Caller' orSay 'Role does not match';";

fn code_of<T: std::fmt::Debug>(result: Result<T, FpsError>) -> ErrorCode {
    match result {
        Err(FpsError::Service { code, .. }) => code,
        other => panic!("expected an FPS error, got {other:?}"),
    }
}

fn reference(text: &str) -> CallerReference {
    CallerReference::new(text).unwrap()
}

/// Installs an Unrestricted token of InstallPaymentInstruction named `name`; returns its id.
async fn install(client: &fps_wire::FpsClient, caller_reference: &str, name: &str) -> String {
    client
        .install_payment_instruction(PaymentInstruction {
            instruction: INSTRUCTION.into(),
            caller_reference: reference(caller_reference),
            token_type: "Unrestricted",
            friendly_name: Some(name.into()),
        })
        .await
        .unwrap()
}

/// A token from a CBUI pipeline of caller `key` approved by `email`; returns its id.
async fn pipeline_token(h: &Harness, key: &str, email: &str, params: &[(&str, &str)]) -> String {
    let mut all = vec![("returnURL", "https://shop.example/thanks")];
    all.extend_from_slice(params);
    let landing = h.approve(&h.cbui_url(key, &all), email, "ABT").await;
    let parsed = CbuiReturn::parse(landing.split_once('?').unwrap().1).unwrap();
    assert!(parsed.is_success(), "{landing}");
    parsed.token_id.unwrap().as_str().to_owned()
}

async fn cancel_token(h: &Harness, key: &str, id: &str) {
    let reply = h
        .call_as(key, &[("Action", "CancelToken"), ("TokenId", id)])
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
}

#[tokio::test]
async fn get_tokens_lists_the_callers_tokens_by_each_filter() {
    let h = Harness::start(50, None).await;
    let client = client_as(&h, KEY, SECRET);
    let single = h.single_use_token("tok-single", "5.00", "ABT", false).await;
    let installed = install(&client, "tok-installed", "fps-checkout caller token").await;
    let cancelled = h.single_use_token("tok-cancelled", "7.00", "ABT", false).await;
    cancel_token(&h, KEY, &cancelled).await;
    let others = h
        .single_use_token_as(OTHER_KEY, "tok-other", "5.00", "ABT", false)
        .await;

    let ids = |tokens: Vec<fps_wire::Token>| tokens.into_iter().map(|t| t.token_id).collect::<Vec<_>>();
    // Newest first; another caller's token is never listed.
    let all = client.tokens(TokenFilter::default()).await.unwrap();
    assert_eq!(
        ids(all.clone()),
        vec![cancelled.clone(), installed.clone(), single.clone()]
    );
    assert!(!ids(all.clone()).contains(&others));
    let first = all.iter().find(|t| t.token_id == installed).unwrap();
    assert_eq!(first.token_type, Some(TokenType::Unrestricted));
    assert_eq!(first.status, TokenStatus::Active);
    assert_eq!(first.caller_reference.as_deref(), Some("tok-installed"));
    assert_eq!(first.friendly_name.as_deref(), Some("fps-checkout caller token"));

    let by = |filter: TokenFilter| {
        let client = client.clone();
        async move { ids(client.tokens(filter).await.unwrap()) }
    };
    let inactive = TokenFilter {
        status: Some(TokenStatus::Inactive),
        ..TokenFilter::default()
    };
    assert_eq!(by(inactive).await, vec![cancelled.clone()]);
    let active = TokenFilter {
        status: Some(TokenStatus::Active),
        ..TokenFilter::default()
    };
    assert_eq!(by(active).await, vec![installed.clone(), single.clone()]);
    let unrestricted = TokenFilter {
        token_type: Some(TokenType::Unrestricted),
        ..TokenFilter::default()
    };
    assert_eq!(by(unrestricted).await, vec![installed.clone()]);
    let single_use = TokenFilter {
        token_type: Some(TokenType::SingleUse),
        ..TokenFilter::default()
    };
    assert_eq!(by(single_use).await, vec![cancelled.clone(), single.clone()]);
    let by_reference = TokenFilter {
        caller_reference: Some(reference("tok-single")),
        ..TokenFilter::default()
    };
    assert_eq!(by(by_reference).await, vec![single.clone()]);
    let by_name = TokenFilter {
        friendly_name: Some("fps-checkout caller token".into()),
        ..TokenFilter::default()
    };
    assert_eq!(by(by_name).await, vec![installed.clone()]);
    // Every filter must hold.
    let none = TokenFilter {
        status: Some(TokenStatus::Inactive),
        token_type: Some(TokenType::Unrestricted),
        ..TokenFilter::default()
    };
    assert!(by(none).await.is_empty());
    assert_eq!(
        ids(client_as(&h, MARKET_KEY, SECRET)
            .tokens(TokenFilter::default())
            .await
            .unwrap()),
        Vec::<String>::new()
    );

    // Values outside the WSDL's enumerations, and names in another case, are refused.
    let reply = h.call(&[("Action", "GetTokens"), ("TokenType", "Forever")]).await;
    assert_eq!(reply.error_code(), "InvalidParams");
    let reply = h
        .call(&[("Action", "GetTokens"), ("tokenStatus", "Active")])
        .await;
    assert_eq!(reply.error_code(), "InvalidRequest");
    let long = "r".repeat(129);
    let reply = h
        .call(&[("Action", "GetTokens"), ("CallerReference", long.as_str())])
        .await;
    assert_eq!(reply.error_code(), "InvalidParams");
    h.sandbox.stop().await;
}

#[tokio::test]
async fn get_token_usage_reports_each_limit_and_what_was_used() {
    let h = Harness::start(50, None).await;
    let client = client_as(&h, KEY, SECRET);
    let single = h.single_use_token("use-single", "10.00", "ABT", false).await;
    let unused = client.token_usage(&single).await.unwrap();
    assert_eq!(unused.len(), 1);
    assert_eq!((unused[0].count, unused[0].amount_minor), (Some(1), Some(1000)));
    assert_eq!(
        (unused[0].last_reset_count, unused[0].last_reset_amount_minor),
        (Some(0), Some(0))
    );
    let installed_at = unused[0].last_reset_timestamp.clone().unwrap();
    assert!(installed_at.ends_with('Z'), "{installed_at}");
    let paid = h.pay("Pay", &single, "use-single-pay", "10.00").await;
    assert_eq!(paid.status, 200, "{}", paid.body);
    assert_eq!(
        client.token_usage(&single).await.unwrap(),
        vec![TokenUsageLimit {
            count: Some(1),
            amount_minor: Some(1000),
            last_reset_count: Some(1),
            last_reset_amount_minor: Some(1000),
            last_reset_timestamp: Some(installed_at),
        }]
    );

    // A MultiUse token: its global amount limit, and the sum and number of its payments.
    let multi = pipeline_token(
        &h,
        KEY,
        "buyer@sandbox.test",
        &[
            ("pipelineName", "MultiUse"),
            ("callerReference", "use-multi"),
            ("globalAmountLimit", "50.00"),
        ],
    )
    .await;
    for (n, amount) in [("1", "5.00"), ("2", "7.25")] {
        let reply = h.pay("Pay", &multi, &format!("use-multi-{n}"), amount).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
    }
    let usage = client.token_usage(&multi).await.unwrap();
    assert_eq!(usage.len(), 1);
    assert_eq!((usage[0].count, usage[0].amount_minor), (None, Some(5000)));
    assert_eq!(
        (usage[0].last_reset_count, usage[0].last_reset_amount_minor),
        (Some(2), Some(1225))
    );

    // An Unrestricted token has no limits; another caller's or a made-up token is unknown.
    let installed = install(&client, "use-installed", "unlimited").await;
    assert!(client.token_usage(&installed).await.unwrap().is_empty());
    let others = h
        .single_use_token_as(OTHER_KEY, "use-other", "5.00", "ABT", false)
        .await;
    assert_eq!(
        code_of(client.token_usage(&others).await),
        ErrorCode::InvalidTokenIdSender
    );
    assert_eq!(
        code_of(client.token_usage("NOSUCHTOKEN").await),
        ErrorCode::InvalidTokenIdSender
    );
    let reply = h.call(&[("Action", "GetTokenUsage")]).await;
    assert_eq!(reply.error_code(), "InvalidParams");
    h.sandbox.stop().await;
}

#[tokio::test]
async fn get_payment_instruction_returns_what_was_installed() {
    let h = Harness::start(50, None).await;
    let client = client_as(&h, KEY, SECRET);
    let id = install(&client, "pi-caller", "caller token").await;
    let details = client.payment_instruction(&id).await.unwrap();
    assert_eq!(details.payment_instruction, INSTRUCTION);
    assert_eq!(details.caller_reference.as_deref(), Some("pi-caller"));
    assert_eq!(details.friendly_name.as_deref(), Some("caller token"));
    assert_eq!(details.token.token_id, id);
    assert_eq!(details.token.token_type, Some(TokenType::Unrestricted));
    assert_eq!(details.token.status, TokenStatus::Active);

    // A CBUI token has no instruction the emulator keeps; another caller's is unknown.
    let cbui = h.single_use_token("pi-cbui", "5.00", "ABT", false).await;
    let reply = h
        .call(&[("Action", "GetPaymentInstruction"), ("TokenId", cbui.as_str())])
        .await;
    assert_eq!(reply.error_code(), "InvalidParams");
    assert!(reply.body.contains("CBUI pipeline"), "{}", reply.body);
    let others = install(&client_as(&h, OTHER_KEY, SECRET), "pi-other", "other").await;
    assert_eq!(
        code_of(client.payment_instruction(&others).await),
        ErrorCode::InvalidTokenIdSender
    );
    h.sandbox.stop().await;
}

#[tokio::test]
async fn recipient_verification_follows_the_account_behind_the_token() {
    let h = Harness::start(50, None).await;
    let market = client_as(&h, MARKET_KEY, SECRET);
    let recipient = [
        ("pipelineName", "Recipient"),
        ("callerReference", "rv-seller"),
        ("recipientPaysFee", "True"),
    ];
    // A configured seller: verified, with FPS's receiving limits.
    let seller = pipeline_token(&h, MARKET_KEY, SELLER_EMAIL, &recipient).await;
    assert_eq!(
        market.recipient_verification(&seller).await.unwrap(),
        RecipientVerification::VerificationComplete
    );
    // The caller's own business account: verified without limits, whether it approved a
    // recipient token itself or installed one with InstallPaymentInstruction.
    let own = pipeline_token(
        &h,
        MARKET_KEY,
        "market@merchant.sandbox.test",
        &[
            ("pipelineName", "Recipient"),
            ("callerReference", "rv-own"),
            ("recipientPaysFee", "True"),
        ],
    )
    .await;
    assert_eq!(
        market.recipient_verification(&own).await.unwrap(),
        RecipientVerification::VerificationCompleteNoLimits
    );
    let installed = install(&market, "rv-installed", "recipient token").await;
    assert_eq!(
        market.recipient_verification(&installed).await.unwrap(),
        RecipientVerification::VerificationCompleteNoLimits
    );
    // The sandbox's unverified recipient token is pending; the suspended one is refused.
    assert_eq!(
        market
            .recipient_verification("C4LGSEMXN11FTUXZ2X2C7QVFHN5DVBGQJNF17AIQXXXQSX4DRG4KJFCN2KRFUUZI")
            .await
            .unwrap(),
        RecipientVerification::VerificationPending
    );
    assert_eq!(
        code_of(
            market
                .recipient_verification("R3VK49XVGCAZTJSXKN7ZSBHPMFGKM5VEEQTXGMVE8CFUZ2G5RLLMAB4J6TQRL6BU")
                .await
        ),
        ErrorCode::InvalidAccountStateRecipient
    );
    // A sender token, another caller's recipient token, a cancelled one.
    let sender = h
        .single_use_token_as(MARKET_KEY, "rv-sender", "5.00", "ABT", false)
        .await;
    assert_eq!(
        code_of(market.recipient_verification(&sender).await),
        ErrorCode::InvalidTokenIdRecipient
    );
    assert_eq!(
        code_of(client_as(&h, KEY, SECRET).recipient_verification(&seller).await),
        ErrorCode::InvalidTokenIdRecipient
    );
    cancel_token(&h, MARKET_KEY, &seller).await;
    assert_eq!(
        code_of(market.recipient_verification(&seller).await),
        ErrorCode::TokenNotActiveRecipient
    );
    h.sandbox.stop().await;
}

#[tokio::test]
async fn subscriptions_are_answered_as_unknown() {
    let h = Harness::start(50, None).await;
    let client = client_as(&h, KEY, SECRET);
    assert_eq!(
        code_of(client.subscription_details("SUB-1").await),
        ErrorCode::InvalidParams
    );
    assert_eq!(
        code_of(client.subscription_transactions("SUB-1").await),
        ErrorCode::InvalidParams
    );
    let refund = SubscriptionRefund {
        subscription_id: "SUB-1".into(),
        caller_reference: reference("sub-refund-1"),
        amount: Some(Amount::parse("1.00").unwrap()),
        cancel_reason: Some("moving away".into()),
    };
    let stamp = Timestamp::now();
    match client
        .cancel_subscription_and_refund(refund.clone(), &stamp)
        .await
    {
        Err(FpsError::Service { code, message, .. }) => {
            assert_eq!(code, ErrorCode::InvalidParams);
            assert!(message.contains("SubscriptionId"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    // Parameters are checked first, as for any action.
    let reply = h.call(&[("Action", "GetSubscriptionDetails")]).await;
    assert_eq!(reply.error_code(), "InvalidParams");
    assert!(reply.body.contains("SubscriptionId is missing"), "{}", reply.body);
    let reply = h
        .call(&[
            ("Action", "GetTransactionsForSubscription"),
            ("SubscriptionId", "SUB-1"),
            ("CallerReference", "x"),
        ])
        .await;
    assert_eq!(reply.error_code(), "InvalidRequest");
    let reply = h
        .call(&[
            ("Action", "CancelSubscriptionAndRefund"),
            ("SubscriptionId", "SUB-1"),
        ])
        .await;
    assert!(
        reply.body.contains("CallerReference is missing"),
        "{}",
        reply.body
    );
    // Like every action that may move money, an identical resend gets the recorded answer.
    let pairs = h.signed_pairs(
        KEY,
        SECRET,
        fps_core::canonical::HttpMethod::Get,
        &[
            ("Action", "CancelSubscriptionAndRefund"),
            ("SubscriptionId", "SUB-2"),
            ("CallerReference", "sub-refund-2"),
        ],
    );
    let first = h.send_get(&pairs).await;
    assert_eq!(first.error_code(), "InvalidParams");
    assert_eq!(h.send_get(&pairs).await.body, first.body);
    h.sandbox.stop().await;
}
