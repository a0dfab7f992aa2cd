//! Refund requests: refunds the shopper asks for on the order page, pending until the admin
//! decides. Each change is one transaction with its order event; an approval records the Refund
//! it issues in the same transaction, so a request is approved (and refunded) at most once.

use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Type};

use super::model::{Event, Order, Refund};
use super::rows::{signed, unsigned, CorruptValue};
use super::{now, Backend, Queries, RowsAffected as _, Store, StoreError};

/// Where a refund request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestState {
    /// Waiting for the admin.
    Pending,
    /// The admin approved it: its Refund was recorded and sent.
    Approved,
    /// The admin declined it, with a message for the shopper.
    Declined,
}

impl RequestState {
    /// The stored and shown name.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestState::Pending => "pending",
            RequestState::Approved => "approved",
            RequestState::Declined => "declined",
        }
    }

    /// The state a stored name stands for.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "pending" => Some(RequestState::Pending),
            "approved" => Some(RequestState::Approved),
            "declined" => Some(RequestState::Declined),
            _ => None,
        }
    }
}

/// A refund the shopper asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRequest {
    /// Its id (`rr-` and 32 hex digits).
    pub id: String,
    /// The order.
    pub order_reference: String,
    /// What the shopper asked for, minor units.
    pub amount_minor: u64,
    /// The shopper's reason (bounded by the service).
    pub reason: String,
    /// Where it stands.
    pub state: RequestState,
    /// The admin's message when declining.
    pub message: Option<String>,
    /// The CallerReference of the Refund its approval issued.
    pub refund_reference: Option<String>,
    /// When it was asked, Unix seconds.
    pub created_at: i64,
    /// When the admin decided, Unix seconds.
    pub decided_at: Option<i64>,
}

/// The columns of [`RequestRow`], for `SELECT`.
const REQUEST_COLUMNS: &str = "id, order_reference, amount_minor, reason, state, message, \
     refund_reference, created_at, decided_at";

/// One row of `refund_requests`.
#[derive(Debug, sqlx::FromRow)]
struct RequestRow {
    id: String,
    order_reference: String,
    amount_minor: i64,
    reason: String,
    state: String,
    message: Option<String>,
    refund_reference: Option<String>,
    created_at: i64,
    decided_at: Option<i64>,
}

impl TryFrom<RequestRow> for RefundRequest {
    type Error = CorruptValue;

    fn try_from(row: RequestRow) -> Result<Self, CorruptValue> {
        Ok(RefundRequest {
            state: RequestState::parse(&row.state)
                .ok_or_else(|| CorruptValue::new("refund request state", &row.state))?,
            amount_minor: unsigned(row.amount_minor)?,
            id: row.id,
            order_reference: row.order_reference,
            reason: row.reason,
            message: row.message,
            refund_reference: row.refund_reference,
            created_at: row.created_at,
            decided_at: row.decided_at,
        })
    }
}

