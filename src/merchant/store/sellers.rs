//! The marketplace's rows: seller sign-ups, the registered sellers' recipient and refund tokens,
//! and the marketplace terms an order is charged with.

use sqlx::Row as _;

use super::{now, Store, StoreError};

/// A seller sign-up: the `callerReference` of one Recipient pipeline run.
#[derive(Debug, Clone, PartialEq, Eq)]
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
#[derive(Debug, Clone, PartialEq, Eq)]
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

fn unsigned(value: Option<i64>) -> Result<Option<u64>, StoreError> {
    value.map(super::unsigned).transpose()
}

impl Store {
    /// Opens a seller sign-up.
    pub async fn create_signup(&self, reference: &str, seller: &str) -> Result<(), StoreError> {
        let at = now();
        let sql = "INSERT INTO seller_signups (reference, seller, state, created_at, updated_at) \
                   VALUES ($1, $2, 'open', $3, $4)";
        on_pool!(self, pool => sqlx::query(sql)
            .bind(reference)
            .bind(seller)
            .bind(at)
            .bind(at)
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// A sign-up by reference.
    pub async fn signup(&self, reference: &str) -> Result<Option<SellerSignup>, StoreError> {
        let sql = "SELECT reference, seller, state, return_url, last_status FROM seller_signups WHERE reference = $1";
        on_pool!(self, pool => {
            match sqlx::query(sql).bind(reference).fetch_optional(pool).await? {
                Some(row) => Ok(Some(SellerSignup {
                    reference: row.try_get("reference")?,
                    seller: row.try_get("seller")?,
                    state: row.try_get("state")?,
                    return_url: row.try_get("return_url")?,
                    last_status: row.try_get("last_status")?,
                })),
                None => Ok(None),
            }
        })
    }

    /// Records the return URL signed for an open sign-up, or the last CBUI status seen.
    pub async fn note_signup(
        &self,
        reference: &str,
        return_url: Option<&str>,
        last_status: Option<&str>,
    ) -> Result<(), StoreError> {
        let sql = "UPDATE seller_signups SET return_url = COALESCE($1, return_url), \
                   last_status = COALESCE($2, last_status), updated_at = $3 WHERE reference = $4 AND state = 'open'";
        on_pool!(self, pool => sqlx::query(sql)
            .bind(return_url)
            .bind(last_status)
            .bind(now())
            .bind(reference)
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// Marks an open sign-up registered and makes its tokens the seller's (replacing older ones).
    /// Returns false when the sign-up was not open (a replayed return).
    pub async fn register_seller(
        &self,
        signup: &SellerSignup,
        recipient: &str,
        refund: &str,
    ) -> Result<bool, StoreError> {
        let at = now();
        let begin = self.begin_sql();
        on_pool!(self, pool => {
            let mut tx = pool.begin_with(begin).await?;
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
        })
    }

    /// A registered seller by handle.
    pub async fn seller(&self, seller: &str) -> Result<Option<SellerAccount>, StoreError> {
        let sql = "SELECT seller, signup_reference, recipient_token_id, refund_token_id, registered_at \
                   FROM sellers WHERE seller = $1";
        on_pool!(self, pool => {
            match sqlx::query(sql).bind(seller).fetch_optional(pool).await? {
                Some(row) => Ok(Some(SellerAccount {
                    seller: row.try_get("seller")?,
                    signup_reference: row.try_get("signup_reference")?,
                    recipient_token_id: row.try_get("recipient_token_id")?,
                    refund_token_id: row.try_get("refund_token_id")?,
                    registered_at: row.try_get("registered_at")?,
                })),
                None => Ok(None),
            }
        })
    }

    /// Records an order's marketplace terms (with the order, before it can be signed).
    pub async fn set_order_marketplace(&self, terms: &OrderMarketplace) -> Result<(), StoreError> {
        let sql =
            "INSERT INTO order_marketplace (order_reference, seller, recipient_token_id, fixed_fee_minor, \
                   variable_fee_bp, charge_fee_to) VALUES ($1, $2, $3, $4, $5, $6)";
        on_pool!(self, pool => sqlx::query(sql)
            .bind(&terms.order_reference)
            .bind(&terms.seller)
            .bind(&terms.recipient_token_id)
            .bind(terms.fixed_fee_minor.map(super::signed))
            .bind(terms.variable_fee_bp.map(super::signed))
            .bind(&terms.charge_fee_to)
            .execute(pool)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    /// An order's marketplace terms, if it sells a seller's goods.
    pub async fn order_marketplace(
        &self,
        order_reference: &str,
    ) -> Result<Option<OrderMarketplace>, StoreError> {
        let sql = "SELECT order_reference, seller, recipient_token_id, fixed_fee_minor, variable_fee_bp, \
                   charge_fee_to FROM order_marketplace WHERE order_reference = $1";
        on_pool!(self, pool => {
            match sqlx::query(sql).bind(order_reference).fetch_optional(pool).await? {
                Some(row) => Ok(Some(OrderMarketplace {
                    order_reference: row.try_get("order_reference")?,
                    seller: row.try_get("seller")?,
                    recipient_token_id: row.try_get("recipient_token_id")?,
                    fixed_fee_minor: unsigned(row.try_get("fixed_fee_minor")?)?,
                    variable_fee_bp: unsigned(row.try_get("variable_fee_bp")?)?,
                    charge_fee_to: row.try_get("charge_fee_to")?,
                })),
                None => Ok(None),
            }
        })
    }
}
