//! Figures read for `GET /metrics`: orders by state and the reconciler's backlog.

use super::Store;
use super::StoreError;

impl Store {
    /// How many orders are in each state: `(state, count)`, states with none left out.
    pub async fn order_counts(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let sql = "SELECT state, COUNT(*) FROM orders GROUP BY state";
        Ok(match self {
            Store::Sqlite(pool) => sqlx::query_as(sql).fetch_all(pool).await?,
            Store::Postgres(pool) => sqlx::query_as(sql).fetch_all(pool).await?,
        })
    }

    /// The reconciler's backlog at `now`: orders with an FPS outcome still to check, and of
    /// those, the ones due now.
    pub async fn reconcile_backlog(&self, now: i64) -> Result<(i64, i64), StoreError> {
        let sql = "SELECT COUNT(*), COALESCE(SUM(CASE WHEN next_check_at <= $1 THEN 1 ELSE 0 END), 0) \
                   FROM orders WHERE next_check_at IS NOT NULL";
        Ok(match self {
            Store::Sqlite(pool) => sqlx::query_as(sql).bind(now).fetch_one(pool).await?,
            Store::Postgres(pool) => sqlx::query_as(sql).bind(now).fetch_one(pool).await?,
        })
    }
}
