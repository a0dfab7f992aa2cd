//! The token and recipient queries: GetTokens (the caller's tokens, filtered), GetTokenUsage (a
//! token's limits and what was used under them), GetPaymentInstruction (a token of
//! InstallPaymentInstruction) and GetRecipientVerificationStatus. All read only; a caller sees
//! only its own tokens (another caller's is as unknown as a made-up id).

use super::install::TOKEN_TYPES;
use super::params::ApiParams;
use super::render::{self, respond};
use super::ApiReply;
use crate::config::CallerAccount;
use crate::error::{ErrorCode, FpsError};
use crate::ids;
use crate::ledger::BROKEN_RECIPIENT_TOKENS;
use crate::state::SandboxState;
use crate::store::{TokenFilter, TokenRecord};
use fps_wire::vocabulary::ActionName;

/// Most tokens one GetTokens answer lists (the newest; the emulator's bound, FPS's is unknown).
pub const MAX_TOKENS: i64 = 500;
/// Longest `CallerReference` / `TokenFriendlyName` filter.
const MAX_FILTER: usize = 128;
/// Longest token id accepted as input.
const MAX_TOKEN_ID: usize = 65;

/// A token id parameter, bounded.
fn token_id<'p>(params: &'p ApiParams, name: &str) -> Result<&'p str, FpsError> {
    let id = params.required(name)?;
    if id.len() > MAX_TOKEN_ID {
        return Err(FpsError::invalid(
            name,
            format!("must be at most {MAX_TOKEN_ID} characters"),
        ));
    }
    Ok(id)
}

/// The caller's own token with this id (not a recipient token's refund token id).
async fn own_token(
    state: &SandboxState,
    caller: &CallerAccount,
    id: &str,
) -> Result<Option<TokenRecord>, FpsError> {
    Ok(state
        .store
        .token(id)
        .await?
        .filter(|t| t.token_id == id && t.caller_key == caller.access_key_id))
}

fn no_such_token() -> FpsError {
    FpsError::new(ErrorCode::InvalidTokenIdSender, "No such token for this caller.")
}

pub(super) async fn get_tokens(
    state: &SandboxState,
    caller: &CallerAccount,
    version: &str,
    params: &ApiParams,
    request_id: &str,
) -> Result<ApiReply, FpsError> {
    params.only(&["TokenStatus", "TokenType", "CallerReference", "TokenFriendlyName"])?;
    let filter = TokenFilter {
        status: params.one_of("TokenStatus", &["Active", "Inactive"])?,
        token_type: params.one_of("TokenType", TOKEN_TYPES)?,
        caller_reference: params.text("CallerReference", MAX_FILTER)?,
        friendly_name: params.text("TokenFriendlyName", MAX_FILTER)?,
    };
    let tokens = state
        .store
        .caller_tokens(&caller.access_key_id, &filter, MAX_TOKENS)
        .await?;
    Ok(respond(ActionName::GetTokens, version, request_id, |xml| {
        for token in &tokens {
            render::token(xml, token);
        }
    }))
}

/// A token's usage limits as GetTokenUsage reports them: (`Count`, `Amount`) of each limit.
/// A SingleUse token allows one payment of at most its amount; a token with a global amount limit
/// (MultiUse, and the prepaid and credit tokens) that much in total; other tokens (Recurring,
/// Unrestricted, recipient) have no limit the emulator counts.
pub fn usage_limits(token: &TokenRecord) -> Vec<(Option<i64>, Option<i64>)> {
    if token.token_type == "SingleUse" {
        vec![(Some(1), token.amount_minor)]
    } else if let Some(limit) = token.limit_minor {
        vec![(None, Some(limit))]
    } else {
        Vec::new()
    }
}

