//! The marketplace: the fees it takes on sellers' products (from the catalog), the marketplace
//! terms an order is charged with, and what the seller, the marketplace and FPS each got, read
//! from FPS's GetTransaction answer.

use axum::extract::{Path, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::admin::Admin;
use super::error::ApiError;
use super::order::money;
use super::server::AppState;
use super::store::OrderMarketplace;
use fps_core::params::{ParamValue, Percent, TokenId};
use fps_core::{Amount, Currency};
use fps_wire::{ChargeFeeTo, MarketplaceTerms};

/// The marketplace's fees on its sellers' products.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeeTerms {
    /// `MarketplaceFixedFee` (and the `maxFixedFee` sellers accept).
    pub fixed_fee: Option<Amount>,
    /// `MarketplaceVariableFee` (and the `maxVariableFee` sellers accept).
    pub variable_fee: Option<Percent>,
    /// `ChargeFeeTo`; `Recipient` needs sellers to sign up with `recipientPaysFee=True`.
    pub charge_fee_to: ChargeFeeTo,
}

/// The catalog's `"marketplace"` object: `{"fixedFee":"0.25","variableFee":"5","chargeFeeTo":"Recipient"}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FeeTermsFile {
    #[serde(default)]
    fixed_fee: Option<String>,
    #[serde(default)]
    variable_fee: Option<String>,
    #[serde(default)]
    charge_fee_to: Option<String>,
}

impl FeeTermsFile {
    /// Checks the fees: amounts in the catalog's currency, a percentage from 0 to 100.
    pub fn check(self, currency: Currency) -> Result<FeeTerms, String> {
        let fixed_fee = self
            .fixed_fee
            .map(|f| Amount::parse_in(&f, currency).map_err(|e| format!("fixedFee: {e}")))
            .transpose()?;
        let variable_fee = self
            .variable_fee
            .map(|v| Percent::parse_param("variableFee", &v).map_err(|e| e.to_string()))
            .transpose()?;
        let charge_fee_to = match self.charge_fee_to.as_deref() {
            None | Some("Recipient") => ChargeFeeTo::Recipient,
            Some("Caller") => ChargeFeeTo::Caller,
            Some(other) => {
                return Err(format!(
                    "chargeFeeTo must be Caller or Recipient, not {:?}",
                    other.chars().take(32).collect::<String>()
                ))
            }
        };
        Ok(FeeTerms {
            fixed_fee,
            variable_fee,
            charge_fee_to,
        })
    }
}

impl FeeTerms {
    /// The terms an order of `seller` (registered with `recipient_token_id`) is charged with.
    pub fn for_order(
        &self,
        order_reference: &str,
        seller: &str,
        recipient_token_id: &str,
    ) -> OrderMarketplace {
        OrderMarketplace {
            order_reference: order_reference.to_owned(),
            seller: seller.to_owned(),
            recipient_token_id: recipient_token_id.to_owned(),
            fixed_fee_minor: self.fixed_fee.map(|a| a.minor_units()),
            variable_fee_bp: self.variable_fee.map(|p| u64::from(p.basis_points())),
            charge_fee_to: self.charge_fee_to.as_str().to_owned(),
        }
    }

    /// `recipientPaysFee` a seller must accept: `True` when the seller pays FPS's fee.
    pub fn recipient_pays_fee(&self) -> bool {
        self.charge_fee_to == ChargeFeeTo::Recipient
    }
}

/// The Pay/Reserve parameters of an order's stored marketplace terms.
pub fn charge_terms(terms: &OrderMarketplace) -> Result<MarketplaceTerms, String> {
    let recipient_token_id = TokenId::new(&terms.recipient_token_id).map_err(|e| e.to_string())?;
    let fixed_fee = terms
        .fixed_fee_minor
        .map(|m| Amount::from_minor(m, Currency::Usd).map_err(|e| e.to_string()))
        .transpose()?;
    let variable_fee = terms
        .variable_fee_bp
        .map(|bp| {
            let text = format!("{}.{:02}", bp / 100, bp % 100);
            Percent::parse_param("MarketplaceVariableFee", &text).map_err(|e| e.to_string())
        })
        .transpose()?;
    let charge_fee_to = if terms.charge_fee_to == "Caller" {
        ChargeFeeTo::Caller
    } else {
        ChargeFeeTo::Recipient
    };
    Ok(MarketplaceTerms {
        recipient_token_id,
        fixed_fee,
        variable_fee,
        charge_fee_to,
    })
}

/// `GET /api/orders/{reference}/split` (admin): for a marketplace order, what the seller, the
/// marketplace and FPS each got, from FPS's GetTransaction answer for the order's payment.
pub async fn split(
    _admin: Admin,
    State(app): State<AppState>,
    Path(reference): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let order = app
        .store
        .order(&reference)
        .await?
        .ok_or_else(|| ApiError::NotFound {
            code: "UNKNOWN_ORDER",
            message: "no such order".to_owned(),
        })?;
    let Some(terms) = app.store.order_marketplace(&reference).await? else {
        return Ok(Json(
            json!({ "callerReference": reference, "marketplace": false }),
        ));
    };
    let mut body = json!({
        "callerReference": reference,
        "marketplace": true,
        "seller": terms.seller,
        "recipientTokenId": terms.recipient_token_id,
    });
    let Some(id) = order.transaction_id.as_deref() else {
        return Ok(Json(body));
    };
    let details = app
        .orders
        .metrics()
        .fps_call("GetTransaction", app.fps.transaction(id))
        .await
        .map_err(|source| ApiError::Fps {
            context: "cannot read the transaction from FPS".to_owned(),
            source,
        })?;
    let amount = details.amount.map(|a| a.minor_units());
    let fps_fee = details.fps_fees_minor;
    let market_fee = details.marketplace_fees_minor;
    let paid_by = details.fps_fees_paid_by.clone();
    body["transactionId"] = json!(details.transaction_id);
    body["transactionStatus"] = json!(details.transaction_status.as_str());
    body["source"] = json!("GetTransaction");
    if let (Some(amount), Some(fps_fee), Some(market_fee)) = (amount, fps_fee, market_fee) {
        let caller_pays = paid_by.as_deref() == Some("Caller");
        let seller_net =
            amount
                .saturating_sub(market_fee)
                .saturating_sub(if caller_pays { 0 } else { fps_fee });
        let market_net = i128::from(market_fee) - if caller_pays { i128::from(fps_fee) } else { 0 };
        body["split"] = json!({
            "amount": money(amount),
            "fpsFees": money(fps_fee),
            "marketplaceFees": money(market_fee),
            "fpsFeesPaidBy": paid_by,
            "seller": money(seller_net),
            "marketplace": signed_money(market_net),
            "fps": money(fps_fee),
            "recipientEmail": details.recipient_email,
        });
    }
    Ok(Json(body))
}

fn signed_money(minor: i128) -> String {
    let text = money(u64::try_from(minor.unsigned_abs()).unwrap_or(u64::MAX));
    if minor < 0 {
        format!("-{text}")
    } else {
        text
    }
}
