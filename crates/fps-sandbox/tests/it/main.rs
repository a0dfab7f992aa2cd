//! The emulator's integration tests, one binary (the layout ripgrep uses): each module drives a
//! running emulator over HTTP. Run one group with a filter: `cargo test -p fps-sandbox --test it
//! sandbox_ipn::`. `sandbox_support` is also the harness of fps-merchant's and fps-cli's tests.

mod sandbox_support;

mod sandbox_account_pages;
mod sandbox_accounts;
mod sandbox_api;
mod sandbox_cbui;
mod sandbox_hostile;
mod sandbox_idempotency;
mod sandbox_interop;
mod sandbox_ipn;
mod sandbox_marketplace;
mod sandbox_outbox;
mod sandbox_prepaid;
mod sandbox_tokens_api;
