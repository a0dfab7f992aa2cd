//! The shopper's side: price an order, sign its CBUI request under the policy, and take the
//! CBUI return: verify it with FPS, then Pay or Reserve under the order's own reference.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::catalog::LineRequest;
use super::error::{ApiError, ApiJson, RawText};
use super::order::{
    caller_reference, failure_reason, names_attempt, next_state, split_caller_reference, Mode, OrderState,
    Which,
};
use super::policy::{PolicyError, SignRequest};
use super::server::AppState;
use super::store::{now, Changes, Order, StoreError};
use crate::core::{CbuiReturn, Endpoint};
use crate::fps::{Charge, FpsError, Timestamp, Verification};
use crate::signer::Signed;

/// `GET /healthz`: the process runs and the store answers.
pub async fn healthz(State(app): State<AppState>) -> Result<Json<Value>, ApiError> {
    app.store.ping().await?;
    Ok(Json(
        serde_json::json!({ "status": "ok", "store": app.store.kind() }),
    ))
}

/// The body of `POST /api/orders`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewOrder {
    /// What the shopper buys.
    pub items: Vec<LineRequest>,
}

/// The answer of `POST /api/orders`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedOrder {
    /// The order's reference: the CBUI `callerReference`.
    pub caller_reference: String,
    /// The total, as FPS writes it (`12.50`).
    pub amount: String,
    /// `USD`.
    pub currency: String,
    /// What was bought (usable as `paymentReason`).
    pub description: String,
    /// `pay` or `reserve` (then send `reserve=True`).
    pub payment_mode: Mode,
    /// The shopper's secret link to the order's page (`order.html#...`), relative to the shop.
    pub order_page: String,
}

/// `POST /api/orders`: prices the items from the catalog and opens an order.
pub async fn create_order(
    State(app): State<AppState>,
    ApiJson(body): ApiJson<NewOrder>,
) -> Result<(StatusCode, Json<CreatedOrder>), ApiError> {
    let priced = app.catalog.price(&body.items).map_err(|e| ApiError::Invalid {
        code: "INVALID_ORDER",
        message: e.to_string(),
    })?;
    let reference = format!("ord-{}", uuid::Uuid::new_v4().simple());
    let order = Order::new_open(
        reference.clone(),
        priced.lines_json,
        priced.description.clone(),
        priced.total,
        priced.mode,
        now(),
    );
    let marketplace = match (&priced.seller, app.catalog.marketplace()) {
        (Some(seller), Some(terms)) => {
            let account = app
                .store
                .seller(seller)
                .await?
                .ok_or_else(|| ApiError::Conflict {
                    code: "SELLER_NOT_REGISTERED",
                    message: format!("seller {seller} has not registered with Amazon Payments yet"),
                })?;
            Some(terms.for_order(&reference, seller, &account.recipient_token_id))
        }
        _ => None,
    };
    app.store.create_order(&order).await?;
    if let Some(terms) = &marketplace {
        if let Err(e) = app.store.set_order_marketplace(terms).await {
            // Never leave a seller's order that would be charged as the shop's own.
            let failed = Changes {
                last_error: Some(e.to_string()),
                ..Changes::default()
            };
            let _ = app
                .store
                .transition(&reference, &[OrderState::Open], OrderState::Failed, failed)
                .await;
            return Err(e.into());
        }
    }
    tracing::info!(order = %reference, amount = %priced.total, mode = priced.mode.as_str(), "order opened");
    Ok((
        StatusCode::CREATED,
        Json(CreatedOrder {
            order_page: app.order_links.page(&reference),
            caller_reference: reference,
            amount: priced.total.to_string(),
            currency: order.currency,
            description: priced.description,
            payment_mode: priced.mode,
        }),
    ))
}

/// The answer of `POST /fps/sign`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedAnswer {
    /// The CBUI URL to send the shopper to, signature included.
    pub url: String,
    /// The base64 signature.
    pub signature: String,
    /// `HmacSHA256`.
    pub signature_method: String,
}

