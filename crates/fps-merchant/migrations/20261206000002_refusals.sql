-- Refused input counted, not stored row by row (issue 16, finding 3): unauthenticated junk
-- (malformed returns and notifications, unknown orders) adds one row per kind and day, and an
-- order keeps at most a few refusal events of each kind before its further ones are counted here.
-- scope: the order's reference, or '' for input that names no order of this shop.
-- Portable SQL (SQLite and PostgreSQL).
CREATE TABLE refusals (
    scope TEXT NOT NULL,
    kind TEXT NOT NULL,
    day BIGINT NOT NULL,
    count BIGINT NOT NULL,
    last_detail TEXT NOT NULL,
    last_at BIGINT NOT NULL,
    PRIMARY KEY (scope, kind, day)
);
