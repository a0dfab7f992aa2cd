-- Orders, refunds, an audit trail of refused input, and the IPNs already applied.
-- Portable SQL: runs unchanged on SQLite and PostgreSQL.
CREATE TABLE orders (
    reference TEXT PRIMARY KEY,
    items TEXT NOT NULL,
    description TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    mode TEXT NOT NULL,
    state TEXT NOT NULL,
    return_url TEXT,
    sender_token_id TEXT,
    charge_timestamp TEXT,
    transaction_id TEXT,
    transaction_status TEXT,
    settle_amount_minor BIGINT,
    settle_transaction_id TEXT,
    settled_minor BIGINT NOT NULL DEFAULT 0,
    refunded_minor BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX orders_transaction_id ON orders (transaction_id);
CREATE INDEX orders_settle_transaction_id ON orders (settle_transaction_id);

CREATE TABLE refunds (
    caller_reference TEXT PRIMARY KEY,
    order_reference TEXT NOT NULL REFERENCES orders (reference),
    amount_minor BIGINT NOT NULL,
    state TEXT NOT NULL,
    request_timestamp TEXT NOT NULL,
    transaction_id TEXT,
    created_at BIGINT NOT NULL
);

CREATE INDEX refunds_order ON refunds (order_reference);
CREATE INDEX refunds_transaction_id ON refunds (transaction_id);

CREATE TABLE events (
    id TEXT PRIMARY KEY,
    order_reference TEXT,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE INDEX events_order ON events (order_reference);

CREATE TABLE notifications (
    transaction_id TEXT NOT NULL,
    transaction_status TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (transaction_id, transaction_status)
);
