//! Prepaid and credit instruments (SetupPrepaid, SetupPostpaid) and the sums their balances are
//! made of: money funded, spent, settled and written off, read from the transactions that name
//! the instrument.

use super::{Store, StoreError};

/// A prepaid instrument or a credit instrument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InstrumentKind {
    /// SetupPrepaid: funded by FundPrepaid, spent by its prepaid sender token.
    Prepaid,
    /// SetupPostpaid: its credit sender token builds a debt that SettleDebt pays down.
    Credit,
}

impl InstrumentKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            InstrumentKind::Prepaid => "Prepaid",
            InstrumentKind::Credit => "Credit",
        }
    }

    /// The transactions column naming an instrument of this kind.
    fn column(self) -> &'static str {
        match self {
            InstrumentKind::Prepaid => "prepaid_instrument_id",
            InstrumentKind::Credit => "credit_instrument_id",
        }
    }
}

/// An instrument installed by a CBUI pipeline.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InstrumentRecord {
    /// The pipeline's `prepaidInstrumentID` or `creditInstrumentID`.
    pub instrument_id: String,
    /// The caller whose pipeline installed it.
    pub caller_key: String,
    /// `Prepaid` or `Credit`.
    pub kind: String,
    /// The sender who set it up.
    pub owner_email: String,
    /// Their display name.
    pub owner_name: String,
    /// The payment method the sender chose on the pipeline (`ABT`, `ACH`, `CC`).
    pub payment_method: String,
    /// The token that spends from it: the prepaid sender token or the credit sender token.
    pub sender_token_id: String,
    /// The token that puts money in: the funding token (prepaid) or the settlement token (credit).
    pub funding_token_id: String,
    /// The funding amount (prepaid) or the credit limit (credit), in cents.
    pub limit_minor: i64,
    /// When it was installed.
    pub date_installed: i64,
}

impl InstrumentRecord {
    /// Whether it is of `kind`.
    pub fn is(&self, kind: InstrumentKind) -> bool {
        self.kind == kind.as_str()
    }
}

/// The money that made an instrument's balance (or the caller's instruments' of one kind), in
/// cents; each a sum of transactions naming it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct InstrumentSums {
    /// FundPrepaid transactions that succeeded.
    pub funded: i64,
    /// FundPrepaid transactions still pending.
    pub funding_pending: i64,
    /// Pays of the instrument's sender token, pending or successful.
    pub spent: i64,
    /// SettleDebt transactions that succeeded.
    pub settled: i64,
    /// SettleDebt transactions still pending.
    pub settling: i64,
    /// WriteOffDebt transactions (always successful).
    pub written_off: i64,
}

impl InstrumentSums {
    /// What a prepaid instrument holds: funded less spent.
    pub fn prepaid_available(&self) -> i64 {
        self.funded - self.spent
    }

    /// What a credit instrument owes: spent less settled and written off.
    pub fn debt(&self) -> i64 {
        self.spent - self.settled - self.written_off
    }
}

/// The sums, over the transactions selected by the `WHERE` clause appended to it.
const SUMS: &str = "SELECT
    COALESCE(SUM(CASE WHEN operation = 'FundPrepaid' AND status = 'Success' THEN amount_minor END), 0) AS funded,
    COALESCE(SUM(CASE WHEN operation = 'FundPrepaid' AND status = 'Pending' THEN amount_minor END), 0) AS funding_pending,
    COALESCE(SUM(CASE WHEN operation = 'Pay' AND status IN ('Pending', 'Success') THEN amount_minor END), 0) AS spent,
    COALESCE(SUM(CASE WHEN operation = 'SettleDebt' AND status = 'Success' THEN amount_minor END), 0) AS settled,
    COALESCE(SUM(CASE WHEN operation = 'SettleDebt' AND status = 'Pending' THEN amount_minor END), 0) AS settling,
    COALESCE(SUM(CASE WHEN operation = 'WriteOffDebt' AND status = 'Success' THEN amount_minor END), 0) AS written_off
  FROM transactions";

impl Store {
    /// Records an instrument.
    pub async fn insert_instrument(&self, i: &InstrumentRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO instruments (instrument_id, caller_key, kind, owner_email, owner_name, payment_method,
                sender_token_id, funding_token_id, limit_minor, date_installed)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&i.instrument_id)
        .bind(&i.caller_key)
        .bind(&i.kind)
        .bind(&i.owner_email)
        .bind(&i.owner_name)
        .bind(&i.payment_method)
        .bind(&i.sender_token_id)
        .bind(&i.funding_token_id)
        .bind(i.limit_minor)
        .bind(i.date_installed)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// An instrument by id.
    pub async fn instrument(&self, id: &str) -> Result<Option<InstrumentRecord>, StoreError> {
        Ok(
            sqlx::query_as("SELECT * FROM instruments WHERE instrument_id = ?")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// The instrument a token belongs to (as its sender token, or its funding or settlement
    /// token), if any.
    pub async fn instrument_of_token(&self, token_id: &str) -> Result<Option<InstrumentRecord>, StoreError> {
        Ok(
            sqlx::query_as("SELECT * FROM instruments WHERE sender_token_id = ? OR funding_token_id = ?")
                .bind(token_id)
                .bind(token_id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// The sums of one instrument.
    pub async fn instrument_sums(
        &self,
        kind: InstrumentKind,
        instrument_id: &str,
    ) -> Result<InstrumentSums, StoreError> {
        let sql = format!("{SUMS} WHERE {} = ?", kind.column());
        Ok(sqlx::query_as(&sql)
            .bind(instrument_id)
            .fetch_one(&self.pool)
            .await?)
    }

    /// The sums of every instrument of `kind` the caller installed.
    pub async fn caller_instrument_sums(
        &self,
        caller_key: &str,
        kind: InstrumentKind,
    ) -> Result<InstrumentSums, StoreError> {
        let sql = format!("{SUMS} WHERE caller_key = ? AND {} IS NOT NULL", kind.column());
        Ok(sqlx::query_as(&sql)
            .bind(caller_key)
            .fetch_one(&self.pool)
            .await?)
    }
}
