//! The e-mails FPS sends the sender when money moves or fails to (Basic Quick Start, "Notification"):
//! payment succeeded, payment failed, settlement failed (fund the payment instrument), refund;
//! and the one a marketplace's seller gets for each payment to it (seed 001).
//! The emulator records them instead of sending, and lists them on `GET /outbox` (newest first).

use std::sync::Arc;

use axum::extract::State;

use super::cbui::pages::layout;
use super::ids;
use super::state::SandboxState;
use super::store::{EmailRecord, StoreError, TransactionRecord};
use super::xml::escape;

/// Most e-mails the page lists.
const PAGE_SIZE: i64 = 200;

/// The e-mail a transaction's new status sends its sender, if any: (kind, to, subject, body).
pub fn email_for(
    txn: &TransactionRecord,
    caller_name: &str,
) -> Option<(&'static str, String, String, String)> {
    let amount = ids::two_decimals(txn.settled_minor.unwrap_or(txn.amount_minor));
    let settled = txn.operation == "Reserve" && txn.settled_minor.is_some();
    let (kind, to, subject, body) = match (txn.operation.as_str(), txn.status.as_str()) {
        ("Refund", "Success") => (
            "refund",
            &txn.recipient_email,
            format!("Refund of ${amount} from {}", txn.sender_name),
            format!(
                "{} refunded ${amount} to you. It goes back to the payment method you paid with.",
                txn.sender_name
            ),
        ),
        ("Pay", "Success") | ("Reserve", "Success") => (
            "payment_succeeded",
            &txn.sender_email,
            format!("You paid ${amount} to {}", txn.recipient_name),
            format!(
                "Your payment of ${amount} to {} through {caller_name} is complete.",
                txn.recipient_name
            ),
        ),
        ("Reserve", "Failure") if settled => (
            "settlement_failed",
            &txn.sender_email,
            format!("Your payment of ${amount} to {} failed", txn.recipient_name),
            format!(
                "We could not charge ${amount} for your order from {caller_name}: {} Please fund your \
                 payment method and authorize the payment again with the merchant.",
                txn.status_message
            ),
        ),
        ("Pay", "Failure") | ("Reserve", "Failure") => (
            "payment_failed",
            &txn.sender_email,
            format!("Your payment of ${amount} to {} failed", txn.recipient_name),
            format!(
                "Your payment of ${amount} through {caller_name} failed: {}",
                txn.status_message
            ),
        ),
        _ => return None,
    };
    Some((kind, to.clone(), subject, body))
}

/// The e-mail a seller gets for a marketplace payment to it (seed 001: FPS notifies the
/// marketplace's sellers of each payment), if `txn` is one that just succeeded: a Pay or a
/// settled Reserve whose recipient is not the caller's own account.
pub fn seller_email_for(
    txn: &TransactionRecord,
    caller: (&str, &str),
) -> Option<(&'static str, String, String, String)> {
    let (caller_name, caller_email) = caller;
    let payment = matches!(txn.operation.as_str(), "Pay" | "Reserve");
    if !payment || txn.status != "Success" || txn.recipient_email.eq_ignore_ascii_case(caller_email) {
        return None;
    }
    let amount = txn.settled_minor.unwrap_or(txn.amount_minor);
    let fees = txn.marketplace_fee_minor
        + if txn.fee_paid_by == "Caller" {
            0
        } else {
            txn.fps_fee_minor
        };
    Some((
        "payment_received",
        txn.recipient_email.clone(),
        format!(
            "You received ${} from {} through {caller_name}",
            ids::two_decimals(amount),
            txn.sender_name
        ),
        format!(
            "{} paid you ${} through {caller_name} (transaction {}). Fees: ${}; ${} is added to your \
             Amazon Payments balance.",
            txn.sender_name,
            ids::two_decimals(amount),
            txn.id,
            ids::two_decimals(fees),
            ids::two_decimals(amount - fees)
        ),
    ))
}

/// Records the e-mails a transaction's new status sends (the sender's, and a marketplace
/// seller's), once per transaction and kind.
pub async fn note(state: &SandboxState, txn: &TransactionRecord) -> Result<(), StoreError> {
    let caller = state.caller(&txn.caller_key);
    let caller_name = caller.map_or("the merchant", |c| c.name.as_str());
    let caller_email = caller.map_or("", |c| c.email.as_str());
    let emails = [
        email_for(txn, caller_name),
        seller_email_for(txn, (caller_name, caller_email)),
    ];
    for (kind, to, subject, body) in emails.into_iter().flatten() {
        let email = EmailRecord {
            to_email: to,
            subject,
            body,
            transaction_id: txn.id.clone(),
            kind: kind.to_owned(),
            at: txn.date_completed.unwrap_or_else(|| state.now_ms()),
        };
        state.store.add_email(&email).await?;
    }
    Ok(())
}

/// `GET /outbox`: the recorded e-mails, newest first.
pub async fn page(State(state): State<Arc<SandboxState>>) -> axum::response::Response {
    let body = match state.store.emails(PAGE_SIZE).await {
        Ok(emails) if emails.is_empty() => "<h1>Outbox</h1><p>No e-mails sent yet.</p>".to_owned(),
        Ok(emails) => {
            let mut out = String::from(
                "<h1>Outbox</h1><p>The e-mails Amazon Payments sent to buyers and sellers (newest first).</p><ol class=\"outbox\">",
            );
            for e in &emails {
                out.push_str(&format!(
                    "<li class=\"email\" data-kind=\"{}\" data-transaction=\"{}\"><p><strong>To:</strong> {} \
                     <span class=\"date\">{}</span></p><h2>{}</h2><p>{}</p></li>",
                    escape(&e.kind),
                    escape(&e.transaction_id),
                    escape(&e.to_email),
                    escape(&ids::iso_date(e.at)),
                    escape(&e.subject),
                    escape(&e.body)
                ));
            }
            out.push_str("</ol>");
            out
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot read the outbox");
            "<h1>Outbox</h1><p role=\"alert\">The outbox could not be read.</p>".to_owned()
        }
    };
    // The CBUI pages' answer: no-script CSP, not cached.
    super::cbui::html(axum::http::StatusCode::OK, layout("Outbox", None, &body))
}
