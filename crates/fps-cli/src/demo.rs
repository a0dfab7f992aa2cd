//! `fps-checkout demo`: the whole checkout on one machine. Starts the FPS sandbox emulator and
//! the example shop (the merchant backend's API plus `www/` and the wasm package, one origin)
//! on 127.0.0.1 with development keys, prints the shop's URL, and stops everything on Ctrl-C.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, HeaderValue};
use axum::routing::get;
use axum::{Json, Router};
use rand::distributions::{Alphanumeric, DistString};
use rand::Rng;
use serde::{Deserialize, Serialize};
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use fps_core::params::{CallerKey, CbuiEndpoint};
use fps_core::Endpoint;
use fps_merchant::config::Descriptions;
use fps_merchant::server::{routes, with_layers, ApiService};
use fps_merchant::{AppState, Config};
use fps_sandbox::{CallerAccount, SandboxConfig};
use fps_wire::private_files::{create_private_dir, create_private_file, sqlite_files, tighten_file};
use fps_wire::signer::SecretKey;

/// The Content-Security-Policy the shop's pages are served with: the strictest the module needs.
pub const SHOP_CSP: &str =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// How long each part of the demo may take to stop after Ctrl-C.
const STOP_GRACE: Duration = Duration::from_secs(2);

/// The path of the shop's thank-you page (the only return URL the backend signs for).
pub const THANK_YOU_PATH: &str = "/thank-you.html";

/// Options of `fps-checkout demo`; each falls back to the environment variable shown in `--help`.
/// clap parses them to their types (a bad value is clap's usage error): the demo has no secrets
/// among its arguments and runs on this machine only.
#[derive(Debug, Clone, clap::Args)]
pub struct DemoArgs {
    /// Where the shop (pages, wasm package and backend API) listens; port 0 picks a free one.
    #[arg(
        long,
        env = "FPS_DEMO_SHOP",
        hide_env_values = true,
        default_value = "127.0.0.1:8000",
        value_name = "ADDR:PORT"
    )]
    pub shop: SocketAddr,
    /// Where the FPS sandbox emulator listens; port 0 picks a free one.
    #[arg(
        long,
        env = "FPS_DEMO_SANDBOX",
        hide_env_values = true,
        default_value = "127.0.0.1:8090",
        value_name = "ADDR:PORT"
    )]
    pub sandbox: SocketAddr,
    /// Folder for the demo's state: both SQLite databases and the development keys.
    #[arg(
        long,
        env = "FPS_DEMO_DIR",
        hide_env_values = true,
        default_value = "fps-demo",
        value_name = "DIR"
    )]
    pub dir: PathBuf,
    /// The example shop's pages.
    #[arg(
        long,
        env = "FPS_DEMO_WWW",
        hide_env_values = true,
        default_value = "www",
        value_name = "DIR"
    )]
    pub www: PathBuf,
    /// The built wasm package (`scripts/pkg`).
    #[arg(
        long,
        env = "FPS_DEMO_PKG",
        hide_env_values = true,
        default_value = "pkg",
        value_name = "DIR"
    )]
    pub pkg: PathBuf,
    /// How long card payments stay Pending in the emulator, in milliseconds.
    #[arg(
        long,
        env = "FPS_DEMO_PENDING_DELAY_MS",
        hide_env_values = true,
        default_value_t = 1500,
        value_name = "MS"
    )]
    pub pending_delay_ms: u64,
    /// Write the URLs and the admin token as JSON to this file once everything listens (for
    /// scripts and tests).
    #[arg(
        long,
        env = "FPS_DEMO_READY_FILE",
        hide_env_values = true,
        value_name = "PATH"
    )]
    pub ready_file: Option<PathBuf>,
    /// `SenderDescription` of the shop's Pay and Reserve (the buyer's account shows it).
    #[arg(
        long,
        env = "FPS_SENDER_DESCRIPTION",
        hide_env_values = true,
        default_value = "Trailhead Supply order",
        value_name = "TEXT"
    )]
    pub sender_description: String,
    /// `CallerDescription` of the shop's Pay and Reserve [default: the order's description].
    #[arg(
        long,
        env = "FPS_CALLER_DESCRIPTION",
        hide_env_values = true,
        value_name = "TEXT"
    )]
    pub caller_description: Option<String>,
}