impl From<Signed> for SignedAnswer {
    fn from(signed: Signed) -> Self {
        SignedAnswer {
            url: signed.url,
            signature: signed.signature,
            signature_method: signed.method.as_str().to_owned(),
        }
    }
}

impl IntoResponse for SignedAnswer {
    /// `Json`'s answer, written into a buffer sized for the URL at once rather than grown from
    /// 128 bytes (three reallocations of every `/fps/sign` answer).
    fn into_response(self) -> Response {
        let mut body = Vec::with_capacity(self.url.len() + self.signature.len() + 80);
        match serde_json::to_writer(&mut body, &self) {
            Ok(()) => (
                [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))],
                body,
            )
                .into_response(),
            // Not reached (strings into a Vec); `Json` answers a serialization failure itself.
            Err(_) => Json(self).into_response(),
        }
    }
}

pub(crate) fn policy_error(e: PolicyError) -> ApiError {
    let code = e.code();
    let message = e.to_string();
    match e {
        PolicyError::Oversized(_) | PolicyError::Invalid(_) => ApiError::Invalid { code, message },
        PolicyError::UnknownOrder | PolicyError::UnknownSignup => ApiError::NotFound { code, message },
        PolicyError::OrderNotOpen(_) | PolicyError::SignupClosed => ApiError::Conflict { code, message },
        PolicyError::Pipeline(_)
        | PolicyError::ForeignCallerKey
        | PolicyError::AmountMismatch { .. }
        | PolicyError::ReturnUrl
        | PolicyError::FeeTerms
        | PolicyError::Forbidden(_) => ApiError::Forbidden { code, message },
    }
}

/// `POST /fps/sign`: signs a CBUI request only if the policy allows it for the order it names.
pub async fn sign(
    State(app): State<AppState>,
    ApiJson(body): ApiJson<SignRequest>,
) -> Result<SignedAnswer, ApiError> {
    let request = app.policy.parse(&body).map_err(policy_error)?;
    if super::sellers::is_recipient(&request) {
        // Boxed, like the store calls below: the common path (a cached open order signed again)
        // awaits none of them, and each would otherwise grow every request's future.
        return Box::pin(super::sellers::sign(&app, &request)).await;
    }
    let requested = request.pipeline().caller_reference().as_str();
    let reference = split_caller_reference(requested).0.to_owned();
    let order = match app.open_orders.get(&reference) {
        // A cached order of an earlier attempt (re-authorized since) is read again.
        Some(order) if names_attempt(requested, &order.reference, order.attempt) => Some(order),
        _ => {
            let order = Box::pin(app.store.order(&reference)).await?.map(Arc::new);
            if let Some(order) = &order {
                app.open_orders.put(order);
            }
            order
        }
    };
    if let Err(e) = app.policy.check(&request, order.as_deref()) {
        tracing::warn!(order = %reference.chars().take(64).collect::<String>(), code = e.code(), "signing refused");
        return Err(policy_error(e));
    }
    // Remember which return URL was signed: it is the UrlEndPoint the return is verified with.
    // Signing the same request again (a reload) writes nothing.
    let return_url = request.common().return_url.as_str();
    if order.as_ref().and_then(|o| o.return_url.as_deref()) != Some(return_url) {
        let changes = Changes {
            return_url: Some(return_url.to_owned()),
            ..Changes::default()
        };
        app.open_orders.forget(&reference);
        let updated =
            Box::pin(
                app.store
                    .transition(&reference, &[OrderState::Open], OrderState::Open, changes),
            )
            .await
            .map_err(|e| match e {
                StoreError::Conflict { current, .. } => policy_error(PolicyError::OrderNotOpen(current)),
                other => other.into(),
            })?;
        app.open_orders.put(&Arc::new(updated));
    }
    Ok(app.signer.sign_cbui(&request, &app.config.cbui_endpoint).into())
}

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
    /// The shopper's secret link to the order's page (`order.html#...`): whoever holds the
    /// signed return is the shopper. None for a seller sign-up.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_page: Option<String>,
}

