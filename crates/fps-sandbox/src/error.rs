//! The FPS error codes the emulator answers with, and the sandbox's own failures.

use std::fmt;

use super::store::StoreError;

/// An FPS error code (`Response > Errors > Error > Code`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// Missing or malformed input.
    InvalidParams,
    /// A parameter the action does not have (the Query API is case-sensitive), answered with
    /// FPS's own WSDL message (`fps-protocol.md`, error codes).
    InvalidRequest,
    /// A value of the wrong format (e.g. `Timestamp`).
    InvalidParameterValue,
    /// The request signature does not match.
    SignatureDoesNotMatch,
    /// Unknown access key id.
    InvalidClientTokenId,
    /// `Timestamp` or `Expires` outside the allowed window.
    RequestExpired,
    /// Unknown `Action`.
    InvalidAction,
    /// `CallerReference` reused with other parameters.
    DuplicateRequest,
    /// Unknown sender token.
    InvalidTokenIdSender,
    /// Unknown recipient token.
    InvalidTokenIdRecipient,
    /// Unknown caller token (`CallerTokenId`, API version 2007-01-08; the code is named by
    /// analogy with the sender and recipient ones, unconfirmed).
    InvalidTokenIdCaller,
    /// Cancelled or inactive sender token.
    TokenNotActiveSender,
    /// Cancelled caller token (by analogy, unconfirmed).
    TokenNotActiveCaller,
    /// Cancelled or inactive recipient token.
    TokenNotActiveRecipient,
    /// Token used beyond what it authorises.
    TokenUsageError,
    /// Amount outside the allowed range.
    AmountOutOfRange,
    /// Sender account unusable (sandbox test tokens).
    InvalidAccountStateSender,
    /// Recipient account unusable (sandbox test tokens).
    InvalidAccountStateRecipient,
    /// Unknown transaction id.
    InvalidTransactionId,
    /// Transaction in the wrong state for the call.
    InvalidTransactionState,
    /// Settle above the reserved amount.
    SettleAmountGreaterThanReserveAmount,
    /// Refund above what is left to refund.
    RefundAmountExceeded,
    /// Nothing left to refund.
    TransactionFullyRefundedAlready,
    /// A refund of a refund.
    TransactionTypeNotRefundable,
    /// Sender and recipient are the same account.
    SameSenderAndRecipient,
    /// Reserve needs a credit card.
    PaymentInstrumentNotCC,
    /// A marketplace call by a caller that is not a marketplace application.
    NotMarketplaceApp,
    /// Not allowed: marketplace fees above what the recipient accepted, or above the amount.
    TransactionDenied,
    /// The sender's payment instrument cannot cover the payment (answered only when a test
    /// injects it through the fault switch: the emulator's own declines end in `Failure`).
    InsufficientBalance,
    /// The emulator failed.
    InternalError,
}

