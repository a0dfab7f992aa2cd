-- Marketplace fees, FPS fees and balances per account. Money in integer cents; percentages in
-- basis points (hundredths of a percent).

-- What a recipient accepted on the Recipient pipeline (NULL: not stated, not limited).
ALTER TABLE tokens ADD COLUMN recipient_pays_fee INTEGER;
ALTER TABLE tokens ADD COLUMN max_fixed_fee_minor INTEGER;
ALTER TABLE tokens ADD COLUMN max_variable_fee_bp INTEGER;

-- What a Pay or Reserve asked for, and the fees of its (settled) amount.
ALTER TABLE transactions ADD COLUMN marketplace_fixed_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE transactions ADD COLUMN marketplace_variable_bp INTEGER NOT NULL DEFAULT 0;
ALTER TABLE transactions ADD COLUMN fee_paid_by TEXT NOT NULL DEFAULT 'Recipient';
ALTER TABLE transactions ADD COLUMN fps_fee_minor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE transactions ADD COLUMN marketplace_fee_minor INTEGER NOT NULL DEFAULT 0;

-- Every movement of money between accounts, written when a transaction completes with Success.
-- `account` is an e-mail, or `FPS` for the fees FPS keeps. A balance is the sum of its entries.
CREATE TABLE account_entries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    account TEXT NOT NULL,
    transaction_id TEXT NOT NULL,
    role TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX account_entries_by_account ON account_entries (account);
CREATE UNIQUE INDEX account_entries_once ON account_entries (transaction_id, account, role);
