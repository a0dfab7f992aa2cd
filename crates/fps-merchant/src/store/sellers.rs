//! The marketplace's rows: seller sign-ups, the registered sellers' recipient and refund tokens,
//! and the marketplace terms an order is charged with.

use sqlx::{ColumnIndex, Decode, Encode, Executor, IntoArguments, Type};

use super::rows::{signed, unsigned, CorruptValue};
use super::{now, Backend, Queries, RowsAffected as _, Store, StoreError};

/// A seller sign-up: the `callerReference` of one Recipient pipeline run.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SellerSignup {
    /// The callerReference (`sel-` + random): also the sign-up link's secret.
    pub reference: String,
    /// The catalog's seller handle.
    pub seller: String,
    /// `open` (may be signed and returned) or `registered`.
    pub state: String,
    /// The return URL the signed request named.
    pub return_url: Option<String>,
    /// The last CBUI status seen for it.
    pub last_status: Option<String>,
}

/// A registered seller.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SellerAccount {
    /// The catalog's seller handle.
    pub seller: String,
    /// The sign-up that registered it.
    pub signup_reference: String,
    /// Its recipient token (`RecipientTokenId` of its orders).
    pub recipient_token_id: String,
    /// Its refund token.
    pub refund_token_id: String,
    /// Unix seconds.
    pub registered_at: i64,
}

/// The marketplace terms of one order, fixed when it was opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderMarketplace {
    /// The order.
    pub order_reference: String,
    /// The seller handle.
    pub seller: String,
    /// The seller's recipient token.
    pub recipient_token_id: String,
    /// `MarketplaceFixedFee`, minor units.
    pub fixed_fee_minor: Option<u64>,
    /// `MarketplaceVariableFee`, basis points.
    pub variable_fee_bp: Option<u64>,
    /// `ChargeFeeTo`.
    pub charge_fee_to: String,
}

/// One row of `order_marketplace` (fees signed, as SQL stores them).
#[derive(Debug, sqlx::FromRow)]
struct MarketplaceRow {
    order_reference: String,
    seller: String,
    recipient_token_id: String,
    fixed_fee_minor: Option<i64>,
    variable_fee_bp: Option<i64>,
    charge_fee_to: String,
}

impl TryFrom<MarketplaceRow> for OrderMarketplace {
    type Error = CorruptValue;

    fn try_from(row: MarketplaceRow) -> Result<Self, CorruptValue> {
        Ok(OrderMarketplace {
            order_reference: row.order_reference,
            seller: row.seller,
            recipient_token_id: row.recipient_token_id,
            fixed_fee_minor: row.fixed_fee_minor.map(unsigned).transpose()?,
            variable_fee_bp: row.variable_fee_bp.map(unsigned).transpose()?,
            charge_fee_to: row.charge_fee_to,
        })
    }
}

