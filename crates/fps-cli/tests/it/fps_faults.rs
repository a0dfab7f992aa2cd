//! The real merchant backend against the real FPS emulator in fault mode (`POST /sandbox/faults`):
//! for each fault (slow, down, 5xx, truncated, malformed) the backend answers with a typed error
//! and no panic, the order stays retriable, nothing is charged twice, and once the fault is off a
//! resent return finishes the order. Each fault is met twice: first on every Query API call (the
//! return's VerifySignature fails, the order stays `open`), then on Pay alone (the order waits in
//! `charging`; for slow, truncated and malformed answers FPS did charge, and the backend cannot
//! know it yet). The emulator sends no IPNs here, so only the resent return can finish an order.

use crate::common::read;
use crate::sandbox_support::Harness as Fps;
use crate::shop_support::{Shop, FAULT_TOKEN};
use serde_json::{json, Value};

/// The error a return must get while a fault is in force.
#[derive(Clone, Copy)]
struct Refusal<'a> {
    status: u16,
    code: &'a str,
    /// Words the message must contain.
    says: &'a str,
}

impl Shop {
    /// Sends the return with `fault` in force, checks the refusal, then lifts the fault.
    async fn refused_under(&self, fault: Value, query: &str, refused: &Refusal<'_>) {
        self.fault(fault).await;
        let (got, body) = self.send_return(query).await;
        assert_eq!(
            (got, body["error"]["code"].as_str()),
            (refused.status, Some(refused.code)),
            "{body}"
        );
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains(refused.says), "{message}");
        self.fault(json!({ "mode": "none" })).await;
    }
}

/// One fault, met on every call and then on Pay alone, then lifted.
/// `applied`: whether FPS carries out the call despite the fault (the answer alone is spoilt).
async fn meet(fault: Value, status: u16, code: &str, applied: bool) {
    let shop = Shop::start().await;
    let (reference, query) = shop.authorized_return().await;

    // Every Query API call fails: the return cannot even be verified.
    let refused = Refusal {
        status,
        code,
        says: "nothing was charged",
    };
    shop.refused_under(fault.clone(), &query, &refused).await;
    assert_eq!(shop.order_state(&reference).await, "open");
    assert_eq!(shop.pays(&reference).await, 0);

    // Only Pay fails: the return is verified, the charge's outcome is unknown.
    let mut on_pay = fault.clone();
    on_pay["actions"] = json!(["Pay"]);
    let refused = Refusal {
        says: "without charging twice",
        ..refused
    };
    shop.refused_under(on_pay, &query, &refused).await;
    assert_eq!(shop.order_state(&reference).await, "charging");
    assert_eq!(shop.pays(&reference).await, usize::from(applied));

    // FPS recovers: the same return finishes the order, with one Pay at FPS.
    let (got, body) = shop.send_return(&query).await;
    assert_eq!(got, 200, "{body}");
    assert_eq!(body["status"], "paid", "{body}");
    assert_eq!(shop.order_state(&reference).await, "paid");
    assert_eq!(shop.pays(&reference).await, 1);
    let (got, body) = shop.send_return(&query).await;
    assert_eq!(
        (got, body["error"]["code"].as_str()),
        (409, Some("ALREADY_PROCESSED")),
        "{body}"
    );
    assert_eq!(shop.pays(&reference).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_fps_times_out_and_the_order_resumes() {
    meet(
        json!({ "mode": "slow", "delayMs": 2500 }),
        504,
        "FPS_TIMEOUT",
        true,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fps_down_is_unavailable_and_the_order_resumes() {
    meet(json!({ "mode": "down" }), 502, "FPS_UNAVAILABLE", false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fps_5xx_is_an_fps_error_and_the_order_resumes() {
    meet(json!({ "mode": "5xx", "status": 503 }), 502, "FPS_ERROR", false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn truncated_xml_is_a_bad_response_and_the_order_resumes() {
    meet(json!({ "mode": "truncated" }), 502, "FPS_BAD_RESPONSE", true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_xml_is_a_bad_response_and_the_order_resumes() {
    meet(json!({ "mode": "malformed" }), 502, "FPS_BAD_RESPONSE", true).await;
}

#[tokio::test]
async fn the_fault_switch_needs_its_token() {
    let shop = Shop::start().await;
    let url = format!("{}/sandbox/faults", shop.fps.sandbox.base_url());
    let down = json!({ "mode": "down" });
    for token in [None, Some("wrong-token"), Some("")] {
        let mut request = shop.http.post(&url).json(&down);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let (status, body) = read(request.send().await.expect("send")).await;
        assert_eq!(status, 401, "{token:?}: {body}");
    }
    for bad in [
        json!({ "mode": "fire" }),
        json!({ "mode": "slow" }),
        json!({ "mode": "slow", "delayMs": 10_000_000 }),
        json!({ "mode": "5xx", "status": 200 }),
        json!({ "mode": "down", "actions": ["Pay Now"] }),
    ] {
        let response = shop
            .http
            .post(&url)
            .bearer_auth(FAULT_TOKEN)
            .json(&bad)
            .send()
            .await
            .expect("send");
        let (status, body) = read(response).await;
        assert_eq!(status, 400, "{bad}: {body}");
    }
    // Nothing was switched on by the refused requests.
    let response = shop
        .http
        .get(&url)
        .bearer_auth(FAULT_TOKEN)
        .send()
        .await
        .expect("send");
    let (status, body) = read(response).await;
    assert_eq!((status, body["mode"].as_str()), (200, Some("none")), "{body}");
    assert_eq!(shop.pays("nothing").await, 0);

    // Without a configured token the switch does not exist.
    let plain = Fps::start(0, None).await;
    let response = plain
        .http
        .post(format!("{}/sandbox/faults", plain.sandbox.base_url()))
        .bearer_auth(FAULT_TOKEN)
        .json(&down)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status().as_u16(), 404);
}