/// Why the demo could not run.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// Only loopback addresses are served.
    #[error("{0} is not a loopback address: the demo serves 127.0.0.1 only")]
    NotLoopback(SocketAddr),
    /// A folder the demo needs is missing.
    #[error("{path} not found: {hint}")]
    Missing {
        /// The path.
        path: String,
        /// What to do.
        hint: &'static str,
    },
    /// Files or sockets failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The error.
        source: std::io::Error,
    },
    /// The emulator failed to start.
    #[error("sandbox: {0}")]
    Sandbox(String),
    /// The backend failed to start.
    #[error("backend: {0}")]
    Backend(String),
}

fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> DemoError {
    let context = context.into();
    move |source| DemoError::Io { context, source }
}

/// Development keys, generated on first run and kept in the demo folder (mode 0600) so that a
/// restart keeps talking to the same emulator account.
#[derive(Serialize, Deserialize)]
struct DevKeys {
    access_key_id: String,
    secret_key: String,
    admin_token: String,
}

impl DevKeys {
    fn generate() -> Self {
        let mut rng = rand::thread_rng();
        let upper: String = (0..16)
            .map(|_| char::from(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[rng.gen_range(0..32)]))
            .collect();
        DevKeys {
            access_key_id: format!("AKIA{upper}"),
            secret_key: Alphanumeric.sample_string(&mut rng, 40),
            admin_token: Alphanumeric.sample_string(&mut rng, 32),
        }
    }

    fn load_or_create(path: &Path) -> Result<Self, DemoError> {
        if let Ok(text) = std::fs::read_to_string(path) {
            if let Ok(keys) = serde_json::from_str(&text) {
                // Written by an older version, or copied in, with a wider mode.
                tighten_file(path).map_err(io(format!("restricting {}", path.display())))?;
                return Ok(keys);
            }
        }
        let keys = DevKeys::generate();
        let text = serde_json::to_string_pretty(&keys).unwrap_or_default();
        write_private(path, &text).map_err(io(format!("writing {}", path.display())))?;
        Ok(keys)
    }
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(text.as_bytes())?;
    // The mode above applies only to a file this call creates.
    tighten_file(path)
}

/// What the shop's pages read from `/config.json`: public values only.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct ShopConfig {
    caller_key: String,
    environment: String,
    sign_endpoint: &'static str,
    verify_endpoint: &'static str,
    return_url: String,
}

/// The sandbox account of the demo's marketplace seller (password `sandbox`).
pub const DEMO_SELLER_EMAIL: &str = "potter@sandbox.test";

/// What `--ready-file` receives.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DemoInfo {
    /// The shop's home page.
    pub shop_url: String,
    /// The admin page (the token rides in the fragment, which never reaches a server).
    pub admin_url: String,
    /// The emulator's base URL.
    pub sandbox_url: String,
    /// The admin bearer token.
    pub admin_token: String,
}

/// A running demo.
pub struct RunningDemo {
    /// URLs and the admin token.
    pub info: DemoInfo,
    sandbox: SandboxThread,
    stop: Arc<Notify>,
    shop: tokio::task::JoinHandle<Result<(), fps_merchant::ServeError>>,
}

impl RunningDemo {
    /// Stops the shop and the emulator and waits for both.
    /// Each part gets [`STOP_GRACE`] to finish what it is doing (open connections, queued
    /// notifications); the process then exits and takes whatever is left with it.
    pub async fn stop(self) {
        self.stop.notify_waiters();
        let _ = tokio::time::timeout(STOP_GRACE, self.shop).await;
        let _ = tokio::time::timeout(STOP_GRACE, self.sandbox.stop()).await;
    }
}

/// The emulator on a thread and runtime of its own, as FPS is a service of its own: a stall in
/// the shop can never hold up the emulator's answers, and the other way round.
struct SandboxThread {
    base_url: String,
    cbui_url: String,
    api_url: String,
    stop: tokio::sync::oneshot::Sender<()>,
    thread: std::thread::JoinHandle<()>,
}