impl Store {
    /// Opens a seller sign-up.
    pub async fn create_signup(&self, reference: &str, seller: &str) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(pool) => Queries::on(pool).create_signup(reference, seller).await,
            Store::Postgres(pool) => Queries::on(pool).create_signup(reference, seller).await,
        }
    }

    /// A sign-up by reference.
    pub async fn signup(&self, reference: &str) -> Result<Option<SellerSignup>, StoreError> {
        match self {
            Store::Sqlite(pool) => Queries::on(pool).signup(reference).await,
            Store::Postgres(pool) => Queries::on(pool).signup(reference).await,
        }
    }

    /// Records the return URL signed for an open sign-up, or the last CBUI status seen.
    pub async fn note_signup(
        &self,
        reference: &str,
        return_url: Option<&str>,
        last_status: Option<&str>,
    ) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(pool) => {
                Queries::on(pool)
                    .note_signup(reference, return_url, last_status)
                    .await
            }
            Store::Postgres(pool) => {
                Queries::on(pool)
                    .note_signup(reference, return_url, last_status)
                    .await
            }
        }
    }

    /// Marks an open sign-up registered and makes its tokens the seller's (replacing older ones).
    /// Returns false when the sign-up was not open (a replayed return).
    pub async fn register_seller(
        &self,
        signup: &SellerSignup,
        recipient: &str,
        refund: &str,
    ) -> Result<bool, StoreError> {
        match self {
            Store::Sqlite(pool) => Queries::on(pool).register_seller(signup, recipient, refund).await,
            Store::Postgres(pool) => Queries::on(pool).register_seller(signup, recipient, refund).await,
        }
    }

    /// A registered seller by handle.
    pub async fn seller(&self, seller: &str) -> Result<Option<SellerAccount>, StoreError> {
        match self {
            Store::Sqlite(pool) => Queries::on(pool).seller(seller).await,
            Store::Postgres(pool) => Queries::on(pool).seller(seller).await,
        }
    }

    /// Records an order's marketplace terms (with the order, before it can be signed).
    pub async fn set_order_marketplace(&self, terms: &OrderMarketplace) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(pool) => Queries::on(pool).set_order_marketplace(terms).await,
            Store::Postgres(pool) => Queries::on(pool).set_order_marketplace(terms).await,
        }
    }

    /// An order's marketplace terms, if it sells a seller's goods.
    pub async fn order_marketplace(
        &self,
        order_reference: &str,
    ) -> Result<Option<OrderMarketplace>, StoreError> {
        match self {
            Store::Sqlite(pool) => Queries::on(pool).order_marketplace(order_reference).await,
            Store::Postgres(pool) => Queries::on(pool).order_marketplace(order_reference).await,
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
    async fn create_signup(&self, reference: &str, seller: &str) -> Result<(), StoreError> {
        let at = now();
        sqlx::query(
            "INSERT INTO seller_signups (reference, seller, state, created_at, updated_at) \
             VALUES ($1, $2, 'open', $3, $4)",
        )
        .bind(reference)
        .bind(seller)
        .bind(at)
        .bind(at)
        .execute(self.pool)
        .await?;
        Ok(())
    }

    async fn signup(&self, reference: &str) -> Result<Option<SellerSignup>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT reference, seller, state, return_url, last_status FROM seller_signups WHERE reference = $1",
        )
        .bind(reference)
        .fetch_optional(self.pool)
        .await?)
    }

    async fn note_signup(
        &self,
        reference: &str,
        return_url: Option<&str>,
        last_status: Option<&str>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE seller_signups SET return_url = COALESCE($1, return_url), \
             last_status = COALESCE($2, last_status), updated_at = $3 WHERE reference = $4 AND state = 'open'",
        )
        .bind(return_url)
        .bind(last_status)
        .bind(now())
        .bind(reference)
        .execute(self.pool)
        .await?;
        Ok(())
    }

    async fn register_seller(
        &self,
        signup: &SellerSignup,
        recipient: &str,
        refund: &str,
    ) -> Result<bool, StoreError> {
        let at = now();
        let mut tx = self.pool.begin_with(DB::BEGIN).await?;
        let moved = sqlx::query(
            "UPDATE seller_signups SET state = 'registered', last_status = 'SR', updated_at = $1 \
             WHERE reference = $2 AND state = 'open'",
        )
        .bind(at)
        .bind(&signup.reference)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if moved != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query("DELETE FROM sellers WHERE seller = $1")
            .bind(&signup.seller)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO sellers (seller, signup_reference, recipient_token_id, refund_token_id, registered_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&signup.seller)
        .bind(&signup.reference)
        .bind(recipient)
        .bind(refund)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn seller(&self, seller: &str) -> Result<Option<SellerAccount>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT seller, signup_reference, recipient_token_id, refund_token_id, registered_at \
             FROM sellers WHERE seller = $1",
        )
        .bind(seller)
        .fetch_optional(self.pool)
        .await?)
    }

    async fn set_order_marketplace(&self, terms: &OrderMarketplace) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO order_marketplace (order_reference, seller, recipient_token_id, fixed_fee_minor, \
             variable_fee_bp, charge_fee_to) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&terms.order_reference)
        .bind(&terms.seller)
        .bind(&terms.recipient_token_id)
        .bind(terms.fixed_fee_minor.map(signed))
        .bind(terms.variable_fee_bp.map(signed))
        .bind(&terms.charge_fee_to)
        .execute(self.pool)
        .await?;
        Ok(())
    }

    async fn order_marketplace(&self, order_reference: &str) -> Result<Option<OrderMarketplace>, StoreError> {
        let row: Option<MarketplaceRow> = sqlx::query_as(
            "SELECT order_reference, seller, recipient_token_id, fixed_fee_minor, variable_fee_bp, \
             charge_fee_to FROM order_marketplace WHERE order_reference = $1",
        )
        .bind(order_reference)
        .fetch_optional(self.pool)
        .await?;
        Ok(row.map(OrderMarketplace::try_from).transpose()?)
    }
}
