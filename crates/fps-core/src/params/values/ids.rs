//! AWS and FPS identifiers: the caller's access key id, token ids and lists of them.

use alloc::{borrow::ToOwned, string::String, vec::Vec};

use super::{check_len, ParamValue};
use crate::error::{CoreError, ParamRule};
use crate::text::split_byte;

/// An uppercase alphanumeric identifier of bounded length (access key ids, token ids).
fn upper_alnum(
    name: &str,
    raw: &str,
    min: usize,
    max: usize,
    expected: &'static str,
) -> Result<String, CoreError> {
    check_len(name, raw, min, max)?;
    if !raw.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()) {
        return Err(CoreError::param(name, ParamRule::Format { expected }));
    }
    Ok(raw.to_owned())
}

/// The caller's AWS access key id (`callerKey`): 16 to 128 uppercase letters and digits. Public.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CallerKey(String);

impl CallerKey {
    /// Validates an access key id.
    pub fn new(key: &str) -> Result<Self, CoreError> {
        Self::parse_param("callerKey", key)
    }

    /// The key id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl ParamValue for CallerKey {
    fn parse_param(name: &str, raw: &str) -> Result<Self, CoreError> {
        upper_alnum(
            name,
            raw,
            16,
            128,
            "an AWS access key id (uppercase letters and digits)",
        )
        .map(CallerKey)
    }

    fn render(&self) -> String {
        self.0.clone()
    }
}

/// A payment token id (`tokenID`, `recipientToken`): uppercase letters and digits, 64 in practice,
/// up to 65 as documented.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TokenId(String);

impl TokenId {
    /// Validates a token id.
    pub fn new(token: &str) -> Result<Self, CoreError> {
        Self::parse_param("tokenId", token)
    }

    /// The token id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl ParamValue for TokenId {
    fn parse_param(name: &str, raw: &str) -> Result<Self, CoreError> {
        upper_alnum(name, raw, 16, 65, "a token id (uppercase letters and digits)").map(TokenId)
    }

    fn render(&self) -> String {
        self.0.clone()
    }
}

/// A comma-separated list of recipient token ids (`recipientTokenList`), at most 100.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenList(Vec<TokenId>);

impl TokenList {
    /// The tokens in order.
    pub fn tokens(&self) -> &[TokenId] {
        &self.0
    }
}

impl ParamValue for TokenList {
    fn parse_param(name: &str, raw: &str) -> Result<Self, CoreError> {
        check_len(name, raw, 1, 100 * 66)?;
        // A loop, not `collect::<Result<Vec<_>, _>>()`: the adapter costs a kilobyte of wasm.
        let mut tokens = Vec::new();
        for token in split_byte(raw, b',') {
            tokens.push(TokenId::parse_param(name, token)?);
        }
        Ok(TokenList(tokens))
    }

    fn render(&self) -> String {
        let ids: Vec<&str> = self.0.iter().map(TokenId::as_str).collect();
        ids.join(",")
    }
}
