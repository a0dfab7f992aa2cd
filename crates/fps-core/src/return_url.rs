//! The CBUI return: what CBUI appends to `returnURL`, parsed into a typed result with the raw
//! query kept byte-exact for VerifySignature.

use alloc::{borrow::ToOwned, string::String, vec::Vec};
use core::fmt;

use super::canonical::{decode_query, reject_duplicates, PlusIs};
use super::error::{quote, CoreError, ReturnRule};
use super::params::{CallerReference, ParamValue, TokenId};
use super::text::{parse_digits, push_decimal};
use crate::text::concat;
use crate::text::split_once_byte;

/// Largest return query accepted, in bytes. Real returns are under 1 KiB; a shipping address and
/// a line-wrapped signature stay well under this.
pub const MAX_RETURN_BYTES: usize = 8 * 1024;

/// Names CBUI adds to the return; a merchant's own `returnURL` query must not use them.
pub const RESERVED_RETURN_NAMES: &[&str] = &[
    "status",
    "tokenID",
    "refundTokenID",
    "callerReference",
    "expiry",
    "errorMessage",
    "signature",
    "signatureMethod",
    "signatureVersion",
    "certificateUrl",
    "addressName",
    "addressLine1",
    "addressLine2",
    "city",
    "state",
    "zip",
    "country",
    "phoneNumber",
    "creditSenderTokenID",
    "creditInstrumentID",
    "settlementTokenID",
    "fundingTokenID",
    "prepaidSenderTokenID",
    "prepaidInstrumentID",
];

/// Every status code a CBUI pipeline returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Sender pipeline done; the sender chose their Amazon Payments balance.
    SuccessBalance,
    /// Sender pipeline done; the sender chose a bank account.
    SuccessBank,
    /// Sender pipeline done; the sender chose a credit card.
    SuccessCard,
    /// Recipient token installed (Recipient pipeline).
    SuccessRecipient,
    /// EditToken finished.
    SuccessUpdate,
    /// A system error at Amazon; retry later.
    SystemError,
    /// The shopper abandoned the pipeline.
    Aborted,
    /// The caller's request was invalid; see `errorMessage`.
    CallerError,
    /// The sender lacks the payment method requested.
    PaymentMethodMismatch,
    /// Not allowed: unverified e-mail, sender is recipient, personal recipient and cards, or a
    /// restarted pipeline.
    NotAllowed,
    /// The caller is not registered as a third-party caller.
    NotMarketplaceCaller,
}

impl Status {
    /// Every status, in the order of the protocol sheet.
    pub const ALL: [Status; 11] = [
        Status::SuccessBalance,
        Status::SuccessBank,
        Status::SuccessCard,
        Status::SuccessRecipient,
        Status::SuccessUpdate,
        Status::SystemError,
        Status::Aborted,
        Status::CallerError,
        Status::PaymentMethodMismatch,
        Status::NotAllowed,
        Status::NotMarketplaceCaller,
    ];

    /// The wire code (`SA`, `CE`, ...).
    pub fn code(self) -> &'static str {
        match self {
            Status::SuccessBalance => "SA",
            Status::SuccessBank => "SB",
            Status::SuccessCard => "SC",
            Status::SuccessRecipient => "SR",
            Status::SuccessUpdate => "SU",
            Status::SystemError => "SE",
            Status::Aborted => "A",
            Status::CallerError => "CE",
            Status::PaymentMethodMismatch => "PE",
            Status::NotAllowed => "NP",
            Status::NotMarketplaceCaller => "NM",
        }
    }

    /// Parses a wire code (exact, case-sensitive).
    pub fn from_code(code: &str) -> Option<Self> {
        Status::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Whether the pipeline completed and a token was issued or changed.
    pub fn is_success(self) -> bool {
        matches!(
            self,
            Status::SuccessBalance
                | Status::SuccessBank
                | Status::SuccessCard
                | Status::SuccessRecipient
                | Status::SuccessUpdate
        )
    }

    /// Whether trying the same checkout again may succeed (system error or abandoned).
    pub fn is_retriable(self) -> bool {
        matches!(self, Status::SystemError | Status::Aborted)
    }

    /// A short message for the shopper.
    pub fn message(self) -> &'static str {
        match self {
            Status::SuccessBalance => "Payment authorized from your Amazon Payments balance.",
            Status::SuccessBank => "Payment authorized from your bank account.",
            Status::SuccessCard => "Payment authorized with your credit card.",
            Status::SuccessRecipient => "Your seller registration is complete.",
            Status::SuccessUpdate => "Your payment method was updated.",
            Status::SystemError => "Amazon Payments had a temporary problem. Please try again later.",
            Status::Aborted => "You cancelled the payment. Nothing was charged.",
            Status::CallerError => "The merchant's payment request was invalid. Nothing was charged.",
            Status::PaymentMethodMismatch => {
                "Your account does not have the payment method this merchant requires."
            }
            Status::NotAllowed => {
                "Amazon Payments did not allow this payment (for example an unverified e-mail address)."
            }
            Status::NotMarketplaceCaller => "This merchant is not set up to take this kind of payment.",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A card's expiry as CBUI returns it (`MM/YYYY`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Expiry {
    /// Year, four digits.
    pub year: u16,
    /// Month, 1 to 12.
    pub month: u8,
}

impl Expiry {
    /// Parses `MM/YYYY`.
    pub fn parse(text: &str) -> Option<Self> {
        let (month, year) = split_once_byte(text, b'/')?;
        let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(month, 2) || !digits(year, 4) {
            return None;
        }
        // Two and four digits (checked above): they fit.
        let month = parse_digits(month)? as u8;
        let year = parse_digits(year)? as u16;
        ((1..=12).contains(&month) && year >= 1970).then_some(Expiry { year, month })
    }
}

impl fmt::Display for Expiry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

impl Expiry {
    /// `MM/YYYY`, as CBUI writes it (what `Display` writes).
    pub fn text(&self) -> String {
        let mut out = String::with_capacity(7);
        push_decimal(&mut out, u64::from(self.month), 2);
        out.push('/');
        push_decimal(&mut out, u64::from(self.year), 4);
        out
    }
}

/// The signature quartet CBUI appends (`signature`, `signatureMethod`, `signatureVersion`,
/// `certificateUrl`), decoded. Verification forwards the raw query instead.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReturnSignature {
    /// Base64 RSA signature (may contain line feeds).
    pub signature: Option<String>,
    /// `RSA-SHA1` from CBUI.
    pub method: Option<String>,
    /// `2`.
    pub version: Option<String>,
    /// Where the signing certificate lives.
    pub certificate_url: Option<String>,
}

