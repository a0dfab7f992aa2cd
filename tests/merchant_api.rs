//! The merchant backend end to end: the real server on a loopback port, FPS played by a local
//! test server speaking the real XML. Happy paths, money rules, tampering, forgeries, faults.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn pay_happy_path() {
    let h = start().await;
    let (order, status, body) = h.checkout("MUG-ENAMEL", TOKEN_OK).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "paid");
    assert_eq!(body["transactionStatus"], "Success");
    assert_eq!(body["orderId"], order["callerReference"]);
    assert_eq!(h.fps.calls("VerifySignature"), 1);
    let pays = h.fps.transactions("Pay");
    assert_eq!(pays.len(), 1);
    assert_eq!(pays[0].1.caller_reference, order["callerReference"].as_str().unwrap());
    assert_eq!(pays[0].1.amount_minor, 1250);
    let stored = h.order(order["callerReference"].as_str().unwrap()).await;
    assert_eq!(stored["status"], "paid");
    assert_eq!(stored["settledAmount"], "12.50");
}
