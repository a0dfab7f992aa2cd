//! The Query API's error codes (`Response > Errors > Error > Code`): every code the client reads
//! or the emulator answers with, in one list (`fps-protocol.md` section 6, plus the codes only
//! the emulator has met so far). The client's retry and decline rules are in `crate::error`.

use std::fmt;

open_names! {
    /// An FPS error code. The fixed codes are one list for the client and the emulator; two
    /// families keep the text they were read from, for codes FPS builds from a party's name.
    pub enum ErrorCode {
        /// Missing or malformed input.
        InvalidParams => "InvalidParams",
        /// A parameter the action does not have (the Query API is case-sensitive), answered with
        /// FPS's own WSDL message (`fps-protocol.md`, error codes).
        InvalidRequest => "InvalidRequest",
        /// A parameter value FPS does not accept (also a badly formatted timestamp).
        InvalidParameterValue => "InvalidParameterValue",
        /// The request signature does not match.
        SignatureDoesNotMatch => "SignatureDoesNotMatch",
        /// The access key id is unknown.
        InvalidClientTokenId => "InvalidClientTokenId",
        /// The timestamp (or `Expires`) is outside the allowed window: sign again.
        RequestExpired => "RequestExpired",
        /// The `Action` is not one of the web service's.
        InvalidAction => "InvalidAction",
        /// The key is not signed up for FPS.
        AuthFailure => "AuthFailure",
        /// The CallerReference was used before with other parameters.
        DuplicateRequest => "DuplicateRequest",
        /// The sender token is invalid or cancelled.
        InvalidTokenIdSender => "InvalidTokenId_Sender",
        /// The recipient token is invalid or cancelled.
        InvalidTokenIdRecipient => "InvalidTokenId_Recipient",
        /// The caller token is unknown (`CallerTokenId`, API version 2007-01-08; named by analogy
        /// with the sender and recipient ones, unconfirmed).
        InvalidTokenIdCaller => "InvalidTokenId_Caller",
        /// The sender token is not active.
        TokenNotActiveSender => "TokenNotActive_Sender",
        /// The recipient token is not active.
        TokenNotActiveRecipient => "TokenNotActive_Recipient",
        /// The caller token is cancelled (by analogy, unconfirmed).
        TokenNotActiveCaller => "TokenNotActive_Caller",
        /// The token's usage limit is exceeded.
        TokenUsageError => "TokenUsageError",
        /// Not enough funds.
        InsufficientBalance => "InsufficientBalance",
        /// Account limits exceeded.
        AccountLimitsExceeded => "AccountLimitsExceeded",
        /// The amount is out of range.
        AmountOutOfRange => "AmountOutOfRange",
        /// The transaction is not allowed (also marketplace fees above what the recipient
        /// accepted, or above the amount).
        TransactionDenied => "TransactionDenied",
        /// The account cannot be accessed.
        AccessFailure => "AccessFailure",
        /// The account is closed.
        AccountClosed => "AccountClosed",
        /// The sender's account is in a state that forbids the call.
        InvalidAccountStateSender => "InvalidAccountState_Sender",
        /// The recipient's account is in a state that forbids the call.
        InvalidAccountStateRecipient => "InvalidAccountState_Recipient",
        /// The caller's account is in a state that forbids the call.
        InvalidAccountStateCaller => "InvalidAccountState_Caller",
        /// The transaction id is unknown.
        InvalidTransactionId => "InvalidTransactionId",
        /// The transaction is in the wrong state for this call.
        InvalidTransactionState => "InvalidTransactionState",
        /// Settle asked for more than was reserved.
        SettleAmountGreaterThanReserveAmount => "SettleAmountGreaterThanReserveAmount",
        /// Refunds would exceed the original amount.
        RefundAmountExceeded => "RefundAmountExceeded",
        /// The transaction is refunded already.
        TransactionFullyRefundedAlready => "TransactionFullyRefundedAlready",
        /// This kind of transaction cannot be refunded (a refund of a refund).
        TransactionTypeNotRefundable => "TransactionTypeNotRefundable",
        /// Sender and recipient are the same account.
        SameSenderAndRecipient => "SameSenderAndRecipient",
        /// Reserve needs a credit card.
        PaymentInstrumentNotCC => "PaymentInstrumentNotCC",
        /// The prepaid or credit instrument is unknown to the caller (prepaid and postpaid).
        InvalidPaymentInstrument => "InvalidPaymentInstrument",
        /// The token cannot be used for this operation (not the instrument's funding or
        /// settlement token).
        InvalidSenderRoleForAccountType => "InvalidSenderRoleForAccountType",
        /// FundPrepaid above what the funding token allows.
        PrepaidFundingLimitExceeded => "PrepaidFundingLimitExceeded",
        /// SettleDebt or WriteOffDebt above the current debt.
        SettleAmountGreaterThanDebt => "SettleAmountGreaterThanDebt",
        /// A marketplace call by a caller that is not a marketplace application.
        NotMarketplaceApp => "NotMarketplaceApp",
        /// A transient failure at FPS (or the emulator failed).
        InternalError => "InternalError",
        /// Two calls raced on one object at FPS.
        ConcurrentModification => "ConcurrentModification",
        /// An undocumented signature error met by one client library.
        InvalidSignature => "InvalidSignature",
    }
    families {
        /// An account state code the list does not name (`InvalidAccountState` followed by
        /// another suffix); the suffix after `InvalidAccountState` is kept.
        InvalidAccountState(String),
        /// An account is unverified (`UnverifiedAccount_Sender`, `UnverifiedEmailAddress_Caller`,
        /// ...); the full code is kept.
        Unverified(String),
        /// A code the list does not have, cut to [`MAX_OTHER_CODE`] characters.
        Other(String),
    }
}

