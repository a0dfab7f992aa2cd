//! The pure core: no JS, no I/O, no clock, no randomness. Compiles and is tested on every target.

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
