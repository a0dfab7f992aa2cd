-- Answers to requests that change money or tokens, kept 7 days of emulated time so an identical
-- resend (same action and parameters, Timestamp included, Signature excluded) gets the same
-- answer whatever its Timestamp's age. Keyed per caller by a SHA-256 fingerprint of the request
-- (Settle and Cancel have no CallerReference); `caller_reference` is set for the successful
-- answers of Pay, Reserve and Refund only, so a changed request under it is a DuplicateRequest.
-- The earlier table, keyed by CallerReference alone, is replaced: a Pay, Reserve or Refund it
-- recorded is still found within 7 days through its transaction's CallerReference.
DROP TABLE idempotent_requests;

CREATE TABLE request_records (
    caller_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    caller_reference TEXT,
    status INTEGER NOT NULL,
    response TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (caller_key, fingerprint)
);
CREATE INDEX request_records_by_reference ON request_records (caller_key, caller_reference);
CREATE INDEX request_records_by_age ON request_records (created_at);

-- The test clock: how far the emulated business time is ahead of the real clock.
CREATE TABLE sandbox_clock (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    offset_ms INTEGER NOT NULL
);
