//! Amazon Simple Pay subscriptions (GetSubscriptionDetails, GetTransactionsForSubscription,
//! CancelSubscriptionAndRefund). Subscriptions were made by Simple Pay's subscription buttons,
//! never by the CBUI pipelines this emulator serves, so no caller has one: each action checks its
//! parameters as FPS would and then answers as FPS answers a subscription id it does not know.
//!
//! The code: FPS's error table has no code of its own for an unknown subscription (it names
//! `InvalidTransactionId` and `InvalidTokenId_*` for unknown transactions and tokens, nothing
//! for subscriptions), and `SubscriptionId` is a parameter whose value names nothing, which the
//! table calls `InvalidParams` ("missing or malformed input"). So: `InvalidParams`, naming the
//! parameter.

use super::params::ApiParams;
use super::ApiReply;
use crate::error::FpsError;
use fps_wire::vocabulary::ActionName;

/// Longest `SubscriptionId` accepted (the emulator's bound).
const MAX_SUBSCRIPTION_ID: usize = 128;
/// Longest `CallerReference`.
const MAX_REFERENCE: usize = 128;
/// Longest `CancelReason` (the emulator's bound).
const MAX_REASON: usize = 1024;

/// The answer to any of the three actions: their parameters are checked, then the subscription
/// is unknown.
pub(super) fn unknown_subscription(action: ActionName, params: &ApiParams) -> Result<ApiReply, FpsError> {
    if action == ActionName::CancelSubscriptionAndRefund {
        params.only(&[
            "SubscriptionId",
            "RefundAmount.Value",
            "RefundAmount.CurrencyCode",
            "CallerReference",
            "CancelReason",
        ])?;
        params.required_text("CallerReference", MAX_REFERENCE)?;
        params.amount("RefundAmount")?;
        params.text("CancelReason", MAX_REASON)?;
    } else {
        params.only(&["SubscriptionId"])?;
    }
    let id = params.required_text("SubscriptionId", MAX_SUBSCRIPTION_ID)?;
    Err(FpsError::invalid(
        "SubscriptionId",
        format!(
            "no subscription {} exists for this caller (Simple Pay subscriptions are not made through CBUI)",
            id.chars().take(64).collect::<String>()
        ),
    ))
}
