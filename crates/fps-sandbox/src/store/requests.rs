//! Records of answered requests for identical resends (7 days of emulated time, purged after),
//! and the persisted offset of the test clock.

use super::{Store, StoreError};

/// How long a request's answer is kept for identical resends: 7 days, as FPS does.
pub const RECORD_LIFETIME_MS: i64 = 7 * 24 * 3600 * 1000;

/// The recorded answer of a request that changed (or was refused to change) money or tokens.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RequestRecord {
    /// SHA-256 (hex) of the action and the canonical query without the signature.
    pub fingerprint: String,
    /// The `CallerReference` it used, for the successful answers of Pay, Reserve and Refund.
    pub caller_reference: Option<String>,
    /// The HTTP status answered.
    pub status: i64,
    /// The XML body answered.
    pub response: String,
    /// When it was answered (business time, Unix milliseconds).
    pub created_at: i64,
}

impl Store {
    /// The caller's recorded answer to the request with this fingerprint, if younger than
    /// [`RECORD_LIFETIME_MS`].
    pub async fn recorded_request(
        &self,
        caller_key: &str,
        fingerprint: &str,
    ) -> Result<Option<RequestRecord>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT fingerprint, caller_reference, status, response, created_at FROM request_records
             WHERE caller_key = ? AND fingerprint = ? AND created_at > ?",
        )
        .bind(caller_key)
        .bind(fingerprint)
        .bind(self.now_ms().saturating_sub(RECORD_LIFETIME_MS))
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The caller's recorded successful answer under this `CallerReference`, if younger than
    /// [`RECORD_LIFETIME_MS`].
    pub async fn request_under_reference(
        &self,
        caller_key: &str,
        reference: &str,
    ) -> Result<Option<RequestRecord>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT fingerprint, caller_reference, status, response, created_at FROM request_records
             WHERE caller_key = ? AND caller_reference = ? AND created_at > ?
             ORDER BY created_at DESC LIMIT 1",
        )
        .bind(caller_key)
        .bind(reference)
        .bind(self.now_ms().saturating_sub(RECORD_LIFETIME_MS))
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Records an answer (replacing an expired record of the same request) and purges the
    /// expired ones, so the table holds at most 7 days of requests.
    pub async fn save_request_record(
        &self,
        caller_key: &str,
        record: &RequestRecord,
    ) -> Result<(), StoreError> {
        self.purge_request_records().await?;
        sqlx::query(
            "INSERT OR REPLACE INTO request_records
                (caller_key, fingerprint, caller_reference, status, response, created_at)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(caller_key)
        .bind(&record.fingerprint)
        .bind(&record.caller_reference)
        .bind(record.status)
        .bind(&record.response)
        .bind(record.created_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Deletes the records older than [`RECORD_LIFETIME_MS`]; returns how many went.
    pub async fn purge_request_records(&self) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM request_records WHERE created_at <= ?")
            .bind(self.now_ms().saturating_sub(RECORD_LIFETIME_MS))
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    /// Moves the business clock to `offset_ms` ahead of real time, persisted first so a
    /// restart with the same file keeps it.
    pub async fn save_clock_offset(&self, offset_ms: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO sandbox_clock (id, offset_ms) VALUES (1, ?)
             ON CONFLICT (id) DO UPDATE SET offset_ms = excluded.offset_ms",
        )
        .bind(offset_ms)
        .execute(&self.pool)
        .await?;
        self.clock.set_offset(offset_ms);
        Ok(())
    }
}
