//! The merchant backend (native only): prices orders, signs CBUI requests under a policy,
//! verifies returns and notifications with FPS, charges, and tracks each order's life cycle.

pub mod activity;
pub mod admin;
pub mod body_first;
pub mod catalog;
pub mod checkout;
pub mod config;
pub mod error;
pub mod marketplace;
pub mod metrics;
pub mod open_orders;
pub mod order;
pub mod order_link;
pub mod orders;
pub mod policy;
pub mod sellers;
pub mod sender;
pub mod server;
pub mod shopper;
pub mod signed_params;
pub mod store;
pub mod tracking;
pub mod webhook;

pub use config::Config;
pub use server::{run, serve, AppState, ServeError};
