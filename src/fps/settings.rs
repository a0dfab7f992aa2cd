//! How a command reaches FPS, from flags with environment variables behind them: the Query API
//! endpoint (`FPS_ENDPOINT`), the access key id (`FPS_ACCESS_KEY_ID`), the secret key
//! (`FPS_SECRET_KEY_FILE` or `FPS_SECRET_KEY`, never a flag value) and the call timeout
//! (`FPS_TIMEOUT_SECS`). `serve` and `install-tokens` read them the same way.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::client::{api_endpoint, FpsConfig};
use crate::cli::Environment;
use crate::core::params::CallerKey;
use crate::core::Endpoint;
use crate::signer::SecretKey;

/// Largest secret file read.
const MAX_SECRET_FILE: u64 = 4096;

/// A setting that stops a command: its name and what is wrong, as one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{setting}: {reason}")]
pub struct ConfigError {
    /// The environment variable (and flag) at fault.
    pub setting: &'static str,
    /// What is wrong.
    pub reason: String,
}

/// A [`ConfigError`] for `setting`.
pub fn bad(setting: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError {
        setting,
        reason: reason.into(),
    }
}

/// The flags behind the FPS settings, shared by `serve` and `install-tokens`; each falls back to
/// the environment variable named in its help.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct FpsFlags {
    /// Query API: sandbox, production or a URL [env FPS_ENDPOINT, default sandbox].
    #[arg(long)]
    pub fps_endpoint: Option<String>,
    /// The access key id, sent as callerKey and AWSAccessKeyId [env FPS_ACCESS_KEY_ID, required].
    #[arg(long)]
    pub access_key_id: Option<String>,
    /// Read the secret key from this file [env FPS_SECRET_KEY_FILE; or FPS_SECRET_KEY].
    #[arg(long)]
    pub secret_file: Option<PathBuf>,
    /// Seconds allowed for one FPS call [env FPS_TIMEOUT_SECS, default 10].
    #[arg(long)]
    pub fps_timeout: Option<u64>,
}

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
    /// Reads the settings: each flag first, then its environment variable, then its default.
    pub fn load(flags: &FpsFlags, env: &dyn Environment) -> Result<Self, ConfigError> {
        let pick = |flag: &Option<String>, name: &str| {
            flag.clone()
                .or_else(|| env.var(name))
                .filter(|v| !v.trim().is_empty())
        };
        let endpoint_text = pick(&flags.fps_endpoint, "FPS_ENDPOINT").unwrap_or_else(|| "sandbox".to_owned());
        let endpoint = api_endpoint(&endpoint_text).map_err(|e| bad("FPS_ENDPOINT", e.to_string()))?;

        let key_text = pick(&flags.access_key_id, "FPS_ACCESS_KEY_ID")
            .ok_or_else(|| bad("FPS_ACCESS_KEY_ID", "not set: the AWS access key id"))?;
        let access_key_id =
            CallerKey::new(key_text.trim()).map_err(|e| bad("FPS_ACCESS_KEY_ID", e.to_string()))?;

        let secret_file = flags.secret_file.clone().or_else(|| {
            env.var("FPS_SECRET_KEY_FILE")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        });
        let secret = match secret_file {
            Some(path) => read_secret_file(&path)?,
            None => SecretKey::new(&env.var("FPS_SECRET_KEY").unwrap_or_default())
                .ok_or_else(|| bad("FPS_SECRET_KEY", "not set: set it or FPS_SECRET_KEY_FILE"))?,
        };

        let timeout_secs = match flags.fps_timeout {
            Some(n) => n,
            None => match env.var("FPS_TIMEOUT_SECS").filter(|v| !v.is_empty()) {
                Some(text) => text.trim().parse().map_err(|_| {
                    bad(
                        "FPS_TIMEOUT_SECS",
                        format!("{text:?} is not a whole number of seconds"),
                    )
                })?,
                None => 10,
            },
        };
        if !(1..=120).contains(&timeout_secs) {
            return Err(bad("FPS_TIMEOUT_SECS", "must be 1 to 120"));
        }
        Ok(FpsSettings {
            endpoint,
            access_key_id,
            secret,
            timeout: Duration::from_secs(timeout_secs),
        })
    }

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

fn read_secret_file(path: &Path) -> Result<SecretKey, ConfigError> {
    use std::io::Read as _;
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_SECRET_FILE).read_to_string(&mut text))
        .map_err(|e| {
            bad(
                "FPS_SECRET_KEY_FILE",
                format!("cannot read {}: {e}", path.display()),
            )
        })?;
    SecretKey::new(&text).ok_or_else(|| bad("FPS_SECRET_KEY_FILE", "the file is empty"))
}
