//! The token queries of API 2010-08-28, typed: GetTokens (the caller's tokens, filtered),
//! GetTokenUsage (a token's usage limits and what was used under them) and GetPaymentInstruction
//! (the instruction of a token of InstallPaymentInstruction). Each answer is read by element
//! name; an unknown status, type or unreadable amount is malformed.

use serde::Deserialize;

use super::client::{FpsClient, Timestamp};
use super::error::FpsError;
use super::request::Action;
use super::response::{fee_minor, parse_success, quoted, AmountXml};
use super::vocabulary::ActionName;
use fps_core::params::CallerReference;

/// Longest `TokenFriendlyName` sent as a GetTokens filter.
const MAX_FRIENDLY_NAME: usize = 128;

/// A token's status (`TokenStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenStatus {
    /// Usable.
    Active,
    /// Cancelled (CancelToken, or the sender withdrew it).
    Inactive,
}

impl TokenStatus {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenStatus::Active => "Active",
            TokenStatus::Inactive => "Inactive",
        }
    }

    /// Reads the wire value (exact, as FPS writes it).
    pub fn from_wire(text: &str) -> Option<Self> {
        match text {
            "Active" => Some(TokenStatus::Active),
            "Inactive" => Some(TokenStatus::Inactive),
            _ => None,
        }
    }
}

/// A token's type (`TokenType`): a recipient token is `Unrestricted`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenType {
    /// One payment.
    SingleUse,
    /// Payments up to a global limit.
    MultiUse,
    /// A fixed amount each period.
    Recurring,
    /// No limits of its own (recipient tokens, most tokens of InstallPaymentInstruction).
    Unrestricted,
}

impl TokenType {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenType::SingleUse => "SingleUse",
            TokenType::MultiUse => "MultiUse",
            TokenType::Recurring => "Recurring",
            TokenType::Unrestricted => "Unrestricted",
        }
    }

    /// Reads the wire value (exact, as FPS writes it).
    pub fn from_wire(text: &str) -> Option<Self> {
        [
            TokenType::SingleUse,
            TokenType::MultiUse,
            TokenType::Recurring,
            TokenType::Unrestricted,
        ]
        .into_iter()
        .find(|t| t.as_str() == text)
    }
}

/// What GetTokens is asked: every filter given must hold (none: all the caller's tokens).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenFilter {
    /// `TokenStatus`.
    pub status: Option<TokenStatus>,
    /// `TokenType`.
    pub token_type: Option<TokenType>,
    /// `CallerReference`: the token's (the pipeline's or InstallPaymentInstruction's).
    pub caller_reference: Option<CallerReference>,
    /// `TokenFriendlyName` (at most 128 characters are sent).
    pub friendly_name: Option<String>,
}

impl TokenFilter {
    /// The filter's parameters.
    pub fn params(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some(status) = self.status {
            out.push(("TokenStatus", status.as_str().to_owned()));
        }
        if let Some(kind) = self.token_type {
            out.push(("TokenType", kind.as_str().to_owned()));
        }
        if let Some(reference) = &self.caller_reference {
            out.push(("CallerReference", reference.as_str().to_owned()));
        }
        if let Some(name) = &self.friendly_name {
            out.push((
                "TokenFriendlyName",
                name.chars().take(MAX_FRIENDLY_NAME).collect(),
            ));
        }
        out
    }
}

/// A `Token` element (GetTokens, GetTokenByCaller, GetPaymentInstruction).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// `TokenId`.
    pub token_id: String,
    /// `FriendlyName`.
    pub friendly_name: Option<String>,
    /// `TokenStatus`.
    pub status: TokenStatus,
    /// `DateInstalled`, as FPS wrote it.
    pub date_installed: Option<String>,
    /// `CallerReference`.
    pub caller_reference: Option<String>,
    /// `TokenType`.
    pub token_type: Option<TokenType>,
    /// `OldTokenId`: the token this one replaced.
    pub old_token_id: Option<String>,
    /// `PaymentReason`.
    pub payment_reason: Option<String>,
}