fn answer(app: &AppState, order: &Order, message: impl Into<String>) -> Json<ReturnAnswer> {
    Json(ReturnAnswer {
        order_id: order.reference.clone(),
        status: order.state,
        transaction_status: order.transaction_status.clone(),
        message: message.into(),
        order_page: Some(app.order_links.page(&order.reference)),
    })
}

/// Records a refused input in the audit trail; a store failure here must not hide the refusal.
pub(crate) async fn record(app: &AppState, order: Option<&str>, kind: &str, detail: &str) {
    audit(app, order, kind, detail).await;
    tracing::warn!(order = order.unwrap_or("-"), kind, detail, "refused");
}

/// Appends to the order's audit trail; a store failure is logged, never returned.
pub(crate) async fn audit(app: &AppState, order: Option<&str>, kind: &str, detail: &str) {
    if let Err(e) = app.store.record_event(order, kind, detail).await {
        tracing::error!(error = %e, kind, "cannot record event");
    }
}

/// `POST /fps/return`: the raw query CBUI appended to the return URL, as the browser received it.
pub async fn fps_return(
    State(app): State<AppState>,
    RawText(body): RawText,
) -> Result<Json<ReturnAnswer>, ApiError> {
    let parsed = match CbuiReturn::parse(&body) {
        Ok(parsed) => parsed,
        Err(e) => {
            record(&app, None, "return_malformed", &e.to_string()).await;
            return Err(ApiError::Invalid {
                code: e.code(),
                message: e.to_string(),
            });
        }
    };
    let Some(reference) = parsed.caller_reference.as_ref().map(|r| r.as_str().to_owned()) else {
        record(&app, None, "return_without_reference", parsed.raw_query()).await;
        return Err(ApiError::Invalid {
            code: "INVALID_RETURN",
            message: "the return has no callerReference".to_owned(),
        });
    };
    let (order_reference, attempt) = split_caller_reference(&reference);
    let Some(order) = app.store.order(order_reference).await? else {
        if let Some(signup) = app.store.signup(&reference).await? {
            return super::sellers::fps_return(&app, signup, parsed).await;
        }
        record(&app, None, "return_unknown_order", &reference).await;
        return Err(ApiError::NotFound {
            code: "UNKNOWN_ORDER",
            message: "callerReference names no order of this shop".to_owned(),
        });
    };
    if attempt != order.attempt {
        record(
            &app,
            Some(&order.reference),
            "return_stale_attempt",
            parsed.raw_query(),
        )
        .await;
        return Err(ApiError::Conflict {
            code: "STALE_AUTHORIZATION",
            message: "this return is for an earlier authorization of the order; nothing was charged"
                .to_owned(),
        });
    }
    let reference = order.reference.clone();
    // From here the order may leave `open`: /fps/sign must read it from the store again.
    app.open_orders.forget(&reference);
    if !matches!(order.state, OrderState::Open | OrderState::Charging) {
        record(&app, Some(&reference), "return_replayed", parsed.raw_query()).await;
        return Err(ApiError::Conflict {
            code: "ALREADY_PROCESSED",
            message: format!(
                "this order's return was processed already (order is {}); nothing was charged again",
                order.state
            ),
        });
    }
    let Some(return_url) = order.return_url.clone() else {
        record(&app, Some(&reference), "return_unsigned", parsed.raw_query()).await;
        return Err(ApiError::Conflict {
            code: "NOT_SIGNED",
            message: "no CBUI request was signed for this order".to_owned(),
        });
    };
    if !parsed.is_success() {
        tracing::info!(order = %reference, status = %parsed.status, "CBUI did not authorize");
        return Ok(answer(&app, &order, parsed.message()));
    }
    let Some(token) = parsed.token_id.clone() else {
        record(&app, Some(&reference), "return_without_token", parsed.raw_query()).await;
        return Err(ApiError::Invalid {
            code: "INVALID_RETURN",
            message: "a successful return must carry tokenID".to_owned(),
        });
    };
    if order.state == OrderState::Charging && order.sender_token_id.as_deref() != Some(token.as_str()) {
        record(&app, Some(&reference), "return_mismatch", parsed.raw_query()).await;
        return Err(ApiError::Conflict {
            code: "RETURN_MISMATCH",
            message: "this order is being charged with another token".to_owned(),
        });
    }

    verify_with_fps(
        &app,
        Some(&reference),
        &return_url,
        &parsed,
        "nothing was charged",
    )
    .await?;

    let (order, timestamp) = if order.state == OrderState::Open {
        let timestamp = Timestamp::now();
        let changes = Changes {
            sender_token_id: Some(token.as_str().to_owned()),
            charge_timestamp: Some(timestamp.as_str().to_owned()),
            ..Changes::default()
        };
        match app
            .store
            .transition(&reference, &[OrderState::Open], OrderState::Charging, changes)
            .await
        {
            Ok(order) => (order, timestamp),
            Err(StoreError::Conflict { current, .. }) => {
                record(&app, Some(&reference), "return_raced", parsed.raw_query()).await;
                return Err(ApiError::Conflict {
                    code: "ALREADY_PROCESSED",
                    message: format!("another request is processing this order (now {current})"),
                });
            }
            Err(e) => return Err(e.into()),
        }
    } else {
        let timestamp = order
            .charge_timestamp
            .as_deref()
            .and_then(Timestamp::from_stored)
            .ok_or_else(|| StoreError::Database("charging order without its timestamp".to_owned()))?;
        (order, timestamp)
    };
    charge(&app, order, token, timestamp).await
}

