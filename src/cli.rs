//! The native command line: `sign` (any Signature Version 2 GET URL), `cbui` (a typed CBUI
//! request), `install-tokens`, and the long-running `sandbox`, `serve` and `demo`. Secrets come
//! only from the environment or a file, never from argv.

use std::ffi::OsString;
use std::io::{Read as _, Write};
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::core::canonical::{decode_query, reject_duplicates, HttpMethod, PlusIs};
use crate::core::params::{CbuiEndpoint, CbuiRequest, SignatureMethod};
use crate::core::{CoreError, Endpoint};
use crate::signer::{SecretKey, Signed, Signer};

/// Environment variable holding the secret access key.
pub const SECRET_ENV: &str = "FPS_SECRET_KEY";
/// Environment variable holding the access key id (`callerKey`).
pub const ACCESS_KEY_ENV: &str = "FPS_ACCESS_KEY_ID";
/// Largest secret file read.
const MAX_SECRET_FILE: u64 = 4096;

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
        /// Read the secret key from this file instead of FPS_SECRET_KEY.
        #[arg(long, value_name = "PATH")]
        secret_file: Option<PathBuf>,
        /// The URL to sign.
        url: String,
    },
    /// Build, validate and sign a typed CBUI request (callerKey from FPS_ACCESS_KEY_ID).
    Cbui {
        /// The pipeline: SingleUse, MultiUse, Recurring, Recipient, SetupPrepaid, SetupPostpaid, EditToken.
        #[arg(long, default_value = "SingleUse")]
        pipeline: String,
        /// `sandbox`, `production`, or a CBUI start URL (the local emulator).
        #[arg(long, default_value = "sandbox")]
        endpoint: String,
        /// A request parameter, `name=value` (repeatable), e.g. `--param transactionAmount=0.90`.
        #[arg(long = "param", value_name = "NAME=VALUE")]
        params: Vec<String>,
        /// What to print.
        #[arg(long, value_enum, default_value_t = Print::Url)]
        print: Print,
        /// Read the secret key from this file instead of FPS_SECRET_KEY.
        #[arg(long, value_name = "PATH")]
        secret_file: Option<PathBuf>,
    },
    /// Run the local FPS sandbox emulator (CBUI pages, Query API, IPN) on 127.0.0.1.
    Sandbox(crate::sandbox::command::SandboxArgs),
    /// Run the merchant backend (HTTP API: orders, /fps/sign, /fps/return, /fps/ipn, admin).
    Serve(crate::merchant::ServeArgs),
    /// Run the whole checkout on this machine: the FPS sandbox and the example shop.
    Demo(crate::demo::DemoArgs),
    /// Install a caller token and a recipient token on the caller's own account
    /// (InstallPaymentInstruction) and print their ids.
    InstallTokens(crate::fps::tokens::InstallTokensArgs),
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
    /// No secret was configured.
    #[error("no secret key: set {SECRET_ENV} or pass --secret-file PATH")]
    NoSecret,
    /// The secret file could not be read.
    #[error("cannot read secret file {path}: {reason}")]
    SecretFile {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// No access key id was configured.
    #[error("no access key id: set {ACCESS_KEY_ENV}")]
    NoAccessKey,
    /// A `--param` that is not `name=value` or names a parameter set elsewhere.
    #[error("--param {0}")]
    BadParam(String),
    /// An unknown signature method.
    #[error("unknown signature method {0:?}: use HmacSHA256 or HmacSHA1")]
    UnknownMethod(String),
    /// The input failed validation.
    #[error(transparent)]
    Core(#[from] CoreError),
    /// The sandbox emulator could not run.
    #[error("sandbox: {0}")]
    Sandbox(String),
    /// The demo could not start or stopped with an error.
    #[error("demo: {0}")]
    Demo(#[from] crate::demo::DemoError),
    /// The merchant backend could not start or stopped with an error.
    #[error(transparent)]
    Serve(#[from] crate::merchant::ServeError),
    /// `install-tokens` failed.
    #[error(transparent)]
    InstallTokens(#[from] crate::fps::tokens::InstallTokensError),
}

/// Where the command reads its environment from (injected for tests).
pub trait Environment {
    /// A variable's value, if set and valid UTF-8.
    fn var(&self, name: &str) -> Option<String>;
}

/// The process environment.
pub struct ProcessEnv;

impl Environment for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }
}

/// Parses `args` and runs the command, writing the result to `out`. Returns the exit status.
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
        Command::Sign {
            print,
            secret_file,
            url,
        } => {
            let secret = load_secret(secret_file.as_deref(), env)?;
            Ok(render(print, &sign_url(&url, &secret)?))
        }
        Command::Cbui {
            pipeline,
            endpoint,
            params,
            print,
            secret_file,
        } => {
            let endpoint = CbuiEndpoint::parse(&endpoint)?;
            let caller_key = env
                .var(ACCESS_KEY_ENV)
                .filter(|k| !k.is_empty())
                .ok_or(CliError::NoAccessKey)?;
            let request = build_cbui(&pipeline, &caller_key, &params)?;
            let secret = load_secret(secret_file.as_deref(), env)?;
            Ok(render(
                print,
                &Signer::new(&secret).sign_cbui(&request, &endpoint),
            ))
        }
        Command::Demo(args) => Ok(crate::demo::run(&args)?),
        Command::Sandbox(args) => crate::sandbox::command::run(args).map_err(CliError::Sandbox),
        Command::Serve(args) => Ok(crate::merchant::run(&args, env).map(|()| "stopped".to_owned())?),
        Command::InstallTokens(args) => Ok(crate::fps::tokens::run(&args, env)?),
    }
}

fn render(print: Print, signed: &Signed) -> String {
    match print {
        Print::Url => signed.url.clone(),
        Print::Signature => signed.signature.clone(),
        Print::StringToSign => signed.string_to_sign.to_string(),
    }
}

fn load_secret(file: Option<&std::path::Path>, env: &dyn Environment) -> Result<SecretKey, CliError> {
    let text = match file {
        Some(path) => {
            let fail = |reason: String| CliError::SecretFile {
                path: path.display().to_string(),
                reason,
            };
            let mut text = String::new();
            std::fs::File::open(path)
                .and_then(|f| f.take(MAX_SECRET_FILE).read_to_string(&mut text))
                .map_err(|e| fail(e.to_string()))?;
            text
        }
        None => env.var(SECRET_ENV).unwrap_or_default(),
    };
    SecretKey::new(&text).ok_or(CliError::NoSecret)
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
