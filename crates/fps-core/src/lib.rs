//! fps-core: the pure core of Amazon FPS Co-Branded UI checkout: amounts, the CBUI request
//! schema, the Signature Version 2 canonical form and the CBUI return. No JS, no I/O, no clock, no
//! randomness, no `std`: the browser module, the merchant backend and the emulator all build on it.

// Its unit tests use std's prelude; the library itself never does.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod amount;
pub mod canonical;
pub mod endpoint;
pub mod error;
pub mod params;
pub mod return_url;
pub mod text;

pub use amount::{Amount, Currency};
pub use canonical::{encode, CanonicalQuery, HttpMethod, StringToSign};
pub use endpoint::Endpoint;
pub use error::CoreError;
pub use params::{CbuiEndpoint, CbuiRequest, Pipeline, SignatureMethod};
pub use return_url::{CbuiReturn, Status};
