//! Refunds the shopper asks for: a request (a reason, all or part of what is left) is an order
//! event and a pending row; nothing moves money until the admin approves it, which issues the
//! Refund through the existing refund path (applied / refused / unknown), or declines it with a
//! message the shopper sees. One pending request per order; a request is approved at most once.

use super::error::OrderError;
use super::refunds::{new_refund, refund_requested};
use super::{bounded, OrderService};
use crate::order::{check_refund, money, OrderState};
use crate::store::{ApproveError, Event, Order, Refund, RefundRequest, RequestState, StoreError};
use fps_core::{Amount, Currency};
use fps_wire::Sending;

/// Longest reason a shopper may give, in characters.
pub const MAX_REASON_CHARS: usize = 500;

/// Longest message the admin may decline with, in characters.
pub const MAX_DECLINE_MESSAGE_CHARS: usize = 500;

/// What FPS's records say of a refund a shopper asked for (the shopper's own words stay here).
const REFUND_DESCRIPTION: &str = "Refund requested by the shopper";

/// `text` trimmed, if it has 1 to `max` characters and no control characters but line breaks
/// and tabs; otherwise `Invalid` with `code`.
fn free_text(text: &str, what: &str, code: &'static str, max: usize) -> Result<String, OrderError> {
    let text = text.trim();
    let invalid = |message: String| OrderError::Invalid { code, message };
    if text.is_empty() {
        return Err(invalid(format!("the {what} is empty")));
    }
    if text.chars().count() > max {
        return Err(invalid(format!("the {what} is longer than {max} characters")));
    }
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(invalid(format!("the {what} contains control characters")));
    }
    Ok(text.to_owned())
}

impl OrderService {
    /// The shopper asks for a refund of `order` (paid), of `asked` or, when absent, all that is
    /// left to refund, for `reason`. Records the request and its order event; moves no money.
    pub async fn request_refund(
        &self,
        order: &Order,
        asked: Option<Amount>,
        reason: &str,
    ) -> Result<RefundRequest, OrderError> {
        let reason = free_text(reason, "reason", "INVALID_REASON", MAX_REASON_CHARS)?;
        let left = order.settled_minor.saturating_sub(order.refunded_minor);
        let amount_minor = asked.map_or(left, |a| a.minor_units());
        check_refund(
            order.state,
            amount_minor,
            order.settled_minor,
            order.refunded_minor,
        )?;
        if amount_minor == 0 {
            return Err(OrderError::Invalid {
                code: "INVALID_AMOUNT",
                message: if left == 0 {
                    "nothing is left to refund".to_owned()
                } else {
                    "the amount must be more than 0.00".to_owned()
                },
            });
        }
        let request = RefundRequest {
            id: format!("rr-{}", uuid::Uuid::new_v4().simple()),
            order_reference: order.reference.clone(),
            amount_minor,
            reason,
            state: RequestState::Pending,
            message: None,
            refund_reference: None,
            created_at: crate::store::now(),
            decided_at: None,
        };
        let event = Event::new(
            "refund_request",
            format!(
                "{} {}: {}",
                request.id,
                money(amount_minor),
                bounded(&request.reason, 200)
            ),
        );
        if !self.store.create_refund_request(&request, &event).await? {
            return Err(OrderError::Conflict {
                code: "REQUEST_PENDING",
                message: "a refund request for this order is already waiting for the shop".to_owned(),
            });
        }
        tracing::info!(order = %order.reference, request = %request.id, "refund requested by the shopper");
        Ok(request)
    }

    /// The request `id`, or `UNKNOWN_REQUEST` (404).
    pub async fn load_refund_request(&self, id: &str) -> Result<RefundRequest, OrderError> {
        self.store
            .refund_request(id)
            .await?
            .ok_or_else(|| OrderError::NotFound {
                code: "UNKNOWN_REQUEST",
                message: "no such refund request".to_owned(),
            })
    }

