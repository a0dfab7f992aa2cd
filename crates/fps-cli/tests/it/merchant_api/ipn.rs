//! A pending payment completes by IPN or by a status refresh, never moves back, and forged IPNs are
//! refused.

use super::reference;
use crate::common::*;

#[tokio::test]
async fn pending_payment_completes_by_ipn_and_never_moves_back() {
    let h = start().await;
    let (order, status, body) = h.checkout("MUG-ENAMEL", Payer::Pending).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "pending");
    let r = reference(&order);
    let (txn, _) = h.fps.transactions("Pay").await[0].clone();
    let ipn = |status: &str| {
        h.fps.signed_ipn(
            &h.ipn_url,
            &[
                ("notificationType", "TransactionStatus"),
                ("transactionId", &txn),
                ("transactionStatus", status),
                ("statusCode", "Success"),
                ("operation", "PAY"),
                ("callerReference", &r),
                ("transactionAmount", "USD 12.50"),
                ("paymentMethod", "CC"),
            ],
        )
    };
    let success = ipn("SUCCESS");
    let (status, body) = h.post_text("/fps/ipn", &success).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "paid");
    // Replayed: accepted (FPS resends until it gets 200) but changes nothing.
    let (status, body) = h.post_text("/fps/ipn", &success).await;
    assert_eq!(
        (status, body["result"].as_str()),
        (200, Some("duplicate")),
        "{body}"
    );
    // Late and out of order: never moves back.
    let (status, _) = h.post_text("/fps/ipn", &ipn("PENDING")).await;
    assert_eq!(status, 200);
    let (status, _) = h.post_text("/fps/ipn", &ipn("FAILURE")).await;
    assert_eq!(status, 200);
    h.fps.set_status(&txn, "Success").await;
    assert_eq!(h.order(&r).await["status"], "paid");
}

#[tokio::test]
async fn forged_ipns_are_refused() {
    let h = start().await;
    let (order, _, body) = h.checkout("MUG-ENAMEL", Payer::Pending).await;
    assert_eq!(body["status"], "pending");
    let r = reference(&order);
    let (txn, _) = h.fps.transactions("Pay").await[0].clone();
    let genuine = h.fps.signed_ipn(
        &h.ipn_url,
        &[
            ("notificationType", "TransactionStatus"),
            ("transactionId", txn.as_str()),
            ("transactionStatus", "FAILURE"),
            ("callerReference", &r),
        ],
    );
    // Changed status after signing.
    let forged = genuine.replace("FAILURE", "SUCCESS");
    assert_refused(&h.post_text("/fps/ipn", &forged).await, 403, "SIGNATURE_INVALID");
    // Signed for another URL.
    let elsewhere = h.fps.signed_ipn(
        "https://attacker.example/fps/ipn",
        &[
            ("notificationType", "TransactionStatus"),
            ("transactionId", txn.as_str()),
            ("transactionStatus", "SUCCESS"),
        ],
    );
    assert_eq!(h.post_text("/fps/ipn", &elsewhere).await.0, 403);
    // No signature at all.
    let bare = format!("transactionId={txn}&transactionStatus=SUCCESS");
    assert_eq!(h.post_text("/fps/ipn", &bare).await.0, 403);
    // Duplicate names are refused before anything else.
    let doubled = format!("{genuine}&transactionStatus=SUCCESS");
    assert_eq!(h.post_text("/fps/ipn", &doubled).await.0, 400);
    h.fps.set_status(&txn, "Pending").await;
    assert_eq!(h.order(&r).await["status"], "pending");
}

#[tokio::test]
async fn pending_payment_completes_by_status_refresh() {
    let h = start().await;
    let (order, _, body) = h.checkout("MUG-ENAMEL", Payer::Pending).await;
    assert_eq!(body["status"], "pending");
    let (txn, _) = h.fps.transactions("Pay").await[0].clone();
    assert_eq!(h.order(&reference(&order)).await["status"], "pending");
    h.fps.set_status(&txn, "Success").await;
    let stored = h.order(&reference(&order)).await;
    assert_eq!(stored["status"], "paid");
    assert_eq!(stored["transactionStatus"], "Success");
}
