//! `sandbox`'s settings: a JSON configuration file, or one caller account from
//! `FPS_ACCESS_KEY_ID` and the secret key (`FPS_SECRET_KEY` or its file), plus the arguments that
//! override the file; the fault switch's token from `FPS_SANDBOX_FAULT_TOKEN`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;

use super::fps::{access_key_id, SecretFileArgs};
use super::settings::{bad, given, load_secret, number_in, ConfigError, Environment};
use fps_sandbox::{CallerAccount, SandboxConfig};

/// The environment variable holding the bearer token of `POST /sandbox/faults` (the fault switch
/// exists only when it, or `fault_token` in the configuration file, is set). A secret: never a flag.
pub const FAULT_TOKEN_ENV: &str = "FPS_SANDBOX_FAULT_TOKEN";

/// Options of `fps-checkout sandbox`; each falls back to the environment variable shown in
/// `--help`.
#[derive(Debug, Clone, Default, Args)]
#[command(
    after_help = "Secrets are read only from the environment or a file: FPS_SECRET_KEY (or the file named by \
                  --secret-file / FPS_SECRET_KEY_FILE) and FPS_SANDBOX_FAULT_TOKEN (enables /sandbox/faults)."
)]
pub struct SandboxArgs {
    /// A JSON configuration file (callers, recipients, timings; see SANDBOX.md). Without it, one
    /// caller is taken from FPS_ACCESS_KEY_ID and the secret key.
    #[arg(long, env = "FPS_SANDBOX_CONFIG", hide_env_values = true, value_name = "PATH")]
    pub config: Option<String>,
    /// Address to listen on, loopback only [default: the file's, else 127.0.0.1:8090].
    #[arg(
        long,
        env = "FPS_SANDBOX_LISTEN",
        hide_env_values = true,
        value_name = "ADDR:PORT"
    )]
    pub listen: Option<String>,
    /// The SQLite state file, created if missing [default: the file's, else fps-sandbox.sqlite].
    #[arg(long, env = "FPS_SANDBOX_DB", hide_env_values = true, value_name = "PATH")]
    pub db: Option<String>,
    /// The URL browsers reach the emulator at, if not http://ADDR:PORT.
    #[arg(
        long,
        env = "FPS_SANDBOX_PUBLIC_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub public_url: Option<String>,
    /// How long card and bank transactions stay Pending, in milliseconds [default: the file's,
    /// else 2000].
    #[arg(
        long,
        env = "FPS_SANDBOX_PENDING_DELAY_MS",
        hide_env_values = true,
        value_name = "MS"
    )]
    pub pending_delay_ms: Option<String>,
    /// IPN URL of the caller taken from the environment.
    #[arg(long, env = "FPS_SANDBOX_IPN_URL", hide_env_values = true, value_name = "URL")]
    pub ipn_url: Option<String>,
    /// The caller's access key id, without --config.
    #[arg(long, env = "FPS_ACCESS_KEY_ID", hide_env_values = true, value_name = "ID")]
    pub access_key_id: Option<String>,
    /// The caller's secret key file (or FPS_SECRET_KEY), without --config.
    #[command(flatten)]
    pub secret: SecretFileArgs,
}

