-- Re-authorization after a failed payment or settlement: the order's current authorization
-- (1 for the first; its callerReference is the order's reference, later ones `{reference}-a{n}`).
-- Portable SQL (SQLite and PostgreSQL).
ALTER TABLE orders ADD COLUMN attempt BIGINT NOT NULL DEFAULT 1;
