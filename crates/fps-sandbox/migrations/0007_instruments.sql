-- Prepaid and credit instruments of SetupPrepaid and SetupPostpaid: who owns each, which of the
-- pipeline's tokens spends from it and which funds or settles it, and its limit (the funding
-- amount, or the credit limit). Balances are not stored: they are sums of the transactions that
-- name the instrument (FundPrepaid, SettleDebt, WriteOffDebt, and the Pays of its sender token).
CREATE TABLE instruments (
    instrument_id TEXT PRIMARY KEY,
    caller_key TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('Prepaid', 'Credit')),
    owner_email TEXT NOT NULL,
    owner_name TEXT NOT NULL,
    payment_method TEXT NOT NULL,
    sender_token_id TEXT NOT NULL UNIQUE,
    funding_token_id TEXT NOT NULL,
    limit_minor INTEGER NOT NULL,
    date_installed INTEGER NOT NULL
);
CREATE INDEX instruments_by_caller ON instruments (caller_key, kind);

-- The instrument a transaction funds, settles, writes off or spends from.
ALTER TABLE transactions ADD COLUMN prepaid_instrument_id TEXT;
ALTER TABLE transactions ADD COLUMN credit_instrument_id TEXT;
CREATE INDEX transactions_prepaid ON transactions (prepaid_instrument_id);
CREATE INDEX transactions_credit ON transactions (credit_instrument_id);
