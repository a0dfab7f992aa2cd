//! `serve`'s typed settings: where to listen, the store, FPS, the URLs signed for, the secrets
//! (printed as `[redacted]`). The command line builds them from its arguments and the environment
//! (`crates/fps-cli/src/serve.rs`); this module never reads the environment.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use fps_core::params::{CallerKey, CbuiEndpoint};
use fps_core::Endpoint;
use fps_wire::signer::SecretKey;

/// Requests the server handles at once unless `FPS_MAX_IN_FLIGHT` says otherwise.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 512;

/// Seconds between two reconciler ticks unless `FPS_RECONCILE_INTERVAL_SECS` says otherwise.
pub const DEFAULT_RECONCILE_INTERVAL: Duration = Duration::from_secs(60);

/// Shortest admin token accepted.
pub const MIN_ADMIN_TOKEN: usize = 16;

/// Everything `serve` needs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen.
    pub listen: SocketAddr,
    /// The store.
    pub database_url: String,
    /// The catalog file.
    pub catalog: PathBuf,
    /// The Query API.
    pub fps_endpoint: Endpoint,
    /// The CBUI start URL.
    pub cbui_endpoint: CbuiEndpoint,
    /// Return URLs signed for, compared byte for byte.
    pub return_urls: Vec<Endpoint>,
    /// The IPN URL (UrlEndPoint for notifications).
    pub ipn_url: Endpoint,
    /// CORS origins.
    pub cors_origins: Vec<String>,
    /// The access key id (callerKey / AWSAccessKeyId).
    pub access_key_id: CallerKey,
    /// The secret key.
    pub secret: SecretKey,
    /// The admin bearer token.
    pub admin_token: SecretKey,
    /// Time for one FPS call.
    pub fps_timeout: Duration,
    /// Requests handled at once; more are refused at once with 503 (`FPS_MAX_IN_FLIGHT`).
    pub max_in_flight: usize,
    /// Time between two reconciler ticks; `None` runs no reconciler
    /// (`FPS_RECONCILE_INTERVAL_SECS`, default 60, `0` = off).
    pub reconcile_interval: Option<Duration>,
}
