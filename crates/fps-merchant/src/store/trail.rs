//! The audit trail: an order's events, the counted refusals of input, and the notifications
//! already applied.

use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Type};

use super::model::{Event, MAX_EVENT_DETAIL, MAX_REFUSAL_DETAIL, MAX_REFUSAL_EVENTS};
use super::{now, now_ms, Backend, Queries, RowsAffected as _, Store, StoreError};

/// Counted refusals: `(kind, UTC day as Unix seconds, count, latest detail)`.
pub type RefusalCount = (String, i64, i64, String);

impl Store {
    /// Appends to the audit trail (refused returns, forged notifications, FPS failures, the
    /// reconciler's findings) of `order`, or of no order.
    pub async fn record_event(&self, order: Option<&str>, event: &Event) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(pool) => Queries::on(pool).record_event(order, event).await,
            Store::Postgres(pool) => Queries::on(pool).record_event(order, event).await,
        }
    }

    /// Records a refusal of input: an event on the order's trail while it has fewer than
    /// [`MAX_REFUSAL_EVENTS`] of this kind, otherwise (and for input naming no order) one more in
    /// the day's count of its kind, with the latest detail. Unauthenticated junk therefore adds
    /// at most one row per kind and day, and an order's trail stays readable.
    pub async fn record_refusal(&self, order: Option<&str>, event: &Event) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(pool) => Queries::on(pool).record_refusal(order, event).await,
            Store::Postgres(pool) => Queries::on(pool).record_refusal(order, event).await,
        }
    }

    /// The counted refusals of an order (`None`: of no order), newest day first:
    /// `(kind, UTC day as Unix seconds, count, latest detail)`.
    pub async fn refusal_counts(&self, order: Option<&str>) -> Result<Vec<RefusalCount>, StoreError> {
        match self {
            Store::Sqlite(pool) => Queries::on(pool).refusal_counts(order).await,
            Store::Postgres(pool) => Queries::on(pool).refusal_counts(order).await,
        }
    }

    /// The audit trail of an order (`None`: of no order), oldest first: `(kind, detail)`.
    pub async fn events(&self, order: Option<&str>) -> Result<Vec<(String, String)>, StoreError> {
        match self {
            Store::Sqlite(pool) => Queries::on(pool).events(order).await,
            Store::Postgres(pool) => Queries::on(pool).events(order).await,
        }
    }

    /// Whether the notification (transaction, status) was applied already.
    pub async fn notification_seen(&self, transaction_id: &str, status: &str) -> Result<bool, StoreError> {
        match self {
            Store::Sqlite(pool) => Queries::on(pool).notification_seen(transaction_id, status).await,
            Store::Postgres(pool) => Queries::on(pool).notification_seen(transaction_id, status).await,
        }
    }

    /// Remembers that a notification (transaction + status) was applied. Returns `false` when it
    /// was seen before (a replay).
    pub async fn remember_notification(
        &self,
        transaction_id: &str,
        status: &str,
    ) -> Result<bool, StoreError> {
        match self {
            Store::Sqlite(pool) => {
                Queries::on(pool)
                    .remember_notification(transaction_id, status)
                    .await
            }
            Store::Postgres(pool) => {
                Queries::on(pool)
                    .remember_notification(transaction_id, status)
                    .await
            }
        }
    }
}

impl<DB> Queries<'_, DB>
where
    DB: Backend,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB>,
    for<'q> String: Encode<'q, DB> + Decode<'q, DB> + Type<DB>,
    for<'q> Option<String>: Encode<'q, DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB>,
    for<'r> &'r str: ColumnIndex<DB::Row>,
    usize: ColumnIndex<DB::Row>,
{
    /// Appends `event` to the trail of `order` (or of no order) on `conn`, inside the caller's
    /// transaction, its detail bounded to [`MAX_EVENT_DETAIL`] characters.
    pub(super) async fn insert_event(
        conn: &mut DB::Connection,
        order: Option<&str>,
        event: &Event,
    ) -> Result<(), StoreError> {
        let detail: String = event.detail.chars().take(MAX_EVENT_DETAIL).collect();
        sqlx::query(
            "INSERT INTO events (id, order_reference, kind, detail, created_at, seq_ms) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(uuid::Uuid::new_v4().simple().to_string())
        .bind(order)
        .bind(event.kind)
        .bind(detail)
        .bind(now())
        .bind(now_ms())
        .execute(conn)
        .await?;
        Ok(())
    }

    async fn record_event(&self, order: Option<&str>, event: &Event) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        Self::insert_event(&mut tx, order, event).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn record_refusal(&self, order: Option<&str>, event: &Event) -> Result<(), StoreError> {
        let at = now();
        let excerpt: String = event.detail.chars().take(MAX_REFUSAL_DETAIL).collect();
        let mut tx = self.pool.begin_with(DB::BEGIN).await?;
        let below_cap = match order {
            Some(reference) => {
                let n: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM events WHERE order_reference = $1 AND kind = $2",
                )
                .bind(reference)
                .bind(event.kind)
                .fetch_one(&mut *tx)
                .await?;
                n < MAX_REFUSAL_EVENTS
            }
            None => false,
        };
        if below_cap {
            Self::insert_event(&mut tx, order, &Event::new(event.kind, excerpt)).await?;
        } else {
            sqlx::query(
                "INSERT INTO refusals (scope, kind, day, count, last_detail, last_at) \
                 VALUES ($1, $2, $3, 1, $4, $5) \
                 ON CONFLICT (scope, kind, day) DO UPDATE SET count = refusals.count + 1, \
                 last_detail = excluded.last_detail, last_at = excluded.last_at",
            )
            .bind(order.unwrap_or(""))
            .bind(event.kind)
            .bind(at.div_euclid(86_400))
            .bind(&excerpt)
            .bind(at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn refusal_counts(&self, order: Option<&str>) -> Result<Vec<RefusalCount>, StoreError> {
        let rows: Vec<RefusalCount> = sqlx::query_as(
            "SELECT kind, day, count, last_detail FROM refusals WHERE scope = $1 \
             ORDER BY day DESC, kind LIMIT 100",
        )
        .bind(order.unwrap_or(""))
        .fetch_all(self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(kind, day, count, detail)| (kind, day * 86_400, count, detail))
            .collect())
    }

    async fn events(&self, order: Option<&str>) -> Result<Vec<(String, String)>, StoreError> {
        let rows = match order {
            Some(reference) => {
                sqlx::query_as(
                    "SELECT kind, detail FROM events WHERE order_reference = $1 \
                     ORDER BY created_at, seq_ms, id",
                )
                .bind(reference)
                .fetch_all(self.pool)
                .await?
            }
            None => {
                sqlx::query_as(
                    "SELECT kind, detail FROM events WHERE order_reference IS NULL \
                     ORDER BY created_at, seq_ms, id",
                )
                .fetch_all(self.pool)
                .await?
            }
        };
        Ok(rows)
    }

    async fn notification_seen(&self, transaction_id: &str, status: &str) -> Result<bool, StoreError> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM notifications WHERE transaction_id = $1 AND transaction_status = $2",
        )
        .bind(transaction_id)
        .bind(status)
        .fetch_one(self.pool)
        .await?;
        Ok(n > 0)
    }

    async fn remember_notification(&self, transaction_id: &str, status: &str) -> Result<bool, StoreError> {
        let inserted = sqlx::query(
            "INSERT INTO notifications (transaction_id, transaction_status, received_at) \
             VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(transaction_id)
        .bind(status)
        .bind(now())
        .execute(self.pool)
        .await?
        .rows_affected();
        Ok(inserted == 1)
    }
}
