//! Instant Payment Notifications: a form-encoded POST per status change, signed like a return
//! (method `POST`, the IPN URL's host and path), queued in the store and delivered with
//! exponential back-off until the merchant answers 200.

use std::time::Duration;

use super::ids;
use super::landing_signer::RSA_SHA1;
use super::state::SandboxState;
use super::store::{IpnRecord, StoreError, TokenRecord, TransactionRecord};
use fps_core::canonical::HttpMethod;
use fps_core::{encode, Endpoint};

/// Signs `pairs` for delivery to `url` and renders the form body; `None` when the URL is unusable.
pub fn signed_body(state: &SandboxState, url: &str, mut pairs: Vec<(String, String)>) -> Option<String> {
    let endpoint = Endpoint::parse(url).ok()?;
    pairs.push(("signatureMethod".into(), RSA_SHA1.into()));
    pairs.push(("signatureVersion".into(), "2".into()));
    pairs.push(("certificateUrl".into(), state.certificate_url()));
    let signature = state.signer.sign(HttpMethod::Post, &endpoint, &pairs);
    pairs.push(("signature".into(), signature));
    Some(form_encode(&pairs))
}

/// `name=value&...` with Signature Version 2 percent-encoding.
pub fn form_encode(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(n, v)| format!("{}={}", encode(n), encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The notification fields of a transaction's current status.
pub fn transaction_fields(txn: &TransactionRecord, operation: &str) -> Vec<(String, String)> {
    let amount = match (operation, txn.settled_minor) {
        ("SETTLE", Some(settled)) => settled,
        _ => txn.amount_minor,
    };
    let mut pairs: Vec<(String, String)> = vec![
        ("notificationType".into(), "TransactionStatus".into()),
        ("transactionId".into(), txn.id.clone()),
        ("transactionDate".into(), (txn.date_received / 1000).to_string()),
        ("transactionStatus".into(), txn.status.to_ascii_uppercase()),
        ("statusCode".into(), txn.status_code.clone()),
        ("statusMessage".into(), txn.status_message.clone()),
        ("operation".into(), operation.to_owned()),
        (
            "transactionAmount".into(),
            format!("USD {}", ids::two_decimals(amount)),
        ),
        ("paymentMethod".into(), txn.payment_method.clone()),
        ("buyerName".into(), txn.sender_name.clone()),
        ("buyerEmail".into(), txn.sender_email.clone()),
        ("recipientName".into(), txn.recipient_name.clone()),
        ("recipientEmail".into(), txn.recipient_email.clone()),
    ];
    if let Some(reference) = &txn.caller_reference {
        pairs.push(("callerReference".into(), reference.clone()));
    }
    if let Some(reason) = &txn.payment_reason {
        pairs.push(("paymentReason".into(), reason.clone()));
    }
    if let Some(parent) = &txn.parent_id {
        pairs.push(("parentTransactionId".into(), parent.clone()));
    }
    pairs
}

/// Queues the notification of a transaction's status change.
pub async fn enqueue_transaction(
    state: &SandboxState,
    url: &str,
    txn: &TransactionRecord,
    operation: &str,
) -> Result<(), StoreError> {
    enqueue(state, url, transaction_fields(txn, operation)).await
}

/// Queues the notification of a cancelled token.
pub async fn enqueue_token_cancellation(
    state: &SandboxState,
    url: &str,
    token: &TokenRecord,
    reason: Option<&str>,
) -> Result<(), StoreError> {
    let mut pairs: Vec<(String, String)> = vec![
        ("notificationType".into(), "TokenCancellation".into()),
        ("tokenId".into(), token.token_id.clone()),
        ("tokenType".into(), token.token_type.clone()),
        ("callerReference".into(), token.caller_reference.clone()),
        ("dateInstalled".into(), (token.date_installed / 1000).to_string()),
    ];
    if let Some(reason) = reason {
        pairs.push(("reasonText".into(), reason.to_owned()));
    }
    enqueue(state, url, pairs).await
}

async fn enqueue(state: &SandboxState, url: &str, pairs: Vec<(String, String)>) -> Result<(), StoreError> {
    match signed_body(state, url, pairs) {
        Some(body) => {
            state.store.enqueue_ipn(url, &body).await?;
            state.wake_ipn.notify_one();
        }
        None => tracing::warn!(
            url,
            "IPN URL is not an absolute http(s) URL; notification dropped"
        ),
    }
    Ok(())
}

/// The wait before the attempt after `attempts` failed ones.
pub fn backoff(state: &SandboxState, attempts: u32) -> Duration {
    let retry = state.config.ipn;
    let factor = 1u32.checked_shl(attempts.min(20)).unwrap_or(u32::MAX);
    retry
        .initial_backoff
        .checked_mul(factor)
        .unwrap_or(retry.max_backoff)
        .min(retry.max_backoff)
}

async fn deliver(state: &SandboxState, ipn: &IpnRecord) -> Result<(), StoreError> {
    let result = state
        .http
        .post(&ipn.url)
        .header("content-type", "application/x-www-form-urlencoded; charset=utf-8")
        .body(ipn.body.clone())
        .send()
        .await;
    let error = match result {
        Ok(response) if response.status().as_u16() == 200 => {
            tracing::info!(id = ipn.id, url = %ipn.url, "IPN delivered");
            return state.store.ipn_delivered(ipn.id).await;
        }
        Ok(response) => format!("answered {}", response.status()),
        Err(e) => e.to_string(),
    };
    let attempts = u32::try_from(ipn.attempts).unwrap_or(u32::MAX).saturating_add(1);
    let give_up = attempts >= state.config.ipn.max_attempts;
    let wait = i64::try_from(backoff(state, attempts - 1).as_millis()).unwrap_or(i64::MAX);
    tracing::warn!(id = ipn.id, url = %ipn.url, attempts, give_up, %error, "IPN not accepted");
    state
        .store
        .ipn_failed(ipn.id, state.now_ms().saturating_add(wait), give_up, &error)
        .await
}

/// Delivers due IPNs forever (until the task is aborted).
pub async fn run_delivery(state: std::sync::Arc<SandboxState>) {
    loop {
        match state.store.due_ipns(state.now_ms()).await {
            Ok(due) => {
                for ipn in &due {
                    if let Err(e) = deliver(&state, ipn).await {
                        tracing::error!(error = %e, "IPN bookkeeping failed");
                    }
                }
            }
            Err(e) => tracing::error!(error = %e, "IPN outbox unreadable"),
        }
        let wait = match state.store.next_ipn_due().await {
            Ok(Some(at)) => Duration::from_millis(u64::try_from(at - state.now_ms()).unwrap_or(0).min(1000)),
            _ => Duration::from_secs(1),
        };
        if wait > Duration::ZERO {
            let _ = tokio::time::timeout(wait, state.wake_ipn.notified()).await;
        }
    }
}

/// Completes due pending transactions forever (until the task is aborted).
pub async fn run_ledger(state: std::sync::Arc<SandboxState>) {
    loop {
        if let Err(e) = super::ledger::complete_due(&state).await {
            tracing::error!(error = %e, "completing pending transactions failed");
        }
        let wait = match state.store.next_due().await {
            Ok(Some(at)) => Duration::from_millis(u64::try_from(at - state.now_ms()).unwrap_or(0).min(1000)),
            _ => Duration::from_secs(1),
        };
        if wait > Duration::ZERO {
            let _ = tokio::time::timeout(wait, state.wake_ledger.notified()).await;
        }
    }
}
