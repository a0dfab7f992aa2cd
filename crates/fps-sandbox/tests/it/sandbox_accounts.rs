//! The emulator's Amazon-side account pages and what goes with them (issue 19): the icon every
//! page asks for, GetAccountBalance, a caller's second access key, and `/account` where test
//! accounts sign in to see their balance, transactions and tokens and cancel payments.

use crate::sandbox_support::*;

#[tokio::test]
async fn the_icon_answers_with_its_type_and_may_be_cached() {
    let h = Harness::start(50, None).await;
    let response = h
        .http
        .get(format!("{}/favicon.ico", h.sandbox.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    assert_eq!(header("content-type").as_deref(), Some("image/x-icon"));
    let cache = header("cache-control").unwrap();
    assert!(cache.contains("public") && cache.contains("max-age="), "{cache}");
    let body = response.bytes().await.unwrap();
    // An ICO file: reserved 0, type 1 (icon), one image of 16x16.
    assert_eq!(&body[..6], &[0, 0, 1, 0, 1, 0]);
    assert_eq!((body[6], body[7]), (16, 16));
    h.sandbox.stop().await;
}

/// The project's Query API client, signing as `key` with `secret`.
pub fn client_as(h: &Harness, key: &str, secret: &str) -> fps_wire::FpsClient {
    fps_wire::FpsClient::new(fps_wire::FpsConfig {
        endpoint: fps_wire::api_endpoint(&h.sandbox.api_url()).unwrap(),
        access_key_id: key.into(),
        secret: fps_wire::signer::SecretKey::new(secret).unwrap(),
        timeout: std::time::Duration::from_secs(10),
        max_attempts: 1,
    })
    .unwrap()
}

#[tokio::test]
async fn get_account_balance_sums_the_callers_money_and_what_is_pending() {
    // Card payments stay Pending for the test's length; balance (ABT) payments are final at once.
    let h = Harness::start(600_000, None).await;
    let client = client_as(&h, KEY, SECRET);
    let empty = client.account_balance().await.unwrap();
    assert_eq!(empty.total_minor, 0);
    assert_eq!((empty.pending_in_minor, empty.pending_out_minor), (0, 0));

    // $10.00 by balance: the shop nets $10.00 less FPS's 1.5 % + $0.01 = $9.84.
    let token = h.single_use_token("bal-abt", "10.00", "ABT", false).await;
    let paid = h.pay("Pay", &token, "bal-abt", "10.00").await;
    assert_eq!(
        paid.tag("TransactionStatus").as_deref(),
        Some("Success"),
        "{}",
        paid.body
    );
    // $20.00 by card, pending: $20.00 less 2.9 % + $0.30 = $19.12 on its way in.
    let card = h.single_use_token("bal-cc", "20.00", "CC", false).await;
    let pending = h.pay("Pay", &card, "bal-cc", "20.00").await;
    assert_eq!(
        pending.tag("TransactionStatus").as_deref(),
        Some("Pending"),
        "{}",
        pending.body
    );
    let balance = client.account_balance().await.unwrap();
    assert_eq!(balance.total_minor, 984);
    assert_eq!(balance.pending_in_minor, 1912);
    assert_eq!(balance.pending_out_minor, 0);
    assert_eq!((balance.disburse_minor, balance.refund_minor), (984, 984));

    // A $5.00 refund of the balance payment is final at once: it leaves the shop's account.
    let id = paid.tag("TransactionId").unwrap();
    let refund = h
        .call(&[
            ("Action", "Refund"),
            ("TransactionId", &id),
            ("CallerReference", "bal-abt-refund"),
            ("RefundAmount.Value", "5.00"),
            ("RefundAmount.CurrencyCode", "USD"),
        ])
        .await;
    assert_eq!(
        refund.tag("TransactionStatus").as_deref(),
        Some("Success"),
        "{}",
        refund.body
    );
    let after = client.account_balance().await.unwrap();
    assert_eq!(after.total_minor, 484);
    assert_eq!(after.pending_in_minor, 1912);

    // Another caller's account is its own; the action takes no parameter.
    let other = client_as(&h, OTHER_KEY, SECRET).account_balance().await.unwrap();
    assert_eq!(other.total_minor, 0);
    let extra = h
        .call(&[("Action", "GetAccountBalance"), ("TransactionId", &id)])
        .await;
    assert_eq!(extra.error_code(), "InvalidRequest");
    let raw = h.call(&[("Action", "GetAccountBalance")]).await;
    assert!(
        raw.body.contains("<GetAccountBalanceResponse xmlns=\"http://fps.amazonaws.com/doc/2010-08-28/\"><GetAccountBalanceResult><AccountBalance><TotalBalance><CurrencyCode>USD</CurrencyCode><Value>4.840000</Value></TotalBalance>"),
        "{}",
        raw.body
    );
    h.sandbox.stop().await;
}

const ROTATED_KEY: &str = "AKIASANDBOXROTATED01";
const ROTATED_SECRET: &str = "the shop's new secret key";

/// An emulator whose main caller holds a second key (in rotation).
async fn rotating() -> Harness {
    let dir = TempDir::new();
    let mut config = config(&dir, 50, None);
    config.second_keys.push(fps_sandbox::SecondKey {
        caller: KEY.into(),
        access_key_id: ROTATED_KEY.into(),
        secret: fps_wire::signer::SecretKey::new(ROTATED_SECRET).unwrap(),
    });
    Harness::with(fps_sandbox::start(config).await.unwrap(), dir)
}

#[tokio::test]
async fn a_caller_in_key_rotation_signs_with_either_key_for_one_account() {
    let h = rotating().await;
    // A payment made under the first key...
    let token = h.single_use_token("rotate-1", "10.00", "ABT", false).await;
    let paid = h.pay("Pay", &token, "rotate-1", "10.00").await;
    let id = paid
        .tag("TransactionId")
        .unwrap_or_else(|| panic!("{}", paid.body));
    // ...is the account's: the second key reads it, and both see one balance.
    let old = client_as(&h, KEY, SECRET);
    let new = client_as(&h, ROTATED_KEY, ROTATED_SECRET);
    let details = new.transaction(&id).await.unwrap();
    assert_eq!(details.transaction_id, id);
    assert_eq!(
        old.account_balance().await.unwrap(),
        new.account_balance().await.unwrap()
    );
    assert_eq!(new.account_balance().await.unwrap().total_minor, 984);

    // The CBUI start URL signed with the second key is the same caller's.
    let request = fps_core::CbuiRequest::from_pairs(vec![
        ("callerKey", ROTATED_KEY),
        ("pipelineName", "SingleUse"),
        ("returnURL", "https://shop.example/thanks"),
        ("callerReference", "rotate-2"),
        ("transactionAmount", "5.00"),
    ])
    .unwrap();
    let endpoint = fps_core::params::CbuiEndpoint::custom(&h.sandbox.cbui_url()).unwrap();
    let url = fps_wire::signer::sign_cbui(
        &fps_wire::signer::SecretKey::new(ROTATED_SECRET).unwrap(),
        &request,
        &endpoint,
    )
    .url;
    let landing = h.approve(&url, "buyer@sandbox.test", "ABT").await;
    let parsed = fps_core::CbuiReturn::parse(landing.split_once('?').unwrap().1).unwrap();
    assert!(parsed.is_success(), "{landing}");
    let token = parsed.token_id.unwrap().as_str().to_owned();
    // Paid with the first key: the token belongs to the account, not to the key.
    let paid = h.pay("Pay", &token, "rotate-2", "5.00").await;
    assert_eq!(
        paid.tag("TransactionStatus").as_deref(),
        Some("Success"),
        "{}",
        paid.body
    );

    // Each key checks its own secret: the first secret under the second key does not sign.
    let wrong = client_as(&h, ROTATED_KEY, SECRET).account_balance().await;
    assert!(
        matches!(&wrong, Err(fps_wire::FpsError::Service { code, .. }) if code.as_wire() == "SignatureDoesNotMatch"),
        "{wrong:?}"
    );
    h.sandbox.stop().await;
}
