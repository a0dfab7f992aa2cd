-- Sender and order data (issue 19, seed 003 "keep a database of sender information").
-- ships: the order has a product the catalog marks "ships", so its CBUI request is signed with
-- collectShippingAddress=True; shipping_address: the address the verified return carried, as
-- JSON ({"name","line1","line2","city","state","zip","country","phone"}, each bounded);
-- payment_method: what the sender chose, from the return's status (SA balance, SB bank, SC card).
-- fps_requests: FPS's RequestId of every Query API call made for an order (support and
-- reconciliation quote it to Amazon). Portable SQL (SQLite and PostgreSQL).
ALTER TABLE orders ADD COLUMN ships BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN shipping_address TEXT;
ALTER TABLE orders ADD COLUMN payment_method TEXT;

CREATE TABLE fps_requests (
    id TEXT PRIMARY KEY,
    order_reference TEXT NOT NULL,
    action TEXT NOT NULL,
    request_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    created_ms BIGINT NOT NULL
);
CREATE INDEX fps_requests_order ON fps_requests (order_reference, created_ms);
