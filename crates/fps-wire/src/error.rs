//! The FPS client's errors: the retry and decline rule of every error code (the codes are the
//! shared [`crate::vocabulary`]), plus transport failures and answers that are not FPS XML.

pub use crate::vocabulary::ErrorCode;

/// The client's rules for each code (the codes themselves are declared in
/// [`crate::vocabulary`], shared with the emulator).
impl ErrorCode {
    /// Whether sending the same request again later may succeed (Amazon's error table via boto).
    /// `RequestExpired` is not: it needs a new timestamp, so a new signature.
    pub fn is_retriable(&self) -> bool {
        use ErrorCode::*;
        matches!(
            self,
            AuthFailure
                | InsufficientBalance
                | AccountLimitsExceeded
                | AccessFailure
                | AccountClosed
                | InvalidAccountStateSender
                | InvalidAccountStateRecipient
                | InvalidAccountStateCaller
                | InvalidAccountState(_)
                | InternalError
                | ConcurrentModification
                | PrepaidFundingLimitExceeded
        )
    }

    /// Whether a retry is worth doing at once (transient faults at FPS), as opposed to later
    /// (funds, account state) or never.
    pub fn is_transient(&self) -> bool {
        matches!(self, ErrorCode::InternalError | ErrorCode::ConcurrentModification)
    }

    /// Whether the error is the shopper's payment being declined (funds, limits, token, account),
    /// as opposed to a fault of the caller or of FPS.
    pub fn is_decline(&self) -> bool {
        use ErrorCode::*;
        matches!(
            self,
            InvalidTokenIdSender
                | TokenNotActiveSender
                | TokenUsageError
                | InsufficientBalance
                | AccountLimitsExceeded
                | AmountOutOfRange
                | TransactionDenied
                | AccessFailure
                | AccountClosed
                | InvalidAccountStateSender
                | InvalidAccountStateRecipient
                | InvalidAccountStateCaller
                | InvalidAccountState(_)
                | SameSenderAndRecipient
                | PaymentInstrumentNotCC
                | Unverified(_)
        )
    }
}

/// Why an FPS call did not give a result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FpsError {
    /// FPS answered with its error envelope.
    #[error("FPS error {code}: {message} (HTTP {http_status}, request {request_id})")]
    Service {
        /// The first error's code.
        code: ErrorCode,
        /// The first error's message, bounded.
        message: String,
        /// `RequestID` of the envelope, or `-`.
        request_id: String,
        /// The HTTP status it came with.
        http_status: u16,
    },
    /// No answer within the timeout: the outcome is unknown.
    #[error("FPS did not answer within {seconds} s: the outcome is unknown")]
    Timeout {
        /// The timeout in seconds.
        seconds: u64,
    },
    /// The connection failed or broke: the outcome may be unknown.
    #[error("cannot reach FPS: {0}")]
    Transport(String),
    /// An HTTP error status without an FPS error envelope (a proxy, an outage).
    #[error("FPS answered HTTP {status} without an FPS error")]
    Http {
        /// The status.
        status: u16,
    },
    /// An answer that is not the expected XML.
    #[error("FPS answered something that is not a valid {action} response: {reason}")]
    Malformed {
        /// The action called.
        action: &'static str,
        /// What was wrong.
        reason: String,
    },
}

impl FpsError {
    /// Whether the request may have taken effect at FPS although no result came back.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            FpsError::Timeout { .. } | FpsError::Transport(_) | FpsError::Malformed { .. } => true,
            FpsError::Http { status } => *status >= 500,
            FpsError::Service { .. } => false,
        }
    }

    /// Whether resending the identical request at once is worthwhile.
    pub fn is_transient(&self) -> bool {
        match self {
            FpsError::Service { code, .. } => code.is_transient(),
            FpsError::Timeout { .. } | FpsError::Transport(_) => true,
            FpsError::Http { status } => *status >= 500 || *status == 429,
            FpsError::Malformed { .. } => false,
        }
    }

    /// The FPS error code, when FPS sent one.
    pub fn code(&self) -> Option<&ErrorCode> {
        match self {
            FpsError::Service { code, .. } => Some(code),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code of the protocol sheet's table, with its retry flag.
    const SHEET: &[(&str, bool)] = &[
        ("InvalidParams", false),
        ("InvalidParameterValue", false),
        ("SignatureDoesNotMatch", false),
        ("InvalidClientTokenId", false),
        ("RequestExpired", false),
        ("AuthFailure", true),
        ("DuplicateRequest", false),
        ("InvalidTokenId_Sender", false),
        ("InvalidTokenId_Recipient", false),
        ("TokenNotActive_Sender", false),
        ("TokenNotActive_Recipient", false),
        ("TokenUsageError", false),
        ("InsufficientBalance", true),
        ("AccountLimitsExceeded", true),
        ("AmountOutOfRange", false),
        ("TransactionDenied", false),
        ("AccessFailure", true),
        ("AccountClosed", true),
        ("InvalidAccountState_Sender", true),
        ("InvalidAccountState_Recipient", true),
        ("InvalidAccountState_Caller", true),
        ("InvalidTransactionId", false),
        ("InvalidTransactionState", false),
        ("SettleAmountGreaterThanReserveAmount", false),
        ("RefundAmountExceeded", false),
        ("TransactionFullyRefundedAlready", false),
        ("TransactionTypeNotRefundable", false),
        ("SameSenderAndRecipient", false),
        ("PaymentInstrumentNotCC", false),
        ("UnverifiedAccount_Sender", false),
        ("UnverifiedEmailAddress_Caller", false),
        ("InternalError", true),
        ("ConcurrentModification", true),
        ("InvalidSignature", false),
        // Prepaid and postpaid (boto's table of the 2010 codes).
        ("InvalidPaymentInstrument", false),
        ("InvalidSenderRoleForAccountType", false),
        ("PrepaidFundingLimitExceeded", true),
        ("SettleAmountGreaterThanDebt", false),
    ];

    #[test]
    fn every_sheet_code_is_typed_and_round_trips() {
        for (wire, retriable) in SHEET {
            let code = ErrorCode::from_wire(wire);
            assert!(!matches!(code, ErrorCode::Other(_)), "{wire} is untyped");
            assert_eq!(code.as_wire(), *wire);
            assert_eq!(code.is_retriable(), *retriable, "{wire}");
        }
        assert_eq!(
            ErrorCode::from_wire("SomethingNew"),
            ErrorCode::Other("SomethingNew".into())
        );
    }

    #[test]
    fn unknown_outcomes() {
        assert!(FpsError::Timeout { seconds: 1 }.outcome_unknown());
        assert!(FpsError::Http { status: 502 }.outcome_unknown());
        assert!(!FpsError::Http { status: 403 }.outcome_unknown());
        let declined = FpsError::Service {
            code: ErrorCode::InsufficientBalance,
            message: String::new(),
            request_id: "-".into(),
            http_status: 400,
        };
        assert!(!declined.outcome_unknown());
        assert!(!declined.is_transient());
    }
}
