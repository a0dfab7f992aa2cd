//! Orders: creating and reading them, and the guarded state changes (each one transaction whose
//! UPDATE names the state it expects, with its event appended).

use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, QueryBuilder, Type};

use super::model::{Changes, Event, NextCheck, Order};
use super::rows::{signed, OrderRow, ORDER_COLUMNS};
use super::{now, Backend, Queries, RowsAffected as _, Store, StoreError};
use crate::order::OrderState;

impl Store {
    /// Stores a new open order.
    pub async fn create_order(&self, order: &Order) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(pool) => Queries::on(pool).create_order(order).await,
            Store::Postgres(pool) => Queries::on(pool).create_order(order).await,
        }
    }

    /// One order by reference.
    pub async fn order(&self, reference: &str) -> Result<Option<Order>, StoreError> {
        match self {
            Store::Sqlite(pool) => Queries::on(pool).order(reference).await,
            Store::Postgres(pool) => Queries::on(pool).order(reference).await,
        }
    }

    /// The newest orders first.
    pub async fn orders(&self, limit: u32) -> Result<Vec<Order>, StoreError> {
        match self {
            Store::Sqlite(pool) => Queries::on(pool).orders(limit).await,
            Store::Postgres(pool) => Queries::on(pool).orders(limit).await,
        }
    }

    /// The order whose Pay/Reserve or Settle transaction is `transaction_id`.
    pub async fn order_by_transaction(&self, transaction_id: &str) -> Result<Option<Order>, StoreError> {
        match self {
            Store::Sqlite(pool) => Queries::on(pool).order_by_transaction(transaction_id).await,
            Store::Postgres(pool) => Queries::on(pool).order_by_transaction(transaction_id).await,
        }
    }

    /// Moves an order from one of `from` to `to`, setting `changes` and appending `event` to its
    /// trail, in one transaction. Fails with [`StoreError::Conflict`] when the order is elsewhere
    /// (someone else moved it first); then nothing is written. Only the order service calls it.
    pub async fn transition(
        &self,
        reference: &str,
        from: &[OrderState],
        to: OrderState,
        changes: Changes,
        event: &Event,
    ) -> Result<Order, StoreError> {
        match self {
            Store::Sqlite(pool) => {
                Queries::on(pool)
                    .transition(reference, from, to, changes, event)
                    .await
            }
            Store::Postgres(pool) => {
                Queries::on(pool)
                    .transition(reference, from, to, changes, event)
                    .await
            }
        }
    }

    /// Fixes the return URL of an open order at its first signing: sets it only while none is
    /// set (or the same one is), appending `event`, so two racing first signings with different
    /// URLs cannot both win. `Ok(None)`: the order is open with another URL already;
    /// [`StoreError::Conflict`] when it is no longer open.
    pub async fn fix_return_url(
        &self,
        reference: &str,
        return_url: &str,
        event: &Event,
    ) -> Result<Option<Order>, StoreError> {
        match self {
            Store::Sqlite(pool) => {
                Queries::on(pool)
                    .fix_return_url(reference, return_url, event)
                    .await
            }
            Store::Postgres(pool) => {
                Queries::on(pool)
                    .fix_return_url(reference, return_url, event)
                    .await
            }
        }
    }

    /// Opens a failed order for a new authorization (attempt `attempt + 1`): back to `open`,
    /// with the failed attempt's token, transaction and settlement forgotten (they stay in FPS
    /// and in the audit trail). Only from `failed` and only from the attempt the caller saw, so
    /// two clicks make one new attempt.
    pub async fn reauthorize(
        &self,
        reference: &str,
        attempt: u32,
        event: &Event,
    ) -> Result<Order, StoreError> {
        match self {
            Store::Sqlite(pool) => Queries::on(pool).reauthorize(reference, attempt, event).await,
            Store::Postgres(pool) => Queries::on(pool).reauthorize(reference, attempt, event).await,
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
    /// Reads order `reference` on `conn` (inside the caller's transaction, after its UPDATE);
    /// [`StoreError::NotFound`] when there is none.
    pub(super) async fn reread(conn: &mut DB::Connection, reference: &str) -> Result<Order, StoreError> {
        let select = format!("SELECT {ORDER_COLUMNS} FROM orders WHERE reference = $1");
        let row: Option<OrderRow> = sqlx::query_as(&select)
            .bind(reference)
            .fetch_optional(conn)
            .await?;
        match row {
            Some(row) => Ok(Order::try_from(row)?),
            None => Err(StoreError::NotFound(reference.to_owned())),
        }
    }

    async fn create_order(&self, order: &Order) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO orders (reference, items, description, amount_minor, currency, mode, state, \
             created_at, updated_at, ships) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&order.reference)
        .bind(&order.items)
        .bind(&order.description)
        .bind(signed(order.amount_minor))
        .bind(&order.currency)
        .bind(order.mode.as_str())
        .bind(order.state.as_str())
        .bind(order.created_at)
        .bind(order.updated_at)
        .bind(i64::from(order.ships))
        .execute(self.pool)
        .await?;
        Ok(())
    }

    pub(super) async fn order(&self, reference: &str) -> Result<Option<Order>, StoreError> {
        let select = format!("SELECT {ORDER_COLUMNS} FROM orders WHERE reference = $1");
        let row: Option<OrderRow> = sqlx::query_as(&select)
            .bind(reference)
            .fetch_optional(self.pool)
            .await?;
        Ok(row.map(Order::try_from).transpose()?)
    }

    async fn orders(&self, limit: u32) -> Result<Vec<Order>, StoreError> {
        let select =
            format!("SELECT {ORDER_COLUMNS} FROM orders ORDER BY created_at DESC, reference LIMIT $1");
        let rows: Vec<OrderRow> = sqlx::query_as(&select)
            .bind(i64::from(limit))
            .fetch_all(self.pool)
            .await?;
        Ok(rows.into_iter().map(Order::try_from).collect::<Result<_, _>>()?)
    }

    async fn order_by_transaction(&self, transaction_id: &str) -> Result<Option<Order>, StoreError> {
        let select = format!(
            "SELECT {ORDER_COLUMNS} FROM orders WHERE transaction_id = $1 OR settle_transaction_id = $2"
        );
        let row: Option<OrderRow> = sqlx::query_as(&select)
            .bind(transaction_id)
            .bind(transaction_id)
            .fetch_optional(self.pool)
            .await?;
        Ok(row.map(Order::try_from).transpose()?)
    }

    async fn transition(
        &self,
        reference: &str,
        from: &[OrderState],
        to: OrderState,
        changes: Changes,
        event: &Event,
    ) -> Result<Order, StoreError> {
        let announce = changes.announce;
        // Only the fields the change sets are written; the others keep their stored values.
        let mut update = QueryBuilder::<DB>::new("UPDATE orders SET state = ");
        update.push_bind(to.as_str());
        let texts = [
            ("return_url", changes.return_url),
            ("sender_token_id", changes.sender_token_id),
            ("charge_timestamp", changes.charge_timestamp),
            ("transaction_id", changes.transaction_id),
            ("transaction_status", changes.transaction_status),
            ("settle_transaction_id", changes.settle_transaction_id),
            ("settle_timestamp", changes.settle_timestamp),
            ("last_error", changes.last_error),
            ("shipping_address", changes.shipping_address),
            ("payment_method", changes.payment_method),
        ];
        for (column, value) in texts {
            if let Some(value) = value {
                update.push(format_args!(", {column} = ")).push_bind(value);
            }
        }
        let amounts = [
            ("settle_amount_minor", changes.settle_amount_minor),
            ("settled_minor", changes.settled_minor),
        ];
        for (column, value) in amounts {
            if let Some(value) = value {
                update
                    .push(format_args!(", {column} = "))
                    .push_bind(signed(value));
            }
        }
        match changes.next_check {
            NextCheck::Keep => {}
            NextCheck::Clear => {
                update.push(", next_check_at = NULL, checks = 0");
            }
            NextCheck::At(at) => {
                update
                    .push(", next_check_at = ")
                    .push_bind(at)
                    .push(", checks = 0");
            }
        }
        update.push(", updated_at = ").push_bind(now());
        update.push(" WHERE reference = ").push_bind(reference);
        update.push(" AND state IN (");
        let mut states = update.separated(", ");
        for state in from {
            states.push_bind(state.as_str());
        }
        update.push(")");

        let mut tx = self.pool.begin_with(DB::BEGIN).await?;
        // The state before, for the webhook's event: `from` may name several.
        let before = if announce {
            Self::state_before(&mut tx, reference).await?
        } else {
            None
        };
        let changed = DB::execute_built(&mut update, &mut tx).await?;
        let order = Self::reread(&mut tx, reference).await?;
        if changed != 1 {
            tx.rollback().await?;
            let expected = from.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" or ");
            return Err(StoreError::Conflict {
                current: order.state,
                expected,
            });
        }
        Self::insert_event(&mut tx, Some(reference), event).await?;
        if let Some(before) = before {
            Self::announce(&mut tx, before, &order).await?;
        }
        tx.commit().await?;
        Ok(order)
    }

    async fn fix_return_url(
        &self,
        reference: &str,
        return_url: &str,
        event: &Event,
    ) -> Result<Option<Order>, StoreError> {
        let mut tx = self.pool.begin_with(DB::BEGIN).await?;
        let changed = sqlx::query(
            "UPDATE orders SET return_url = $1, updated_at = $2 WHERE reference = $3 AND state = $4 \
             AND (return_url IS NULL OR return_url = $5)",
        )
        .bind(return_url)
        .bind(now())
        .bind(reference)
        .bind(OrderState::Open.as_str())
        .bind(return_url)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        // Read back whatever happened: the caller tells a lost race from a closed order.
        let order = Self::reread(&mut tx, reference).await?;
        if changed != 1 {
            tx.rollback().await?;
            if order.state != OrderState::Open {
                return Err(StoreError::Conflict {
                    current: order.state,
                    expected: "open".to_owned(),
                });
            }
            return Ok(None);
        }
        Self::insert_event(&mut tx, Some(reference), event).await?;
        tx.commit().await?;
        Ok(Some(order))
    }

    async fn reauthorize(&self, reference: &str, attempt: u32, event: &Event) -> Result<Order, StoreError> {
        let mut tx = self.pool.begin_with(DB::BEGIN).await?;
        let changed = sqlx::query(
            "UPDATE orders SET state = $1, attempt = attempt + 1, return_url = NULL, \
             sender_token_id = NULL, charge_timestamp = NULL, transaction_id = NULL, \
             transaction_status = NULL, settle_amount_minor = NULL, settle_transaction_id = NULL, \
             settle_timestamp = NULL, next_check_at = NULL, checks = 0, \
             shipping_address = NULL, payment_method = NULL, \
             settled_minor = 0, last_error = NULL, updated_at = $2 \
             WHERE reference = $3 AND state = $4 AND attempt = $5",
        )
        .bind(OrderState::Open.as_str())
        .bind(now())
        .bind(reference)
        .bind(OrderState::Failed.as_str())
        .bind(i64::from(attempt))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let order = Self::reread(&mut tx, reference).await?;
        if changed != 1 {
            tx.rollback().await?;
            return Err(StoreError::Conflict {
                current: order.state,
                expected: format!("failed at attempt {attempt}"),
            });
        }
        Self::insert_event(&mut tx, Some(reference), event).await?;
        tx.commit().await?;
        Ok(order)
    }
}
