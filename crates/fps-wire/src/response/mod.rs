//! FPS XML responses and the error envelope, read by element name (never by position) into types.

mod amounts;
mod envelope;

use serde::Deserialize;

pub(super) use amounts::AmountXml;
pub use amounts::{fee_minor, response_amount};
pub use envelope::parse_error;
pub(super) use envelope::{parse_success, quoted};

use super::error::FpsError;
use super::vocabulary::ActionName;

/// Largest response body read.
pub const MAX_RESPONSE_BYTES: usize = 256 * 1024;

/// A transaction's status as the Query API (`Success`) or IPN (`SUCCESS`) spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransactionStatus {
    /// Not final yet (cards and bank transfers).
    Pending,
    /// Completed.
    Success,
    /// Failed.
    Failure,
    /// An amount is reserved for a later Settle.
    Reserved,
    /// Cancelled (by the caller, or a reserve that expired).
    Cancelled,
}

impl TransactionStatus {
    /// Parses either spelling (`Success`, `SUCCESS`).
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_uppercase().as_str() {
            "PENDING" => Some(Self::Pending),
            "SUCCESS" => Some(Self::Success),
            "FAILURE" => Some(Self::Failure),
            "RESERVED" => Some(Self::Reserved),
            "CANCELLED" | "CANCELED" => Some(Self::Cancelled),
            _ => None,
        }
    }

    /// The Query API spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::Success => "Success",
            Self::Failure => "Failure",
            Self::Reserved => "Reserved",
            Self::Cancelled => "Cancelled",
        }
    }
}

/// What Pay, Reserve, Settle, Cancel and Refund return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionResult {
    /// The transaction's id.
    pub transaction_id: String,
    /// Its status now.
    pub transaction_status: TransactionStatus,
    /// FPS's request id, for support.
    pub request_id: Option<String>,
}

/// What GetTransactionStatus returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusResult {
    /// The transaction's id.
    pub transaction_id: String,
    /// Its status.
    pub transaction_status: TransactionStatus,
    /// The caller's reference of the transaction.
    pub caller_reference: Option<String>,
    /// `Success`, `Canceled`, `Expired`, `PendingNetworkResponse`, ...
    pub status_code: Option<String>,
    /// Text for people.
    pub status_message: Option<String>,
    /// FPS's request id, for support.
    pub request_id: Option<String>,
}

/// The outcome of VerifySignature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    /// FPS signed exactly this data for exactly this URL.
    Success,
    /// It did not.
    Failure,
}

#[derive(Deserialize)]
struct TransactionResultXml {
    #[serde(rename = "TransactionId")]
    transaction_id: String,
    #[serde(rename = "TransactionStatus")]
    transaction_status: String,
}

#[derive(Deserialize)]
struct StatusResultXml {
    #[serde(rename = "TransactionId")]
    transaction_id: String,
    #[serde(rename = "TransactionStatus")]
    transaction_status: String,
    #[serde(rename = "CallerReference")]
    caller_reference: Option<String>,
    #[serde(rename = "StatusCode")]
    status_code: Option<String>,
    #[serde(rename = "StatusMessage")]
    status_message: Option<String>,
}

#[derive(Deserialize)]
struct VerifyResultXml {
    #[serde(rename = "VerificationStatus")]
    verification_status: String,
}

#[derive(Deserialize)]
struct InstallResultXml {
    #[serde(rename = "TokenId")]
    token_id: String,
}

/// Reads a `TransactionStatus` element (either spelling), or says it is unknown.
pub(super) fn status(action: &'static str, text: &str) -> Result<TransactionStatus, FpsError> {
    TransactionStatus::parse(text).ok_or_else(|| FpsError::Malformed {
        action,
        reason: format!("unknown TransactionStatus {}", quoted(text)),
    })
}

/// Reads the result of Pay, Reserve, Settle, Cancel or Refund.
pub fn transaction_result(action: ActionName, body: &str) -> Result<TransactionResult, FpsError> {
    let (xml, request_id): (TransactionResultXml, _) = parse_success(action, body)?;
    if xml.transaction_id.trim().is_empty() {
        return Err(FpsError::Malformed {
            action: action.as_str(),
            reason: "empty TransactionId".to_owned(),
        });
    }
    Ok(TransactionResult {
        transaction_id: xml.transaction_id.trim().to_owned(),
        transaction_status: status(action.as_str(), &xml.transaction_status)?,
        request_id,
    })
}

/// Reads the result of GetTransactionStatus.
pub fn status_result(body: &str) -> Result<StatusResult, FpsError> {
    const ACTION: ActionName = ActionName::GetTransactionStatus;
    let (xml, request_id): (StatusResultXml, _) = parse_success(ACTION, body)?;
    Ok(StatusResult {
        request_id,
        transaction_id: xml.transaction_id.trim().to_owned(),
        transaction_status: status(ACTION.as_str(), &xml.transaction_status)?,
        caller_reference: xml.caller_reference,
        status_code: xml.status_code,
        status_message: xml.status_message,
    })
}

