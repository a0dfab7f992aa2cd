//! The reconciler's work list: orders due a check, leased to one backend at a time by a
//! conditional update, and when each is checked next.

use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Type};

use super::model::Order;
use super::{Backend, Queries, RowsAffected as _, Store, StoreError};

impl Store {
    /// Work for the reconciler: up to `limit` orders due a check at `now`, each leased to `owner`
    /// until `lease_until` by a conditional update, so that any number of backends sharing the
    /// database never work on one order at once (an order whose lease ran out is free again).
    pub async fn claim_due(
        &self,
        owner: &str,
        now: i64,
        lease_until: i64,
        limit: u32,
    ) -> Result<Vec<Order>, StoreError> {
        match self {
            Store::Sqlite(pool) => Queries::on(pool).claim_due(owner, now, lease_until, limit).await,
            Store::Postgres(pool) => Queries::on(pool).claim_due(owner, now, lease_until, limit).await,
        }
    }

    /// Ends `owner`'s lease on an order, setting when it is checked next and the backoff count.
    /// Does nothing when the lease is no longer `owner`'s.
    pub async fn release(
        &self,
        reference: &str,
        owner: &str,
        next_check_at: Option<i64>,
        checks: u32,
    ) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(pool) => {
                Queries::on(pool)
                    .release(reference, owner, next_check_at, checks)
                    .await
            }
            Store::Postgres(pool) => {
                Queries::on(pool)
                    .release(reference, owner, next_check_at, checks)
                    .await
            }
        }
    }

    /// Asks for the order to be checked at `at` (Unix seconds) unless an earlier check is due.
    pub async fn check_by(&self, reference: &str, at: i64) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(pool) => Queries::on(pool).check_by(reference, at).await,
            Store::Postgres(pool) => Queries::on(pool).check_by(reference, at).await,
        }
    }
}

/// A table whose rows are leased by due time, so that one backend at a time works on a row.
/// The table has `lease_owner` and `lease_until` columns; the names here are constants of this
/// module, never input.
pub(super) struct LeasedTable {
    /// The table.
    pub table: &'static str,
    /// Its key column (text).
    pub key: &'static str,
    /// The column saying when a row is next due (NULL: not due).
    pub due: &'static str,
    /// The `ORDER BY` of the candidates: the most overdue first.
    pub order: &'static str,
}

/// Orders due a check by the reconciler.
const DUE_ORDERS: LeasedTable = LeasedTable {
    table: "orders",
    key: "reference",
    due: "next_check_at",
    order: "next_check_at, reference",
};

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
    /// Leases the due orders to `owner` one by one and reads each one it won (the others went
    /// to another backend between the read and the update).
    async fn claim_due(
        &self,
        owner: &str,
        now: i64,
        lease_until: i64,
        limit: u32,
    ) -> Result<Vec<Order>, StoreError> {
        let mut won = Vec::new();
        for reference in self
            .lease_due(&DUE_ORDERS, owner, now, lease_until, limit)
            .await?
        {
            if let Some(order) = self.order(&reference).await? {
                won.push(order);
            }
        }
        Ok(won)
    }

    /// Leases up to `limit` rows of `table` due at `now` to `owner` until `lease_until`, one
    /// conditional update per row (a row another backend leased in between is skipped), and
    /// answers the keys of the rows it won. A row whose lease ran out is free again.
    pub(super) async fn lease_due(
        &self,
        table: &LeasedTable,
        owner: &str,
        now: i64,
        lease_until: i64,
        limit: u32,
    ) -> Result<Vec<String>, StoreError> {
        let LeasedTable {
            table: name,
            key,
            due,
            order,
        } = table;
        let free = format!("{due} IS NOT NULL AND {due} <= $1 AND (lease_until IS NULL OR lease_until < $2)");
        let candidates: Vec<String> = sqlx::query_scalar(&format!(
            "SELECT {key} FROM {name} WHERE {free} ORDER BY {order} LIMIT $3"
        ))
        .bind(now)
        .bind(now)
        .bind(i64::from(limit))
        .fetch_all(self.pool)
        .await?;
        let claim =
            format!("UPDATE {name} SET lease_owner = $3, lease_until = $4 WHERE {key} = $5 AND {free}");
        let mut won = Vec::with_capacity(candidates.len());
        for candidate in candidates {
            let claimed = sqlx::query(&claim)
                .bind(now)
                .bind(now)
                .bind(owner)
                .bind(lease_until)
                .bind(&candidate)
                .execute(self.pool)
                .await?
                .rows_affected();
            if claimed == 1 {
                won.push(candidate);
            }
        }
        Ok(won)
    }

    async fn release(
        &self,
        reference: &str,
        owner: &str,
        next_check_at: Option<i64>,
        checks: u32,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE orders SET lease_owner = NULL, lease_until = NULL, next_check_at = $1, checks = $2 \
             WHERE reference = $3 AND lease_owner = $4",
        )
        .bind(next_check_at)
        .bind(i64::from(checks))
        .bind(reference)
        .bind(owner)
        .execute(self.pool)
        .await?;
        Ok(())
    }

    async fn check_by(&self, reference: &str, at: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE orders SET next_check_at = $1 WHERE reference = $2 \
             AND (next_check_at IS NULL OR next_check_at > $3)",
        )
        .bind(at)
        .bind(reference)
        .bind(at)
        .execute(self.pool)
        .await?;
        Ok(())
    }
}
