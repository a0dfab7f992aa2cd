//! Who takes part in a payment: the sender token, the recipient, the caller and recipient
//! tokens of InstallPaymentInstruction, the transaction's owner, and the sandbox's test tokens
//! and decline amounts.

use crate::config::CallerAccount;
use crate::error::{ErrorCode, FpsError};
use crate::instruction::{Instruction, Payment, Role};
use crate::state::SandboxState;
use crate::store::{TokenRecord, TransactionRecord};

/// Sandbox sender tokens that force an unusable sender account (`fps-protocol.md` section 8).
pub const BROKEN_SENDER_TOKENS: &[(&str, &str)] = &[
    (
        "E3FR7BARJV3PB631PMKV74PGKCJLBHI1Q1KMQN7BJ2JJICPDKN3N1CJIKFZ8D7NN",
        "The sender's e-mail address is not verified.",
    ),
    (
        "H216UECZ8ZM1G8G4QA3V7RKF8JDFZ9SI3SJAFSGUKBBNDHX1NVM8GUQRZNRNAHER",
        "The sender's account is suspended.",
    ),
    (
        "Z1LGRXR4HMDZBSFKXELA32KZASGWD8IHMHZCK4DETR784LDLD1GMFW4P3WT8VTGX",
        "The sender's account is closed.",
    ),
];

/// Sandbox recipient tokens that force an unusable recipient account.
pub const BROKEN_RECIPIENT_TOKENS: &[(&str, &str)] = &[
    (
        "C4LGSEMXN11FTUXZ2X2C7QVFHN5DVBGQJNF17AIQXXXQSX4DRG4KJFCN2KRFUUZI",
        "The recipient's e-mail address is not verified.",
    ),
    (
        "R3VK49XVGCAZTJSXKN7ZSBHPMFGKM5VEEQTXGMVE8CFUZ2G5RLLMAB4J6TQRL6BU",
        "The recipient's account is suspended.",
    ),
    (
        "P1LL7A1LHK935DBGI5NAYCXOCLVEBHBNIU7PBXBAMRKKNLDEPI8M3MUSLZT2VANZ",
        "The recipient's account is closed.",
    ),
];

/// The test sender whose card authorizes but is declined when captured: Reserve succeeds, a
/// Settle of it fails, and Pay (authorize and capture at once) fails.
pub const CAPTURE_DECLINED_SENDER: &str = "settle-declined@sandbox.test";

/// Whether money taken from `sender_email`'s payment method is declined at capture.
pub fn declines_capture(sender_email: &str) -> bool {
    sender_email.eq_ignore_ascii_case(CAPTURE_DECLINED_SENDER)
}

/// Whether an amount is a sandbox decline amount: first decimal digit 6 (`0.60`, `2.61`, `100.6`).
pub fn is_decline_amount(minor: i64) -> bool {
    (minor % 100) / 10 == 6
}

/// Looks up a transaction of this caller; another caller's is as unknown as a made-up id.
pub async fn caller_transaction(
    state: &SandboxState,
    caller: &CallerAccount,
    id: &str,
) -> Result<TransactionRecord, FpsError> {
    match state.store.transaction(id).await? {
        Some(t) if t.caller_key == caller.access_key_id => Ok(t),
        _ => Err(FpsError::new(
            ErrorCode::InvalidTransactionId,
            format!("Transaction {id} does not exist for this caller."),
        )),
    }
}

pub(super) async fn sender_token(
    state: &SandboxState,
    caller: &CallerAccount,
    token_id: &str,
) -> Result<TokenRecord, FpsError> {
    if let Some((_, why)) = BROKEN_SENDER_TOKENS.iter().find(|(t, _)| *t == token_id) {
        return Err(FpsError::new(ErrorCode::InvalidAccountStateSender, *why));
    }
    let unknown = || {
        FpsError::new(
            ErrorCode::InvalidTokenIdSender,
            format!("The sender token {token_id} is invalid."),
        )
    };
    let token = state.store.token(token_id).await?.ok_or_else(unknown)?;
    if token.caller_key != caller.access_key_id
        || token.token_type == "Recipient"
        || token.is_instruction()
        || token.token_id != token_id
    {
        return Err(unknown());
    }
    Ok(token)
}

