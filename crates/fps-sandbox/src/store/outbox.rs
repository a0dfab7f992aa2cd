//! The IPN outbox: notifications queued for delivery, their attempts and retry times.

use super::{IpnRecord, Store, StoreError};

impl Store {
    /// Queues an IPN for immediate delivery.
    pub async fn enqueue_ipn(&self, url: &str, body: &str) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO ipn_outbox (url, body, next_attempt_at) VALUES (?, ?, ?)")
            .bind(url)
            .bind(body)
            .bind(self.now_ms())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// IPNs due for an attempt.
    pub async fn due_ipns(&self, now: i64) -> Result<Vec<IpnRecord>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, url, body, attempts FROM ipn_outbox
             WHERE delivered_at IS NULL AND gave_up = 0 AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT 32",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The earliest time an undelivered IPN is due, if any.
    pub async fn next_ipn_due(&self) -> Result<Option<i64>, StoreError> {
        let row: (Option<i64>,) = sqlx::query_as(
            "SELECT MIN(next_attempt_at) FROM ipn_outbox WHERE delivered_at IS NULL AND gave_up = 0",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(row.0)
    }

    /// Marks an IPN delivered.
    pub async fn ipn_delivered(&self, id: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE ipn_outbox SET delivered_at = ?, attempts = attempts + 1 WHERE id = ?")
            .bind(self.now_ms())
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Records a failed attempt: retry at `next_attempt_at`, or give up.
    pub async fn ipn_failed(
        &self,
        id: i64,
        next_attempt_at: i64,
        give_up: bool,
        error: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE ipn_outbox SET attempts = attempts + 1, next_attempt_at = ?, gave_up = ?, last_error = ? WHERE id = ?",
        )
        .bind(next_attempt_at)
        .bind(give_up)
        .bind(error)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
