//! The merchant backend (native only): prices orders, signs CBUI requests under a policy,
//! verifies returns and notifications with FPS, charges, and tracks each order's life cycle.

pub mod catalog;
pub mod config;
pub mod error;
pub mod order;
pub mod policy;
pub mod store;
