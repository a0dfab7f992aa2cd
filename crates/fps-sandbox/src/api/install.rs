//! InstallPaymentInstruction: installs a caller or recipient token on the caller's own account,
//! guarded by a payment instruction in the GK subset of [`crate::instruction`].
//! Idempotent per `CallerReference`: the same instruction, type, name and reason under a
//! reference already used give the same `TokenId` (whatever the timestamp); anything else under
//! it is `DuplicateRequest`.

use super::params::ApiParams;
use super::render::respond;
use super::ApiReply;
use crate::config::CallerAccount;
use crate::error::{ErrorCode, FpsError};
use crate::ids;
use crate::instruction::Instruction;
use crate::state::SandboxState;
use crate::store::TokenRecord;
use fps_wire::vocabulary::ActionName;

/// Token types InstallPaymentInstruction takes.
pub const TOKEN_TYPES: &[&str] = &["Unrestricted", "SingleUse", "MultiUse", "Recurring"];
/// Longest `CallerReference`.
const MAX_REFERENCE: usize = 128;
/// Longest `TokenFriendlyName` (the emulator's bound).
const MAX_FRIENDLY_NAME: usize = 128;
/// Longest `PaymentReason` (the emulator's bound).
const MAX_REASON: usize = 1024;

pub(super) async fn install_payment_instruction(
    state: &SandboxState,
    caller: &CallerAccount,
    version: &str,
    params: &ApiParams,
    request_id: &str,
) -> Result<ApiReply, FpsError> {
    params.only(&[
        "PaymentInstruction",
        "CallerReference",
        "TokenType",
        "TokenFriendlyName",
        "PaymentReason",
    ])?;
    let text = params.required("PaymentInstruction")?;
    Instruction::parse(text).map_err(|e| FpsError::invalid("PaymentInstruction", e))?;
    let reference = params.required_text("CallerReference", MAX_REFERENCE)?;
    let token_type = params
        .one_of("TokenType", TOKEN_TYPES)?
        .ok_or_else(|| FpsError::missing("TokenType"))?;
    let friendly_name = params.text("TokenFriendlyName", MAX_FRIENDLY_NAME)?;
    let reason = params.text("PaymentReason", MAX_REASON)?;
    let _guard = state.write_lock.lock().await;
    let token = match state
        .store
        .instruction_token(&caller.access_key_id, &reference)
        .await?
    {
        Some(earlier) => {
            let same = earlier.payment_instruction.as_deref() == Some(text)
                && earlier.token_type == token_type
                && earlier.friendly_name == friendly_name
                && earlier.payment_reason == reason;
            if !same {
                return Err(FpsError::new(
                    ErrorCode::DuplicateRequest,
                    format!(
                        "A payment instruction with CallerReference {reference} and other parameters was already installed."
                    ),
                ));
            }
            earlier
        }
        None => {
            let token = TokenRecord {
                payment_reason: reason,
                payment_instruction: Some(text.to_owned()),
                friendly_name,
                ..TokenRecord::new_active(
                    ids::token_id(),
                    &caller.access_key_id,
                    reference,
                    token_type,
                    (&caller.email, &caller.name),
                    // The caller's own account: its balance.
                    "ABT",
                    state.now_ms(),
                )
            };
            state.store.insert_token(&token).await?;
            token
        }
    };
    Ok(respond(
        ActionName::InstallPaymentInstruction,
        version,
        request_id,
        |xml| {
            xml.leaf("TokenId", &token.token_id);
        },
    ))
}
