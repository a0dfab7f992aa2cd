//! Prepaid and postpaid instruments through the project's typed client against the running
//! emulator: SetupPrepaid in the CBUI pages -> FundPrepaid -> Pay with the prepaid token ->
//! balances; SetupPostpaid -> Pay on credit -> debt -> SettleDebt -> WriteOffDebt. Each money
//! call is idempotent by its CallerReference, shows in GetTransaction and GetAccountActivity
//! with its FPSOperation, and sends its IPN.

use std::sync::{Arc, Mutex};

use crate::sandbox_accounts::client_as;
use crate::sandbox_support::*;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use fps_core::canonical::{decode_query, PlusIs};
use fps_core::params::{CallerReference, TokenId};
use fps_core::Amount;
use fps_wire::{
    ActivityQuery, Charge, DebtWriteOff, ErrorCode, FpsClient, InstrumentBalance, InstrumentPayment, Outcome,
    Sending, Timestamp, TransactionResult, TransactionStatus,
};

/// The pending delay of card money in these tests, business time.
const HOUR_MS: u64 = 3_600_000;
/// How far the test clock moves to complete it.
const PAST_THE_HOUR: std::time::Duration = std::time::Duration::from_secs(3_601);

/// A merchant IPN endpoint that keeps every body.
async fn ipn_receiver() -> (String, Arc<Mutex<Vec<String>>>) {
    let log: Arc<Mutex<Vec<String>>> = Arc::default();
    async fn receive(State(log): State<Arc<Mutex<Vec<String>>>>, body: String) -> StatusCode {
        log.lock().unwrap().push(body);
        StatusCode::OK
    }
    let app = Router::new().route("/ipn", post(receive)).with_state(log.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/ipn", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, log)
}

/// Waits (bounded) for an IPN about `transaction_id` with `status` and returns its fields.
async fn ipn_for(log: &Arc<Mutex<Vec<String>>>, transaction_id: &str, status: &str) -> Vec<(String, String)> {
    for _ in 0..400 {
        let found = log.lock().unwrap().iter().find_map(|body| {
            let fields = decode_query(body, PlusIs::Space).unwrap();
            let has = |n: &str, v: &str| fields.iter().any(|(k, x)| k == n && x == v);
            (has("transactionId", transaction_id) && has("transactionStatus", status)).then_some(fields)
        });
        if let Some(fields) = found {
            return fields;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("no {status} IPN for {transaction_id}");
}

fn field(fields: &[(String, String)], name: &str) -> String {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// Runs a pipeline in the CBUI pages as the test buyer paying by card; the landing's parameters.
async fn setup(h: &Harness, params: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut pairs = vec![("returnURL", "https://shop.example/thanks")];
    pairs.extend_from_slice(params);
    let landing = h
        .approve(&h.cbui_url(KEY, &pairs), "buyer@sandbox.test", "CC")
        .await;
    let query = landing.split_once('?').unwrap().1;
    let pairs = decode_query(query, PlusIs::Space).unwrap();
    assert!(pairs.contains(&("status".into(), "SC".into())), "{landing}");
    pairs
}

fn value(pairs: &[(String, String)], name: &str) -> String {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| panic!("{name} in {pairs:?}"))
}

fn payment(reference: &str, token: &str, instrument: &str, amount: &str) -> InstrumentPayment {
    InstrumentPayment {
        caller_reference: CallerReference::new(reference).unwrap(),
        sender_token_id: TokenId::new(token).unwrap(),
        instrument_id: instrument.to_owned(),
        amount: Amount::parse(amount).unwrap(),
        caller_description: Some("top-up".into()),
    }
}

async fn pay(client: &FpsClient, reference: &str, token: &str, amount: &str) -> Outcome<TransactionResult> {
    let charge = Charge {
        caller_reference: CallerReference::new(reference).unwrap(),
        sender_token_id: TokenId::new(token).unwrap(),
        amount: Amount::parse(amount).unwrap(),
        caller_description: None,
        sender_description: None,
        marketplace: None,
    };
    client.pay(charge, &Timestamp::now(), Sending::First).await
}

fn applied(outcome: Outcome<TransactionResult>) -> TransactionResult {
    match outcome {
        Outcome::Applied(result) => result,
        other => panic!("expected applied, got {other:?}"),
    }
}

fn refused(outcome: Outcome<TransactionResult>) -> ErrorCode {
    match outcome {
        Outcome::Refused(error) => error.code().cloned().expect("an FPS code"),
        other => panic!("expected refused, got {other:?}"),
    }
}

fn balance(balance_minor: i64, pending_minor: i64) -> InstrumentBalance {
    InstrumentBalance {
        balance_minor,
        pending_minor,
    }
}

/// The operations GetAccountActivity lists for the caller, oldest first.
async fn operations(client: &FpsClient) -> Vec<String> {
    let query = ActivityQuery {
        start: time::OffsetDateTime::now_utc() - time::Duration::hours(1),
        end: None,
        max_batch_size: 50,
    };
    let activity = client.account_activity(query).await.unwrap();
    activity
        .transactions
        .into_iter()
        .map(|t| t.operation.unwrap_or_default())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prepaid_funds_then_spends_only_what_was_funded() {
    let (ipn_url, ipns) = ipn_receiver().await;
    // Card money stays Pending until the test moves the clock past the hour.
    let h = Harness::start(HOUR_MS, Some(ipn_url)).await;
    let client = client_as(&h, KEY, SECRET);
    let landing = setup(
        &h,
        &[
            ("pipelineName", "SetupPrepaid"),
            ("callerReferenceSender", "pp-sender-1"),
            ("callerReferenceFunding", "pp-funding-1"),
            ("fundingAmount", "10.00"),
        ],
    )
    .await;
    let funding = value(&landing, "fundingTokenID");
    let spender = value(&landing, "prepaidSenderTokenID");
    let instrument = value(&landing, "prepaidInstrumentID");

    assert_eq!(client.prepaid_balance(&instrument).await.unwrap(), balance(0, 0));
    // Nothing funded yet: the prepaid sender token cannot spend.
    assert_eq!(
        refused(pay(&client, "pp-pay-0", &spender, "1.00").await),
        ErrorCode::InsufficientBalance
    );
    // Only the funding token funds, at most its amount, only this caller's instrument.
    let stamp = Timestamp::now();
    let wrong_token = payment("pp-fund-x", &spender, &instrument, "10.00");
    assert_eq!(
        refused(client.fund_prepaid(wrong_token, &stamp, Sending::First).await),
        ErrorCode::InvalidSenderRoleForAccountType
    );
    let too_much = payment("pp-fund-y", &funding, &instrument, "10.01");
    assert_eq!(
        refused(client.fund_prepaid(too_much, &stamp, Sending::First).await),
        ErrorCode::PrepaidFundingLimitExceeded
    );
    let other = client_as(&h, OTHER_KEY, SECRET);
    assert!(matches!(
        other.prepaid_balance(&instrument).await,
        Err(e) if e.code() == Some(&ErrorCode::InvalidPaymentInstrument)
    ));

    // FundPrepaid from a card: Pending, then Success, like a card payment.
    let fund = applied(
        client
            .fund_prepaid(
                payment("pp-fund-1", &funding, &instrument, "10.00"),
                &stamp,
                Sending::First,
            )
            .await,
    );
    assert_eq!(fund.transaction_status, TransactionStatus::Pending);
    assert_eq!(
        client.prepaid_balance(&instrument).await.unwrap(),
        balance(0, 1000)
    );
    // The identical request resent gets the same transaction.
    let again = applied(
        client
            .fund_prepaid(
                payment("pp-fund-1", &funding, &instrument, "10.00"),
                &stamp,
                Sending::Resend,
            )
            .await,
    );
    assert_eq!(again.transaction_id, fund.transaction_id);
    h.sandbox.advance_clock(PAST_THE_HOUR).await.unwrap();
    assert_eq!(h.settled_status(&fund.transaction_id).await, "Success");
    assert_eq!(
        client.prepaid_balance(&instrument).await.unwrap(),
        balance(1000, 0)
    );
    assert_eq!(client.total_prepaid_liability().await.unwrap(), balance(1000, 0));
    let ipn = ipn_for(&ipns, &fund.transaction_id, "SUCCESS").await;
    assert_eq!(field(&ipn, "operation"), "FUNDPREPAID");
    assert_eq!(field(&ipn, "transactionAmount"), "USD 10.00");
    // The single-use funding token is spent.
    let twice = payment("pp-fund-2", &funding, &instrument, "1.00");
    assert_eq!(
        refused(
            client
                .fund_prepaid(twice, &Timestamp::now(), Sending::First)
                .await
        ),
        ErrorCode::TokenUsageError
    );

    // Spending: final at once (the money is held), never beyond what is left.
    let spend = applied(pay(&client, "pp-pay-1", &spender, "6.00").await);
    assert_eq!(spend.transaction_status, TransactionStatus::Success);
    assert_eq!(
        client.prepaid_balance(&instrument).await.unwrap(),
        balance(400, 0)
    );
    assert_eq!(
        refused(pay(&client, "pp-pay-2", &spender, "4.01").await),
        ErrorCode::InsufficientBalance
    );
    applied(pay(&client, "pp-pay-3", &spender, "4.00").await);
    assert_eq!(client.prepaid_balance(&instrument).await.unwrap(), balance(0, 0));
    assert_eq!(client.total_prepaid_liability().await.unwrap(), balance(0, 0));

    // GetTransaction and GetAccountActivity name the operation and the instrument.
    let details = client.transaction(&fund.transaction_id).await.unwrap();
    assert_eq!(details.operation.as_deref(), Some("FundPrepaid"));
    assert_eq!(details.sender_email.as_deref(), Some("buyer@sandbox.test"));
    let raw = h
        .call(&[
            ("Action", "GetTransaction"),
            ("TransactionId", &spend.transaction_id),
        ])
        .await;
    assert_eq!(
        raw.tag("PrepaidInstrumentId").as_deref(),
        Some(instrument.as_str())
    );
    assert_eq!(raw.tag("FPSOperation").as_deref(), Some("Pay"));
    assert_eq!(operations(&client).await, ["FundPrepaid", "Pay", "Pay"]);
    let only = h
        .call(&[
            ("Action", "GetAccountActivity"),
            ("StartDate", &now_iso(-3600)),
            ("FPSOperation", "FundPrepaid"),
        ])
        .await;
    assert_eq!(
        only.tags("TransactionId"),
        std::slice::from_ref(&fund.transaction_id)
    );
    // Instrument money is not refunded in the sandbox.
    let refund = h
        .call(&[
            ("Action", "Refund"),
            ("TransactionId", &spend.transaction_id),
            ("CallerReference", "pp-refund-1"),
        ])
        .await;
    assert_eq!(refund.error_code(), "TransactionTypeNotRefundable");
    h.sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postpaid_builds_a_debt_that_settlements_and_write_offs_pay_down() {
    let (ipn_url, ipns) = ipn_receiver().await;
    // Card money stays Pending until the test moves the clock past the hour.
    let h = Harness::start(HOUR_MS, Some(ipn_url)).await;
    let client = client_as(&h, KEY, SECRET);
    let landing = setup(
        &h,
        &[
            ("pipelineName", "SetupPostpaid"),
            ("callerReferenceSender", "post-sender-1"),
            ("callerReferenceSettlement", "post-settle-1"),
            ("creditLimit", "20.00"),
            ("globalAmountLimit", "50.00"),
        ],
    )
    .await;
    let credit = value(&landing, "creditSenderTokenID");
    let settlement = value(&landing, "settlementTokenID");
    let instrument = value(&landing, "creditInstrumentID");
    assert_eq!(client.debt_balance(&instrument).await.unwrap(), balance(0, 0));

    // Spending on credit builds the debt, up to the credit limit.
    let bought = applied(pay(&client, "post-pay-1", &credit, "15.00").await);
    assert_eq!(bought.transaction_status, TransactionStatus::Success);
    assert_eq!(client.debt_balance(&instrument).await.unwrap(), balance(1500, 0));
    assert_eq!(
        refused(pay(&client, "post-pay-2", &credit, "5.01").await),
        ErrorCode::InsufficientBalance
    );
    // The settlement token settles, it does not pay.
    assert_eq!(
        refused(pay(&client, "post-pay-3", &settlement, "1.00").await),
        ErrorCode::InvalidSenderRoleForAccountType
    );
    // Never more than the debt.
    let stamp = Timestamp::now();
    assert_eq!(
        refused(
            client
                .settle_debt(
                    payment("post-settle-x", &settlement, &instrument, "15.01"),
                    &stamp,
                    Sending::First
                )
                .await
        ),
        ErrorCode::SettleAmountGreaterThanDebt
    );

    // SettleDebt by card: Pending (counted as pending out), then Success.
    let settle = applied(
        client
            .settle_debt(
                payment("post-settle-1", &settlement, &instrument, "10.00"),
                &stamp,
                Sending::First,
            )
            .await,
    );
    assert_eq!(settle.transaction_status, TransactionStatus::Pending);
    assert_eq!(
        client.debt_balance(&instrument).await.unwrap(),
        balance(1500, 1000)
    );
    let again = applied(
        client
            .settle_debt(
                payment("post-settle-1", &settlement, &instrument, "10.00"),
                &stamp,
                Sending::Resend,
            )
            .await,
    );
    assert_eq!(again.transaction_id, settle.transaction_id);
    // A changed request under the used reference is a DuplicateRequest (to the client, an
    // outcome it cannot know: the reference's first request may be the one that was applied).
    let changed = client
        .settle_debt(
            payment("post-settle-1", &settlement, &instrument, "1.00"),
            &Timestamp::now(),
            Sending::First,
        )
        .await;
    assert!(
        matches!(&changed, Outcome::Unknown(e) if e.code() == Some(&ErrorCode::DuplicateRequest)),
        "{changed:?}"
    );
    h.sandbox.advance_clock(PAST_THE_HOUR).await.unwrap();
    assert_eq!(h.settled_status(&settle.transaction_id).await, "Success");
    assert_eq!(client.debt_balance(&instrument).await.unwrap(), balance(500, 0));
    let ipn = ipn_for(&ipns, &settle.transaction_id, "SUCCESS").await;
    assert_eq!(field(&ipn, "operation"), "SETTLEDEBT");

    // The freed credit can be spent again.
    applied(pay(&client, "post-pay-4", &credit, "5.00").await);
    assert_eq!(client.outstanding_debt().await.unwrap(), balance(1000, 0));

    // WriteOffDebt forgives part of it, at once, and never more than is owed.
    let write_off = |reference: &str, amount: &str| DebtWriteOff {
        caller_reference: CallerReference::new(reference).unwrap(),
        instrument_id: instrument.clone(),
        amount: Amount::parse(amount).unwrap(),
        caller_description: Some("goodwill".into()),
    };
    assert_eq!(
        refused(
            client
                .write_off_debt(
                    write_off("post-off-x", "10.01"),
                    &Timestamp::now(),
                    Sending::First
                )
                .await
        ),
        ErrorCode::SettleAmountGreaterThanDebt
    );
    let off = applied(
        client
            .write_off_debt(write_off("post-off-1", "4.00"), &Timestamp::now(), Sending::First)
            .await,
    );
    assert_eq!(off.transaction_status, TransactionStatus::Success);
    assert_eq!(client.debt_balance(&instrument).await.unwrap(), balance(600, 0));
    assert_eq!(client.outstanding_debt().await.unwrap(), balance(600, 0));

    let details = client.transaction(&off.transaction_id).await.unwrap();
    assert_eq!(details.operation.as_deref(), Some("WriteOffDebt"));
    let raw = h
        .call(&[
            ("Action", "GetTransaction"),
            ("TransactionId", &settle.transaction_id),
        ])
        .await;
    assert_eq!(raw.tag("FPSOperation").as_deref(), Some("SettleDebt"));
    assert_eq!(
        raw.tag("CreditInstrumentId").as_deref(),
        Some(instrument.as_str())
    );
    assert_eq!(
        operations(&client).await,
        ["Pay", "SettleDebt", "Pay", "WriteOffDebt"]
    );
    h.sandbox.stop().await;
}
