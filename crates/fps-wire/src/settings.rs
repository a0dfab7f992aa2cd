//! How a command reaches FPS, as typed settings: the Query API endpoint, the access key id, the
//! secret key and the call timeout. The command line builds them (`crates/fps-cli/src/fps.rs`); this module
//! never reads the environment.

use std::time::Duration;

use super::client::FpsConfig;
use crate::signer::SecretKey;
use fps_core::params::CallerKey;
use fps_core::Endpoint;

/// Everything the Query API client needs but its retry policy.
#[derive(Debug, Clone)]
pub struct FpsSettings {
    /// The Query API.
    pub endpoint: Endpoint,
    /// The access key id (callerKey / AWSAccessKeyId).
    pub access_key_id: CallerKey,
    /// The secret key.
    pub secret: SecretKey,
    /// Time for one FPS call.
    pub timeout: Duration,
}

impl FpsSettings {
    /// The client configuration, with `max_attempts` for idempotent calls.
    pub fn client_config(&self, max_attempts: u32) -> FpsConfig {
        FpsConfig {
            endpoint: self.endpoint.clone(),
            access_key_id: self.access_key_id.as_str().to_owned(),
            secret: self.secret.clone(),
            timeout: self.timeout,
            max_attempts,
        }
    }
}
