//! `fps-checkout install-tokens`: installs the caller token and the recipient token of the
//! One-Time Payment seed on the caller's own account with InstallPaymentInstruction, and prints
//! their ids. Their caller references are fixed by a prefix, so running it again installs
//! nothing new and prints the same ids.

use super::client::FpsClient;
use super::error::FpsError;
use super::request::PaymentInstruction;
use super::settings::FpsSettings;
use fps_core::params::CallerReference;

/// The caller token's instruction: valid only where it is presented as the caller's.
pub const CALLER_INSTRUCTION: &str = "MyRole == 'Caller' orSay 'Role does not match';";
/// The recipient token's instruction: valid only where it is presented as the recipient's.
pub const RECIPIENT_INSTRUCTION: &str = "MyRole == 'Recipient' orSay 'Role does not match';";

/// Why `install-tokens` failed.
#[derive(Debug, thiserror::Error)]
pub enum InstallTokensError {
    /// The prefix makes an invalid caller reference.
    #[error("--reference-prefix: {0}")]
    Reference(String),
    /// FPS refused, failed or could not be reached.
    #[error("installing the {role} token: {reason}")]
    Fps {
        /// `caller` or `recipient`.
        role: &'static str,
        /// What FPS answered (one line).
        reason: String,
    },
    /// The runtime could not start.
    #[error("cannot start: {0}")]
    Runtime(String),
}

/// The ids of the two tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstalledTokens {
    /// The caller token (`CallerTokenId`).
    pub caller_token_id: String,
    /// The recipient token (`RecipientTokenId`).
    pub recipient_token_id: String,
}

fn one_line(error: &FpsError) -> String {
    error
        .to_string()
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Installs the caller token, then the recipient token, under `PREFIX-caller` and
/// `PREFIX-recipient`.
pub async fn install_tokens(client: &FpsClient, prefix: &str) -> Result<InstalledTokens, InstallTokensError> {
    let mut ids = Vec::new();
    for (role, instruction) in [
        ("caller", CALLER_INSTRUCTION),
        ("recipient", RECIPIENT_INSTRUCTION),
    ] {
        let reference = CallerReference::new(&format!("{prefix}-{role}"))
            .map_err(|e| InstallTokensError::Reference(e.to_string()))?;
        let id = client
            .install_payment_instruction(PaymentInstruction {
                instruction: instruction.to_owned(),
                caller_reference: reference,
                token_type: "Unrestricted",
                friendly_name: Some(format!("fps-checkout {role} token")),
            })
            .await
            .map_err(|e| InstallTokensError::Fps {
                role,
                reason: one_line(&e),
            })?;
        ids.push(id);
    }
    let recipient_token_id = ids.pop().unwrap_or_default();
    let caller_token_id = ids.pop().unwrap_or_default();
    Ok(InstalledTokens {
        caller_token_id,
        recipient_token_id,
    })
}

/// Runs the command with its settings (built by the command line): installs both tokens and
/// returns the lines to print (`CallerTokenId=...`, `RecipientTokenId=...`).
pub fn run(settings: &FpsSettings, reference_prefix: &str) -> Result<String, InstallTokensError> {
    let client = FpsClient::new(settings.client_config(3)).map_err(|e| InstallTokensError::Fps {
        role: "caller",
        reason: one_line(&e),
    })?;
    let runtime = crate::service::runtime().map_err(|e| InstallTokensError::Runtime(e.to_string()))?;
    let tokens = runtime.block_on(install_tokens(&client, reference_prefix))?;
    Ok(format!(
        "CallerTokenId={}\nRecipientTokenId={}",
        tokens.caller_token_id, tokens.recipient_token_id
    ))
}