pub(super) async fn token_usage(
    state: &SandboxState,
    caller: &CallerAccount,
    version: &str,
    params: &ApiParams,
    request_id: &str,
) -> Result<ApiReply, FpsError> {
    params.only(&["TokenId"])?;
    let id = token_id(params, "TokenId")?;
    let token = own_token(state, caller, id).await?.ok_or_else(no_such_token)?;
    // The emulator's limits never reset: what was used counts from the installation.
    let installed = ids::iso_date(token.date_installed);
    Ok(respond(ActionName::GetTokenUsage, version, request_id, |xml| {
        for (count, amount) in usage_limits(&token) {
            xml.open("TokenUsageLimits");
            if let Some(count) = count {
                xml.leaf("Count", &count.to_string());
            }
            if let Some(amount) = amount {
                render::amount(xml, "Amount", amount);
            }
            xml.leaf("LastResetCount", &token.use_count.to_string());
            render::amount(xml, "LastResetAmount", token.used_minor);
            xml.leaf("LastResetTimestamp", &installed).close();
        }
    }))
}

pub(super) async fn payment_instruction(
    state: &SandboxState,
    caller: &CallerAccount,
    version: &str,
    params: &ApiParams,
    request_id: &str,
) -> Result<ApiReply, FpsError> {
    params.only(&["TokenId"])?;
    let id = token_id(params, "TokenId")?;
    let token = own_token(state, caller, id).await?.ok_or_else(no_such_token)?;
    let Some(instruction) = token.payment_instruction.clone() else {
        return Err(FpsError::invalid(
            "TokenId",
            "the token was installed by a CBUI pipeline; GetPaymentInstruction answers for tokens of InstallPaymentInstruction",
        ));
    };
    Ok(respond(
        ActionName::GetPaymentInstruction,
        version,
        request_id,
        |xml| {
            render::token(xml, &token);
            xml.leaf("PaymentInstruction", &instruction)
                .leaf("CallerReference", &token.caller_reference)
                .leaf_opt("TokenFriendlyName", token.friendly_name.as_deref());
        },
    ))
}

/// `RecipientVerificationStatus` of the account behind a recipient token: a configured
/// recipient (seller) is `VerificationComplete`; the caller's own account (a recipient token it
/// approved itself, or one of InstallPaymentInstruction) `VerificationCompleteNoLimits`; the
/// sandbox's unverified recipient token `VerificationPending`.
pub(super) async fn recipient_verification(
    state: &SandboxState,
    caller: &CallerAccount,
    version: &str,
    params: &ApiParams,
    request_id: &str,
) -> Result<ApiReply, FpsError> {
    params.only(&["RecipientTokenId"])?;
    let id = token_id(params, "RecipientTokenId")?;
    let status = match BROKEN_RECIPIENT_TOKENS.iter().position(|(t, _)| *t == id) {
        // The first is the unverified recipient's; the others' accounts are suspended or closed.
        Some(0) => "VerificationPending",
        Some(n) => {
            let why = BROKEN_RECIPIENT_TOKENS.get(n).map_or("", |(_, why)| *why);
            return Err(FpsError::new(ErrorCode::InvalidAccountStateRecipient, why));
        }
        None => {
            let token = own_token(state, caller, id)
                .await?
                .filter(|t| t.token_type == "Recipient" || t.is_instruction())
                .ok_or_else(|| {
                    FpsError::new(
                        ErrorCode::InvalidTokenIdRecipient,
                        format!("The recipient token {id} is invalid."),
                    )
                })?;
            if token.status != "Active" {
                return Err(FpsError::new(
                    ErrorCode::TokenNotActiveRecipient,
                    "The recipient token is not active.",
                ));
            }
            let callers_own = state
                .config
                .callers
                .iter()
                .any(|c| c.email.eq_ignore_ascii_case(&token.owner_email));
            if callers_own {
                "VerificationCompleteNoLimits"
            } else {
                "VerificationComplete"
            }
        }
    };
    Ok(respond(
        ActionName::GetRecipientVerificationStatus,
        version,
        request_id,
        |xml| {
            xml.leaf("RecipientVerificationStatus", status);
        },
    ))
}
