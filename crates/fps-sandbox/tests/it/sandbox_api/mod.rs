//! The sandbox's Query API over HTTP on 127.0.0.1: every action, every error code, every money
//! rule, idempotency, restart safety. Requests are signed with the project's signer.

// Grouped by what they test; the harness they share is `crate::sandbox_support`.
mod activity;
mod auth;
mod pay;
mod refunds;
mod state;
mod tokens;