/// Why an approval recorded nothing.
#[derive(Debug, thiserror::Error)]
pub enum ApproveError {
    /// The request is no longer pending (decided meanwhile).
    #[error("the refund request was decided meanwhile")]
    Decided,
    /// The store failed, or the order no longer allows the refund ([`StoreError::Conflict`]).
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Store {
    /// Records a pending request with its order event, unless the order has one pending
    /// already: then `false` and nothing is written.
    pub async fn create_refund_request(
        &self,
        request: &RefundRequest,
        event: &Event,
    ) -> Result<bool, StoreError> {
        match self {
            Store::Sqlite(pool) => Queries::on(pool).create_request(request, event).await,
            Store::Postgres(pool) => Queries::on(pool).create_request(request, event).await,
        }
    }

    /// The request `id`.
    pub async fn refund_request(&self, id: &str) -> Result<Option<RefundRequest>, StoreError> {
        let select = format!("SELECT {REQUEST_COLUMNS} FROM refund_requests WHERE id = $1");
        let row: Option<RequestRow> = match self {
            Store::Sqlite(pool) => sqlx::query_as(&select).bind(id).fetch_optional(pool).await?,
            Store::Postgres(pool) => sqlx::query_as(&select).bind(id).fetch_optional(pool).await?,
        };
        Ok(row.map(RefundRequest::try_from).transpose()?)
    }

    /// An order's requests, newest first: the pending one (at most one, and never older than a
    /// decided one), then the decided ones by when they were decided. Creation times are whole
    /// seconds, so two requests of one second are told apart by their state and decision.
    pub async fn refund_requests_of(&self, order_reference: &str) -> Result<Vec<RefundRequest>, StoreError> {
        let select = format!(
            "SELECT {REQUEST_COLUMNS} FROM refund_requests WHERE order_reference = $1 \
             ORDER BY CASE WHEN state = 'pending' THEN 0 ELSE 1 END, created_at DESC, \
             decided_at DESC, id"
        );
        let rows: Vec<RequestRow> = match self {
            Store::Sqlite(pool) => {
                sqlx::query_as(&select)
                    .bind(order_reference)
                    .fetch_all(pool)
                    .await?
            }
            Store::Postgres(pool) => {
                sqlx::query_as(&select)
                    .bind(order_reference)
                    .fetch_all(pool)
                    .await?
            }
        };
        Ok(rows
            .into_iter()
            .map(RefundRequest::try_from)
            .collect::<Result<_, _>>()?)
    }

    /// The pending requests, oldest first, at most `limit`.
    pub async fn pending_refund_requests(&self, limit: u32) -> Result<Vec<RefundRequest>, StoreError> {
        let select = format!(
            "SELECT {REQUEST_COLUMNS} FROM refund_requests WHERE state = $1 \
             ORDER BY created_at, id LIMIT $2"
        );
        let pending = RequestState::Pending.as_str();
        let limit = i64::from(limit);
        let rows: Vec<RequestRow> = match self {
            Store::Sqlite(pool) => {
                sqlx::query_as(&select)
                    .bind(pending)
                    .bind(limit)
                    .fetch_all(pool)
                    .await?
            }
            Store::Postgres(pool) => {
                sqlx::query_as(&select)
                    .bind(pending)
                    .bind(limit)
                    .fetch_all(pool)
                    .await?
            }
        };
        Ok(rows
            .into_iter()
            .map(RefundRequest::try_from)
            .collect::<Result<_, _>>()?)
    }

    /// Moves request `id` from `from` to `to` (recording `message` and `refund_reference` as
    /// given: `None` clears them) with `event` on its order's trail. `false` when it was not in
    /// `from` (nothing written).
    pub async fn move_refund_request(
        &self,
        id: &str,
        from: RequestState,
        to: RequestState,
        message: Option<&str>,
        event: &Event,
    ) -> Result<bool, StoreError> {
        match self {
            Store::Sqlite(pool) => Queries::on(pool).move_request(id, from, to, message, event).await,
            Store::Postgres(pool) => Queries::on(pool).move_request(id, from, to, message, event).await,
        }
    }

    /// Approves pending request `id` and records its `refund` (the amount held against the order,
    /// due a check at `check_at`) in one transaction, with both events: either both happen or
    /// neither does, so a request issues at most one Refund.
    pub async fn approve_refund_request(
        &self,
        id: &str,
        refund: &Refund,
        check_at: i64,
        events: [&Event; 2],
    ) -> Result<Order, ApproveError> {
        match self {
            Store::Sqlite(pool) => Queries::on(pool).approve(id, refund, check_at, events).await,
            Store::Postgres(pool) => Queries::on(pool).approve(id, refund, check_at, events).await,
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
    async fn create_request(&self, request: &RefundRequest, event: &Event) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin_with(DB::BEGIN).await?;
        let inserted = sqlx::query(
            "INSERT INTO refund_requests (id, order_reference, amount_minor, reason, state, \
             created_at) SELECT $1, $2, $3, $4, $5, $6 WHERE NOT EXISTS \
             (SELECT 1 FROM refund_requests WHERE order_reference = $7 AND state = $8)",
        )
        .bind(&request.id)
        .bind(&request.order_reference)
        .bind(signed(request.amount_minor))
        .bind(&request.reason)
        .bind(RequestState::Pending.as_str())
        .bind(request.created_at)
        .bind(&request.order_reference)
        .bind(RequestState::Pending.as_str())
        .execute(&mut *tx)
        .await;
        let inserted = match inserted {
            Ok(done) => done.rows_affected() == 1,
            // Two racing requests on PostgreSQL: the partial unique index keeps one.
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => false,
            Err(e) => return Err(e.into()),
        };
        if !inserted {
            return Ok(false);
        }
        Self::insert_event(&mut tx, Some(&request.order_reference), event).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn move_request(
        &self,
        id: &str,
        from: RequestState,
        to: RequestState,
        message: Option<&str>,
        event: &Event,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin_with(DB::BEGIN).await?;
        let order: Option<String> = sqlx::query_scalar(
            "UPDATE refund_requests SET state = $1, message = $2, refund_reference = NULL, \
             decided_at = $3 WHERE id = $4 AND state = $5 RETURNING order_reference",
        )
        .bind(to.as_str())
        .bind(message)
        .bind((to != RequestState::Pending).then(now))
        .bind(id)
        .bind(from.as_str())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(order) = order else {
            return Ok(false);
        };
        Self::insert_event(&mut tx, Some(&order), event).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn approve(
        &self,
        id: &str,
        refund: &Refund,
        check_at: i64,
        [approved, requested]: [&Event; 2],
    ) -> Result<Order, ApproveError> {
        let mut tx = self.pool.begin_with(DB::BEGIN).await.map_err(StoreError::from)?;
        let changed = sqlx::query(
            "UPDATE refund_requests SET state = $1, refund_reference = $2, decided_at = $3 \
             WHERE id = $4 AND state = $5 AND order_reference = $6",
        )
        .bind(RequestState::Approved.as_str())
        .bind(&refund.caller_reference)
        .bind(now())
        .bind(id)
        .bind(RequestState::Pending.as_str())
        .bind(&refund.order_reference)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from)?
        .rows_affected();
        if changed != 1 {
            return Err(ApproveError::Decided);
        }
        Self::insert_event(&mut tx, Some(&refund.order_reference), approved).await?;
        // A conflict (the order no longer allows this refund) drops the transaction: the
        // request stays pending.
        let order = Self::begin_refund_in(&mut tx, refund, check_at, requested).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(order)
    }
}
