//! The end-to-end tests of the whole stack (the `fps-checkout` binary, the backend against the
//! emulator, the shopper's and admin's HTTP calls), one test binary (the layout ripgrep uses).
//! Each crate has its own `tests/it`; these are the tests that need more than one product.
//! Run one group with a filter: `cargo test -p fps-cli --test it merchant_api::`.
//!
//! The tests of all modules share one process: a test that needs process-wide state (a log
//! subscriber, a file name, an environment variable) keeps it to itself, or passes it explicitly.
//! The browser module's tests (`tests/web/`) are their own wasm binary, run by `scripts/test-web`.

// Harnesses shared by the modules below.
mod cli_support;
mod common;
// The emulator harness, declared once in fps-sandbox's tests; this binary uses part of it.
#[path = "../../../fps-sandbox/tests/it/sandbox_support/mod.rs"]
#[allow(dead_code)]
mod sandbox_support;
mod shop_support;

// One module per former test binary; its tests are `it::MODULE::NAME`.
mod audit_findings;
mod cli;
mod fps_faults;
mod hostile_input;
mod merchant_api;
mod merchant_sandbox;
mod merchant_shopper;
mod merchant_sign;
mod money_ipn;
mod money_reconcile;
mod private_files;
mod refund_requests;
mod sandbox_cli;
mod sandbox_tokens;
mod security;
mod sender_data;
mod sign_case_variants;
mod sign_policy;
mod sign_policy_emulator;
mod slow_bodies;
mod webhook;
