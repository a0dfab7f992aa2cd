//! The shopper's path through the service: the return URL fixed by signing, the CBUI return
//! verified with FPS, and the charge (Pay or Reserve) under the order's own reference and a
//! stored Timestamp, so that every resend is the identical request FPS answers from its record.

use serde::Serialize;

use super::error::OrderError;
use super::{next_check_for, OrderService};
use crate::order::{caller_reference, failure_reason, next_state, Mode, OrderState, Which};
use crate::sender::{payment_method, ShippingAddress};
use crate::store::{Changes, CorruptValue, Event, NextCheck, Order, StoreError};
use fps_core::params::{CallerReference, TokenId};
use fps_core::{Amount, CbuiReturn, Currency, Endpoint};
use fps_wire::{Charge, FpsError, Outcome, Sending, Timestamp, TransactionResult, Verification};

/// The answer of `POST /fps/return`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReturnAnswer {
    /// The order's reference.
    pub order_id: String,
    /// The order's state.
    pub status: OrderState,
    /// FPS's status of the payment, once there is one.
    pub transaction_status: Option<String>,
    /// A sentence for the shopper.
    pub message: String,
    /// The shopper's secret link to the order's page (`order.html#...`), set by the handler
    /// once the return is verified. None for a seller sign-up.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_page: Option<String>,
}

impl ReturnAnswer {
    /// The answer about `order`, without the order page key.
    pub(crate) fn of(order: &Order, message: impl Into<String>) -> Self {
        ReturnAnswer {
            order_id: order.reference.clone(),
            status: order.state,
            transaction_status: order.transaction_status.clone(),
            message: message.into(),
            order_page: None,
        }
    }
}

/// What the shopper is told about an order after its return.
fn shopper_message(state: OrderState) -> &'static str {
    match state {
        OrderState::Paid => "Thank you: your payment is complete.",
        OrderState::Reserved => {
            "Thank you: the amount is reserved and will be charged when your order ships."
        }
        OrderState::Pending => "Thank you: your payment is being processed.",
        OrderState::Failed => "The payment failed. Nothing was charged.",
        _ => "Your payment was submitted; it is being processed.",
    }
}

impl OrderService {
    /// Fixes the return URL the order's CBUI request was signed with (the UrlEndPoint its return
    /// is verified with) at the first signing. Signing the same request again writes nothing;
    /// `Ok(None)` when another signing fixed another URL first.
    pub async fn record_return_url(
        &self,
        order: &Order,
        return_url: &str,
    ) -> Result<Option<Order>, StoreError> {
        if order.return_url.as_deref() == Some(return_url) {
            return Ok(Some(order.clone()));
        }
        self.open_orders.forget(&order.reference);
        let event = Event::new("signed", format!("CBUI request signed for {return_url}"));
        self.store
            .fix_return_url(&order.reference, return_url, &event)
            .await
    }

    /// Checks a CBUI return carries FPS's signature quartet, then has FPS verify it against the
    /// return URL that was signed. `outcome` tells the shopper what did not happen on a refusal.
    pub async fn verify_return(
        &self,
        order: Option<&str>,
        return_url: &str,
        parsed: &CbuiReturn,
        outcome: &str,
    ) -> Result<(), OrderError> {
        let quartet = &parsed.signature;
        if quartet.signature.is_none()
            || quartet.method.is_none()
            || quartet.version.is_none()
            || quartet.certificate_url.is_none()
        {
            self.refuse(order, "return_unsigned_by_fps", parsed.raw_query())
                .await;
            return Err(OrderError::Forbidden {
                code: "SIGNATURE_INVALID",
                message: format!(
                    "the return lacks FPS's signature (signature, signatureMethod, signatureVersion, \
                     certificateUrl); {outcome}"
                ),
            });
        }
        let endpoint = Endpoint::parse(return_url).map_err(|e| OrderError::Invalid {
            code: "INVALID_RETURN",
            message: e.to_string(),
        })?;
        match self
            .metrics
            .fps_call(
                "VerifySignature",
                self.fps
                    .verify_signature(endpoint.without_query(), parsed.raw_query()),
            )
            .await
        {
            Ok(Verification::Success) => Ok(()),
            Ok(Verification::Failure) => {
                self.refuse(order, "return_forged", parsed.raw_query()).await;
                Err(OrderError::Forbidden {
                    code: "SIGNATURE_INVALID",
                    message: format!("FPS did not confirm this return's signature; {outcome}"),
                })
            }
            Err(source) => Err(OrderError::Fps {
                context: format!("cannot verify the return with FPS; {outcome}, try again"),
                source,
            }),
        }
    }

