//! Identical resends as FPS's seed "Resending a Request" says (answered from the record for 7
//! days of emulated time, whatever the Timestamp's age), and the emulator's test clock
//! (`/sandbox/clock`, `RunningSandbox::advance_clock`).

use std::time::Duration;

use crate::sandbox_support::*;
use fps_core::canonical::HttpMethod;
use fps_wire::signer::SecretKey;

const FAULT_TOKEN: &str = "clock-token-for-tests";
const DAY: u64 = 24 * 3600;

/// An emulator whose signatures go stale after `skew` of real time, with the clock token.
async fn start(pending_ms: u64, skew: Duration) -> Harness {
    let dir = TempDir::new();
    let mut config = config(&dir, pending_ms, None);
    config.max_skew = skew;
    config.fault_token = SecretKey::new(FAULT_TOKEN);
    Harness::with(fps_sandbox::start(config).await.unwrap(), dir)
}

fn pay_params<'a>(reference: &'a str, token: &'a str, amount: &'a str) -> [(&'a str, &'a str); 5] {
    [
        ("Action", "Pay"),
        ("CallerReference", reference),
        ("SenderTokenId", token),
        ("TransactionAmount.Value", amount),
        ("TransactionAmount.CurrencyCode", "USD"),
    ]
}

/// How many transactions of `operation` the caller `key` has.
async fn count(h: &Harness, key: &str, operation: &str) -> usize {
    let reply = h
        .call_as(
            key,
            &[
                ("Action", "GetAccountActivity"),
                ("StartDate", "2000-01-01T00:00:00Z"),
                ("FPSOperation", operation),
            ],
        )
        .await;
    reply
        .tag("BatchSize")
        .unwrap_or_else(|| panic!("{}", reply.body))
        .parse()
        .unwrap()
}