/// One `TokenUsageLimits` element: a limit of the token and what was used under it since the
/// limit was last reset. Counts are whole numbers, amounts in cents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenUsageLimit {
    /// `Count`: how many payments the limit allows, when it limits their number.
    pub count: Option<u64>,
    /// `Amount`: how much the limit allows, when it limits the amount.
    pub amount_minor: Option<u64>,
    /// `LastResetCount`: payments made since the last reset.
    pub last_reset_count: Option<u64>,
    /// `LastResetAmount`: money charged since the last reset.
    pub last_reset_amount_minor: Option<u64>,
    /// `LastResetTimestamp`, as FPS wrote it.
    pub last_reset_timestamp: Option<String>,
}

/// What GetPaymentInstruction returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstructionDetails {
    /// The token.
    pub token: Token,
    /// `PaymentInstruction`: the instruction text, in FPS's GK language.
    pub payment_instruction: String,
    /// `CallerReference` it was installed under.
    pub caller_reference: Option<String>,
    /// `TokenFriendlyName`.
    pub friendly_name: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct TokenXml {
    #[serde(rename = "TokenId")]
    token_id: String,
    #[serde(rename = "FriendlyName")]
    friendly_name: Option<String>,
    #[serde(rename = "TokenStatus")]
    status: String,
    #[serde(rename = "DateInstalled")]
    date_installed: Option<String>,
    #[serde(rename = "CallerReference")]
    caller_reference: Option<String>,
    #[serde(rename = "TokenType")]
    token_type: Option<String>,
    #[serde(rename = "OldTokenId")]
    old_token_id: Option<String>,
    #[serde(rename = "PaymentReason")]
    payment_reason: Option<String>,
}

#[derive(Deserialize)]
struct TokensXml {
    #[serde(rename = "Token", default)]
    tokens: Vec<TokenXml>,
}

#[derive(Deserialize)]
struct UsageLimitXml {
    #[serde(rename = "Count")]
    count: Option<String>,
    #[serde(rename = "Amount")]
    amount: Option<AmountXml>,
    #[serde(rename = "LastResetCount")]
    last_reset_count: Option<String>,
    #[serde(rename = "LastResetAmount")]
    last_reset_amount: Option<AmountXml>,
    #[serde(rename = "LastResetTimestamp")]
    last_reset_timestamp: Option<String>,
}

#[derive(Deserialize)]
struct UsageXml {
    #[serde(rename = "TokenUsageLimits", default)]
    limits: Vec<UsageLimitXml>,
}

#[derive(Deserialize)]
struct InstructionXml {
    #[serde(rename = "Token")]
    token: TokenXml,
    #[serde(rename = "PaymentInstruction")]
    payment_instruction: String,
    #[serde(rename = "CallerReference")]
    caller_reference: Option<String>,
    #[serde(rename = "TokenFriendlyName")]
    friendly_name: Option<String>,
}

impl FpsClient {
    /// GetTokens: the caller's tokens that pass every filter given.
    pub async fn tokens(&self, filter: TokenFilter) -> Result<Vec<Token>, FpsError> {
        tokens(&self.call(&Action::GetTokens(filter), &Timestamp::now()).await?)
    }

    /// GetTokenUsage: the token's usage limits and what was used under each.
    pub async fn token_usage(&self, token_id: &str) -> Result<Vec<TokenUsageLimit>, FpsError> {
        let action = Action::GetTokenUsage {
            token_id: token_id.to_owned(),
        };
        token_usage(&self.call(&action, &Timestamp::now()).await?)
    }

    /// GetPaymentInstruction: the instruction of a token of InstallPaymentInstruction.
    pub async fn payment_instruction(&self, token_id: &str) -> Result<InstructionDetails, FpsError> {
        let action = Action::GetPaymentInstruction {
            token_id: token_id.to_owned(),
        };
        payment_instruction(&self.call(&action, &Timestamp::now()).await?)
    }
}

pub(crate) fn malformed(action: ActionName, reason: String) -> FpsError {
    FpsError::Malformed {
        action: action.as_str(),
        reason,
    }
}

