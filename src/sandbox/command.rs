//! The `fps-checkout sandbox` subcommand: reads the configuration (a JSON file, or one caller
//! from FPS_ACCESS_KEY_ID / FPS_SECRET_KEY), runs the emulator until Ctrl-C.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::config::{CallerAccount, SandboxConfig};
use crate::signer::SecretKey;

/// The environment variable holding the bearer token of `POST /sandbox/faults` (the fault switch
/// exists only when it, or `fault_token` in the configuration file, is set).
pub const FAULT_TOKEN_ENV: &str = "FPS_SANDBOX_FAULT_TOKEN";

/// Options of `fps-checkout sandbox`.
#[derive(Debug, Clone, Args)]
pub struct SandboxArgs {
    /// A JSON configuration file (callers, recipients, timings; see SANDBOX.md). Without it, one
    /// caller is taken from FPS_ACCESS_KEY_ID and FPS_SECRET_KEY.
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Address to listen on (loopback only).
    #[arg(long, value_name = "ADDR:PORT")]
    pub listen: Option<String>,
    /// The SQLite state file (created if missing).
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// The URL browsers reach the emulator at, if not http://ADDR:PORT.
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
    /// How long card and bank transactions stay Pending, in milliseconds.
    #[arg(long, value_name = "MS")]
    pub pending_delay_ms: Option<u64>,
    /// IPN URL of the caller taken from the environment.
    #[arg(long, value_name = "URL")]
    pub ipn_url: Option<String>,
}

fn config_from(args: &SandboxArgs) -> Result<SandboxConfig, String> {
    let mut config = match &args.config {
        Some(path) => SandboxConfig::from_json_file(path).map_err(|e| e.to_string())?,
        None => {
            let key = std::env::var(crate::cli::ACCESS_KEY_ENV)
                .ok()
                .filter(|k| !k.is_empty())
                .ok_or("no --config and no FPS_ACCESS_KEY_ID")?;
            let secret = std::env::var(crate::cli::SECRET_ENV)
                .ok()
                .and_then(|s| SecretKey::new(&s))
                .ok_or("no --config and no FPS_SECRET_KEY")?;
            let mut config = SandboxConfig::new(vec![CallerAccount {
                email: format!("{}@merchant.sandbox.test", key.to_lowercase()),
                access_key_id: key,
                secret,
                name: "Sandbox Merchant".into(),
                ipn_url: args.ipn_url.clone(),
                marketplace: false,
            }]);
            config.database = Some(PathBuf::from("fps-sandbox.sqlite"));
            config.listen = ([127, 0, 0, 1], 8090).into();
            config
        }
    };
    if let Some(listen) = &args.listen {
        config.listen = listen
            .parse()
            .map_err(|_| format!("--listen {listen:?} is not ADDR:PORT"))?;
    }
    if let Some(db) = &args.db {
        config.database = Some(db.clone());
    }
    if config.database.is_none() {
        config.database = Some(PathBuf::from("fps-sandbox.sqlite"));
    }
    if args.public_url.is_some() {
        config.public_url = args.public_url.clone();
    }
    if let Some(ms) = args.pending_delay_ms {
        config.pending_delay = Duration::from_millis(ms);
    }
    if let Some(token) = std::env::var(FAULT_TOKEN_ENV)
        .ok()
        .and_then(|t| SecretKey::new(&t))
    {
        config.fault_token = Some(token);
    }
    config.check().map_err(|e| e.to_string())?;
    Ok(config)
}

/// Runs the emulator until Ctrl-C; returns the line to print on a clean stop.
pub fn run(args: SandboxArgs) -> Result<String, String> {
    let config = config_from(&args)?;
    crate::service::init_logging("info");
    let runtime = crate::service::runtime().map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let running = super::start(config).await.map_err(|e| e.to_string())?;
        println!("FPS sandbox at {}", running.base_url());
        println!("  CBUI start URL: {}", running.cbui_url());
        println!("  Query API:      {}", running.api_url());
        println!("Test buyer: buyer@sandbox.test / sandbox. Ctrl-C stops.");
        tokio::signal::ctrl_c().await.map_err(|e| e.to_string())?;
        running.stop().await;
        Ok("FPS sandbox stopped".to_owned())
    })
}
