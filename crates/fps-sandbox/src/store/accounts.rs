//! Balances per account (the entries written when a transaction succeeds, and their sums) and
//! the sender e-mails of the outbox.

use super::{EmailRecord, EntryRecord, Store, StoreError};

impl Store {
    /// Writes a transaction's movements of money (once: a second call for the same transaction,
    /// account and role is ignored).
    pub async fn add_entries(&self, entries: &[EntryRecord]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for e in entries {
            sqlx::query(
                "INSERT OR IGNORE INTO account_entries (account, transaction_id, role, amount_minor, at)
                 VALUES (?, ?, ?, ?, ?)",
            )
            .bind(&e.account)
            .bind(&e.transaction_id)
            .bind(&e.role)
            .bind(e.amount_minor)
            .bind(e.at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// An account's balance in cents (an e-mail, case-insensitive, or `FPS`).
    pub async fn balance(&self, account: &str) -> Result<i64, StoreError> {
        let row: (Option<i64>,) =
            sqlx::query_as("SELECT SUM(amount_minor) FROM account_entries WHERE account = ? COLLATE NOCASE")
                .bind(account)
                .fetch_one(&self.pool)
                .await?;
        Ok(row.0.unwrap_or(0))
    }

    /// Every account with entries and its balance, by account.
    pub async fn balances(&self) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT account, SUM(amount_minor) FROM account_entries GROUP BY account COLLATE NOCASE ORDER BY account",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// The entries of one transaction, in the order written.
    pub async fn entries(&self, transaction_id: &str) -> Result<Vec<EntryRecord>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT account, transaction_id, role, amount_minor, at FROM account_entries
             WHERE transaction_id = ? ORDER BY seq",
        )
        .bind(transaction_id)
        .fetch_all(&self.pool)
        .await?)
    }
}

impl Store {
    /// Records a sender e-mail (once per transaction and kind).
    pub async fn add_email(&self, e: &EmailRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT OR IGNORE INTO sender_emails (to_email, subject, body, transaction_id, kind, at)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(&e.to_email)
        .bind(&e.subject)
        .bind(&e.body)
        .bind(&e.transaction_id)
        .bind(&e.kind)
        .bind(e.at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The newest `limit` sender e-mails.
    pub async fn emails(&self, limit: i64) -> Result<Vec<EmailRecord>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT to_email, subject, body, transaction_id, kind, at FROM sender_emails ORDER BY seq DESC LIMIT ?",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?)
    }
}
