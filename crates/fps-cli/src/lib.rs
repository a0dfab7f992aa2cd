//! The native command line: `sign` (any Signature Version 2 GET URL), `cbui` (a typed CBUI
//! request), `install-tokens`, `webhook-replay`, and the long-running `sandbox`, `serve` and `demo`. Every setting
//! is a flag with an environment variable behind it; secrets come only from the environment or a
//! file, never from argv (`settings`). This is the only crate that reads the environment or uses
//! clap; the products it runs are the crates `fps-merchant` and `fps-sandbox`.

pub mod demo;
pub mod fps;
pub mod sandbox;
pub mod serve;
pub mod settings;
pub mod webhook;

use std::ffi::OsString;
use std::io::Write;

use clap::{Parser, Subcommand, ValueEnum};

use fps_core::canonical::{decode_query, reject_duplicates, HttpMethod, PlusIs};
use fps_core::params::{CbuiEndpoint, CbuiRequest, SignatureMethod};
use fps_core::{CoreError, Endpoint};
use fps_wire::signer::{SecretKey, Signed, Signer};

pub use fps::{FpsArgs, InstallTokensArgs, SecretFileArgs, ACCESS_KEY_ENV, SECRET_ENV};
pub use sandbox::SandboxArgs;
pub use serve::ServeArgs;
pub use settings::{args_from_env, ConfigError, Environment, FixedEnv, ProcessEnv};

/// Amazon FPS checkout tools: sign Signature Version 2 requests, build CBUI URLs.
#[derive(Debug, Parser)]
#[command(name = "fps-checkout", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign any Signature Version 2 GET URL (a CBUI start URL or a Query API call).
    ///
    /// The query is decoded (`+` reads as a space), any existing signature is dropped, the method
    /// comes from signatureMethod/SignatureMethod (default HmacSHA256), and the secret from
    /// FPS_SECRET_KEY or --secret-file.
    Sign {
        /// What to print.
        #[arg(long, value_enum, default_value_t = Print::Url)]
        print: Print,
        /// The secret key's file (or FPS_SECRET_KEY).
        #[command(flatten)]
        secret: SecretFileArgs,
        /// The URL to sign.
        url: String,
    },
    /// Build, validate and sign a typed CBUI request (callerKey from FPS_ACCESS_KEY_ID).
    Cbui {
        /// The pipeline: SingleUse, MultiUse, Recurring, Recipient, SetupPrepaid, SetupPostpaid, EditToken.
        #[arg(long, default_value = "SingleUse")]
        pipeline: String,
        /// `sandbox`, `production`, or a CBUI start URL (the local emulator) [default: sandbox].
        #[arg(long, env = "FPS_CBUI_ENDPOINT", hide_env_values = true, value_name = "URL")]
        endpoint: Option<String>,
        /// The access key id, sent as callerKey [required].
        #[arg(long, env = "FPS_ACCESS_KEY_ID", hide_env_values = true, value_name = "ID")]
        access_key_id: Option<String>,
        /// A request parameter, `name=value` (repeatable), e.g. `--param transactionAmount=0.90`.
        #[arg(long = "param", value_name = "NAME=VALUE")]
        params: Vec<String>,
        /// What to print.
        #[arg(long, value_enum, default_value_t = Print::Url)]
        print: Print,
        /// The secret key's file (or FPS_SECRET_KEY).
        #[command(flatten)]
        secret: SecretFileArgs,
    },
    /// Run the local FPS sandbox emulator (CBUI pages, Query API, IPN) on 127.0.0.1.
    Sandbox(SandboxArgs),
    /// Run the merchant backend (HTTP API: orders, /fps/sign, /fps/return, /fps/ipn, admin).
    Serve(ServeArgs),
    /// Run the whole checkout on this machine: the FPS sandbox and the example shop.
    Demo(crate::demo::DemoArgs),
    /// Make stored fulfilment webhook events due again (the running backends deliver them).
    WebhookReplay(crate::webhook::ReplayArgs),
    /// Install a caller token and a recipient token on the caller's own account
    /// (InstallPaymentInstruction) and print their ids.
    InstallTokens(InstallTokensArgs),
}

/// What a signing command prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Print {
    /// The signed URL.
    Url,
    /// The bare base64 signature.
    Signature,
    /// The exact string that was signed.
    StringToSign,
}