impl SandboxThread {
    async fn spawn(config: SandboxConfig) -> Result<Self, DemoError> {
        let (ready_tx, ready_rx) = tokio::sync::oneshot::channel::<Result<[String; 3], String>>();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = match fps_wire::service::runtime() {
                Ok(runtime) => runtime,
                Err(e) => {
                    let _ = ready_tx.send(Err(e.to_string()));
                    return;
                }
            };
            runtime.block_on(async move {
                match fps_sandbox::start(config).await {
                    Ok(running) => {
                        let urls = [
                            running.base_url().to_owned(),
                            running.cbui_url(),
                            running.api_url(),
                        ];
                        let _ = ready_tx.send(Ok(urls));
                        let _ = stopped.await;
                        running.stop().await;
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e.to_string()));
                    }
                }
            });
        });
        let [base_url, cbui_url, api_url] = ready_rx
            .await
            .map_err(|_| DemoError::Sandbox("the emulator thread ended".into()))?
            .map_err(DemoError::Sandbox)?;
        Ok(SandboxThread {
            base_url,
            cbui_url,
            api_url,
            stop,
            thread,
        })
    }

    async fn stop(self) {
        let _ = self.stop.send(());
        let _ = tokio::task::spawn_blocking(move || self.thread.join()).await;
    }
}

fn require_dir(path: &Path, hint: &'static str) -> Result<(), DemoError> {
    if path.is_dir() {
        Ok(())
    } else {
        Err(DemoError::Missing {
            path: path.display().to_string(),
            hint,
        })
    }
}

/// Starts the emulator and the shop; returns once both listen.
pub async fn start(args: &DemoArgs) -> Result<RunningDemo, DemoError> {
    for addr in [args.shop, args.sandbox] {
        if !addr.ip().is_loopback() {
            return Err(DemoError::NotLoopback(addr));
        }
    }
    require_dir(&args.www, "run the demo from the repository root, or pass --www")?;
    require_dir(
        &args.pkg,
        "build the wasm package first: ./scripts/pkg (./scripts/demo does it)",
    )?;
    // Owner-only: the folder holds the development keys and both databases (the emulator's holds
    // its RSA signing key).
    create_private_dir(&args.dir).map_err(io(format!("creating {}", args.dir.display())))?;
    let shop_db = args.dir.join("shop.sqlite");
    create_private_file(&shop_db).map_err(io(format!("creating {}", shop_db.display())))?;
    let keys = DevKeys::load_or_create(&args.dir.join("dev-keys.json"))?;
    let secret = SecretKey::new(&keys.secret_key).ok_or_else(|| DemoError::Backend("empty secret".into()))?;
    let admin_token =
        SecretKey::new(&keys.admin_token).ok_or_else(|| DemoError::Backend("empty admin token".into()))?;

    let shop_listener = TcpListener::bind(args.shop)
        .await
        .map_err(io(format!("listening on {}", args.shop)))?;
    let shop_addr = shop_listener
        .local_addr()
        .map_err(io("reading the shop's address"))?;
    let shop_url = format!("http://{shop_addr}");
    let return_url = format!("{shop_url}{THANK_YOU_PATH}");
    let ipn_url = format!("{shop_url}/fps/ipn");

    let mut sandbox_config = SandboxConfig::new(vec![CallerAccount {
        access_key_id: keys.access_key_id.clone(),
        secret: secret.clone(),
        name: "Trailhead Supply".into(),
        email: "payments@trailhead.sandbox.test".into(),
        ipn_url: Some(ipn_url.clone()),
        // The shop is also a marketplace: the potter sells through it (www/catalog.json).
        marketplace: true,
    }]);
    sandbox_config.recipients = vec![fps_sandbox::RecipientAccount {
        name: "Riverbend Pottery".into(),
        email: DEMO_SELLER_EMAIL.into(),
    }];
    sandbox_config.listen = args.sandbox;
    sandbox_config.database = Some(args.dir.join("fps-sandbox.sqlite"));
    sandbox_config.pending_delay = Duration::from_millis(args.pending_delay_ms);
    let sandbox = SandboxThread::spawn(sandbox_config).await?;

    let backend_error = |e: fps_core::CoreError| DemoError::Backend(e.to_string());
    let config = Config {
        listen: shop_addr,
        database_url: shop_db.display().to_string(),
        catalog: args.www.join("catalog.json"),
        fps_endpoint: Endpoint::parse_without_query(&sandbox.api_url).map_err(backend_error)?,
        cbui_endpoint: CbuiEndpoint::custom(&sandbox.cbui_url).map_err(backend_error)?,
        return_urls: vec![Endpoint::parse(&return_url).map_err(backend_error)?],
        ipn_url: Endpoint::parse(&ipn_url).map_err(backend_error)?,
        cors_origins: Vec::new(),
        access_key_id: CallerKey::new(&keys.access_key_id).map_err(backend_error)?,
        secret,
        admin_token,
        fps_timeout: Duration::from_secs(10),
        max_in_flight: fps_merchant::config::DEFAULT_MAX_IN_FLIGHT,
        reconcile_interval: Some(fps_merchant::config::DEFAULT_RECONCILE_INTERVAL),
        descriptions: Descriptions::new(Some(&args.sender_description), args.caller_description.as_deref())
            .map_err(|(which, why)| DemoError::Backend(format!("{which} {why}")))?,
    };
    let state = AppState::new(config)
        .await
        .map_err(|e| DemoError::Backend(e.to_string()))?;
    for file in sqlite_files(&shop_db) {
        tighten_file(&file).map_err(io(format!("restricting {}", file.display())))?;
    }
    let shop_config = ShopConfig {
        caller_key: keys.access_key_id.clone(),
        environment: sandbox.cbui_url.clone(),
        sign_endpoint: "/fps/sign",
        verify_endpoint: "/fps/return",
        return_url,
    };
    let reconciler = fps_merchant::server::spawn_reconciler(&state);
    let app = shop_router(state, shop_config, &args.www, &args.pkg);
    let stop = Arc::new(Notify::new());
    let stopped = stop.clone();
    let shop = tokio::spawn(async move {
        let served =
            fps_merchant::server::serve_service(app, shop_listener, async move { stopped.notified().await })
                .await;
        if let Some((stop, task)) = reconciler {
            let _ = stop.send(());
            let _ = task.await;
        }
        served
    });
    let info = DemoInfo {
        admin_url: format!("{shop_url}/admin.html#token={}", keys.admin_token),
        shop_url: format!("{shop_url}/"),
        sandbox_url: sandbox.base_url.clone(),
        admin_token: keys.admin_token,
    };
    Ok(RunningDemo {
        info,
        sandbox,
        stop,
        shop,
    })
}

