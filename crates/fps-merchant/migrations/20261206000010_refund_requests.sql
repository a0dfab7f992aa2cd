-- Refunds the shopper asks for on the order page (issue 19): a reason and an amount, pending until
-- the admin approves (the Refund it issued: refund_reference) or declines (message, which the
-- shopper sees). At most one pending request per order (the partial unique index backs the
-- guarded insert against a race on PostgreSQL). Portable SQL (SQLite and PostgreSQL).
CREATE TABLE refund_requests (
    id TEXT PRIMARY KEY,
    order_reference TEXT NOT NULL REFERENCES orders (reference),
    amount_minor BIGINT NOT NULL,
    reason TEXT NOT NULL,
    state TEXT NOT NULL,
    message TEXT,
    refund_reference TEXT,
    created_at BIGINT NOT NULL,
    decided_at BIGINT
);

CREATE INDEX refund_requests_order ON refund_requests (order_reference);
CREATE INDEX refund_requests_state ON refund_requests (state, created_at);
CREATE UNIQUE INDEX refund_requests_one_pending ON refund_requests (order_reference)
    WHERE state = 'pending';