/// Reads a `Token` element of `action`'s answer.
pub(crate) fn token(action: ActionName, xml: TokenXml) -> Result<Token, FpsError> {
    let id = xml.token_id.trim();
    if id.is_empty() || id.len() > 65 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(malformed(action, format!("bad TokenId {}", quoted(id))));
    }
    let status = TokenStatus::from_wire(xml.status.trim())
        .ok_or_else(|| malformed(action, format!("unknown TokenStatus {}", quoted(&xml.status))))?;
    let token_type = match xml.token_type.as_deref().map(str::trim) {
        None => None,
        Some(text) => Some(
            TokenType::from_wire(text)
                .ok_or_else(|| malformed(action, format!("unknown TokenType {}", quoted(text))))?,
        ),
    };
    Ok(Token {
        token_id: id.to_owned(),
        friendly_name: xml.friendly_name,
        status,
        date_installed: xml.date_installed,
        caller_reference: xml.caller_reference,
        token_type,
        old_token_id: xml.old_token_id,
        payment_reason: xml.payment_reason,
    })
}

/// Reads the result of GetTokens.
pub fn tokens(body: &str) -> Result<Vec<Token>, FpsError> {
    const ACTION: ActionName = ActionName::GetTokens;
    let (xml, _): (TokensXml, _) = parse_success(ACTION, body)?;
    xml.tokens.into_iter().map(|t| token(ACTION, t)).collect()
}

/// Reads the result of GetTokenUsage: one entry per limit (none for a token without limits).
pub fn token_usage(body: &str) -> Result<Vec<TokenUsageLimit>, FpsError> {
    const ACTION: ActionName = ActionName::GetTokenUsage;
    let (xml, _): (UsageXml, _) = parse_success(ACTION, body)?;
    let count = |name: &str, text: Option<&str>| match text.map(str::trim) {
        None => Ok(None),
        Some(t) => t
            .parse::<u64>()
            .map(Some)
            .map_err(|_| malformed(ACTION, format!("bad {name} {}", quoted(t)))),
    };
    let amount = |name: &str, a: Option<&AmountXml>| match a {
        None => Ok(None),
        Some(a) => fee_minor(&a.value, a.currency_code.as_deref())
            .map(Some)
            .ok_or_else(|| malformed(ACTION, format!("bad {name} {}", quoted(&a.value)))),
    };
    xml.limits
        .iter()
        .map(|l| {
            Ok(TokenUsageLimit {
                count: count("Count", l.count.as_deref())?,
                amount_minor: amount("Amount", l.amount.as_ref())?,
                last_reset_count: count("LastResetCount", l.last_reset_count.as_deref())?,
                last_reset_amount_minor: amount("LastResetAmount", l.last_reset_amount.as_ref())?,
                last_reset_timestamp: l.last_reset_timestamp.clone(),
            })
        })
        .collect()
}

