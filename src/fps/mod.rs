//! The FPS Query API client (native only): signed requests, typed XML responses, typed errors.

pub mod client;
pub mod error;
pub mod outcome;
pub mod request;
pub mod response;
pub mod settings;
pub mod tokens;
pub mod transaction;

pub use client::{api_endpoint, FpsClient, FpsConfig, Timestamp};
pub use error::{ErrorCode, FpsError};
pub use outcome::{Outcome, Sending};
pub use request::{Action, Charge, ChargeFeeTo, MarketplaceTerms, PaymentInstruction};
pub use response::{StatusResult, TransactionResult, TransactionStatus, Verification};
pub use settings::FpsSettings;
pub use transaction::{AccountActivity, ActivityQuery, TransactionDetails};
