-- The FPS sandbox emulator's state. Money in integer minor units (cents); times in Unix milliseconds.

CREATE TABLE signing_key (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    private_key_pem TEXT NOT NULL,
    certificate_pem TEXT NOT NULL
);

CREATE TABLE cbui_sessions (
    id TEXT PRIMARY KEY,
    caller_key TEXT NOT NULL,
    request_pairs TEXT NOT NULL,
    sender_email TEXT,
    state TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE tokens (
    token_id TEXT PRIMARY KEY,
    caller_key TEXT NOT NULL,
    caller_reference TEXT NOT NULL,
    token_type TEXT NOT NULL,
    owner_email TEXT NOT NULL,
    owner_name TEXT NOT NULL,
    payment_method TEXT NOT NULL,
    amount_minor INTEGER,
    limit_minor INTEGER,
    used_minor INTEGER NOT NULL DEFAULT 0,
    use_count INTEGER NOT NULL DEFAULT 0,
    reserve INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    payment_reason TEXT,
    refund_token_id TEXT,
    old_token_id TEXT,
    date_installed INTEGER NOT NULL
);
CREATE INDEX tokens_by_reference ON tokens (caller_key, caller_reference);

CREATE TABLE transactions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    caller_key TEXT NOT NULL,
    operation TEXT NOT NULL,
    caller_reference TEXT,
    sender_token_id TEXT,
    recipient_token_id TEXT,
    sender_name TEXT NOT NULL,
    sender_email TEXT NOT NULL,
    recipient_name TEXT NOT NULL,
    recipient_email TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    settled_minor INTEGER,
    status TEXT NOT NULL,
    status_code TEXT NOT NULL,
    status_message TEXT NOT NULL,
    payment_method TEXT NOT NULL,
    payment_reason TEXT,
    parent_id TEXT,
    caller_description TEXT,
    sender_description TEXT,
    override_ipn_url TEXT,
    date_received INTEGER NOT NULL,
    date_completed INTEGER,
    due_at INTEGER,
    due_status TEXT
);
CREATE INDEX transactions_due ON transactions (status, due_at);
CREATE INDEX transactions_parent ON transactions (parent_id);

CREATE TABLE status_history (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    transaction_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    status TEXT NOT NULL,
    status_code TEXT NOT NULL,
    amount_minor INTEGER NOT NULL
);

CREATE TABLE idempotent_requests (
    caller_key TEXT NOT NULL,
    caller_reference TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    response TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (caller_key, caller_reference)
);

CREATE TABLE ipn_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    url TEXT NOT NULL,
    body TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    delivered_at INTEGER,
    gave_up INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX ipn_due ON ipn_outbox (delivered_at, gave_up, next_attempt_at);