/// The shop's one origin: the backend's API, `/config.json`, the wasm package under `/pkg`, and
/// the pages of `www/` (served with [`SHOP_CSP`]).
fn shop_router(state: AppState, config: ShopConfig, www: &Path, pkg: &Path) -> ApiService {
    let csp = SetResponseHeaderLayer::overriding(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(SHOP_CSP),
    );
    let static_files = Router::new()
        .route("/config.json", get(move || async move { Json(config.clone()) }))
        .nest_service("/pkg", ServeDir::new(pkg))
        .fallback_service(ServeDir::new(www))
        .layer(csp)
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ));
    let backend = state.config.clone();
    with_layers(routes(state).fallback_service(static_files), &backend)
}

/// Runs the demo until Ctrl-C; returns the line to print on a clean stop.
pub fn run(args: &DemoArgs) -> Result<String, DemoError> {
    fps_wire::service::init_logging("warn");
    let runtime = fps_wire::service::runtime().map_err(io("starting the runtime"))?;
    let outcome = runtime.block_on(async {
        let demo = start(args).await?;
        let info = &demo.info;
        println!("fps-checkout demo is running on this machine only.");
        println!();
        println!("  Shop:     {}", info.shop_url);
        println!("  Admin:    {}", info.admin_url);
        println!(
            "  Sandbox:  {} (FPS emulator; test buyer buyer@sandbox.test / sandbox)",
            info.sandbox_url
        );
        println!();
        println!("Open the shop, buy something, sign in on the sandbox page and confirm. Ctrl-C stops.");
        if let Some(path) = &args.ready_file {
            let text = serde_json::to_string_pretty(info).unwrap_or_default();
            write_private(path, &text).map_err(io(format!("writing {}", path.display())))?;
        }
        tokio::signal::ctrl_c().await.map_err(io("waiting for Ctrl-C"))?;
        demo.stop().await;
        Ok("demo stopped".to_owned())
    });
    // Do not wait on anything still running (a blocking join, a lingering connection).
    runtime.shutdown_timeout(STOP_GRACE);
    outcome
}
