//! The merchant backend.