/// Checks a CBUI return carries FPS's signature quartet, then has FPS verify it against the
/// return URL that was signed. `outcome` tells the shopper what did not happen on a refusal.
pub(crate) async fn verify_with_fps(
    app: &AppState,
    order: Option<&str>,
    return_url: &str,
    parsed: &CbuiReturn,
    outcome: &str,
) -> Result<(), ApiError> {
    let quartet = &parsed.signature;
    if quartet.signature.is_none()
        || quartet.method.is_none()
        || quartet.version.is_none()
        || quartet.certificate_url.is_none()
    {
        record(app, order, "return_unsigned_by_fps", parsed.raw_query()).await;
        return Err(ApiError::Forbidden {
            code: "SIGNATURE_INVALID",
            message: format!(
                "the return lacks FPS's signature (signature, signatureMethod, signatureVersion, \
                 certificateUrl); {outcome}"
            ),
        });
    }
    let endpoint = Endpoint::parse(return_url).map_err(|e| ApiError::Invalid {
        code: "INVALID_RETURN",
        message: e.to_string(),
    })?;
    match app
        .fps
        .verify_signature(endpoint.without_query(), parsed.raw_query())
        .await
    {
        Ok(Verification::Success) => Ok(()),
        Ok(Verification::Failure) => {
            record(app, order, "return_forged", parsed.raw_query()).await;
            Err(ApiError::Forbidden {
                code: "SIGNATURE_INVALID",
                message: format!("FPS did not confirm this return's signature; {outcome}"),
            })
        }
        Err(source) => Err(ApiError::Fps {
            context: format!("cannot verify the return with FPS; {outcome}, try again"),
            source,
        }),
    }
}

