//! State: the data and the signing key survive a restart, the in-memory store serves a whole
//! payment, and unsettled reserves expire.

use crate::sandbox_support::*;

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