/// Reads the result of VerifySignature.
pub fn verify_result(body: &str) -> Result<Verification, FpsError> {
    const ACTION: ActionName = ActionName::VerifySignature;
    let (xml, _): (VerifyResultXml, _) = parse_success(ACTION, body)?;
    match xml.verification_status.trim() {
        "Success" => Ok(Verification::Success),
        "Failure" => Ok(Verification::Failure),
        other => Err(FpsError::Malformed {
            action: ACTION.as_str(),
            reason: format!("unknown VerificationStatus {}", quoted(other)),
        }),
    }
}

/// Reads the result of InstallPaymentInstruction: the token id (1 to 65 letters and digits).
pub fn install_result(body: &str) -> Result<String, FpsError> {
    const ACTION: ActionName = ActionName::InstallPaymentInstruction;
    let (xml, _): (InstallResultXml, _) = parse_success(ACTION, body)?;
    let id = xml.token_id.trim();
    if id.is_empty() || id.len() > 65 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(FpsError::Malformed {
            action: ACTION.as_str(),
            reason: format!("bad TokenId {}", quoted(id)),
        });
    }
    Ok(id.to_owned())
}

#[cfg(test)]
mod tests {
    use super::super::transaction::transaction_details;
    use super::*;
    use crate::error::ErrorCode;

    const PAY: &str = r#"<?xml version="1.0"?>
<PayResponse xmlns="http://fps.amazonaws.com/doc/2010-08-28/"><PayResult><TransactionId>14GN1BRR6S8FJQPT1ZUF9HJ7M2JTZ1D7ABC</TransactionId><TransactionStatus>Pending</TransactionStatus></PayResult><ResponseMetadata><RequestId>7bd8b6bc-6b1d-4b8d-9a10-9c9c62d16ac5:0</RequestId></ResponseMetadata></PayResponse>"#;

    #[test]
    fn reads_pay_with_namespace() {
        let r = transaction_result(ActionName::Pay, PAY).unwrap();
        assert_eq!(r.transaction_id, "14GN1BRR6S8FJQPT1ZUF9HJ7M2JTZ1D7ABC");
        assert_eq!(r.transaction_status, TransactionStatus::Pending);
        assert_eq!(
            r.request_id.as_deref(),
            Some("7bd8b6bc-6b1d-4b8d-9a10-9c9c62d16ac5:0")
        );
    }

    #[test]
    fn reads_by_name_not_position() {
        let xml = "<ReserveResponse><ResponseMetadata><RequestId>r:0</RequestId></ResponseMetadata>\
                   <Unexpected>x</Unexpected><ReserveResult><Extra/><TransactionStatus>Reserved</TransactionStatus>\
                   <TransactionId>T1</TransactionId></ReserveResult></ReserveResponse>";
        let r = transaction_result(ActionName::Reserve, xml).unwrap();
        assert_eq!(r.transaction_status, TransactionStatus::Reserved);
        assert_eq!(r.transaction_id, "T1");
        assert_eq!(r.request_id.as_deref(), Some("r:0"));
    }

    #[test]
    fn reads_status_verify_and_transaction() {
        let xml = r#"<GetTransactionStatusResponse xmlns="http://fps.amazonaws.com/doc/2010-08-28/">
          <GetTransactionStatusResult><TransactionId>T9</TransactionId><TransactionStatus>Success</TransactionStatus>
          <CallerReference>ord-1</CallerReference><StatusCode>Success</StatusCode>
          <StatusMessage>The transaction was successful and the payment instrument was charged.</StatusMessage>
          </GetTransactionStatusResult><ResponseMetadata><RequestId>x:0</RequestId></ResponseMetadata>
          </GetTransactionStatusResponse>"#;
        let s = status_result(xml).unwrap();
        assert_eq!(s.transaction_status, TransactionStatus::Success);
        assert_eq!(s.caller_reference.as_deref(), Some("ord-1"));
        assert_eq!(s.status_code.as_deref(), Some("Success"));
        assert_eq!(s.request_id.as_deref(), Some("x:0"), "kept for support");

        let v = "<VerifySignatureResponse xmlns=\"http://fps.amazonaws.com/doc/2010-08-28/\"><VerifySignatureResult>\
                 <VerificationStatus>Failure</VerificationStatus></VerifySignatureResult><ResponseMetadata>\
                 <RequestId>b:0</RequestId></ResponseMetadata></VerifySignatureResponse>";
        assert_eq!(verify_result(v).unwrap(), Verification::Failure);
        assert_eq!(
            verify_result(&v.replace("Failure", "Success")).unwrap(),
            Verification::Success
        );
        assert!(verify_result(&v.replace("Failure", "Maybe")).is_err());

        let t = "<GetTransactionResponse><GetTransactionResult><Transaction><TransactionId>T9</TransactionId>\
                 <CallerReference>ord-1</CallerReference><DateReceived>2009-10-07T01:37:54.765-07:00</DateReceived>\
                 <TransactionAmount><CurrencyCode>USD</CurrencyCode><Value>1.500000</Value></TransactionAmount>\
                 <FPSOperation>Pay</FPSOperation><PaymentMethod>CC</PaymentMethod>\
                 <TransactionStatus>Success</TransactionStatus><StatusCode>Success</StatusCode>\
                 <StatusHistory><Date>2009-10-07T01:37:55Z</Date><TransactionStatus>Pending</TransactionStatus></StatusHistory>\
                 </Transaction></GetTransactionResult></GetTransactionResponse>";
        let d = transaction_details(t).unwrap();
        assert_eq!(d.amount.unwrap().minor_units(), 150);
        assert_eq!(d.operation.as_deref(), Some("Pay"));
        assert_eq!(d.transaction_status, TransactionStatus::Success);
        assert_eq!(d.fps_fees_minor, None);
        let with_fees = t.replace(
            "<FPSOperation>",
            "<FPSFees><CurrencyCode>USD</CurrencyCode><Value>0.000000</Value></FPSFees>\
             <MarketplaceFees><CurrencyCode>USD</CurrencyCode><Value>0.070000</Value></MarketplaceFees>\
             <FPSFeesPaidBy>Caller</FPSFeesPaidBy><RecipientEmail>seller@x.test</RecipientEmail><FPSOperation>",
        );
        let d = transaction_details(&with_fees).unwrap();
        assert_eq!((d.fps_fees_minor, d.marketplace_fees_minor), (Some(0), Some(7)));
        assert_eq!(d.fps_fees_paid_by.as_deref(), Some("Caller"));
        assert_eq!(d.recipient_email.as_deref(), Some("seller@x.test"));
        assert!(transaction_details(&with_fees.replace("0.070000", "0.075")).is_err());
        assert_eq!(fee_minor("0", None), Some(0));
        assert_eq!(fee_minor("0.0.0", None), None);
    }

