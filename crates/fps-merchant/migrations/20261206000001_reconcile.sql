-- The order service and its reconciler (issue 15). Portable SQL (SQLite and PostgreSQL).
-- settle_timestamp: the Timestamp the Settle was signed with, so it can be resent identically.
-- next_check_at: when the reconciler should next ask FPS about the order (NULL: nothing to ask);
-- checks: how many times it asked without an outcome (its backoff); lease_owner/lease_until:
-- which backend is working on the order, until when (two backends never work on one order).
ALTER TABLE orders ADD COLUMN settle_timestamp TEXT;
ALTER TABLE orders ADD COLUMN next_check_at BIGINT;
ALTER TABLE orders ADD COLUMN checks BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN lease_owner TEXT;
ALTER TABLE orders ADD COLUMN lease_until BIGINT;
CREATE INDEX orders_next_check ON orders (next_check_at);
UPDATE orders SET next_check_at = updated_at
 WHERE state IN ('charging', 'pending', 'settling', 'reserved')
    OR (state = 'paid' AND EXISTS (SELECT 1 FROM refunds r WHERE r.order_reference = orders.reference
                                    AND r.state IN ('requested', 'Pending')));
-- Events in the order they happened (created_at is in seconds, id is random).
ALTER TABLE events ADD COLUMN seq_ms BIGINT NOT NULL DEFAULT 0;
