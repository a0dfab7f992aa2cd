//! FPS's `RequestId` of every Query API call made for an order (issue 19): support and
//! reconciliation quote it to Amazon. One row per call, written after the answer.

use super::{now_ms, Store, StoreError};

/// Longest action name or request id stored, in characters (FPS's ids are about 40).
pub const MAX_REQUEST_ID_CHARS: usize = 100;

/// One Query API call made for an order.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FpsRequest {
    /// The action (`Pay`, `GetTransactionStatus`, ...).
    pub action: String,
    /// FPS's `RequestId` of its answer.
    pub request_id: String,
    /// `applied`, `refused` or `unknown`.
    pub outcome: String,
    /// When the answer came, Unix milliseconds.
    pub at_ms: i64,
}

impl Store {
    /// Records that `action` for `order` was answered with `request_id` (`outcome`).
    pub async fn record_fps_request(
        &self,
        order: &str,
        action: &str,
        request_id: &str,
        outcome: &str,
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO fps_requests (id, order_reference, action, request_id, outcome, created_ms) \
                   VALUES ($1, $2, $3, $4, $5, $6)";
        let id = uuid::Uuid::new_v4().simple().to_string();
        let action: String = action.chars().take(MAX_REQUEST_ID_CHARS).collect();
        let request_id: String = request_id.chars().take(MAX_REQUEST_ID_CHARS).collect();
        macro_rules! run {
            ($pool:expr) => {
                sqlx::query(sql)
                    .bind(id)
                    .bind(order)
                    .bind(action)
                    .bind(request_id)
                    .bind(outcome)
                    .bind(now_ms())
                    .execute($pool)
                    .await?
                    .rows_affected()
            };
        }
        match self {
            Store::Sqlite(pool) => run!(pool),
            Store::Postgres(pool) => run!(pool),
        };
        Ok(())
    }

    /// The calls made for `order`, oldest first.
    pub async fn fps_requests(&self, order: &str) -> Result<Vec<FpsRequest>, StoreError> {
        let sql = "SELECT action, request_id, outcome, created_ms FROM fps_requests \
                   WHERE order_reference = $1 ORDER BY created_ms, id";
        let rows: Vec<(String, String, String, i64)> = match self {
            Store::Sqlite(pool) => sqlx::query_as(sql).bind(order).fetch_all(pool).await?,
            Store::Postgres(pool) => sqlx::query_as(sql).bind(order).fetch_all(pool).await?,
        };
        Ok(rows
            .into_iter()
            .map(|(action, request_id, outcome, at)| FpsRequest {
                action,
                request_id,
                outcome,
                at_ms: at,
            })
            .collect())
    }
}