    #[test]
    fn reads_install_payment_instruction() {
        let xml = "<InstallPaymentInstructionResponse xmlns=\"http://fps.amazonaws.com/doc/2010-08-28/\">\
                   <InstallPaymentInstructionResult><TokenId>ABC123</TokenId></InstallPaymentInstructionResult>\
                   <ResponseMetadata><RequestId>r:0</RequestId></ResponseMetadata></InstallPaymentInstructionResponse>";
        assert_eq!(install_result(xml).unwrap(), "ABC123");
        assert!(install_result(&xml.replace("ABC123", "ABC 123")).is_err());
        assert!(install_result(&xml.replace("ABC123", "")).is_err());
        assert!(install_result(PAY).is_err());
    }

    #[test]
    fn reads_the_error_envelope() {
        let xml = "<?xml version=\"1.0\"?>\n<Response><Errors><Error><Code>InsufficientBalance</Code>\
                   <Message>The sender does not have sufficient balance.</Message></Error></Errors>\
                   <RequestID>0b2b1d5f-40a0-4ec8-9a8e-2b4e83c6b61a:0</RequestID></Response>";
        match parse_error(xml, 400).unwrap() {
            FpsError::Service {
                code,
                message,
                request_id,
                http_status,
            } => {
                assert_eq!(code, ErrorCode::InsufficientBalance);
                assert!(message.contains("sufficient"));
                assert_eq!(request_id, "0b2b1d5f-40a0-4ec8-9a8e-2b4e83c6b61a:0");
                assert_eq!(http_status, 400);
            }
            other => panic!("{other:?}"),
        }
        let mock = "<ErrorResponse xmlns=\"http://fps.amazonaws.com/doc/2010-08-28/\"><Error><Type>Sender</Type>\
                    <Code>InvalidParams</Code><Message>m</Message></Error><RequestId>q</RequestId></ErrorResponse>";
        assert_eq!(
            parse_error(mock, 400).and_then(|e| e.code().cloned()),
            Some(ErrorCode::InvalidParams)
        );
        assert!(parse_error(PAY, 200).is_none());
        assert!(parse_error("<html>bad gateway</html>", 502).is_none());
        assert!(parse_error("<Response><Errors/></Response>", 400).is_none());
    }

    #[test]
    fn refuses_malformed_answers() {
        for bad in [
            "",
            "not xml",
            "<html><body>oops</body></html>",
            "<PayResponse><PayResult><TransactionId>T</TransactionId></PayResult></PayResponse>",
            "<PayResponse><PayResult><TransactionId>T</TransactionId><TransactionStatus>Weird</TransactionStatus></PayResult></PayResponse>",
            "<PayResponse><PayResult><TransactionId>T",
            "<ReserveResponse><ReserveResult><TransactionId>T</TransactionId><TransactionStatus>Reserved</TransactionStatus></ReserveResult></ReserveResponse>",
        ] {
            assert!(
                matches!(transaction_result(ActionName::Pay, bad), Err(FpsError::Malformed { .. })),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn malformed_reasons_stay_short_whatever_the_answer() {
        // Found by fuzzing: an element name of any length went into the message whole.
        let body = format!("<{}/>", "\u{1}".repeat(5000));
        match transaction_result(ActionName::Pay, &body) {
            Err(FpsError::Malformed { reason, .. }) => assert!(reason.chars().count() <= 300, "{reason}"),
            other => panic!("{other:?}"),
        }
    }
}