/// A token of InstallPaymentInstruction presented as `payment.role`: this caller's, active, not
/// used up (a `SingleUse` one pays once), and its instruction allows the payment
/// (`TransactionDenied` with the instruction's `orSay` message otherwise).
pub(super) async fn instruction_token(
    state: &SandboxState,
    caller: &CallerAccount,
    token_id: &str,
    payment: Payment<'_>,
) -> Result<TokenRecord, FpsError> {
    let (invalid, inactive) = match payment.role {
        Role::Caller => (ErrorCode::InvalidTokenIdCaller, ErrorCode::TokenNotActiveCaller),
        Role::Recipient => (
            ErrorCode::InvalidTokenIdRecipient,
            ErrorCode::TokenNotActiveRecipient,
        ),
        Role::Sender => (ErrorCode::InvalidTokenIdSender, ErrorCode::TokenNotActiveSender),
    };
    let role = payment.role.as_str().to_ascii_lowercase();
    let token = match state.store.token(token_id).await? {
        Some(t) if t.is_instruction() && t.caller_key == caller.access_key_id && t.token_id == token_id => t,
        _ => {
            return Err(FpsError::new(
                invalid,
                format!("The {role} token {token_id} is invalid."),
            ))
        }
    };
    if token.token_type == "SingleUse" && token.use_count > 0 {
        return Err(FpsError::new(
            ErrorCode::TokenUsageError,
            format!("The single-use {role} token was already used."),
        ));
    }
    if token.status != "Active" {
        return Err(FpsError::new(
            inactive,
            format!("The {role} token is not active."),
        ));
    }
    let instruction =
        Instruction::parse(token.payment_instruction.as_deref().unwrap_or_default()).map_err(|e| {
            FpsError::new(
                ErrorCode::InternalError,
                format!("A stored payment instruction no longer parses: {e}"),
            )
        })?;
    instruction.allows(&payment).map_err(|why| {
        FpsError::new(
            ErrorCode::TransactionDenied,
            format!("The {role} token's payment instruction refuses the payment: {why}"),
        )
    })?;
    Ok(token)
}

/// The recipient's name and e-mail, and the recipient token of InstallPaymentInstruction if one
/// was presented (it names the caller itself).
pub(super) async fn recipient_party(
    state: &SandboxState,
    caller: &CallerAccount,
    recipient_token_id: Option<&str>,
    payment: Payment<'_>,
) -> Result<(String, String, Option<TokenRecord>), FpsError> {
    let Some(token_id) = recipient_token_id else {
        return Ok((caller.name.clone(), caller.email.clone(), None));
    };
    if let Some((_, why)) = BROKEN_RECIPIENT_TOKENS.iter().find(|(t, _)| *t == token_id) {
        return Err(FpsError::new(ErrorCode::InvalidAccountStateRecipient, *why));
    }
    let token = match state.store.token(token_id).await? {
        Some(t) if t.is_instruction() => {
            let token = instruction_token(state, caller, token_id, payment).await?;
            return Ok((caller.name.clone(), caller.email.clone(), Some(token)));
        }
        Some(t) if t.token_type == "Recipient" && t.token_id == token_id => t,
        _ => {
            return Err(FpsError::new(
                ErrorCode::InvalidTokenIdRecipient,
                format!("The recipient token {token_id} is invalid."),
            ))
        }
    };
    if token.status != "Active" {
        return Err(FpsError::new(
            ErrorCode::TokenNotActiveRecipient,
            "The recipient token is not active.",
        ));
    }
    if token.owner_email != caller.email && !caller.marketplace {
        return Err(FpsError::new(
            ErrorCode::NotMarketplaceApp,
            "The caller is not a marketplace application and cannot pay another recipient.",
        ));
    }
    Ok((token.owner_name, token.owner_email, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_capture_declined_sender_declines_captures() {
        assert!(declines_capture(CAPTURE_DECLINED_SENDER));
        assert!(declines_capture("Settle-Declined@Sandbox.Test"));
        assert!(!declines_capture("buyer@sandbox.test"));
    }

    #[test]
    fn decline_amounts_have_six_as_first_decimal() {
        for declined in [60, 61, 69, 10_060, 260, 100_060] {
            assert!(is_decline_amount(declined), "{declined}");
        }
        for fine in [100, 6, 106, 1_600, 59, 70, 600] {
            assert!(!is_decline_amount(fine), "{fine}");
        }
    }
}