/// Longest unknown code kept, in characters (the code comes from the network).
pub const MAX_OTHER_CODE: usize = 64;

/// The prefix of the account state family.
const ACCOUNT_STATE: &str = "InvalidAccountState";
/// The prefix of the unverified family.
const UNVERIFIED: &str = "Unverified";

impl ErrorCode {
    /// Reads a wire code: a fixed code of the list, else a family member, else [`Self::Other`].
    pub fn from_wire(code: &str) -> Self {
        if let Some(fixed) = Self::from_fixed(code) {
            return fixed;
        }
        if let Some(suffix) = code.strip_prefix(ACCOUNT_STATE) {
            return ErrorCode::InvalidAccountState(suffix.to_owned());
        }
        if code.starts_with(UNVERIFIED) {
            return ErrorCode::Unverified(code.to_owned());
        }
        ErrorCode::Other(code.chars().take(MAX_OTHER_CODE).collect())
    }

    /// The wire code.
    pub fn as_wire(&self) -> String {
        match self {
            ErrorCode::InvalidAccountState(suffix) => format!("{ACCOUNT_STATE}{suffix}"),
            ErrorCode::Unverified(code) | ErrorCode::Other(code) => code.clone(),
            fixed => fixed.fixed_name().unwrap_or_default().to_owned(),
        }
    }

    /// Whether the code is about an account's state (a fixed `InvalidAccountState_*` code or
    /// one of the family).
    pub fn is_account_state(&self) -> bool {
        matches!(
            self,
            ErrorCode::InvalidAccountStateSender
                | ErrorCode::InvalidAccountStateRecipient
                | ErrorCode::InvalidAccountStateCaller
                | ErrorCode::InvalidAccountState(_)
        )
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.fixed_name() {
            Some(name) => f.write_str(name),
            None => f.write_str(&self.as_wire()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fixed_code_reads_back_as_itself() {
        let mut names = std::collections::HashSet::new();
        for code in ErrorCode::FIXED {
            let wire = code.as_wire();
            assert!(names.insert(wire.clone()), "{wire} is declared twice");
            assert_eq!(ErrorCode::from_wire(&wire), *code, "{wire}");
            assert_eq!(code.to_string(), wire);
        }
    }

    #[test]
    fn families_keep_their_text() {
        for wire in [
            "InvalidAccountState",
            "InvalidAccountState_Elsewhere",
            "UnverifiedAccount_Sender",
            "UnverifiedEmailAddress_Caller",
            "SomethingNew",
        ] {
            let code = ErrorCode::from_wire(wire);
            assert_eq!(code.fixed_name(), None, "{wire} is not a fixed code");
            assert_eq!(code.as_wire(), wire);
            assert_eq!(ErrorCode::from_wire(&code.as_wire()), code);
        }
        assert_eq!(
            ErrorCode::from_wire(&"X".repeat(500)),
            ErrorCode::Other("X".repeat(MAX_OTHER_CODE))
        );
    }
}
