//! The native integration tests, one test binary for all of them (the layout ripgrep uses): each
//! former `tests/*.rs` binary is a module here, and the harnesses they share are declared once.
//! One binary links axum, sqlx and rsa once instead of once per file (BENCHMARKS.md, "Test build").
//! Run one group with a filter: `cargo test --test it merchant_store::`.
//!
//! The tests of all modules share one process: a test that needs process-wide state (a log
//! subscriber, a file name, an environment variable) keeps it to itself, or passes it explicitly.
//! The browser module's tests (`tests/web/`) are their own wasm binary, run by `scripts/test-web`.
#![cfg(not(target_arch = "wasm32"))]

// Harnesses shared by the modules below.
mod cli_support;
mod common;
mod sandbox_support;
mod shop_support;

// One module per former test binary; its tests are `it::MODULE::NAME`.
mod audit_findings;
mod cli;
mod fps_faults;
mod hostile_input;
mod merchant_api;
mod merchant_marketplace;
mod merchant_sandbox;
mod merchant_shopper;
mod merchant_sign;
mod merchant_store;
mod money_ipn;
mod money_reconcile;
mod private_files;
mod sandbox_api;
mod sandbox_cbui;
mod sandbox_cli;
mod sandbox_hostile;
mod sandbox_idempotency;
mod sandbox_interop;
mod sandbox_ipn;
mod sandbox_marketplace;
mod sandbox_outbox;
mod sandbox_tokens;
mod security;
mod sign_case_variants;
mod sign_policy;
mod sign_policy_emulator;
mod slow_bodies;
mod vectors;
