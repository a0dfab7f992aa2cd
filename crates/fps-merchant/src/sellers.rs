//! Seller sign-up for the marketplace: the admin opens a sign-up (`POST /api/sellers`), the
//! seller's page runs the Recipient pipeline for it (signed only for that open sign-up, at the
//! marketplace's fees), and the verified return (status `SR`) stores the seller's recipient and
//! refund tokens. The sign-up reference is the link's secret: random, never listed publicly.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::admin::Admin;
use super::checkout::{policy_error, record, SignedAnswer};
use super::error::{ApiError, ApiJson};
use super::order::money;
use super::server::AppState;
use super::store::SellerSignup;
use fps_core::{CbuiRequest, CbuiReturn, Pipeline};

/// The body of `POST /api/sellers`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewSignup {
    /// The catalog's seller handle.
    pub seller: String,
}

fn signup_json(app: &AppState, signup: &SellerSignup) -> Value {
    let terms = app.catalog.marketplace();
    json!({
        "callerReference": signup.reference,
        "seller": signup.seller,
        "status": signup.state,
        "lastStatus": signup.last_status,
        "recipientPaysFee": terms.map(|t| if t.recipient_pays_fee() { "True" } else { "False" }),
        "maxFixedFee": terms.and_then(|t| t.fixed_fee).map(|a| a.to_string()),
        "maxVariableFee": terms.and_then(|t| t.variable_fee).map(|p| fps_core::params::ParamValue::render(&p)),
    })
}

fn unknown_signup() -> ApiError {
    ApiError::NotFound {
        code: "UNKNOWN_SIGNUP",
        message: "no such seller sign-up".to_owned(),
    }
}

/// `POST /api/sellers` (admin): opens a sign-up for a seller the catalog names.
pub async fn create(
    _admin: Admin,
    State(app): State<AppState>,
    ApiJson(body): ApiJson<NewSignup>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    if app.catalog.marketplace().is_none() || !app.catalog.has_seller(&body.seller) {
        return Err(ApiError::Invalid {
            code: "UNKNOWN_SELLER",
            message: "the catalog sells nothing of this seller".to_owned(),
        });
    }
    let reference = format!("sel-{}", uuid::Uuid::new_v4().simple());
    app.store.create_signup(&reference, &body.seller).await?;
    let signup = app.store.signup(&reference).await?.ok_or_else(unknown_signup)?;
    tracing::info!(seller = %body.seller, "seller sign-up opened");
    Ok((StatusCode::CREATED, Json(signup_json(&app, &signup))))
}

/// `GET /api/sellers/{reference}`: a sign-up, for the seller's page that holds its link.
pub async fn show(
    State(app): State<AppState>,
    Path(reference): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let signup = app.store.signup(&reference).await?.ok_or_else(unknown_signup)?;
    let mut body = signup_json(&app, &signup);
    if let Some(seller) = app.store.seller(&signup.seller).await? {
        body["registered"] = json!(seller.signup_reference == signup.reference);
    }
    Ok(Json(body))
}

/// `GET /api/sellers` (admin): the registered sellers by handle, with their fee terms.
pub async fn list(_admin: Admin, State(app): State<AppState>) -> Result<Json<Value>, ApiError> {
    let mut sellers = Vec::new();
    let mut handles: Vec<&str> = app.catalog.sellers();
    handles.sort_unstable();
    for handle in handles {
        let account = app.store.seller(handle).await?;
        sellers.push(json!({
            "seller": handle,
            "registered": account.is_some(),
            "recipientTokenId": account.as_ref().map(|a| a.recipient_token_id.clone()),
            "registeredAt": account.as_ref().map(|a| a.registered_at),
        }));
    }
    let terms = app.catalog.marketplace();
    Ok(Json(json!({
        "sellers": sellers,
        "fixedFee": terms.and_then(|t| t.fixed_fee).map(|a| money(a.minor_units())),
        "variableFee": terms.and_then(|t| t.variable_fee).map(|p| fps_core::params::ParamValue::render(&p)),
        "chargeFeeTo": terms.map(|t| t.charge_fee_to.as_str()),
    })))
}

/// `/fps/sign` for a Recipient request: only for an open sign-up, at the marketplace's fees.
pub async fn sign(app: &AppState, request: &CbuiRequest) -> Result<SignedAnswer, ApiError> {
    let reference = request.pipeline().caller_reference().as_str().to_owned();
    let signup = app.store.signup(&reference).await?;
    if let Err(e) = app
        .policy
        .check_recipient(request, signup.as_ref(), app.catalog.marketplace())
    {
        tracing::warn!(code = e.code(), "seller signing refused");
        return Err(policy_error(e));
    }
    app.store
        .note_signup(&reference, Some(request.common().return_url.as_str()), None)
        .await?;
    // The app's signer, keyed once, like the order path's.
    Ok(app.signer.sign_cbui(request, &app.config.cbui_endpoint).into())
}

/// `/fps/return` for a seller sign-up: verifies the return with FPS, then stores the tokens.
pub async fn fps_return(
    app: &AppState,
    signup: SellerSignup,
    parsed: CbuiReturn,
) -> Result<Json<super::checkout::ReturnAnswer>, ApiError> {
    let reference = signup.reference.clone();
    let reply = |status: &str, message: &str| {
        Json(super::checkout::ReturnAnswer {
            order_id: reference.clone(),
            status: super::order::OrderState::Open,
            transaction_status: Some(status.to_owned()),
            message: message.to_owned(),
            order_page: None,
        })
    };
    if signup.state != "open" {
        record(app, None, "signup_return_replayed", &reference).await;
        return Err(ApiError::Conflict {
            code: "ALREADY_PROCESSED",
            message: "this seller sign-up was completed already".to_owned(),
        });
    }
    let Some(return_url) = signup.return_url.clone() else {
        return Err(ApiError::Conflict {
            code: "NOT_SIGNED",
            message: "no Recipient request was signed for this sign-up".to_owned(),
        });
    };
    if !parsed.is_success() {
        app.store
            .note_signup(&reference, None, Some(parsed.status.code()))
            .await?;
        return Ok(reply(parsed.status.code(), &parsed.message()));
    }
    let (Some(token), Some(refund)) = (parsed.token_id.clone(), parsed.refund_token_id.clone()) else {
        record(app, None, "signup_return_without_tokens", parsed.raw_query()).await;
        return Err(ApiError::Invalid {
            code: "INVALID_RETURN",
            message: "a seller sign-up return must carry tokenID and refundTokenID".to_owned(),
        });
    };
    if parsed.status.code() != "SR" {
        return Err(ApiError::Invalid {
            code: "INVALID_RETURN",
            message: "a seller sign-up must end with status SR".to_owned(),
        });
    }
    app.orders
        .verify_return(None, &return_url, &parsed, "nothing was stored")
        .await?;
    if !app
        .store
        .register_seller(&signup, token.as_str(), refund.as_str())
        .await?
    {
        return Err(ApiError::Conflict {
            code: "ALREADY_PROCESSED",
            message: "this seller sign-up was completed already".to_owned(),
        });
    }
    tracing::info!(seller = %signup.seller, "seller registered");
    Ok(reply(
        "SR",
        "You are registered: the marketplace can now pay you for your sales.",
    ))
}

/// Whether a parsed request is a Recipient one (for `/fps/sign`).
pub fn is_recipient(request: &CbuiRequest) -> bool {
    matches!(request.pipeline(), Pipeline::Recipient(_))
}
