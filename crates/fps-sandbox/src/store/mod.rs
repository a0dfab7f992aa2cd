//! The emulator's SQLite state: signing key, CBUI sessions, tokens, transactions, idempotent
//! requests and the IPN outbox. A restart with the same file loses nothing.

use std::path::Path;
use std::str::FromStr;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::SqlitePool;

mod accounts;
mod instruments;
mod outbox;
mod people;
mod records;
mod requests;
mod tokens;

pub use records::{
    ActivityFilter, EmailRecord, EntryRecord, HistoryRecord, IpnRecord, SessionRecord, TokenRecord,
    TransactionRecord,
};

pub use instruments::{InstrumentKind, InstrumentRecord, InstrumentSums};
pub use people::AccountSession;
pub use requests::{RequestRecord, RECORD_LIFETIME_MS};
pub use tokens::TokenFilter;

use super::clock::Clock;

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused an operation.
    #[error("sandbox database: {0}")]
    Database(#[from] sqlx::Error),
    /// The schema could not be brought up to date.
    #[error("sandbox database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// The database handle, with the emulator's business clock (every date it writes is read from it).
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    clock: Clock,
}

impl Store {
    /// Opens (creating if missing) the database file, or an in-memory one, and migrates it.
    pub async fn open(path: Option<&Path>) -> Result<Self, StoreError> {
        let pool = match path {
            Some(path) => {
                // The database holds the RSA signing key: owner-only before SQLite opens it
                // (SQLite gives its -wal and -shm files the database file's mode).
                fps_wire::private_files::create_private_file(path).map_err(sqlx::Error::Io)?;
                let options = SqliteConnectOptions::new()
                    .filename(path)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .busy_timeout(std::time::Duration::from_secs(10));
                SqlitePoolOptions::new()
                    .max_connections(4)
                    .connect_with(options)
                    .await?
            }
            None => {
                // One connection that never closes: each in-memory connection is its own database.
                SqlitePoolOptions::new()
                    .max_connections(1)
                    .min_connections(1)
                    .idle_timeout(None)
                    .max_lifetime(None)
                    .connect_with(SqliteConnectOptions::from_str("sqlite::memory:")?)
                    .await?
            }
        };
        sqlx::migrate!("./migrations").run(&pool).await?;
        if let Some(path) = path {
            // A database or side file made by an older version keeps its wider mode otherwise.
            for file in fps_wire::private_files::sqlite_files(path) {
                fps_wire::private_files::tighten_file(&file).map_err(sqlx::Error::Io)?;
            }
        }
        let offset: Option<(i64,)> = sqlx::query_as("SELECT offset_ms FROM sandbox_clock WHERE id = 1")
            .fetch_optional(&pool)
            .await?;
        let clock = Clock::with_offset(offset.map_or(0, |o| o.0));
        Ok(Store { pool, clock })
    }

