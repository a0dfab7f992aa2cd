//! The shopper's return from FPS: forged, replayed and mismatched returns are refused, concurrent
//! returns charge once, and a declined payment is reported and recorded.

use super::reference;
use crate::common::*;

#[tokio::test]
async fn forged_replayed_and_mismatched_returns_are_refused() {
    let h = start().await;
    let order = h.create_order("MUG-ENAMEL", 1).await;
    let r = reference(&order);

    // Before any signed request: refused.
    let raw = h.cbui_return(&order, "SC").await;
    assert_refused(&h.post_text("/fps/return", &raw).await, 409, "NOT_SIGNED");
    h.sign(&order).await;

    // Tampered after FPS signed it: another token.
    let forged = raw.replace(&token_of(&raw), TOKEN_PENDING);
    assert_refused(
        &h.post_text("/fps/return", &forged).await,
        403,
        "SIGNATURE_INVALID",
    );
    // Signed for another return URL.
    let other = h.fps.signed_return(
        "https://shop.example/thanks",
        &[("callerReference", &r), ("status", "SC"), ("tokenID", TOKEN_OK)],
    );
    assert_eq!(h.post_text("/fps/return", &other).await.0, 403);
    // Without FPS's signature at all: refused before asking FPS.
    let unsigned = format!("callerReference={r}&status=SC&tokenID={TOKEN_OK}");
    assert_refused(
        &h.post_text("/fps/return", &unsigned).await,
        403,
        "SIGNATURE_INVALID",
    );
    // An unknown order.
    let stranger = h.fps.signed_return(
        &h.return_url,
        &[
            ("callerReference", "ord-unknown"),
            ("status", "SC"),
            ("tokenID", TOKEN_OK),
        ],
    );
    assert_eq!(h.post_text("/fps/return", &stranger).await.0, 404);
    // Malformed.
    assert_eq!(h.post_text("/fps/return", "status=ZZ").await.0, 400);
    assert_eq!(h.post_text("/fps/return", "").await.0, 400);
    assert_eq!(h.fps.transactions("Pay").await.len(), 0, "nothing charged");

    // The shopper abandoned: nothing to verify or charge, the order stays open.
    let abandoned = h.cbui_return(&order, "A").await;
    let (status, body) = h.post_text("/fps/return", &abandoned).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("open")), "{body}");

    // The genuine return charges once; its replay is refused and charges nothing.
    let (status, body) = h.post_text("/fps/return", &raw).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("paid")), "{body}");
    assert_refused(&h.post_text("/fps/return", &raw).await, 409, "ALREADY_PROCESSED");
    assert_eq!(h.fps.transactions("Pay").await.len(), 1);
    assert_eq!(h.fps.calls("Pay"), 1);

    // Every refusal is on the order's record.
    let kinds: Vec<String> = h.order(&r).await["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap().to_owned())
        .collect();
    for kind in ["return_unsigned", "return_forged", "return_replayed"] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} not in {kinds:?}");
    }
    assert_eq!(kinds.iter().filter(|k| *k == "return_forged").count(), 2);
}

#[tokio::test]
async fn concurrent_returns_charge_once() {
    let h = start().await;
    let order = h.create_order("MUG-ENAMEL", 2).await;
    h.sign(&order).await;
    let raw = h.cbui_return(&order, "SB").await;
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let (http, url, raw) = (h.http.clone(), format!("{}/fps/return", h.base), raw.clone());
        tasks.push(tokio::spawn(async move {
            http.post(url).body(raw).send().await.map(|r| r.status().as_u16())
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap().unwrap());
    }
    assert!(statuses.iter().all(|s| *s == 200 || *s == 409), "{statuses:?}");
    assert!(statuses.contains(&200), "{statuses:?}");
    assert_eq!(h.fps.transactions("Pay").await.len(), 1, "{statuses:?}");
    assert_eq!(h.order(&reference(&order)).await["status"], "paid");
}

#[tokio::test]
async fn declined_payment_is_reported_and_recorded() {
    let h = start().await;
    let (order, status, body) = h.checkout("MUG-ENAMEL", Payer::Declined).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (402, Some("PAYMENT_DECLINED")),
        "{body}"
    );
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("InsufficientBalance"));
    let stored = h.order(&reference(&order)).await;
    assert_eq!(stored["status"], "failed");
    assert!(stored["lastError"]
        .as_str()
        .unwrap()
        .contains("InsufficientBalance"));
}
