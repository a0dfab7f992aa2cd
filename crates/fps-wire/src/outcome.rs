//! What a money-changing FPS call did, as far as the caller can prove it: *applied* (FPS
//! answered with a result), *refused* (FPS stated that it did nothing) or *unknown* (it may
//! have acted: a timeout, a reset, a 5xx, an answer that does not parse, or on a resend an
//! error that only says the request was seen before). Only a refusal may fail an order or
//! tell anyone that nothing was charged; an unknown outcome is resolved by asking FPS again.

use super::error::{ErrorCode, FpsError};

/// Whether a request is sent for the first time or is the identical request sent again (by
/// the client after a transient failure, or later by the order service or the reconciler).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sending {
    /// Nothing with this request's `CallerReference` or fingerprint was sent before.
    First,
    /// The identical request (same parameters and `Timestamp`) was sent before.
    Resend,
}

/// What a money-changing call did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome<T> {
    /// FPS answered with a result.
    Applied(T),
    /// FPS stated that it did nothing.
    Refused(FpsError),
    /// FPS may or may not have acted.
    Unknown(FpsError),
}

impl<T> Outcome<T> {
    /// Classifies a call's result (see [`proves_nothing_done`]).
    pub fn of(result: Result<T, FpsError>, sending: Sending) -> Self {
        match result {
            Ok(value) => Outcome::Applied(value),
            Err(error) if proves_nothing_done(&error, sending) => Outcome::Refused(error),
            Err(error) => Outcome::Unknown(error),
        }
    }
}

