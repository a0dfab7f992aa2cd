//! Authentication, time and parameter errors, and tricky values that must round-trip through
//! signing by GET and by POST.

use crate::sandbox_support::*;
use fps_core::canonical::HttpMethod;

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