/// Why `sandbox` cannot start with these settings.
#[derive(Debug, thiserror::Error)]
pub enum SandboxSettingsError {
    /// A setting is missing or invalid.
    #[error(transparent)]
    Setting(#[from] ConfigError),
    /// The configuration file, or the configuration as a whole, is unusable.
    #[error(transparent)]
    File(#[from] fps_sandbox::ConfigError),
}

/// The emulator's configuration from the arguments; secrets from `env` (or the file).
pub fn sandbox_config(
    args: &SandboxArgs,
    env: &dyn Environment,
) -> Result<SandboxConfig, SandboxSettingsError> {
    let mut config = match given(&args.config) {
        Some(path) => SandboxConfig::from_json_file(Path::new(path))?,
        None => {
            let key = access_key_id(&args.access_key_id)?.as_str().to_owned();
            let secret = args.secret.load(env)?;
            let mut config = SandboxConfig::new(vec![CallerAccount {
                email: format!("{}@merchant.sandbox.test", key.to_lowercase()),
                access_key_id: key,
                secret,
                name: "Sandbox Merchant".into(),
                ipn_url: given(&args.ipn_url).map(str::to_owned),
                marketplace: false,
            }]);
            config.listen = ([127, 0, 0, 1], 8090).into();
            config
        }
    };
    if let Some(listen) = given(&args.listen) {
        config.listen = listen
            .parse()
            .map_err(|_| bad("FPS_SANDBOX_LISTEN", format!("{listen:?} is not ADDR:PORT")))?;
    }
    if let Some(db) = given(&args.db) {
        config.database = Some(PathBuf::from(db));
    }
    if config.database.is_none() {
        config.database = Some(PathBuf::from("fps-sandbox.sqlite"));
    }
    if let Some(url) = given(&args.public_url) {
        config.public_url = Some(url.to_owned());
    }
    if let Some(ms) = given(&args.pending_delay_ms) {
        config.pending_delay =
            Duration::from_millis(number_in(ms, "FPS_SANDBOX_PENDING_DELAY_MS", 0..=u64::MAX)?);
    }
    if let Some(token) = load_secret(FAULT_TOKEN_ENV, None, env)? {
        config.fault_token = Some(token);
    }
    config.check()?;
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::super::settings::{args_from_env, FixedEnv};
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> Result<SandboxConfig, SandboxSettingsError> {
        let env = FixedEnv::new(pairs.iter().copied());
        let args: SandboxArgs = args_from_env(&env).expect("arguments");
        sandbox_config(&args, &env)
    }

    #[test]
    fn one_caller_from_the_environment() {
        let config = config(&[
            ("FPS_ACCESS_KEY_ID", "AKIAEXAMPLE000000001"),
            ("FPS_SECRET_KEY", "sandbox-secret"),
            ("FPS_SANDBOX_FAULT_TOKEN", "fault-token-0123456789"),
            ("FPS_SANDBOX_PENDING_DELAY_MS", "5"),
            ("FPS_SANDBOX_IPN_URL", "http://127.0.0.1:8080/fps/ipn"),
        ])
        .unwrap();
        let caller = config.caller("AKIAEXAMPLE000000001").expect("caller");
        assert_eq!(caller.secret.expose(), b"sandbox-secret");
        assert_eq!(caller.ipn_url.as_deref(), Some("http://127.0.0.1:8080/fps/ipn"));
        assert_eq!(config.listen.to_string(), "127.0.0.1:8090");
        assert_eq!(config.database, Some(PathBuf::from("fps-sandbox.sqlite")));
        assert_eq!(config.pending_delay, Duration::from_millis(5));
        assert!(config.fault_token.is_some());
    }

    #[test]
    fn missing_or_bad_settings_are_named() {
        let key = ("FPS_ACCESS_KEY_ID", "AKIAEXAMPLE000000001");
        let secret = ("FPS_SECRET_KEY", "sandbox-secret");
        let named = |pairs: &[(&str, &str)]| match config(pairs) {
            Err(SandboxSettingsError::Setting(e)) => e.setting,
            other => panic!("{other:?}"),
        };
        assert_eq!(named(&[secret]), "FPS_ACCESS_KEY_ID");
        assert_eq!(named(&[key]), "FPS_SECRET_KEY");
        assert_eq!(
            named(&[key, secret, ("FPS_SANDBOX_LISTEN", "nowhere")]),
            "FPS_SANDBOX_LISTEN"
        );
        assert_eq!(
            named(&[key, secret, ("FPS_SANDBOX_PENDING_DELAY_MS", "soon")]),
            "FPS_SANDBOX_PENDING_DELAY_MS"
        );
        let public = config(&[key, secret, ("FPS_SANDBOX_LISTEN", "0.0.0.0:8090")]).unwrap_err();
        assert!(public.to_string().contains("loopback"), "{public}");
    }
}