/// Whether `error` is FPS stating that it did nothing with the request.
///
/// Only FPS's own error envelope can say so, and not every code does: `InternalError` and
/// `ConcurrentModification` are FPS failing part-way, a code this client does not know says
/// nothing it can rely on, and `DuplicateRequest` means an earlier request under the same
/// `CallerReference` exists, whose money may have moved. On a resend, `RequestExpired` only
/// says the identical request's `Timestamp` is old, and the codes an earlier send of the same
/// request would cause itself (a single-use token used, a reserve settled, a payment refunded)
/// say nothing about this one: the first send may have been applied.
/// Everything that is not an FPS envelope (timeouts, resets, HTTP errors without one, answers
/// that do not parse) is unknown.
pub fn proves_nothing_done(error: &FpsError, sending: Sending) -> bool {
    let FpsError::Service {
        code, http_status, ..
    } = error
    else {
        return false;
    };
    if *http_status >= 500 {
        return false;
    }
    match code {
        ErrorCode::InternalError
        | ErrorCode::ConcurrentModification
        | ErrorCode::DuplicateRequest
        | ErrorCode::Other(_) => false,
        // Codes this client met only as untyped `Other` before the vocabulary was shared with
        // the emulator (which answers with them): they keep the classification they had.
        ErrorCode::InvalidRequest
        | ErrorCode::InvalidAction
        | ErrorCode::InvalidTokenIdCaller
        | ErrorCode::TokenNotActiveCaller
        | ErrorCode::NotMarketplaceApp => false,
        ErrorCode::RequestExpired
        | ErrorCode::TokenUsageError
        | ErrorCode::InvalidTransactionState
        | ErrorCode::RefundAmountExceeded
        | ErrorCode::TransactionFullyRefundedAlready
        // A settlement or write-off applied by an earlier send lowers the debt under a resend.
        | ErrorCode::SettleAmountGreaterThanDebt => sending == Sending::First,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(code: &str, http_status: u16) -> FpsError {
        FpsError::Service {
            code: ErrorCode::from_wire(code),
            message: String::new(),
            request_id: "-".into(),
            http_status,
        }
    }

    #[test]
    fn only_fps_saying_so_is_a_refusal() {
        for code in [
            "InsufficientBalance",
            "InvalidAccountState_Sender",
            "InvalidParams",
            "SignatureDoesNotMatch",
            "PaymentInstrumentNotCC",
        ] {
            assert!(proves_nothing_done(&service(code, 400), Sending::First), "{code}");
            assert!(
                proves_nothing_done(&service(code, 400), Sending::Resend),
                "{code}"
            );
        }
        for code in [
            "InternalError",
            "ConcurrentModification",
            "DuplicateRequest",
            "SomethingNew",
        ] {
            assert!(
                !proves_nothing_done(&service(code, 400), Sending::First),
                "{code}"
            );
            assert!(
                !proves_nothing_done(&service(code, 400), Sending::Resend),
                "{code}"
            );
        }
        assert!(!proves_nothing_done(
            &service("TokenUsageError", 503),
            Sending::First
        ));
    }

    #[test]
    fn what_an_earlier_send_causes_is_unknown_on_a_resend() {
        for code in [
            "RequestExpired",
            "TokenUsageError",
            "InvalidTransactionState",
            "RefundAmountExceeded",
            "TransactionFullyRefundedAlready",
        ] {
            assert!(proves_nothing_done(&service(code, 400), Sending::First), "{code}");
            assert!(
                !proves_nothing_done(&service(code, 400), Sending::Resend),
                "{code}"
            );
        }
    }

    /// How every code either side of the wire knows was classified before the two lists became
    /// one (`refused` on a first send, on a resend; retriable; transient; a decline): moving the
    /// vocabulary must not move any of them. The emulator-only codes were untyped for the client,
    /// so they stay unknown, not retriable and no decline.
    const CLASSIFIED: &[(&str, [bool; 5])] = &[
        ("InvalidParams", [true, true, false, false, false]),
        ("InvalidParameterValue", [true, true, false, false, false]),
        ("SignatureDoesNotMatch", [true, true, false, false, false]),
        ("InvalidClientTokenId", [true, true, false, false, false]),
        ("RequestExpired", [true, false, false, false, false]),
        ("AuthFailure", [true, true, true, false, false]),
        ("DuplicateRequest", [false, false, false, false, false]),
        ("InvalidTokenId_Sender", [true, true, false, false, true]),
        ("InvalidTokenId_Recipient", [true, true, false, false, false]),
        ("TokenNotActive_Sender", [true, true, false, false, true]),
        ("TokenNotActive_Recipient", [true, true, false, false, false]),
        ("TokenUsageError", [true, false, false, false, true]),
        ("InsufficientBalance", [true, true, true, false, true]),
        ("AccountLimitsExceeded", [true, true, true, false, true]),
        ("AmountOutOfRange", [true, true, false, false, true]),
        ("TransactionDenied", [true, true, false, false, true]),
        ("AccessFailure", [true, true, true, false, true]),
        ("AccountClosed", [true, true, true, false, true]),
        ("InvalidAccountState_Sender", [true, true, true, false, true]),
        ("InvalidAccountState_Recipient", [true, true, true, false, true]),
        ("InvalidAccountState_Caller", [true, true, true, false, true]),
        ("InvalidAccountState_Elsewhere", [true, true, true, false, true]),
        ("InvalidTransactionId", [true, true, false, false, false]),
        ("InvalidTransactionState", [true, false, false, false, false]),
        (
            "SettleAmountGreaterThanReserveAmount",
            [true, true, false, false, false],
        ),
        ("RefundAmountExceeded", [true, false, false, false, false]),
        (
            "TransactionFullyRefundedAlready",
            [true, false, false, false, false],
        ),
        ("TransactionTypeNotRefundable", [true, true, false, false, false]),
        ("SameSenderAndRecipient", [true, true, false, false, true]),
        ("PaymentInstrumentNotCC", [true, true, false, false, true]),
        ("UnverifiedAccount_Sender", [true, true, false, false, true]),
        ("UnverifiedEmailAddress_Caller", [true, true, false, false, true]),
        ("InternalError", [false, false, true, true, false]),
        ("ConcurrentModification", [false, false, true, true, false]),
        ("InvalidSignature", [true, true, false, false, false]),
        ("InvalidRequest", [false, false, false, false, false]),
        ("InvalidAction", [false, false, false, false, false]),
        ("InvalidTokenId_Caller", [false, false, false, false, false]),
        ("TokenNotActive_Caller", [false, false, false, false, false]),
        ("NotMarketplaceApp", [false, false, false, false, false]),
        ("SomethingNew", [false, false, false, false, false]),
        ("InvalidPaymentInstrument", [true, true, false, false, false]),
        (
            "InvalidSenderRoleForAccountType",
            [true, true, false, false, false],
        ),
        ("PrepaidFundingLimitExceeded", [true, true, true, false, false]),
        ("SettleAmountGreaterThanDebt", [true, false, false, false, false]),
    ];

    #[test]
    fn every_code_keeps_its_classification() {
        for (wire, expected) in CLASSIFIED {
            let error = service(wire, 400);
            let code = ErrorCode::from_wire(wire);
            let actual = [
                proves_nothing_done(&error, Sending::First),
                proves_nothing_done(&error, Sending::Resend),
                code.is_retriable(),
                code.is_transient(),
                code.is_decline(),
            ];
            assert_eq!(actual, *expected, "{wire}");
            assert_eq!(code.as_wire(), *wire, "{wire} is read back as another code");
        }
        for code in ErrorCode::FIXED {
            let wire = code.as_wire();
            assert!(
                CLASSIFIED.iter().any(|(pinned, _)| *pinned == wire),
                "{wire} is declared but its classification is not pinned here"
            );
        }
    }

    #[test]
    fn transport_failures_are_unknown() {
        for error in [
            FpsError::Timeout { seconds: 1 },
            FpsError::Transport("connection reset".into()),
            FpsError::Http { status: 403 },
            FpsError::Http { status: 502 },
            FpsError::Malformed {
                action: "Pay",
                reason: "truncated".into(),
            },
        ] {
            assert!(matches!(
                Outcome::<()>::of(Err(error), Sending::First),
                Outcome::Unknown(_)
            ));
        }
        assert_eq!(Outcome::of(Ok(7), Sending::Resend), Outcome::Applied(7));
    }
}