    /// A verified, successful CBUI return `parsed` of `order` (open, or charging after an
    /// earlier return whose charge has no known outcome): moves it to `charging` with the sender
    /// token, the payment method the sender chose, the shipping address (an order that ships)
    /// and a Timestamp kept for resends, then charges it.
    pub async fn charge_returned(
        &self,
        order: Order,
        token: TokenId,
        parsed: &CbuiReturn,
    ) -> Result<ReturnAnswer, OrderError> {
        let reference = order.reference.clone();
        let (order, sending) = if order.state == OrderState::Open {
            let timestamp = Timestamp::now();
            let address = order
                .ships
                .then(|| ShippingAddress::from_return(parsed))
                .flatten();
            let changes = Changes {
                sender_token_id: Some(token.as_str().to_owned()),
                charge_timestamp: Some(timestamp.as_str().to_owned()),
                shipping_address: address.as_ref().map(ShippingAddress::to_json),
                payment_method: payment_method(parsed.status).map(str::to_owned),
                next_check: NextCheck::At(self.first_check()),
                ..Changes::default()
            };
            let event = Event::new(
                "return_verified",
                format!(
                    "sender token {}, paid by {}",
                    token.as_str(),
                    payment_method(parsed.status).unwrap_or("?")
                ),
            );
            match self
                .move_order(
                    &reference,
                    &[OrderState::Open],
                    OrderState::Charging,
                    changes,
                    event,
                )
                .await
            {
                Ok(order) => (order, Sending::First),
                Err(StoreError::Conflict { current, .. }) => {
                    self.refuse(Some(&reference), "return_raced", &format!("order is {current}"))
                        .await;
                    return Err(OrderError::Conflict {
                        code: "ALREADY_PROCESSED",
                        message: format!("another request is processing this order (now {current})"),
                    });
                }
                Err(e) => return Err(e.into()),
            }
        } else {
            (order, Sending::Resend)
        };
        let order = self.charge(order, sending).await?;
        Ok(ReturnAnswer::of(&order, shopper_message(order.state)))
    }

    /// Sends Pay or Reserve for an order in `charging` (signed at its stored Timestamp, so a
    /// resend is the identical request) and applies the classified outcome: applied moves the
    /// order as FPS's status says, refused fails it, unknown leaves it charging for the
    /// reconciler. Returns the order as stored after, or the error the caller reports.
    pub(crate) async fn charge(&self, order: Order, sending: Sending) -> Result<Order, OrderError> {
        let reference = order.reference.clone();
        let timestamp = order
            .charge_timestamp
            .as_deref()
            .and_then(Timestamp::from_stored)
            .ok_or_else(|| StoreError::Invariant("charging order without its timestamp".to_owned()))?;
        let charge = self.charge_request(&order).await?;
        let outcome = match order.mode {
            Mode::Pay => {
                self.fps_call(&reference, "Pay", self.fps.pay(charge, &timestamp, sending))
                    .await
            }
            Mode::Reserve => {
                self.fps_call(
                    &reference,
                    "Reserve",
                    self.fps.reserve(charge, &timestamp, sending),
                )
                .await
            }
        };
        match outcome {
            Outcome::Applied(result) => Ok(self.charged(&order, &result, "charged").await?),
            Outcome::Unknown(source) => {
                // Kept charging (unless moved meanwhile): the reconciler finds out from FPS.
                self.keep_unknown(
                    &reference,
                    OrderState::Charging,
                    "charge_unknown",
                    source.to_string(),
                )
                .await;
                Err(OrderError::Fps {
                    context: "the payment's outcome is not known yet; the order is kept and the shop \
                              finds out from FPS (sending the same return again resumes it without \
                              charging twice)"
                        .to_owned(),
                    source,
                })
            }
            Outcome::Refused(source) => {
                let detail = source.to_string();
                let changes = Changes {
                    last_error: Some(detail.clone()),
                    ..Changes::default()
                };
                let failed = self
                    .move_order(
                        &reference,
                        &[OrderState::Charging],
                        OrderState::Failed,
                        Changes {
                            next_check: NextCheck::Clear,
                            ..changes
                        },
                        Event::new("charge_refused", detail),
                    )
                    .await;
                match failed {
                    Ok(_) => Err(refusal(source, "FPS refused the payment; nothing was charged")),
                    // Moved meanwhile (an IPN or the reconciler applied the payment): report that.
                    Err(StoreError::Conflict { .. }) => {
                        let order = self.load(&reference).await?;
                        Err(OrderError::Conflict {
                            code: "ALREADY_PROCESSED",
                            message: format!("the order is {} already", order.state),
                        })
                    }
                    Err(e) => Err(e.into()),
                }
            }
        }
    }

