//! FPS XML responses and the error envelope, read by element name (never by position) into types.

use quick_xml::events::Event;
use quick_xml::Reader;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::error::{ErrorCode, FpsError};
use crate::core::Amount;

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
pub(super) struct AmountXml {
    #[serde(rename = "CurrencyCode")]
    pub(super) currency_code: Option<String>,
    #[serde(rename = "Value")]
    pub(super) value: String,
}

#[derive(Deserialize)]
struct InstallResultXml {
    #[serde(rename = "TokenId")]
    token_id: String,
}

#[derive(Deserialize)]
struct Metadata {
    #[serde(rename = "RequestId")]
    request_id: Option<String>,
}

/// `<Action>Response`: its result (whatever the action's name) and metadata, matched by name.
#[derive(Deserialize)]
struct Envelope<R> {
    #[serde(
        rename = "PayResult",
        alias = "ReserveResult",
        alias = "SettleResult",
        alias = "CancelResult",
        alias = "RefundResult",
        alias = "GetTransactionStatusResult",
        alias = "GetTransactionResult",
        alias = "VerifySignatureResult",
        alias = "InstallPaymentInstructionResult",
        alias = "GetAccountActivityResult"
    )]
    result: Option<R>,
    #[serde(rename = "ResponseMetadata")]
    metadata: Option<Metadata>,
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    #[serde(rename = "Errors")]
    errors: Option<ErrorList>,
    #[serde(rename = "Error", default)]
    bare_errors: Vec<ErrorXml>,
    #[serde(rename = "RequestID")]
    request_id_capital: Option<String>,
    #[serde(rename = "RequestId")]
    request_id: Option<String>,
}

#[derive(Deserialize)]
struct ErrorList {
    #[serde(rename = "Error", default)]
    errors: Vec<ErrorXml>,
}

#[derive(Deserialize)]
struct ErrorXml {
    #[serde(rename = "Code")]
    code: Option<String>,
    #[serde(rename = "Message")]
    message: Option<String>,
}

/// The local name of the document's root element.
fn root_name(xml: &str) -> Option<String> {
    let mut reader = Reader::from_str(xml);
    loop {
        match reader.read_event() {
            Ok(Event::Start(start)) | Ok(Event::Empty(start)) => {
                return Some(String::from_utf8_lossy(start.local_name().as_ref()).into_owned())
            }
            Ok(Event::Eof) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

/// Reads the error envelope (`Response > Errors > Error`, or the SDK-mock `ErrorResponse`), if the
/// body is one.
pub fn parse_error(body: &str, http_status: u16) -> Option<FpsError> {
    let root = root_name(body)?;
    if root != "Response" && root != "ErrorResponse" {
        return None;
    }
    let envelope: ErrorEnvelope = quick_xml::de::from_str(body).ok()?;
    let mut errors = envelope.errors.map(|e| e.errors).unwrap_or_default();
    errors.extend(envelope.bare_errors);
    let first = errors.into_iter().next()?;
    let code = first.code?;
    Some(FpsError::Service {
        code: ErrorCode::from_wire(code.trim()),
        message: first.message.unwrap_or_default().chars().take(300).collect(),
        request_id: envelope
            .request_id_capital
            .or(envelope.request_id)
            .unwrap_or_else(|| "-".to_owned()),
        http_status,
    })
}

/// Untrusted text from an answer, for an error message: its first 40 characters, quoted and
/// escaped, and never more than 200 characters however they escape (found by fuzzing: an
/// element name of any length went into the message whole).
pub(super) fn quoted(text: &str) -> String {
    format!("{:?}", text.chars().take(40).collect::<String>())
        .chars()
        .take(200)
        .collect()
}

/// Parses `<{action}Response>` into its result and request id.
pub(super) fn parse_success<R: DeserializeOwned>(
    action: &'static str,
    body: &str,
) -> Result<(R, Option<String>), FpsError> {
    let malformed = |reason: String| FpsError::Malformed { action, reason };
    let root = root_name(body).ok_or_else(|| malformed("not XML".to_owned()))?;
    let expected = format!("{action}Response");
    if root != expected {
        return Err(malformed(format!(
            "root element {}, not <{expected}>",
            quoted(&root)
        )));
    }
    let envelope: Envelope<R> =
        quick_xml::de::from_str(body).map_err(|e| malformed(e.to_string().chars().take(200).collect()))?;
    let result = envelope
        .result
        .ok_or_else(|| malformed(format!("no <{action}Result>")))?;
    Ok((result, envelope.metadata.and_then(|m| m.request_id)))
}

pub(super) fn status(action: &'static str, text: &str) -> Result<TransactionStatus, FpsError> {
    TransactionStatus::parse(text).ok_or_else(|| FpsError::Malformed {
        action,
        reason: format!("unknown TransactionStatus {}", quoted(text)),
    })
}

/// Reads the result of Pay, Reserve, Settle, Cancel or Refund.
pub fn transaction_result(action: &'static str, body: &str) -> Result<TransactionResult, FpsError> {
    let (xml, request_id): (TransactionResultXml, _) = parse_success(action, body)?;
    if xml.transaction_id.trim().is_empty() {
        return Err(FpsError::Malformed {
            action,
            reason: "empty TransactionId".to_owned(),
        });
    }
    Ok(TransactionResult {
        transaction_id: xml.transaction_id.trim().to_owned(),
        transaction_status: status(action, &xml.transaction_status)?,
        request_id,
    })
}

/// Reads the result of GetTransactionStatus.
pub fn status_result(body: &str) -> Result<StatusResult, FpsError> {
    const ACTION: &str = "GetTransactionStatus";
    let (xml, _): (StatusResultXml, _) = parse_success(ACTION, body)?;
    Ok(StatusResult {
        transaction_id: xml.transaction_id.trim().to_owned(),
        transaction_status: status(ACTION, &xml.transaction_status)?,
        caller_reference: xml.caller_reference,
        status_code: xml.status_code,
        status_message: xml.status_message,
    })
}

/// Reads the result of VerifySignature.
pub fn verify_result(body: &str) -> Result<Verification, FpsError> {
    const ACTION: &str = "VerifySignature";
    let (xml, _): (VerifyResultXml, _) = parse_success(ACTION, body)?;
    match xml.verification_status.trim() {
        "Success" => Ok(Verification::Success),
        "Failure" => Ok(Verification::Failure),
        other => Err(FpsError::Malformed {
            action: ACTION,
            reason: format!("unknown VerificationStatus {}", quoted(other)),
        }),
    }
}

/// Reads the result of InstallPaymentInstruction: the token id (1 to 65 letters and digits).
pub fn install_result(body: &str) -> Result<String, FpsError> {
    const ACTION: &str = "InstallPaymentInstruction";
    let (xml, _): (InstallResultXml, _) = parse_success(ACTION, body)?;
    let id = xml.token_id.trim();
    if id.is_empty() || id.len() > 65 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(FpsError::Malformed {
            action: ACTION,
            reason: format!("bad TokenId {}", quoted(id)),
        });
    }
    Ok(id.to_owned())
}

/// Reads a fee as responses write it, in minor units: like [`response_amount`], but zero
/// (`0.000000`) is a valid fee.
pub fn fee_minor(value: &str, currency: Option<&str>) -> Option<u64> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b == b'0' || b == b'.') && value.matches('.').count() <= 1 {
        crate::core::Currency::parse(currency.unwrap_or("USD")).ok()?;
        return Some(0);
    }
    response_amount(value, currency).map(|a| a.minor_units())
}

