//! What one account (a buyer, a seller or a caller's own) took part in, for its balance and the
//! account pages: its transactions, pending ones, and the tokens it authorized.

use super::{Store, StoreError, TokenRecord, TransactionRecord};

impl Store {
    /// Pending transactions the account `email` is sender or recipient of, or that the caller
    /// `caller_key` made (at most 1,000, oldest first).
    pub async fn pending_involving(
        &self,
        email: &str,
        caller_key: Option<&str>,
    ) -> Result<Vec<TransactionRecord>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT * FROM transactions WHERE status = 'Pending'
               AND (sender_email = ?1 COLLATE NOCASE OR recipient_email = ?1 COLLATE NOCASE
                    OR (?2 IS NOT NULL AND caller_key = ?2))
             ORDER BY seq LIMIT 1000",
        )
        .bind(email)
        .bind(caller_key)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The newest `limit` transactions the account `email` is sender or recipient of, or that
    /// the caller `caller_key` made.
    pub async fn transactions_involving(
        &self,
        email: &str,
        caller_key: Option<&str>,
        limit: i64,
    ) -> Result<Vec<TransactionRecord>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT * FROM transactions
             WHERE sender_email = ?1 COLLATE NOCASE OR recipient_email = ?1 COLLATE NOCASE
                OR (?2 IS NOT NULL AND caller_key = ?2)
             ORDER BY date_received DESC, seq DESC LIMIT ?3",
        )
        .bind(email)
        .bind(caller_key)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The newest `limit` tokens the account `email` authorized (as sender or recipient).
    pub async fn tokens_of(&self, email: &str, limit: i64) -> Result<Vec<TokenRecord>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT * FROM tokens WHERE owner_email = ? COLLATE NOCASE AND payment_instruction IS NULL
             ORDER BY date_installed DESC LIMIT ?",
        )
        .bind(email)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }
}