    /// The business clock (shared by clones of this store).
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Business time now, in Unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// The stored signing key and certificate, PEM.
    pub async fn signing_key(&self) -> Result<Option<(String, String)>, StoreError> {
        Ok(
            sqlx::query_as("SELECT private_key_pem, certificate_pem FROM signing_key WHERE id = 1")
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// Stores the signing key and certificate (once).
    pub async fn save_signing_key(&self, key_pem: &str, cert_pem: &str) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO signing_key (id, private_key_pem, certificate_pem) VALUES (1, ?, ?)")
            .bind(key_pem)
            .bind(cert_pem)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Starts a CBUI session.
    pub async fn create_session(
        &self,
        id: &str,
        caller_key: &str,
        pairs_json: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO cbui_sessions (id, caller_key, request_pairs, state, created_at) VALUES (?, ?, ?, 'signin', ?)",
        )
        .bind(id)
        .bind(caller_key)
        .bind(pairs_json)
        .bind(self.now_ms())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A CBUI session by id.
    pub async fn session(&self, id: &str) -> Result<Option<SessionRecord>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT id, caller_key, request_pairs, sender_email, state FROM cbui_sessions WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Moves a session on; returns false when it was not in state `from` (a replayed form).
    pub async fn advance_session(
        &self,
        id: &str,
        from: &str,
        to: &str,
        sender_email: Option<&str>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE cbui_sessions SET state = ?, sender_email = COALESCE(?, sender_email) WHERE id = ? AND state = ?",
        )
        .bind(to)
        .bind(sender_email)
        .bind(id)
        .bind(from)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Installs a token.
    pub async fn insert_token(&self, t: &TokenRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO tokens (token_id, caller_key, caller_reference, token_type, owner_email, owner_name,
                payment_method, amount_minor, limit_minor, used_minor, use_count, reserve, status,
                payment_reason, refund_token_id, old_token_id, date_installed, recipient_pays_fee,
                max_fixed_fee_minor, max_variable_fee_bp, payment_instruction, friendly_name)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&t.token_id)
        .bind(&t.caller_key)
        .bind(&t.caller_reference)
        .bind(&t.token_type)
        .bind(&t.owner_email)
        .bind(&t.owner_name)
        .bind(&t.payment_method)
        .bind(t.amount_minor)
        .bind(t.limit_minor)
        .bind(t.used_minor)
        .bind(t.use_count)
        .bind(t.reserve)
        .bind(&t.status)
        .bind(&t.payment_reason)
        .bind(&t.refund_token_id)
        .bind(&t.old_token_id)
        .bind(t.date_installed)
        .bind(t.recipient_pays_fee)
        .bind(t.max_fixed_fee_minor)
        .bind(t.max_variable_fee_bp)
        .bind(&t.payment_instruction)
        .bind(&t.friendly_name)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A token by id (or by its refund token id).
    pub async fn token(&self, token_id: &str) -> Result<Option<TokenRecord>, StoreError> {
        Ok(
            sqlx::query_as("SELECT * FROM tokens WHERE token_id = ? OR refund_token_id = ?")
                .bind(token_id)
                .bind(token_id)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    /// The caller's newest token with this pipeline `callerReference`.
    pub async fn token_by_reference(
        &self,
        caller_key: &str,
        reference: &str,
    ) -> Result<Option<TokenRecord>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT * FROM tokens WHERE caller_key = ? AND caller_reference = ? ORDER BY date_installed DESC, rowid DESC LIMIT 1",
        )
        .bind(caller_key)
        .bind(reference)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The caller's token of InstallPaymentInstruction under this `CallerReference`, if any.
    pub async fn instruction_token(
        &self,
        caller_key: &str,
        reference: &str,
    ) -> Result<Option<TokenRecord>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT * FROM tokens WHERE caller_key = ? AND caller_reference = ? AND payment_instruction IS NOT NULL
             ORDER BY rowid LIMIT 1",
        )
        .bind(caller_key)
        .bind(reference)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// Changes a token's payment method (EditToken).
    pub async fn set_token_method(&self, token_id: &str, method: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE tokens SET payment_method = ? WHERE token_id = ?")
            .bind(method)
            .bind(token_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Sets a token `Active` or `Inactive`.
    pub async fn set_token_status(&self, token_id: &str, status: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE tokens SET status = ? WHERE token_id = ?")
            .bind(status)
            .bind(token_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Counts a payment against a token.
    pub async fn record_token_use(&self, token_id: &str, amount_minor: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE tokens SET used_minor = used_minor + ?, use_count = use_count + 1 WHERE token_id = ?",
        )
        .bind(amount_minor)
        .bind(token_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records a new transaction and its first history entry.
    pub async fn insert_transaction(&self, t: &TransactionRecord) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO transactions (id, caller_key, operation, caller_reference, sender_token_id,
                recipient_token_id, sender_name, sender_email, recipient_name, recipient_email, amount_minor,
                settled_minor, status, status_code, status_message, payment_method, payment_reason, parent_id,
                caller_description, sender_description, override_ipn_url, date_received, date_completed,
                due_at, due_status, marketplace_fixed_minor, marketplace_variable_bp, fee_paid_by,
                fps_fee_minor, marketplace_fee_minor, prepaid_instrument_id, credit_instrument_id)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&t.id)
        .bind(&t.caller_key)
        .bind(&t.operation)
        .bind(&t.caller_reference)
        .bind(&t.sender_token_id)
        .bind(&t.recipient_token_id)
        .bind(&t.sender_name)
        .bind(&t.sender_email)
        .bind(&t.recipient_name)
        .bind(&t.recipient_email)
        .bind(t.amount_minor)
        .bind(t.settled_minor)
        .bind(&t.status)
        .bind(&t.status_code)
        .bind(&t.status_message)
        .bind(&t.payment_method)
        .bind(&t.payment_reason)
        .bind(&t.parent_id)
        .bind(&t.caller_description)
        .bind(&t.sender_description)
        .bind(&t.override_ipn_url)
        .bind(t.date_received)
        .bind(t.date_completed)
        .bind(t.due_at)
        .bind(&t.due_status)
        .bind(t.marketplace_fixed_minor)
        .bind(t.marketplace_variable_bp)
        .bind(&t.fee_paid_by)
        .bind(t.fps_fee_minor)
        .bind(t.marketplace_fee_minor)
        .bind(&t.prepaid_instrument_id)
        .bind(&t.credit_instrument_id)
        .execute(&self.pool)
        .await?;
        self.add_history(&t.id, t.date_received, &t.status, &t.status_code, t.amount_minor)
            .await
    }

    /// Writes a transaction's mutable fields back (status, settlement, due time, IPN URL).
    pub async fn update_transaction(&self, t: &TransactionRecord) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE transactions SET settled_minor = ?, status = ?, status_code = ?, status_message = ?,
                override_ipn_url = ?, date_completed = ?, due_at = ?, due_status = ?, fps_fee_minor = ?,
                marketplace_fee_minor = ? WHERE id = ?",
        )
        .bind(t.settled_minor)
        .bind(&t.status)
        .bind(&t.status_code)
        .bind(&t.status_message)
        .bind(&t.override_ipn_url)
        .bind(t.date_completed)
        .bind(t.due_at)
        .bind(&t.due_status)
        .bind(t.fps_fee_minor)
        .bind(t.marketplace_fee_minor)
        .bind(&t.id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Appends a status history entry.
    pub async fn add_history(
        &self,
        id: &str,
        at: i64,
        status: &str,
        code: &str,
        amount_minor: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO status_history (transaction_id, at, status, status_code, amount_minor) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(id)
        .bind(at)
        .bind(status)
        .bind(code)
        .bind(amount_minor)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A transaction's status history, oldest first.
    pub async fn history(&self, id: &str) -> Result<Vec<HistoryRecord>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT at, status, status_code, amount_minor FROM status_history WHERE transaction_id = ? ORDER BY seq",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?)
    }

    /// A transaction by id.
    pub async fn transaction(&self, id: &str) -> Result<Option<TransactionRecord>, StoreError> {
        Ok(sqlx::query_as("SELECT * FROM transactions WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?)
    }

    /// The caller's first transaction of `operation` (`Pay`, `Reserve`, `Refund`) under
    /// `reference` received within the last [`RECORD_LIFETIME_MS`] of business time: a call
    /// carried out whose answer was never recorded (the emulator stopped between the two) is
    /// found again by it, for as long as its record would have been kept.
    pub async fn transaction_by_reference(
        &self,
        caller_key: &str,
        reference: &str,
        operation: &str,
    ) -> Result<Option<TransactionRecord>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT * FROM transactions WHERE caller_key = ? AND caller_reference = ? AND operation = ?
               AND date_received > ? ORDER BY seq LIMIT 1",
        )
        .bind(caller_key)
        .bind(reference)
        .bind(operation)
        .bind(self.now_ms().saturating_sub(RECORD_LIFETIME_MS))
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The refunds of a transaction, oldest first.
    pub async fn children(&self, parent_id: &str) -> Result<Vec<TransactionRecord>, StoreError> {
        Ok(
            sqlx::query_as("SELECT * FROM transactions WHERE parent_id = ? ORDER BY seq")
                .bind(parent_id)
                .fetch_all(&self.pool)
                .await?,
        )
    }

    /// The `DateReceived` of a caller's new transaction: business time now, or one millisecond
    /// after the caller's latest, so no two of its transactions share one and
    /// GetAccountActivity's `StartTimeForNextTransaction` pages exactly. Called under the write lock.
    pub async fn received_at(&self, caller_key: &str) -> Result<i64, StoreError> {
        let now = self.now_ms();
        let row: (Option<i64>,) =
            sqlx::query_as("SELECT MAX(date_received) FROM transactions WHERE caller_key = ?")
                .bind(caller_key)
                .fetch_one(&self.pool)
                .await?;
        Ok(row.0.map_or(now, |latest| now.max(latest.saturating_add(1))))
    }

    /// Pending transactions, and reserves about to expire, whose time has come.
    pub async fn due_transactions(&self, now: i64) -> Result<Vec<TransactionRecord>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT * FROM transactions WHERE status IN ('Pending', 'Reserved') AND due_at IS NOT NULL AND due_at <= ? ORDER BY due_at, seq",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await?)
    }

    /// The earliest time a pending transaction or a reserve is due, if any.
    pub async fn next_due(&self) -> Result<Option<i64>, StoreError> {
        let row: (Option<i64>,) = sqlx::query_as(
            "SELECT MIN(due_at) FROM transactions WHERE status IN ('Pending', 'Reserved') AND due_at IS NOT NULL",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(row.0)
    }

    /// The caller's transactions matching the filter (at most `limit + 1`).
    pub async fn activity(
        &self,
        caller_key: &str,
        filter: &ActivityFilter,
    ) -> Result<Vec<TransactionRecord>, StoreError> {
        let order = if filter.descending { "DESC" } else { "ASC" };
        let sql = format!(
            "SELECT * FROM transactions WHERE caller_key = ? AND date_received >= ?
               AND (? IS NULL OR date_received <= ?) AND (? IS NULL OR operation = ?)
               AND (? IS NULL OR status = ?) AND (? IS NULL OR payment_method = ?)
               AND (? IS NULL OR recipient_email = ? COLLATE NOCASE)
               AND (? IS NULL OR sender_email = ? COLLATE NOCASE)
             ORDER BY date_received {order}, seq {order} LIMIT ?"
        );
        Ok(sqlx::query_as(&sql)
            .bind(caller_key)
            .bind(filter.start)
            .bind(filter.end)
            .bind(filter.end)
            .bind(&filter.operation)
            .bind(&filter.operation)
            .bind(&filter.status)
            .bind(&filter.status)
            .bind(&filter.payment_method)
            .bind(&filter.payment_method)
            .bind(&filter.recipient_email)
            .bind(&filter.recipient_email)
            .bind(&filter.sender_email)
            .bind(&filter.sender_email)
            .bind(filter.limit + 1)
            .fetch_all(&self.pool)
            .await?)
    }
}
