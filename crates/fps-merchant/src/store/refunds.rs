//! Refunds: recorded with the order's refunded total in one guarded transaction, and finished
//! by FPS's answer (a failed one gives its amount back; the last success refunds the order).

use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Type};

use super::model::{Event, Order, Refund};
use super::rows::{signed, RefundRow, REFUND_COLUMNS};
use super::{now, Backend, Queries, RowsAffected as _, Store, StoreError};
use crate::order::OrderState;

/// Whether a refund state is a refusal or failure (its amount goes back to the order).
fn is_failed(state: &str) -> bool {
    state == "failed" || state == "Failure"
}

impl Store {
    /// Records a refund and adds its amount to the order's refunded total, in one transaction,
    /// only while the order is paid and the total stays within what was taken.
    ///
    /// The order is due a reconciliation at `check_at` (the refund's outcome may be lost).
    pub async fn begin_refund(
        &self,
        refund: &Refund,
        check_at: i64,
        event: &Event,
    ) -> Result<Order, StoreError> {
        match self {
            Store::Sqlite(pool) => Queries::on(pool).begin_refund(refund, check_at, event).await,
            Store::Postgres(pool) => Queries::on(pool).begin_refund(refund, check_at, event).await,
        }
    }

    /// Records FPS's answer to a refund. A refused or failed refund gives its amount back to the
    /// order; when every taken cent is refunded successfully the order becomes `refunded`.
    /// Applying the same outcome twice changes nothing. With `announce`, an order that becomes
    /// `refunded` gets its webhook event in the same transaction ([`super::Changes::announce`]).
    pub async fn finish_refund(
        &self,
        caller_reference: &str,
        state: &str,
        transaction_id: Option<&str>,
        event: &Event,
        announce: bool,
    ) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(pool) => {
                Queries::on(pool)
                    .finish_refund(caller_reference, state, transaction_id, event, announce)
                    .await
            }
            Store::Postgres(pool) => {
                Queries::on(pool)
                    .finish_refund(caller_reference, state, transaction_id, event, announce)
                    .await
            }
        }
    }

    /// An order's refunds, oldest first.
    pub async fn refunds(&self, order_reference: &str) -> Result<Vec<Refund>, StoreError> {
        match self {
            Store::Sqlite(pool) => Queries::on(pool).refunds(order_reference).await,
            Store::Postgres(pool) => Queries::on(pool).refunds(order_reference).await,
        }
    }

    /// The refund whose own CallerReference is `caller_reference`.
    pub async fn refund(&self, caller_reference: &str) -> Result<Option<Refund>, StoreError> {
        match self {
            Store::Sqlite(pool) => {
                Queries::on(pool)
                    .refund_where("caller_reference", caller_reference)
                    .await
            }
            Store::Postgres(pool) => {
                Queries::on(pool)
                    .refund_where("caller_reference", caller_reference)
                    .await
            }
        }
    }

    /// The refund whose FPS transaction is `transaction_id`.
    pub async fn refund_by_transaction(&self, transaction_id: &str) -> Result<Option<Refund>, StoreError> {
        match self {
            Store::Sqlite(pool) => {
                Queries::on(pool)
                    .refund_where("transaction_id", transaction_id)
                    .await
            }
            Store::Postgres(pool) => {
                Queries::on(pool)
                    .refund_where("transaction_id", transaction_id)
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
    async fn begin_refund(&self, refund: &Refund, check_at: i64, event: &Event) -> Result<Order, StoreError> {
        let mut tx = self.pool.begin_with(DB::BEGIN).await?;
        let order = Self::begin_refund_in(&mut tx, refund, check_at, event).await?;
        tx.commit().await?;
        Ok(order)
    }

    /// [`Store::begin_refund`] inside the caller's transaction on `conn` (an approved refund
    /// request records its refund in the same transaction). On a conflict nothing was written
    /// and the caller rolls back.
    pub(super) async fn begin_refund_in(
        conn: &mut DB::Connection,
        refund: &Refund,
        check_at: i64,
        event: &Event,
    ) -> Result<Order, StoreError> {
        let amount = signed(refund.amount_minor);
        let changed = sqlx::query(
            "UPDATE orders SET refunded_minor = refunded_minor + $1, updated_at = $2, \
             next_check_at = COALESCE(next_check_at, $3) \
             WHERE reference = $4 AND state = $5 AND refunded_minor + $6 <= settled_minor",
        )
        .bind(amount)
        .bind(now())
        .bind(check_at)
        .bind(&refund.order_reference)
        .bind(OrderState::Paid.as_str())
        .bind(amount)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        let order = Self::reread(&mut *conn, &refund.order_reference).await?;
        if changed != 1 {
            return Err(StoreError::Conflict {
                current: order.state,
                expected: "paid with enough left to refund".to_owned(),
            });
        }
        Self::insert_event(&mut *conn, Some(&refund.order_reference), event).await?;
        sqlx::query(
            "INSERT INTO refunds (caller_reference, order_reference, amount_minor, state, \
             request_timestamp, transaction_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&refund.caller_reference)
        .bind(&refund.order_reference)
        .bind(amount)
        .bind(&refund.state)
        .bind(&refund.request_timestamp)
        .bind(&refund.transaction_id)
        .bind(now())
        .execute(&mut *conn)
        .await?;
        Ok(order)
    }

    async fn finish_refund(
        &self,
        caller_reference: &str,
        state: &str,
        transaction_id: Option<&str>,
        event: &Event,
        announce: bool,
    ) -> Result<(), StoreError> {
        let select = format!(
            "SELECT {REFUND_COLUMNS} FROM refunds WHERE caller_reference = $1{}",
            DB::FOR_UPDATE
        );
        let mut tx = self.pool.begin_with(DB::BEGIN).await?;
        let row: Option<RefundRow> = sqlx::query_as(&select)
            .bind(caller_reference)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else {
            return Err(StoreError::NotFound(caller_reference.to_owned()));
        };
        let refund = Refund::try_from(row)?;
        if is_failed(&refund.state) || refund.state == "Success" {
            // Final already: a late or repeated answer changes nothing.
            tx.rollback().await?;
            return Ok(());
        }
        sqlx::query(
            "UPDATE refunds SET state = $1, transaction_id = COALESCE($2, transaction_id) \
             WHERE caller_reference = $3",
        )
        .bind(state)
        .bind(transaction_id)
        .bind(caller_reference)
        .execute(&mut *tx)
        .await?;
        Self::insert_event(&mut tx, Some(&refund.order_reference), event).await?;
        if is_failed(state) {
            sqlx::query("UPDATE orders SET refunded_minor = refunded_minor - $1, updated_at = $2 WHERE reference = $3")
                .bind(signed(refund.amount_minor))
                .bind(now())
                .bind(&refund.order_reference)
                .execute(&mut *tx)
                .await?;
        } else if state == "Success" {
            let open: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM refunds WHERE order_reference = $1 AND state <> $2 AND state <> $3 \
                 AND state <> $4",
            )
            .bind(&refund.order_reference)
            .bind("Success")
            .bind("failed")
            .bind("Failure")
            .fetch_one(&mut *tx)
            .await?;
            if open == 0 {
                let refunded = sqlx::query(
                    "UPDATE orders SET state = $1, updated_at = $2 WHERE reference = $3 AND state = $4 \
                     AND refunded_minor = settled_minor",
                )
                .bind(OrderState::Refunded.as_str())
                .bind(now())
                .bind(&refund.order_reference)
                .bind(OrderState::Paid.as_str())
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if refunded == 1 && announce {
                    let order = Self::reread(&mut tx, &refund.order_reference).await?;
                    Self::announce(&mut tx, OrderState::Paid, &order).await?;
                }
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn refunds(&self, order_reference: &str) -> Result<Vec<Refund>, StoreError> {
        let select = format!(
            "SELECT {REFUND_COLUMNS} FROM refunds WHERE order_reference = $1 ORDER BY created_at, caller_reference"
        );
        let rows: Vec<RefundRow> = sqlx::query_as(&select)
            .bind(order_reference)
            .fetch_all(self.pool)
            .await?;
        Ok(rows.into_iter().map(Refund::try_from).collect::<Result<_, _>>()?)
    }

    /// The refund whose `column` (one of this module's names, never input) is `value`.
    async fn refund_where(&self, column: &'static str, value: &str) -> Result<Option<Refund>, StoreError> {
        let select = format!("SELECT {REFUND_COLUMNS} FROM refunds WHERE {column} = $1");
        let row: Option<RefundRow> = sqlx::query_as(&select)
            .bind(value)
            .fetch_optional(self.pool)
            .await?;
        Ok(row.map(Refund::try_from).transpose()?)
    }
}