/// Why a command failed; every variant is bad input (exit status 2).
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A setting (the secret key, the access key id, ...) is missing or invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A `--param` that is not `name=value` or names a parameter set elsewhere.
    #[error("--param {0}")]
    BadParam(String),
    /// An unknown signature method.
    #[error("unknown signature method {0:?}: use HmacSHA256 or HmacSHA1")]
    UnknownMethod(String),
    /// The input failed validation.
    #[error(transparent)]
    Core(#[from] CoreError),
    /// The sandbox emulator's settings are unusable.
    #[error("sandbox: {0}")]
    SandboxSettings(#[from] sandbox::SandboxSettingsError),
    /// The sandbox emulator could not run.
    #[error("sandbox: {0}")]
    Sandbox(String),
    /// The demo could not start or stopped with an error.
    #[error("demo: {0}")]
    Demo(#[from] crate::demo::DemoError),
    /// The merchant backend could not start or stopped with an error.
    #[error(transparent)]
    Serve(#[from] fps_merchant::ServeError),
    /// `webhook-replay` failed.
    #[error(transparent)]
    Replay(#[from] crate::webhook::ReplayError),
    /// `install-tokens` failed.
    #[error(transparent)]
    InstallTokens(#[from] fps_wire::tokens::InstallTokensError),
}

/// Parses `args` and runs the command, writing the result to `out`. Returns the exit status.
/// Flags fall back to the process environment (clap's `env`); secrets are read from `env`.
pub fn main_with<I, T>(args: I, env: &dyn Environment, out: &mut dyn Write, err: &mut dyn Write) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = write!(err, "{}", e.render());
            return e.exit_code();
        }
    };
    match run(cli.command, env) {
        Ok(line) => {
            let _ = writeln!(out, "{line}");
            0
        }
        Err(e) => {
            let _ = writeln!(err, "fps-checkout: {e}");
            2
        }
    }
}

fn run(command: Command, env: &dyn Environment) -> Result<String, CliError> {
    match command {
        Command::Sign { print, secret, url } => {
            let secret = secret.load(env)?;
            Ok(render(print, &sign_url(&url, &secret)?))
        }
        Command::Cbui {
            pipeline,
            endpoint,
            access_key_id,
            params,
            print,
            secret,
        } => {
            let endpoint = CbuiEndpoint::parse(settings::given(&endpoint).unwrap_or("sandbox"))?;
            let caller_key = settings::given(&access_key_id)
                .ok_or_else(|| settings::bad(ACCESS_KEY_ENV, "not set: the AWS access key id (callerKey)"))?;
            let request = build_cbui(&pipeline, caller_key, &params)?;
            let secret = secret.load(env)?;
            Ok(render(
                print,
                &Signer::new(&secret).sign_cbui(&request, &endpoint),
            ))
        }
        Command::Demo(args) => Ok(crate::demo::run(&args)?),
        Command::Sandbox(args) => {
            // Logging first: the secret loader warns about a key file others can read.
            fps_wire::service::init_logging("info");
            let config = sandbox::sandbox_config(&args, env)?;
            fps_sandbox::command::run(config).map_err(CliError::Sandbox)
        }
        Command::Serve(args) => {
            fps_wire::service::init_logging("info");
            let config = serve::serve_config(&args, env)?;
            let webhook = args.webhook.config(env)?;
            fps_merchant::run(config, webhook)?;
            Ok("stopped".to_owned())
        }
        Command::WebhookReplay(args) => Ok(crate::webhook::run_replay(&args)?),
        Command::InstallTokens(args) => {
            let settings = args.fps.settings(env)?;
            Ok(fps_wire::tokens::run(&settings, &args.reference_prefix)?)
        }
    }
}

fn render(print: Print, signed: &Signed) -> String {
    match print {
        Print::Url => signed.url.clone(),
        Print::Signature => signed.signature.clone(),
        Print::StringToSign => signed.string_to_sign.to_string(),
    }
}

/// Signs any Signature Version 2 GET URL: decodes its query, drops an existing signature, takes
/// the method from `signatureMethod`/`SignatureMethod`.
pub fn sign_url(url: &str, secret: &SecretKey) -> Result<Signed, CliError> {
    let endpoint = Endpoint::parse(url)?;
    let pairs = decode_query(endpoint.query().unwrap_or(""), PlusIs::Space)?;
    reject_duplicates(&pairs)?;
    let get = |name: &str| pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str());
    let method = match (get("signatureMethod"), get("SignatureMethod")) {
        (Some(a), Some(b)) if a != b => return Err(CliError::UnknownMethod(format!("{a} / {b}"))),
        (Some(m), _) | (None, Some(m)) => SignatureMethod::from_wire(m)
            .ok_or_else(|| CliError::UnknownMethod(m.chars().take(64).collect()))?,
        (None, None) => SignatureMethod::HmacSha256,
    };
    let api_style = [
        "Signature",
        "SignatureMethod",
        "SignatureVersion",
        "AWSAccessKeyId",
        "Action",
    ]
    .iter()
    .any(|name| get(name).is_some());
    let signature_name = if api_style { "Signature" } else { "signature" };
    Ok(Signer::new(secret).sign_pairs(method, HttpMethod::Get, &endpoint, &pairs, signature_name))
}

/// Builds a typed CBUI request from `--param name=value` arguments.
pub fn build_cbui(pipeline: &str, caller_key: &str, params: &[String]) -> Result<CbuiRequest, CliError> {
    let mut pairs: Vec<(&str, &str)> = vec![("pipelineName", pipeline), ("callerKey", caller_key)];
    for param in params {
        let (name, value) = param
            .split_once('=')
            .ok_or_else(|| CliError::BadParam(format!("{param:?} must be name=value")))?;
        if name == "pipelineName" || name == "callerKey" {
            return Err(CliError::BadParam(format!(
                "{name} is set by --pipeline and {ACCESS_KEY_ENV}, not by --param"
            )));
        }
        pairs.push((name, value));
    }
    Ok(CbuiRequest::from_pairs(pairs)?)
}

/// Runs the `fps-checkout` command line on the process's arguments and environment and returns
/// its exit status.
pub fn run_cli() -> i32 {
    // Unlocked handles: `serve`, `sandbox` and `demo` log to standard error from worker threads
    // while this call runs, and a lock held here would block the first such line for ever (and
    // with it every request on that worker).
    main_with(
        std::env::args_os(),
        &ProcessEnv,
        &mut std::io::stdout(),
        &mut std::io::stderr(),
    )
}