async fn clock(h: &Harness, method: &str, bearer: Option<&str>, body: &str) -> (u16, serde_json::Value) {
    let url = format!("{}/sandbox/clock", h.sandbox.base_url());
    let mut request = if method == "POST" {
        h.http
            .post(url)
            .header("content-type", "application/json")
            .body(body.to_owned())
    } else {
        h.http.get(url)
    };
    if let Some(token) = bearer {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identical_pay_with_a_stale_timestamp_is_answered_from_its_record_for_seven_days() {
    let h = start(10, Duration::from_secs(2)).await;
    let token = h.single_use_token("tok-stale", "5.00", "ABT", false).await;
    let pairs = h.signed_pairs(
        KEY,
        SECRET,
        HttpMethod::Get,
        &pay_params("stale-1", &token, "5.00"),
    );
    // Signed at the same moment, never sent before its Timestamp is stale.
    let unsent = h.signed_pairs(
        KEY,
        SECRET,
        HttpMethod::Get,
        &pay_params("stale-2", &token, "5.00"),
    );
    let first = h.send_get(&pairs).await;
    assert_eq!(first.status, 200, "{}", first.body);
    let id = first.tag("TransactionId").unwrap();

    // The Timestamps are now older than the skew in real terms: a new request is expired...
    tokio::time::sleep(Duration::from_millis(2600)).await;
    assert_eq!(h.send_get(&unsent).await.error_code(), "RequestExpired");
    // ...the identical resend of an answered one is answered from its record.
    let again = h.send_get(&pairs).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.body, first.body, "the record, RequestId included");

    // 20 minutes of business time later (a resend after a lost answer), still the record.
    h.sandbox
        .advance_clock(Duration::from_secs(20 * 60))
        .await
        .unwrap();
    let later = h.send_get(&pairs).await;
    assert_eq!(later.body, first.body);
    assert_eq!(later.tag("TransactionId").unwrap(), id);
    assert_eq!(count(&h, KEY, "Pay").await, 1, "no second transaction");

    // Just within 7 days of the first answer: still the record.
    h.sandbox
        .advance_clock(Duration::from_secs(7 * DAY - 21 * 60))
        .await
        .unwrap();
    assert_eq!(h.send_get(&pairs).await.body, first.body);

    // Past 7 days the record is gone: judged as new, its Timestamp is stale.
    h.sandbox
        .advance_clock(Duration::from_secs(2 * 60))
        .await
        .unwrap();
    assert_eq!(h.send_get(&pairs).await.error_code(), "RequestExpired");
    assert_eq!(count(&h, KEY, "Pay").await, 1);
    h.sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changed_request_under_a_used_reference_is_a_duplicate_until_the_record_expires() {
    let h = start(10, Duration::from_secs(15 * 60)).await;
    let token = h.single_use_token("tok-dup", "5.00", "ABT", false).await;
    let first = h.call(&pay_params("dup-1", &token, "5.00")).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(
        h.call(&pay_params("dup-1", &token, "4.00")).await.error_code(),
        "DuplicateRequest"
    );
    // Re-signed (a new Timestamp) is a changed request too.
    assert_eq!(
        h.call(&pay_params("dup-1", &token, "5.00")).await.error_code(),
        "DuplicateRequest"
    );
    // Past 7 days the reference is free again: a new request under it is a new transaction.
    h.sandbox
        .advance_clock(Duration::from_secs(7 * DAY + 60))
        .await
        .unwrap();
    let other = h.single_use_token("tok-dup-2", "4.00", "ABT", false).await;
    let second = h.call(&pay_params("dup-1", &other, "4.00")).await;
    assert_eq!(second.status, 200, "{}", second.body);
    assert_ne!(second.tag("TransactionId"), first.tag("TransactionId"));
    assert_eq!(count(&h, KEY, "Pay").await, 2);
    h.sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_callers_may_use_the_same_caller_reference() {
    let h = start(10, Duration::from_secs(15 * 60)).await;
    let mine = h.single_use_token_as(KEY, "tok-a", "3.00", "ABT", false).await;
    let theirs = h
        .single_use_token_as(OTHER_KEY, "tok-b", "3.00", "ABT", false)
        .await;
    let a = h.call_as(KEY, &pay_params("shared-ref", &mine, "3.00")).await;
    let b = h
        .call_as(OTHER_KEY, &pay_params("shared-ref", &theirs, "3.00"))
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(b.status, 200, "{}", b.body);
    assert_ne!(a.tag("TransactionId"), b.tag("TransactionId"));
    assert_eq!(count(&h, KEY, "Pay").await, 1);
    assert_eq!(count(&h, OTHER_KEY, "Pay").await, 1);
    h.sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identical_settle_and_refund_resends_are_applied_once() {
    let h = start(10, Duration::from_secs(15 * 60)).await;
    let token = h.single_use_token("tok-settle", "8.00", "CC", true).await;
    let reserve = h.pay("Reserve", &token, "settle-1", "8.00").await;
    let id = reserve
        .tag("TransactionId")
        .unwrap_or_else(|| panic!("{}", reserve.body));
    assert_eq!(h.settled_status(&id).await, "Reserved");

    let settle = h.signed_pairs(
        KEY,
        SECRET,
        HttpMethod::Get,
        &[("Action", "Settle"), ("ReserveTransactionId", &id)],
    );
    let first = h.send_get(&settle).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(h.send_get(&settle).await.body, first.body);
    assert_eq!(h.settled_status(&id).await, "Success");
    // A new Settle (not identical) meets the settled reserve: settled once.
    let again = h
        .call(&[("Action", "Settle"), ("ReserveTransactionId", &id)])
        .await;
    assert_eq!(again.error_code(), "InvalidTransactionState");

    let refund = h.signed_pairs(
        KEY,
        SECRET,
        HttpMethod::Get,
        &[
            ("Action", "Refund"),
            ("TransactionId", &id),
            ("CallerReference", "refund-1"),
            ("RefundAmount.Value", "2.00"),
            ("RefundAmount.CurrencyCode", "USD"),
        ],
    );
    let first = h.send_get(&refund).await;
    assert_eq!(first.status, 200, "{}", first.body);
    h.sandbox.advance_clock(Duration::from_secs(3600)).await.unwrap();
    assert_eq!(h.send_get(&refund).await.body, first.body);
    assert_eq!(count(&h, KEY, "Refund").await, 1);
    h.sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identical_resend_of_a_refused_pay_gets_the_same_refusal() {
    let h = start(10, Duration::from_secs(15 * 60)).await;
    let pairs = h.signed_pairs(
        KEY,
        SECRET,
        HttpMethod::Get,
        &pay_params("refused-1", "NOSUCHTOKEN", "1.00"),
    );
    let first = h.send_get(&pairs).await;
    let code = first.error_code();
    let again = h.send_get(&pairs).await;
    assert_eq!(again.error_code(), code);
    assert_eq!(
        again.body, first.body,
        "answered from the record (same RequestID)"
    );
    // A refusal does not take the reference: a corrected request under it is carried out.
    let token = h.single_use_token("tok-refused", "1.00", "ABT", false).await;
    let fixed = h.call(&pay_params("refused-1", &token, "1.00")).await;
    assert_eq!(fixed.status, 200, "{}", fixed.body);
    h.sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identical_cancel_resend_is_answered_from_its_record() {
    let h = start(3_600_000, Duration::from_secs(15 * 60)).await;
    let card = h.single_use_token("tok-cancel", "6.00", "CC", false).await;
    let id = h
        .pay("Pay", &card, "cancel-1", "6.00")
        .await
        .tag("TransactionId")
        .unwrap();
    let cancel = h.signed_pairs(
        KEY,
        SECRET,
        HttpMethod::Get,
        &[("Action", "Cancel"), ("TransactionId", &id)],
    );
    let first = h.send_get(&cancel).await;
    assert_eq!(
        first.tag("TransactionStatus").as_deref(),
        Some("Cancelled"),
        "{}",
        first.body
    );
    assert_eq!(h.send_get(&cancel).await.body, first.body);
    // Not identical: judged on the state, which is cancelled already.
    let fresh = h.call(&[("Action", "Cancel"), ("TransactionId", &id)]).await;
    assert_eq!(fresh.error_code(), "InvalidTransactionState");
    h.sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reserve_expires_when_the_clock_passes_its_validity() {
    let h = start(10, Duration::from_secs(15 * 60)).await;
    let card = h.single_use_token("tok-expire", "2.00", "CC", true).await;
    let id = h
        .pay("Reserve", &card, "expire-1", "2.00")
        .await
        .tag("TransactionId")
        .unwrap();
    assert_eq!(h.settled_status(&id).await, "Reserved");
    h.sandbox
        .advance_clock(Duration::from_secs(6 * DAY))
        .await
        .unwrap();
    let status = h
        .call(&[("Action", "GetTransactionStatus"), ("TransactionId", &id)])
        .await;
    assert_eq!(
        status.tag("TransactionStatus").unwrap(),
        "Reserved",
        "not yet: 6 days"
    );
    h.sandbox
        .advance_clock(Duration::from_secs(DAY + 60))
        .await
        .unwrap();
    // The due work ran before advance_clock returned.
    let status = h
        .call(&[("Action", "GetTransactionStatus"), ("TransactionId", &id)])
        .await;
    assert_eq!(
        status.tag("TransactionStatus").unwrap(),
        "Cancelled",
        "{}",
        status.body
    );
    assert_eq!(status.tag("StatusCode").unwrap(), "Expired");
    h.sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clock_endpoint_needs_the_token_checks_bounds_and_survives_a_restart() {
    // No fault token configured: the clock switch does not exist.
    let plain = Harness::start(10, None).await;
    assert_eq!(clock(&plain, "GET", Some(FAULT_TOKEN), "").await.0, 404);
    assert_eq!(
        clock(&plain, "POST", Some(FAULT_TOKEN), r#"{"advanceSeconds":60}"#)
            .await
            .0,
        404
    );
    plain.sandbox.stop().await;

    let h = start(10, Duration::from_secs(15 * 60)).await;
    assert_eq!(clock(&h, "GET", None, "").await.0, 401);
    assert_eq!(
        clock(&h, "POST", Some("wrong"), r#"{"advanceSeconds":60}"#)
            .await
            .0,
        401
    );
    let (status, report) = clock(&h, "GET", Some(FAULT_TOKEN), "").await;
    assert_eq!(status, 200);
    assert_eq!(report["offsetSeconds"], 0);
    for bad in [
        r#"{"advanceSeconds":0}"#,
        r#"{"advanceSeconds":-60}"#,
        r#"{"advanceSeconds":34560001}"#,
        r#"{"advanceSeconds":1.5}"#,
        r#"{"advanceSeconds":"60"}"#,
        r#"{"advanceSeconds":60,"other":1}"#,
        r#"{}"#,
        "not json",
    ] {
        let (status, answer) = clock(&h, "POST", Some(FAULT_TOKEN), bad).await;
        assert_eq!(status, 400, "{bad}: {answer}");
        let message = answer["error"].as_str().unwrap();
        assert!(
            message.contains("advanceSeconds"),
            "{bad}: says what to fix: {message}"
        );
    }
    assert_eq!(
        clock(&h, "GET", Some(FAULT_TOKEN), "").await.1["offsetSeconds"],
        0
    );

    let (status, report) = clock(&h, "POST", Some(FAULT_TOKEN), r#"{"advanceSeconds":34560000}"#).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["offsetSeconds"], 34_560_000);
    let now = time::OffsetDateTime::parse(
        report["now"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let ahead = now - time::OffsetDateTime::now_utc();
    assert!(
        ahead > time::Duration::days(399) && ahead < time::Duration::days(401),
        "{report}"
    );

    // Business dates follow the clock; the signature window still uses the real one.
    let token = h.single_use_token("tok-clock", "1.00", "ABT", false).await;
    let id = h
        .pay("Pay", &token, "clock-1", "1.00")
        .await
        .tag("TransactionId")
        .unwrap();
    let txn = h
        .call(&[("Action", "GetTransaction"), ("TransactionId", &id)])
        .await;
    let received = time::OffsetDateTime::parse(
        &txn.tag("DateReceived").unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert!(
        received - time::OffsetDateTime::now_utc() > time::Duration::days(399),
        "{}",
        txn.body
    );

    // The same file after a restart keeps the offset.
    let Harness { sandbox, dir, .. } = h;
    sandbox.stop().await;
    let mut config = config(&dir, 10, None);
    config.fault_token = SecretKey::new(FAULT_TOKEN);
    let h = Harness::with(fps_sandbox::start(config).await.unwrap(), dir);
    assert_eq!(
        clock(&h, "GET", Some(FAULT_TOKEN), "").await.1["offsetSeconds"],
        34_560_000
    );
    // Two emulators in one process keep their own clocks.
    let other = start(10, Duration::from_secs(15 * 60)).await;
    assert_eq!(
        clock(&other, "GET", Some(FAULT_TOKEN), "").await.1["offsetSeconds"],
        0
    );
    other.sandbox.stop().await;
    h.sandbox.stop().await;
}