    /// Applies FPS's answer to the order's own Pay/Reserve (its transaction is this order's by
    /// construction: the answer to the shop's own signed request).
    pub(crate) async fn charged(
        &self,
        order: &Order,
        result: &TransactionResult,
        kind: &'static str,
    ) -> Result<Order, StoreError> {
        let status = result.transaction_status;
        let next = next_state(OrderState::Charging, order.mode, Which::Charge, status);
        let to = next.unwrap_or(OrderState::Charging);
        let changes = Changes {
            transaction_id: Some(result.transaction_id.clone()),
            transaction_status: Some(status.as_str().to_owned()),
            settled_minor: (next == Some(OrderState::Paid)).then_some(order.amount_minor),
            last_error: (next == Some(OrderState::Failed))
                .then(|| failure_reason(OrderState::Charging).to_owned()),
            next_check: next_check_for(to, self.first_check()),
            ..Changes::default()
        };
        let detail = format!("{} {}", result.transaction_id, status.as_str());
        let moved = self
            .move_order(
                &order.reference,
                &[OrderState::Charging],
                to,
                changes,
                Event::new(kind, detail),
            )
            .await;
        // An IPN or the reconciler got there first and moved the order forward already.
        self.or_current(moved, &order.reference).await
    }

    /// The Pay/Reserve of an order's current attempt, as FPS is sent it.
    async fn charge_request(&self, order: &Order) -> Result<Charge, StoreError> {
        let token = order
            .sender_token_id
            .as_deref()
            .ok_or_else(|| StoreError::Invariant("charging order without its sender token".to_owned()))?;
        let amount = Amount::from_minor(order.amount_minor, Currency::Usd)
            .map_err(|_| CorruptValue::new("amount", order.amount_minor))?;
        Ok(Charge {
            caller_reference: CallerReference::new(&caller_reference(&order.reference, order.attempt))
                .map_err(|_| CorruptValue::new("order reference", &order.reference))?,
            sender_token_id: TokenId::new(token).map_err(|_| CorruptValue::new("sender token", token))?,
            amount,
            caller_description: Some(
                self.config
                    .descriptions
                    .caller
                    .clone()
                    .unwrap_or_else(|| order.description.clone()),
            ),
            sender_description: self.config.descriptions.sender.clone(),
            marketplace: match self.store.order_marketplace(&order.reference).await? {
                Some(terms) => Some(
                    crate::marketplace::charge_terms(&terms)
                        .map_err(|e| CorruptValue::new("marketplace terms", e))?,
                ),
                None => None,
            },
        })
    }
}

/// An FPS refusal as the API reports it: declines as 402, the rest as 502.
pub(crate) fn refusal(source: FpsError, context: &str) -> OrderError {
    match &source {
        FpsError::Service { code, message, .. } if code.is_decline() => OrderError::Declined {
            fps_code: code.as_wire(),
            message: message.clone(),
        },
        _ => OrderError::Fps {
            context: context.to_owned(),
            source,
        },
    }
}