/// Sends Pay or Reserve for an order in `charging` and records the outcome. The request carries
/// the order's reference as CallerReference and the stored timestamp, so resending it after a
/// crash or timeout is the identical request and FPS answers with the first result.
async fn charge(
    app: &AppState,
    order: Order,
    token: crate::core::params::TokenId,
    timestamp: Timestamp,
) -> Result<Json<ReturnAnswer>, ApiError> {
    let reference = order.reference.clone();
    let amount = crate::core::Amount::from_minor(order.amount_minor, crate::core::Currency::Usd)
        .map_err(|e| StoreError::Database(e.to_string()))?;
    let charge = Charge {
        caller_reference: crate::core::params::CallerReference::new(&caller_reference(
            &reference,
            order.attempt,
        ))
        .map_err(|e| StoreError::Database(e.to_string()))?,
        sender_token_id: token,
        amount,
        caller_description: Some(order.description.clone()),
        marketplace: match app.store.order_marketplace(&reference).await? {
            Some(terms) => Some(super::marketplace::charge_terms(&terms).map_err(StoreError::Database)?),
            None => None,
        },
    };
    let outcome = match order.mode {
        Mode::Pay => app.fps.pay(charge, &timestamp).await,
        Mode::Reserve => app.fps.reserve(charge, &timestamp).await,
    };
    match outcome {
        Ok(result) => {
            let status = result.transaction_status;
            let next = next_state(OrderState::Charging, order.mode, Which::Charge, status);
            let changes = Changes {
                transaction_id: Some(result.transaction_id.clone()),
                transaction_status: Some(status.as_str().to_owned()),
                settled_minor: (next == Some(OrderState::Paid)).then_some(order.amount_minor),
                last_error: (next == Some(OrderState::Failed))
                    .then(|| failure_reason(OrderState::Charging).to_owned()),
                ..Changes::default()
            };
            let to = next.unwrap_or(OrderState::Charging);
            let order = match app
                .store
                .transition(&reference, &[OrderState::Charging], to, changes)
                .await
            {
                Ok(order) => order,
                // An IPN got there first: it moved the order forward already.
                Err(StoreError::Conflict { .. }) => app
                    .store
                    .order(&reference)
                    .await?
                    .ok_or_else(|| StoreError::NotFound(reference.clone()))?,
                Err(e) => return Err(e.into()),
            };
            tracing::info!(order = %reference, transaction = %result.transaction_id, status = status.as_str(), "charged");
            let message = match order.state {
                OrderState::Paid => "Thank you: your payment is complete.",
                OrderState::Reserved => {
                    "Thank you: the amount is reserved and will be charged when your order ships."
                }
                OrderState::Pending => "Thank you: your payment is being processed.",
                OrderState::Failed => "The payment failed. Nothing was charged.",
                _ => "Your payment was submitted.",
            };
            Ok(answer(app, &order, message))
        }
        Err(source) if source.outcome_unknown() || source.is_transient() => {
            let detail = source.to_string();
            record(app, Some(&reference), "charge_unknown", &detail).await;
            let _ = app
                .store
                .transition(
                    &reference,
                    &[OrderState::Charging],
                    OrderState::Charging,
                    Changes {
                        last_error: Some(detail),
                        ..Changes::default()
                    },
                )
                .await;
            Err(ApiError::Fps {
                context: "the payment's outcome is not known yet; the order is kept, and sending the same \
                          return again resumes it without charging twice"
                    .to_owned(),
                source,
            })
        }
        Err(source) => {
            let detail = source.to_string();
            record(app, Some(&reference), "charge_refused", &detail).await;
            app.store
                .transition(
                    &reference,
                    &[OrderState::Charging],
                    OrderState::Failed,
                    Changes {
                        last_error: Some(detail),
                        ..Changes::default()
                    },
                )
                .await?;
            Err(refusal(source, "FPS refused the payment; nothing was charged"))
        }
    }
}

/// An FPS refusal as the API reports it: declines as 402, the rest as 502.
pub(crate) fn refusal(source: FpsError, context: &str) -> ApiError {
    match &source {
        FpsError::Service { code, message, .. } if code.is_decline() => ApiError::Declined {
            fps_code: code.as_wire(),
            message: message.clone(),
        },
        _ => ApiError::Fps {
            context: context.to_owned(),
            source,
        },
    }
}