/// Reads an amount as responses write it (`1.000000`, six decimals; IPN `USD 1.1`): trailing
/// zeros past the cents are dropped, anything finer than a cent is refused.
pub fn response_amount(value: &str, currency: Option<&str>) -> Option<Amount> {
    let currency = crate::core::Currency::parse(currency.unwrap_or("USD")).ok()?;
    let value = value.trim();
    let text = match value.split_once('.') {
        Some((whole, fraction)) if fraction.len() > 2 => {
            // By `get`, not `split_at`: a garbled answer may put a multi-byte character there.
            let (Some(cents), Some(rest)) = (fraction.get(..2), fraction.get(2..)) else {
                return None;
            };
            if !rest.bytes().all(|b| b == b'0') {
                return None;
            }
            format!("{whole}.{cents}")
        }
        _ => value.to_owned(),
    };
    Amount::parse_in(&text, currency).ok()
}

#[cfg(test)]
mod tests {
    use super::super::transaction::transaction_details;
    use super::*;

    const PAY: &str = r#"<?xml version="1.0"?>
<PayResponse xmlns="http://fps.amazonaws.com/doc/2010-08-28/"><PayResult><TransactionId>14GN1BRR6S8FJQPT1ZUF9HJ7M2JTZ1D7ABC</TransactionId><TransactionStatus>Pending</TransactionStatus></PayResult><ResponseMetadata><RequestId>7bd8b6bc-6b1d-4b8d-9a10-9c9c62d16ac5:0</RequestId></ResponseMetadata></PayResponse>"#;

    #[test]
    fn reads_pay_with_namespace() {
        let r = transaction_result("Pay", PAY).unwrap();
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
        let r = transaction_result("Reserve", xml).unwrap();
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
                matches!(transaction_result("Pay", bad), Err(FpsError::Malformed { .. })),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn malformed_reasons_stay_short_whatever_the_answer() {
        // Found by fuzzing: an element name of any length went into the message whole.
        let body = format!("<{}/>", "\u{1}".repeat(5000));
        match transaction_result("Pay", &body) {
            Err(FpsError::Malformed { reason, .. }) => assert!(reason.chars().count() <= 300, "{reason}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn response_amounts() {
        assert_eq!(response_amount("1.000000", None).unwrap().minor_units(), 100);
        assert_eq!(response_amount("1.1", Some("USD")).unwrap().minor_units(), 110);
        assert!(response_amount("1.001000", None).is_none());
        // Found by fuzzing (fuzz/fuzz_targets/fps_response.rs): a multi-byte character after the
        // cents used to panic (a str split inside a character).
        assert!(response_amount("1.\u{FFFD}00", None).is_none());
        assert!(response_amount("1.0\u{FFFD}", None).is_none());
        assert!(response_amount("\u{DE}.\u{DE}\u{DE}\u{DE}", None).is_none());
        assert!(response_amount("1.00", Some("EUR")).is_none());
    }
}
