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
use super::order::{names_attempt, split_caller_reference, Mode};
pub use super::orders::ReturnAnswer;
use super::policy::{PolicyError, SignRequest};
use super::server::AppState;
use super::signed_params::{Refusal, RETURN_URL_FIXED};
use super::store::{now, Order, StoreError};
use fps_core::CbuiReturn;
use fps_wire::signer::Signed;

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
    /// Whether the order ships (then send `collectShippingAddress=True`: CBUI asks the shopper
    /// for the shipping address; the catalog decides, `/fps/sign` refuses any other value).
    pub collect_shipping_address: bool,
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
    let order = Order {
        ships: priced.ships,
        ..Order::new_open(
            reference.clone(),
            priced.lines_json,
            priced.description.clone(),
            priced.total,
            priced.mode,
            now(),
        )
    };
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
    app.orders.open(&order, marketplace.as_ref()).await?;
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
            collect_shipping_address: priced.ships,
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
    // An order that ships asks CBUI for the address (the catalog's choice, checked above).
    let request = match order.as_deref() {
        Some(order) => super::signed_params::with_shipping(request, order)
            .map_err(|e| policy_error(PolicyError::Invalid(e)))?,
        None => request,
    };
    // Remember which return URL was signed: it is the UrlEndPoint the return is verified with.
    // Signing the same request again (a reload) writes nothing.
    let return_url = request.common().return_url.as_str();
    if let Some(order) = order.filter(|o| o.return_url.as_deref() != Some(return_url)) {
        let updated = Box::pin(app.orders.record_return_url(&order, return_url))
            .await
            .map_err(|e| match e {
                StoreError::Conflict { current, .. } => policy_error(PolicyError::OrderNotOpen(current)),
                other => other.into(),
            })?;
        match updated {
            Some(updated) => app.open_orders.put(&Arc::new(updated)),
            // Another signing fixed another return URL meanwhile.
            None => {
                return Err(policy_error(PolicyError::Forbidden(Refusal::new(
                    RETURN_URL_FIXED,
                    "returnURL",
                    "must be the one this order was first signed with",
                ))))
            }
        }
    }
    Ok(app.signer.sign_cbui(&request, &app.config.cbui_endpoint).into())
}

/// Records a refused input in the audit trail; a store failure here must not hide the refusal.
pub(crate) async fn record(app: &AppState, order: Option<&str>, kind: &'static str, detail: &str) {
    app.orders.refuse(order, kind, detail).await;
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
    let Some(returned) = app.orders.take_return(&reference, &parsed).await? else {
        if let Some(signup) = app.store.signup(&reference).await? {
            return super::sellers::fps_return(&app, signup, parsed).await;
        }
        record(&app, None, "return_unknown_order", &reference).await;
        return Err(ApiError::NotFound {
            code: "UNKNOWN_ORDER",
            message: "callerReference names no order of this shop".to_owned(),
        });
    };
    let mut answer = returned.answer;
    // The page key only for a return FPS verified: whoever holds it is the shopper.
    if returned.verified {
        answer.order_page = Some(app.order_links.page(&answer.order_id));
    }
    Ok(Json(answer))
}
