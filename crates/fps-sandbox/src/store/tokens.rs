//! GetTokens' look-up: a caller's tokens by status, type, reference and friendly name, newest
//! first, at most a bounded number.

use super::{Store, StoreError, TokenRecord};

/// The filters of GetTokens, as the Query API names their values (`TokenType` `Unrestricted`
/// also finds recipient tokens, which GetTokens and GetTokenByCaller report as `Unrestricted`).
#[derive(Debug, Clone, Default)]
pub struct TokenFilter {
    /// `Active` or `Inactive`.
    pub status: Option<String>,
    /// `SingleUse`, `MultiUse`, `Recurring` or `Unrestricted`.
    pub token_type: Option<String>,
    /// The token's caller reference.
    pub caller_reference: Option<String>,
    /// The token's friendly name as GetTokens reports it: `TokenFriendlyName`, else the payment
    /// reason, else `<type> token <reference>` (see `api::render::token`).
    pub friendly_name: Option<String>,
}

impl Store {
    /// The caller's tokens passing every filter given, newest first, at most `limit`.
    pub async fn caller_tokens(
        &self,
        caller_key: &str,
        filter: &TokenFilter,
        limit: i64,
    ) -> Result<Vec<TokenRecord>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT * FROM tokens WHERE caller_key = ?
               AND (?2 IS NULL OR status = ?2)
               AND (?3 IS NULL OR (CASE WHEN token_type = 'Recipient' THEN 'Unrestricted' ELSE token_type END) = ?3)
               AND (?4 IS NULL OR caller_reference = ?4)
               AND (?5 IS NULL OR COALESCE(friendly_name, payment_reason, token_type || ' token ' || caller_reference) = ?5)
             ORDER BY date_installed DESC, rowid DESC LIMIT ?6",
        )
        .bind(caller_key)
        .bind(filter.status.as_deref())
        .bind(filter.token_type.as_deref())
        .bind(filter.caller_reference.as_deref())
        .bind(filter.friendly_name.as_deref())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }
}