/// A parsed CBUI return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CbuiReturn {
    raw: String,
    pairs: Vec<(String, String)>,
    /// The outcome.
    pub status: Status,
    /// The token issued (`tokenID`), on success.
    pub token_id: Option<TokenId>,
    /// The refund token of a Recipient registration (`refundTokenID`).
    pub refund_token_id: Option<TokenId>,
    /// The echoed `callerReference`.
    pub caller_reference: Option<CallerReference>,
    /// The card's expiry, for card payments.
    pub expiry: Option<Expiry>,
    /// Why it failed, in Amazon's words.
    pub error_message: Option<String>,
    /// The signature fields.
    pub signature: ReturnSignature,
}

impl CbuiReturn {
    /// Parses the query CBUI appended to `returnURL` (a leading `?` is allowed).
    ///
    /// Refuses oversized input, bad percent-encoding, duplicate names, a missing or unknown
    /// status, and malformed tokens, references or expiry. `+` reads as space (form style).
    pub fn parse(query: &str) -> Result<Self, CoreError> {
        let raw = query.strip_prefix("?").unwrap_or(query);
        if raw.len() > MAX_RETURN_BYTES {
            return Err(CoreError::Return(ReturnRule::Query(
                super::error::QueryRule::TooLong {
                    max: MAX_RETURN_BYTES,
                },
            )));
        }
        let lift = |e: CoreError| match e {
            CoreError::Query(rule) => CoreError::Return(ReturnRule::Query(rule)),
            other => other,
        };
        let pairs = decode_query(raw, PlusIs::Space).map_err(lift)?;
        reject_duplicates(&pairs).map_err(lift)?;
        let get = |name: &str| pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
        let field = |name: &'static str, expected: &'static str| {
            CoreError::Return(ReturnRule::Field { name, expected })
        };

        let status = match get("status") {
            None => return Err(CoreError::Return(ReturnRule::MissingStatus)),
            Some(code) => Status::from_code(code)
                .ok_or_else(|| CoreError::Return(ReturnRule::UnknownStatus { code: quote(code) }))?,
        };
        let token = |name: &'static str| {
            get(name)
                .map(|v| {
                    TokenId::parse_param(name, v)
                        .map_err(|_| field(name, "uppercase letters and digits, 16 to 65 long"))
                })
                .transpose()
        };
        let token_id = token("tokenID")?;
        let refund_token_id = token("refundTokenID")?;
        let caller_reference = get("callerReference")
            .map(|v| {
                CallerReference::parse_param("callerReference", v)
                    .map_err(|_| field("callerReference", "1 to 128 bytes without control characters"))
            })
            .transpose()?;
        let expiry = get("expiry")
            .map(|v| Expiry::parse(v).ok_or_else(|| field("expiry", "MM/YYYY")))
            .transpose()?;
        let owned = |name: &str| get(name).map(str::to_owned);
        let signature = ReturnSignature {
            signature: owned("signature"),
            method: owned("signatureMethod"),
            version: owned("signatureVersion"),
            certificate_url: owned("certificateUrl"),
        };
        Ok(CbuiReturn {
            raw: raw.to_owned(),
            status,
            token_id,
            refund_token_id,
            caller_reference,
            expiry,
            error_message: owned("errorMessage"),
            signature,
            pairs,
        })
    }

    /// The query exactly as received (no leading `?`): forward this to VerifySignature.
    pub fn raw_query(&self) -> &str {
        &self.raw
    }

    /// Every decoded pair, in received order.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// A decoded value by name (for fields without their own accessor, such as `fundingTokenID`
    /// or the shipping address).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The merchant's own parameters that rode along on `returnURL`.
    pub fn merchant_params(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs
            .iter()
            .filter(|(n, _)| !RESERVED_RETURN_NAMES.contains(&n.as_str()))
            .map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// Whether the pipeline succeeded.
    pub fn is_success(&self) -> bool {
        self.status.is_success()
    }

    /// A message for the shopper: the status's own, with Amazon's `errorMessage` for caller errors.
    pub fn message(&self) -> String {
        match (&self.error_message, self.status) {
            (Some(detail), Status::CallerError | Status::SystemError) => {
                let detail: String = detail.chars().take(200).collect();
                concat(&[self.status.message(), " (", &detail, ")"])
            }
            _ => self.status.message().to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "I39FL7UFPBCJHUR5ICSDPX1RGP6ND6M5QZNQJKXGFT7CA9QNPJ6CH1GTAOHEMGEE";

    #[test]
    fn every_status_round_trips() {
        for status in Status::ALL {
            assert_eq!(Status::from_code(status.code()), Some(status));
            assert!(!status.message().is_empty());
            let parsed = CbuiReturn::parse(&format!("status={}", status.code())).unwrap();
            assert_eq!(parsed.status, status);
            assert_eq!(
                parsed.is_success(),
                ["SA", "SB", "SC", "SR", "SU"].contains(&status.code())
            );
        }
        assert_eq!(Status::from_code("sa"), None);
    }

    #[test]
    fn parses_a_card_return_with_merchant_params() {
        let raw = format!(
            "order=1001&tokenID={TOKEN}&status=SC&callerReference=ref-1&expiry=10%2F2027\
             &signatureMethod=RSA-SHA1&signatureVersion=2&certificateUrl=https%3A%2F%2Ffps.example%2Fcert.pem\
             &signature=ab%2Bc%3D%0Ade"
        );
        let parsed = CbuiReturn::parse(&format!("?{raw}")).unwrap();
        assert_eq!(parsed.raw_query(), raw);
        assert_eq!(parsed.status, Status::SuccessCard);
        assert_eq!(parsed.token_id.as_ref().unwrap().as_str(), TOKEN);
        assert_eq!(parsed.caller_reference.as_ref().unwrap().as_str(), "ref-1");
        assert_eq!(
            parsed.expiry,
            Some(Expiry {
                year: 2027,
                month: 10
            })
        );
        assert_eq!(parsed.signature.signature.as_deref(), Some("ab+c=\nde"));
        assert_eq!(
            parsed.signature.certificate_url.as_deref(),
            Some("https://fps.example/cert.pem")
        );
        assert_eq!(
            parsed.merchant_params().collect::<Vec<_>>(),
            vec![("order", "1001")]
        );
    }

    #[test]
    fn caller_error_message_reads_plus_as_space() {
        let parsed = CbuiReturn::parse("status=CE&errorMessage=Caller+Input+Exception%3A+bad").unwrap();
        assert_eq!(
            parsed.error_message.as_deref(),
            Some("Caller Input Exception: bad")
        );
        assert!(parsed.message().contains("Caller Input Exception: bad"));
        assert!(!parsed.is_success());
    }

    #[test]
    fn rejects_each_rule() {
        let rule = |raw: &str| match CbuiReturn::parse(raw) {
            Err(CoreError::Return(rule)) => rule,
            other => panic!("{raw:?}: {other:?}"),
        };
        assert_eq!(rule("tokenID=X"), ReturnRule::MissingStatus);
        assert_eq!(rule(""), ReturnRule::MissingStatus);
        assert!(matches!(rule("status=ZZ"), ReturnRule::UnknownStatus { .. }));
        assert!(matches!(rule("status=SA&status=SA"), ReturnRule::Query(_)));
        assert!(matches!(rule("status=SA&x=%zz"), ReturnRule::Query(_)));
        assert!(matches!(
            rule(&format!("status=SA&x={}", "a".repeat(MAX_RETURN_BYTES))),
            ReturnRule::Query(_)
        ));
        assert!(matches!(
            rule("status=SA&tokenID=lower"),
            ReturnRule::Field { name: "tokenID", .. }
        ));
        assert!(matches!(
            rule("status=SC&expiry=13%2F2027"),
            ReturnRule::Field { name: "expiry", .. }
        ));
        assert!(matches!(
            rule("status=SC&expiry=1%2F2027"),
            ReturnRule::Field { name: "expiry", .. }
        ));
        assert!(matches!(
            rule("status=SA&callerReference="),
            ReturnRule::Field {
                name: "callerReference",
                ..
            }
        ));
    }
}
