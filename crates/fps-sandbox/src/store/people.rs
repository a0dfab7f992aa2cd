//! What one account (a buyer, a seller or a caller's own) took part in, for its balance and the
//! account pages: its transactions, pending ones, the tokens it authorized, and its sign-ins.

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

    /// The newest `limit` tokens the account `email` authorized (as sender or recipient, or, for
    /// a caller's own account, with InstallPaymentInstruction).
    pub async fn tokens_of(&self, email: &str, limit: i64) -> Result<Vec<TokenRecord>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT * FROM tokens WHERE owner_email = ? COLLATE NOCASE
             ORDER BY date_installed DESC LIMIT ?",
        )
        .bind(email)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }
}

/// A sign-in to the account pages.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountSession {
    /// The random id the cookie carries.
    pub id: String,
    /// The account signed in.
    pub email: String,
    /// The token every form of the pages carries back.
    pub form_token: String,
    /// When it lapses (real time, Unix milliseconds).
    pub expires_at: i64,
}

impl Store {
    /// Records a sign-in, dropping the lapsed ones.
    pub async fn create_account_session(&self, session: &AccountSession, now: i64) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM account_sessions WHERE expires_at <= ?")
            .bind(now)
            .execute(&self.pool)
            .await?;
        sqlx::query("INSERT INTO account_sessions (id, email, form_token, expires_at) VALUES (?, ?, ?, ?)")
            .bind(&session.id)
            .bind(&session.email)
            .bind(&session.form_token)
            .bind(session.expires_at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The sign-in with this id, unless it lapsed.
    pub async fn account_session(&self, id: &str, now: i64) -> Result<Option<AccountSession>, StoreError> {
        Ok(
            sqlx::query_as("SELECT * FROM account_sessions WHERE id = ? AND expires_at > ?")
                .bind(id)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Ends a sign-in.
    pub async fn end_account_session(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM account_sessions WHERE id = ?")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
