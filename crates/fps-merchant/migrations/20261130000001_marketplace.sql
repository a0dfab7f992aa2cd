-- Marketplace: seller sign-ups (Recipient pipeline), the sellers' recipient and refund tokens,
-- and the marketplace terms an order is charged with. Portable SQL (SQLite and PostgreSQL).
CREATE TABLE seller_signups (
    reference TEXT PRIMARY KEY,
    seller TEXT NOT NULL,
    state TEXT NOT NULL,
    return_url TEXT,
    last_status TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE INDEX seller_signups_seller ON seller_signups (seller);

CREATE TABLE sellers (
    seller TEXT PRIMARY KEY,
    signup_reference TEXT NOT NULL REFERENCES seller_signups (reference),
    recipient_token_id TEXT NOT NULL,
    refund_token_id TEXT NOT NULL,
    registered_at BIGINT NOT NULL
);

CREATE TABLE order_marketplace (
    order_reference TEXT PRIMARY KEY REFERENCES orders (reference),
    seller TEXT NOT NULL,
    recipient_token_id TEXT NOT NULL,
    fixed_fee_minor BIGINT,
    variable_fee_bp BIGINT,
    charge_fee_to TEXT NOT NULL
);
