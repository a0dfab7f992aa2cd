//! fps-merchant's integration tests, one binary: the store on SQLite and PostgreSQL
//! (`FPS_REQUIRE_POSTGRES=1 cargo test -p fps-merchant --test it merchant_store::`) and marketplace
//! fees against the real emulator.

// The emulator harness, declared once in fps-sandbox's tests; this binary uses part of it.
#[path = "../../../fps-sandbox/tests/it/sandbox_support/mod.rs"]
#[allow(dead_code)]
mod sandbox_support;

mod merchant_marketplace;
mod merchant_store;
mod refund_request_store;
mod store_leases;
