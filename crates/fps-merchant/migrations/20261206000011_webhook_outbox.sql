-- The fulfilment webhook's outbox (issue 19, "Fulfilment"). A row is written in the same
-- transaction as the order's state change it announces, so no change is lost and none is announced
-- that did not happen; the delivery worker leases rows by conditional update (any number of
-- backends on one database deliver each event once) and posts them to FPS_FULFILMENT_WEBHOOK_URL.
-- Portable SQL (SQLite and PostgreSQL).
-- id: the event id (evt_...), the receiver's deduplication key; kind: order.paid, ...;
-- body: the exact JSON posted (replays send the same bytes);
-- next_attempt_at: when it is due (NULL: delivered or given up); attempts: deliveries tried;
-- lease_owner/lease_until: which backend is delivering it, until when.
CREATE TABLE webhook_events (
    id TEXT PRIMARY KEY,
    order_reference TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    next_attempt_at BIGINT,
    attempts BIGINT NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_until BIGINT,
    delivered_at BIGINT,
    last_error TEXT
);
CREATE INDEX webhook_events_due ON webhook_events (next_attempt_at);
CREATE INDEX webhook_events_created ON webhook_events (created_at);
CREATE INDEX webhook_events_order ON webhook_events (order_reference);