/// Reads the result of GetPaymentInstruction.
pub fn payment_instruction(body: &str) -> Result<InstructionDetails, FpsError> {
    const ACTION: ActionName = ActionName::GetPaymentInstruction;
    let (xml, _): (InstructionXml, _) = parse_success(ACTION, body)?;
    Ok(InstructionDetails {
        token: token(ACTION, xml.token)?,
        payment_instruction: xml.payment_instruction,
        caller_reference: xml.caller_reference,
        friendly_name: xml.friendly_name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NS: &str = "xmlns=\"http://fps.amazonaws.com/doc/2010-08-28/\"";

    fn answer(action: &str, result: &str) -> String {
        format!(
            "<{action}Response {NS}><{action}Result>{result}</{action}Result>\
             <ResponseMetadata><RequestId>r:0</RequestId></ResponseMetadata></{action}Response>"
        )
    }

    const TOKEN: &str = "<Token><TokenId>ABC123</TokenId><FriendlyName>shop</FriendlyName>\
        <TokenStatus>Active</TokenStatus><DateInstalled>2026-12-01T10:00:00.000Z</DateInstalled>\
        <CallerReference>ref-1</CallerReference><TokenType>MultiUse</TokenType></Token>";

    #[test]
    fn reads_tokens_and_refuses_unknown_values() {
        let body = answer(
            "GetTokens",
            &format!("{TOKEN}{}", TOKEN.replace("ABC123", "DEF456")),
        );
        let read = tokens(&body).unwrap();
        assert_eq!(read.len(), 2);
        assert_eq!(read[0].token_id, "ABC123");
        assert_eq!(read[1].token_id, "DEF456");
        assert_eq!(read[0].status, TokenStatus::Active);
        assert_eq!(read[0].token_type, Some(TokenType::MultiUse));
        assert_eq!(read[0].caller_reference.as_deref(), Some("ref-1"));
        assert!(tokens(&answer("GetTokens", "")).unwrap().is_empty());
        for bad in [
            TOKEN.replace("Active", "Sleeping"),
            TOKEN.replace("MultiUse", "Forever"),
            TOKEN.replace("ABC123", "ABC 123"),
        ] {
            assert!(tokens(&answer("GetTokens", &bad)).is_err(), "{bad}");
        }
        assert!(tokens(&answer("GetTokenByCaller", TOKEN)).is_err());
    }

    #[test]
    fn reads_usage_limits_in_cents() {
        let limit = "<TokenUsageLimits><Count>1</Count>\
            <Amount><CurrencyCode>USD</CurrencyCode><Value>10.000000</Value></Amount>\
            <LastResetCount>1</LastResetCount>\
            <LastResetAmount><CurrencyCode>USD</CurrencyCode><Value>0.000000</Value></LastResetAmount>\
            <LastResetTimestamp>2026-12-01T10:00:00.000Z</LastResetTimestamp></TokenUsageLimits>";
        let read = token_usage(&answer("GetTokenUsage", limit)).unwrap();
        assert_eq!(
            read,
            vec![TokenUsageLimit {
                count: Some(1),
                amount_minor: Some(1000),
                last_reset_count: Some(1),
                last_reset_amount_minor: Some(0),
                last_reset_timestamp: Some("2026-12-01T10:00:00.000Z".into()),
            }]
        );
        assert!(token_usage(&answer("GetTokenUsage", "")).unwrap().is_empty());
        assert!(token_usage(&answer("GetTokenUsage", &limit.replace("10.000000", "10.001000"))).is_err());
        assert!(token_usage(&answer(
            "GetTokenUsage",
            &limit.replace(">1</Count", ">-1</Count")
        ))
        .is_err());
    }

    #[test]
    fn reads_the_payment_instruction() {
        let body = answer(
            "GetPaymentInstruction",
            &format!(
                "{TOKEN}<PaymentInstruction>MyRole == 'Caller';</PaymentInstruction>\
                 <CallerReference>ref-1</CallerReference><TokenFriendlyName>shop</TokenFriendlyName>"
            ),
        );
        let read = payment_instruction(&body).unwrap();
        assert_eq!(read.payment_instruction, "MyRole == 'Caller';");
        assert_eq!(read.token.token_id, "ABC123");
        assert_eq!(read.friendly_name.as_deref(), Some("shop"));
        assert_eq!(read.caller_reference.as_deref(), Some("ref-1"));
    }

    #[test]
    fn filters_become_parameters() {
        let filter = TokenFilter {
            status: Some(TokenStatus::Inactive),
            token_type: Some(TokenType::Unrestricted),
            caller_reference: Some(CallerReference::new("ref-1").unwrap()),
            friendly_name: Some("n".repeat(300)),
        };
        let params = filter.params();
        assert!(params.contains(&("TokenStatus", "Inactive".into())));
        assert!(params.contains(&("TokenType", "Unrestricted".into())));
        assert!(params.contains(&("CallerReference", "ref-1".into())));
        let name = params.iter().find(|(n, _)| *n == "TokenFriendlyName").unwrap();
        assert_eq!(name.1.len(), MAX_FRIENDLY_NAME);
        assert!(TokenFilter::default().params().is_empty());
    }
}
