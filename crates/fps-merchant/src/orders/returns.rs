//! A CBUI return of an order, taken by the service: which order and attempt it names, whether
//! it may still be charged, FPS's verification of its signature, then the charge. The handler
//! only parses the body and adds the order page key when the return was verified.

use super::checkout::ReturnAnswer;
use super::error::OrderError;
use super::OrderService;
use crate::order::{split_caller_reference, OrderState};
use fps_core::CbuiReturn;

/// What the service made of a return.
#[derive(Debug)]
pub struct Returned {
    /// The answer for the shopper.
    pub answer: ReturnAnswer,
    /// Whether FPS verified the return (only then may the answer carry the order page key).
    pub verified: bool,
}

impl OrderService {
    /// Takes the return `parsed` that names `reference` (its callerReference): `None` when no
    /// order has that reference (it may be a seller sign-up's); refuses a return of an earlier
    /// attempt, of an order already past charging, of an order never signed, or carrying
    /// another token than the charge in progress; answers an unsuccessful return without
    /// verifying it; verifies a successful one with FPS and charges.
    pub async fn take_return(
        &self,
        reference: &str,
        parsed: &CbuiReturn,
    ) -> Result<Option<Returned>, OrderError> {
        let (order_reference, attempt) = split_caller_reference(reference);
        let Some(order) = self.store.order(order_reference).await? else {
            return Ok(None);
        };
        let reference = order.reference.clone();
        let refused = |kind| self.refuse(Some(&reference), kind, parsed.raw_query());
        if attempt != order.attempt {
            refused("return_stale_attempt").await;
            return Err(OrderError::Conflict {
                code: "STALE_AUTHORIZATION",
                message: "this return is for an earlier authorization of the order; nothing was charged"
                    .to_owned(),
            });
        }
        // From here the order may leave `open`: /fps/sign must read it from the store again.
        self.open_orders.forget(&reference);
        if !matches!(order.state, OrderState::Open | OrderState::Charging) {
            refused("return_replayed").await;
            return Err(OrderError::Conflict {
                code: "ALREADY_PROCESSED",
                message: format!(
                    "this order's return was processed already (order is {}); nothing was charged again",
                    order.state
                ),
            });
        }
        let Some(return_url) = order.return_url.clone() else {
            refused("return_unsigned").await;
            return Err(OrderError::Conflict {
                code: "NOT_SIGNED",
                message: "no CBUI request was signed for this order".to_owned(),
            });
        };
        if !parsed.is_success() {
            // Not verified with FPS, so it proves nothing about who sent it.
            tracing::info!(order = %reference, status = %parsed.status, "CBUI did not authorize");
            return Ok(Some(Returned {
                answer: ReturnAnswer::of(&order, parsed.message()),
                verified: false,
            }));
        }
        let Some(token) = parsed.token_id.clone() else {
            refused("return_without_token").await;
            return Err(OrderError::Invalid {
                code: "INVALID_RETURN",
                message: "a successful return must carry tokenID".to_owned(),
            });
        };
        if order.state == OrderState::Charging && order.sender_token_id.as_deref() != Some(token.as_str()) {
            refused("return_mismatch").await;
            return Err(OrderError::Conflict {
                code: "RETURN_MISMATCH",
                message: "this order is being charged with another token".to_owned(),
            });
        }
        // A return sent again while its charge's outcome is unknown: this request charges
        // nothing, but the earlier charge may have, so the answer must not say otherwise.
        let outcome = if order.state == OrderState::Charging {
            "nothing more was charged; the earlier payment's outcome is still being confirmed with FPS"
        } else {
            "nothing was charged"
        };
        self.verify_return(Some(&reference), &return_url, parsed, outcome)
            .await?;
        let answer = self.charge_returned(order, token, parsed).await?;
        Ok(Some(Returned {
            answer,
            verified: true,
        }))
    }
}
