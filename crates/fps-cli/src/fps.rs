//! How a command reaches FPS: the Query API endpoint (`FPS_ENDPOINT`), the access key id
//! (`FPS_ACCESS_KEY_ID`), the secret key (`FPS_SECRET_KEY_FILE` / `--secret-file`, or
//! `FPS_SECRET_KEY`; never a flag value) and the call timeout (`FPS_TIMEOUT_SECS`). `serve`,
//! `install-tokens` and (for its caller account) `sandbox` read them the same way; `sign` and
//! `cbui` read the secret the same way.

use std::path::Path;
use std::time::Duration;

use super::settings::{bad, given, load_secret, number_in, ConfigError, Environment};
use fps_core::params::CallerKey;
use fps_wire::signer::SecretKey;
use fps_wire::{api_endpoint, FpsSettings};

/// Environment variable holding the secret access key.
pub const SECRET_ENV: &str = "FPS_SECRET_KEY";
/// Environment variable naming a file that holds the secret access key.
pub const SECRET_FILE_ENV: &str = "FPS_SECRET_KEY_FILE";
/// Environment variable holding the access key id (`callerKey`, `AWSAccessKeyId`).
pub const ACCESS_KEY_ENV: &str = "FPS_ACCESS_KEY_ID";
/// Seconds allowed for one FPS call unless `FPS_TIMEOUT_SECS` says otherwise.
pub const DEFAULT_FPS_TIMEOUT_SECS: u64 = 10;

/// Where the secret access key comes from: this file, or else `FPS_SECRET_KEY`. Paths are taken
/// as text, as every setting is: clap refuses an empty path, and an empty variable means unset.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SecretFileArgs {
    /// Read the secret key from this file; without it the key comes from FPS_SECRET_KEY (never
    /// from the command line).
    #[arg(
        long,
        env = "FPS_SECRET_KEY_FILE",
        hide_env_values = true,
        value_name = "PATH"
    )]
    pub secret_file: Option<String>,
}

impl SecretFileArgs {
    /// The file, when one is named (an empty `FPS_SECRET_KEY_FILE` names none).
    pub fn file(&self) -> Option<&Path> {
        given(&self.secret_file).map(Path::new)
    }

    /// The secret access key, which must be set.
    pub fn load(&self, env: &dyn Environment) -> Result<SecretKey, ConfigError> {
        let file = self.file().map(|path| (SECRET_FILE_ENV, path));
        load_secret(SECRET_ENV, file, env)?.ok_or_else(|| {
            bad(
                SECRET_ENV,
                "not set: set it, or name a file with FPS_SECRET_KEY_FILE or --secret-file",
            )
        })
    }
}

/// The arguments behind the FPS settings, shared by `serve` and `install-tokens`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct FpsArgs {
    /// Query API: sandbox, production or a URL [default: sandbox].
    #[arg(long, env = "FPS_ENDPOINT", hide_env_values = true, value_name = "URL")]
    pub fps_endpoint: Option<String>,
    /// The access key id, sent as callerKey and AWSAccessKeyId [required].
    #[arg(long, env = "FPS_ACCESS_KEY_ID", hide_env_values = true, value_name = "ID")]
    pub access_key_id: Option<String>,
    /// The secret key's file (or FPS_SECRET_KEY).
    #[command(flatten)]
    pub secret: SecretFileArgs,
    /// Seconds allowed for one FPS call, 1 to 120 [default: 10].
    #[arg(
        long,
        env = "FPS_TIMEOUT_SECS",
        hide_env_values = true,
        value_name = "SECONDS"
    )]
    pub fps_timeout: Option<String>,
}

/// The access key id from `--access-key-id` / `FPS_ACCESS_KEY_ID`, which must be set.
pub fn access_key_id(value: &Option<String>) -> Result<CallerKey, ConfigError> {
    let text = given(value).ok_or_else(|| bad(ACCESS_KEY_ENV, "not set: the AWS access key id"))?;
    CallerKey::new(text).map_err(|e| bad(ACCESS_KEY_ENV, e.to_string()))
}

impl FpsArgs {
    /// The typed settings: each argument checked, defaults applied, the secret loaded.
    pub fn settings(&self, env: &dyn Environment) -> Result<FpsSettings, ConfigError> {
        let endpoint_text = given(&self.fps_endpoint).unwrap_or("sandbox");
        let endpoint = api_endpoint(endpoint_text).map_err(|e| bad("FPS_ENDPOINT", e.to_string()))?;
        let access_key_id = access_key_id(&self.access_key_id)?;
        let secret = self.secret.load(env)?;
        let timeout_secs = match given(&self.fps_timeout) {
            Some(text) => number_in(text, "FPS_TIMEOUT_SECS", 1..=120)?,
            None => DEFAULT_FPS_TIMEOUT_SECS,
        };
        Ok(FpsSettings {
            endpoint,
            access_key_id,
            secret,
            timeout: Duration::from_secs(timeout_secs),
        })
    }
}

/// Options of `fps-checkout install-tokens`.
#[derive(Debug, Clone, clap::Args)]
pub struct InstallTokensArgs {
    /// How to reach FPS: `--fps-endpoint`, `--access-key-id`, `--secret-file`, `--fps-timeout`.
    #[command(flatten)]
    pub fps: FpsArgs,
    /// The tokens' caller references are PREFIX-caller and PREFIX-recipient; the same prefix
    /// gives the same tokens again.
    #[arg(
        long,
        env = "FPS_REFERENCE_PREFIX",
        hide_env_values = true,
        value_name = "PREFIX",
        default_value = "fps-checkout"
    )]
    pub reference_prefix: String,
}