    /// The admin approves pending request `id`: the request and its Refund are recorded in one
    /// transaction (so it refunds at most once), then the Refund is sent and its outcome
    /// recorded as for the admin's own refunds. A refusal gives the amount back and puts the
    /// request back to pending; an unknown outcome keeps it approved, the refund held until
    /// the reconciler finds out.
    pub async fn approve_refund_request(&self, id: &str) -> Result<(Order, Vec<Refund>), OrderError> {
        let request = self.load_refund_request(id).await?;
        if request.state != RequestState::Pending {
            return Err(decided(&request));
        }
        let order = self.load(&request.order_reference).await?;
        check_refund(
            order.state,
            request.amount_minor,
            order.settled_minor,
            order.refunded_minor,
        )?;
        if order.transaction_id.is_none() || order.state != OrderState::Paid {
            return Err(OrderError::Conflict {
                code: "WRONG_STATE",
                message: "the order has no transaction to refund".to_owned(),
            });
        }
        let amount =
            Amount::from_minor(request.amount_minor, Currency::Usd).map_err(|_| OrderError::Invalid {
                code: "INVALID_AMOUNT",
                message: "the requested amount is not a refundable amount".to_owned(),
            })?;
        let refund = new_refund(&order.reference, request.amount_minor);
        let approved = Event::new(
            "refund_request_approved",
            format!("{id} {}", refund.caller_reference),
        );
        let requested = refund_requested(&refund, amount);
        self.store
            .approve_refund_request(id, &refund, self.first_check(), [&approved, &requested])
            .await
            .map_err(|e| match e {
                ApproveError::Decided => OrderError::Conflict {
                    code: "REQUEST_DECIDED",
                    message: "the refund request was decided meanwhile".to_owned(),
                },
                ApproveError::Store(StoreError::Conflict { .. }) => OrderError::Conflict {
                    code: "AMOUNT_TOO_LARGE",
                    message: "another refund took the amount meanwhile".to_owned(),
                },
                ApproveError::Store(other) => other.into(),
            })?;
        let sent = self
            .send_refund(
                &order,
                &refund,
                Some(REFUND_DESCRIPTION.to_owned()),
                Sending::First,
            )
            .await;
        if let Err(error) = sent {
            self.reopen_if_refused(id, &refund.caller_reference, &error).await;
            return Err(error);
        }
        let order = self.load(&order.reference).await?;
        let refunds = self.store.refunds(&order.reference).await?;
        Ok((order, refunds))
    }

    /// After a failed send: when FPS refused the Refund (nothing was refunded, the amount is
    /// back), the request waits for the admin again. An unknown outcome changes nothing here.
    async fn reopen_if_refused(&self, id: &str, refund_reference: &str, error: &OrderError) {
        let refused = match self.store.refund(refund_reference).await {
            Ok(refund) => refund.is_some_and(|r| r.state == "failed"),
            Err(e) => {
                tracing::error!(error = %e, request = %id, "cannot read the refund of an approved request");
                false
            }
        };
        if !refused {
            return;
        }
        let event = Event::new(
            "refund_request_reopened",
            format!("{id}: {}", bounded(&error.to_string(), 300)),
        );
        let moved = self
            .store
            .move_refund_request(id, RequestState::Approved, RequestState::Pending, None, &event)
            .await;
        if let Err(e) = moved {
            // Another request of the order is pending meanwhile: this one stays approved, with
            // its refused refund for the admin to see.
            tracing::warn!(error = %e, request = %id, "refused refund request not reopened");
        }
    }

    /// The admin declines pending request `id` with `message`, which the shopper sees.
    pub async fn decline_refund_request(&self, id: &str, message: &str) -> Result<RefundRequest, OrderError> {
        let message = free_text(message, "message", "INVALID_MESSAGE", MAX_DECLINE_MESSAGE_CHARS)?;
        let request = self.load_refund_request(id).await?;
        let event = Event::new(
            "refund_request_declined",
            format!("{id}: {}", bounded(&message, 200)),
        );
        let moved = self
            .store
            .move_refund_request(
                id,
                RequestState::Pending,
                RequestState::Declined,
                Some(&message),
                &event,
            )
            .await?;
        if !moved {
            let now = self.load_refund_request(id).await?;
            return Err(decided(&now));
        }
        tracing::info!(order = %request.order_reference, request = %id, "refund request declined");
        self.load_refund_request(id).await
    }
}

/// The error for a request that is no longer pending.
fn decided(request: &RefundRequest) -> OrderError {
    OrderError::Conflict {
        code: "REQUEST_DECIDED",
        message: format!("the refund request is {} already", request.state.as_str()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_text_is_trimmed_and_bounded() {
        assert_eq!(
            free_text("  too small \n", "reason", "X", 20).ok().as_deref(),
            Some("too small")
        );
        assert!(free_text("   ", "reason", "X", 20).is_err());
        assert!(free_text(&"é".repeat(21), "reason", "X", 20).is_err());
        assert!(free_text(&"é".repeat(20), "reason", "X", 20).is_ok());
        assert!(free_text("bell\u{7}", "reason", "X", 20).is_err());
        assert!(free_text("two\nlines", "reason", "X", 20).is_ok());
    }
}
