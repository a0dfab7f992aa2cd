//! fps-wire: what speaks Amazon FPS's wire from the caller's side, shared by the merchant
//! backend, the emulator and the command line: the Signature Version 2 [`signer`] (HMAC over the
//! core's string to sign), the Query API client (signed requests, typed XML responses, typed errors,
//! the applied / refused / unknown [`outcome`] of every answer), and the process set-up the native
//! servers share ([`service`], [`private_files`]).

pub mod balance;
pub mod client;
pub mod error;
pub mod instruments;
pub mod outcome;
pub mod private_files;
pub mod recipients;
pub mod request;
pub mod response;
pub mod service;
pub mod settings;
pub mod signer;
pub mod subscriptions;
pub mod token_queries;
pub mod tokens;
pub mod transaction;
pub mod vocabulary;

pub use balance::AccountBalance;
pub use client::{api_endpoint, FpsClient, FpsConfig, Timestamp};
pub use error::{ErrorCode, FpsError};
pub use instruments::{DebtWriteOff, InstrumentBalance, InstrumentPayment};
pub use outcome::{Outcome, Sending};
pub use recipients::RecipientVerification;
pub use request::{Action, Charge, ChargeFeeTo, MarketplaceTerms, PaymentInstruction};
pub use response::{StatusResult, TransactionResult, TransactionStatus, Verification};
pub use settings::FpsSettings;
pub use subscriptions::{SubscriptionDetails, SubscriptionRefund, SubscriptionTransaction};
pub use token_queries::{InstructionDetails, Token, TokenFilter, TokenUsageLimit};
pub use transaction::{AccountActivity, ActivityQuery, TransactionDetails};
pub use vocabulary::ActionName;
