//! InstallPaymentInstruction: installs a caller or recipient token on the caller's own account,
//! guarded by a payment instruction in the GK subset of [`crate::sandbox::instruction`].
//! Idempotent per `CallerReference`: the same instruction, type, name and reason under a
//! reference already used give the same `TokenId` (whatever the timestamp); anything else under
//! it is `DuplicateRequest`.

use super::params::ApiParams;
use super::render::respond;
use super::ApiReply;
use crate::sandbox::config::CallerAccount;
use crate::sandbox::error::{ErrorCode, FpsError};
use crate::sandbox::ids;
use crate::sandbox::instruction::Instruction;
use crate::sandbox::state::SandboxState;
use crate::sandbox::store::{now_ms, TokenRecord};

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
    params.only(
        "InstallPaymentInstruction",
        &[
            "PaymentInstruction",
            "CallerReference",
            "TokenType",
            "TokenFriendlyName",
            "PaymentReason",
        ],
    )?;
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
                token_id: ids::token_id(),
                caller_key: caller.access_key_id.clone(),
                caller_reference: reference,
                token_type,
                owner_email: caller.email.clone(),
                owner_name: caller.name.clone(),
                // The caller's own account: its balance.
                payment_method: "ABT".into(),
                amount_minor: None,
                limit_minor: None,
                used_minor: 0,
                use_count: 0,
                reserve: false,
                status: "Active".into(),
                payment_reason: reason,
                refund_token_id: None,
                old_token_id: None,
                date_installed: now_ms(),
                recipient_pays_fee: None,
                max_fixed_fee_minor: None,
                max_variable_fee_bp: None,
                payment_instruction: Some(text.to_owned()),
                friendly_name,
            };
            state.store.insert_token(&token).await?;
            token
        }
    };
    Ok(respond(
        "InstallPaymentInstructionResponse",
        Some("InstallPaymentInstructionResult"),
        version,
        request_id,
        |xml| {
            xml.leaf("TokenId", &token.token_id);
        },
    ))
}