impl ErrorCode {
    /// The code as FPS writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidParams => "InvalidParams",
            ErrorCode::InvalidRequest => "InvalidRequest",
            ErrorCode::InvalidParameterValue => "InvalidParameterValue",
            ErrorCode::SignatureDoesNotMatch => "SignatureDoesNotMatch",
            ErrorCode::InvalidClientTokenId => "InvalidClientTokenId",
            ErrorCode::RequestExpired => "RequestExpired",
            ErrorCode::InvalidAction => "InvalidAction",
            ErrorCode::DuplicateRequest => "DuplicateRequest",
            ErrorCode::InvalidTokenIdSender => "InvalidTokenId_Sender",
            ErrorCode::InvalidTokenIdRecipient => "InvalidTokenId_Recipient",
            ErrorCode::TokenNotActiveSender => "TokenNotActive_Sender",
            ErrorCode::InvalidTokenIdCaller => "InvalidTokenId_Caller",
            ErrorCode::TokenNotActiveCaller => "TokenNotActive_Caller",
            ErrorCode::TokenNotActiveRecipient => "TokenNotActive_Recipient",
            ErrorCode::TokenUsageError => "TokenUsageError",
            ErrorCode::AmountOutOfRange => "AmountOutOfRange",
            ErrorCode::InvalidAccountStateSender => "InvalidAccountState_Sender",
            ErrorCode::InvalidAccountStateRecipient => "InvalidAccountState_Recipient",
            ErrorCode::InvalidTransactionId => "InvalidTransactionId",
            ErrorCode::InvalidTransactionState => "InvalidTransactionState",
            ErrorCode::SettleAmountGreaterThanReserveAmount => "SettleAmountGreaterThanReserveAmount",
            ErrorCode::RefundAmountExceeded => "RefundAmountExceeded",
            ErrorCode::TransactionFullyRefundedAlready => "TransactionFullyRefundedAlready",
            ErrorCode::TransactionTypeNotRefundable => "TransactionTypeNotRefundable",
            ErrorCode::SameSenderAndRecipient => "SameSenderAndRecipient",
            ErrorCode::PaymentInstrumentNotCC => "PaymentInstrumentNotCC",
            ErrorCode::NotMarketplaceApp => "NotMarketplaceApp",
            ErrorCode::TransactionDenied => "TransactionDenied",
            ErrorCode::InsufficientBalance => "InsufficientBalance",
            ErrorCode::InternalError => "InternalError",
        }
    }

    /// Every code, in declaration order.
    pub const ALL: [ErrorCode; 30] = [
        ErrorCode::InvalidParams,
        ErrorCode::InvalidRequest,
        ErrorCode::InvalidParameterValue,
        ErrorCode::SignatureDoesNotMatch,
        ErrorCode::InvalidClientTokenId,
        ErrorCode::RequestExpired,
        ErrorCode::InvalidAction,
        ErrorCode::DuplicateRequest,
        ErrorCode::InvalidTokenIdSender,
        ErrorCode::InvalidTokenIdRecipient,
        ErrorCode::InvalidTokenIdCaller,
        ErrorCode::TokenNotActiveSender,
        ErrorCode::TokenNotActiveCaller,
        ErrorCode::TokenNotActiveRecipient,
        ErrorCode::TokenUsageError,
        ErrorCode::AmountOutOfRange,
        ErrorCode::InvalidAccountStateSender,
        ErrorCode::InvalidAccountStateRecipient,
        ErrorCode::InvalidTransactionId,
        ErrorCode::InvalidTransactionState,
        ErrorCode::SettleAmountGreaterThanReserveAmount,
        ErrorCode::RefundAmountExceeded,
        ErrorCode::TransactionFullyRefundedAlready,
        ErrorCode::TransactionTypeNotRefundable,
        ErrorCode::SameSenderAndRecipient,
        ErrorCode::PaymentInstrumentNotCC,
        ErrorCode::NotMarketplaceApp,
        ErrorCode::TransactionDenied,
        ErrorCode::InsufficientBalance,
        ErrorCode::InternalError,
    ];

    /// The code FPS writes as `name` (`InvalidTokenId_Sender`, ...), if the emulator knows it.
    pub fn from_name(name: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.into_iter().find(|code| code.as_str() == name)
    }

    /// The HTTP status the error is answered with (per-code statuses are unconfirmed: 403 for
    /// authentication, 500 for the emulator's own failures, 400 otherwise).
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::SignatureDoesNotMatch | ErrorCode::InvalidClientTokenId => 403,
            ErrorCode::InternalError => 500,
            _ => 400,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An FPS error answer: code and message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct FpsError {
    /// The code.
    pub code: ErrorCode,
    /// The message.
    pub message: String,
}

impl FpsError {
    /// An error with a message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        FpsError {
            code,
            message: message.into(),
        }
    }

    /// `InvalidParams` naming a missing parameter.
    pub fn missing(name: &str) -> Self {
        Self::new(ErrorCode::InvalidParams, format!("{name} is missing."))
    }

    /// `InvalidParams` naming a malformed parameter.
    pub fn invalid(name: &str, why: impl fmt::Display) -> Self {
        Self::new(
            ErrorCode::InvalidParams,
            format!("Value for {name} is invalid: {why}."),
        )
    }
}

impl From<StoreError> for FpsError {
    fn from(e: StoreError) -> Self {
        tracing::error!(error = %e, "sandbox storage failed");
        FpsError::new(
            ErrorCode::InternalError,
            "The sandbox could not store the request.",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_listed_once_and_found_by_its_name() {
        let mut names: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ErrorCode::ALL.len());
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::from_name(code.as_str()), Some(code));
        }
        assert_eq!(
            ErrorCode::from_name("InvalidTokenId_Sender"),
            Some(ErrorCode::InvalidTokenIdSender)
        );
        assert_eq!(ErrorCode::from_name("invalidparams"), None);
    }
}
