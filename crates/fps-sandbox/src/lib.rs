//! The local FPS sandbox emulator (`fps-checkout sandbox`): the Co-Branded UI pages, RSA-SHA1
//! signed returns, the Query API at `/` and IPN delivery, on 127.0.0.1 with SQLite state.
//!
//! # Endpoints (one listener)
//! - `GET /cobranded-ui/actions/start`: the CBUI start URL (then `POST .../signin`, `POST .../confirm`);
//!   a request address is shown, `collectShippingAddress=True` collects one and returns it.
//! - `GET /` or `POST /`: the Query API (`Action=...`), Signature Version 2.
//! - `GET /certs/090909/PKICert.pem`: the X.509 certificate of the key that signs returns and IPNs.
//! - `GET`/`POST /sandbox/faults`: the fault mode of the Query API ([`faults`]), only when a fault
//!   token is configured, and only with it as bearer token.
//! - `GET`/`POST /sandbox/clock`: the test clock ([`clock`]): reports or advances the emulated
//!   business time, with the same token.
//! - `GET`/`POST /sandbox/settlement`: when card and bank transactions complete ([`settlement`]):
//!   after the pending delay, in the answer, or after a test's own delay, with the same token.
//! - `GET /outbox`: the e-mails FPS would have sent senders (payments, failed settlements, refunds).
//! - `GET /favicon.ico`: the emulator's icon (cacheable for a day), so no page leaves a 404.
//! - `GET /account` (and `POST /account/...`): the account pages ([`account`]): every sandbox
//!   account signs in to see its balance, transactions and tokens, and cancels payments and tokens.
//!
//! # Test accounts
//! Every sandbox account's password is `sandbox`.
//!
//! | e-mail | on the CBUI pages |
//! |---|---|
//! | `buyer@sandbox.test` | a normal buyer: balance (ABT), bank (ACH) and card (CC); returns `SA`/`SB`/`SC` |
//! | `balance-only@sandbox.test` | only a balance: a request that does not allow ABT (or asks `reserve=True`) returns `PE` |
//! | `system-error@sandbox.test` | returns `SE` |
//! | `unverified@sandbox.test` | returns `NP` (e-mail not verified) |
//! | `not-marketplace@sandbox.test` | returns `NM` |
//! | the caller's own e-mail | returns `NP` (sender = recipient) in sender pipelines |
//! | a configured recipient's e-mail | may install a recipient token (Recipient pipeline, `SR`), or pay |
//!
//! `A` is returned by the Cancel buttons; `CE` (with `errorMessage`) for any invalid parameter of
//! a correctly signed request. A request whose signature, `callerKey` or `returnURL` cannot be
//! trusted gets an error page instead of a return. SetupPrepaid and SetupPostpaid install
//! their two sender tokens and record the instrument, which FundPrepaid funds and SettleDebt and
//! WriteOffDebt pay down ([`ledger::instruments`]).
//!
//! # Money
//! - Decline amounts: an amount whose first decimal digit is 6 (`0.60`, `2.61`, `100.6`) makes a
//!   Pay or Reserve, or a Settle of that amount, end in `Failure` (StatusCode `PaymentFailed`).
//! - ABT payments and their refunds are final at once; card and bank ones stay `Pending` for the
//!   configured delay, then become `Success` (`Reserved` for a reserve) or `Failure`.
//! - Sender tokens of `fps-protocol.md` section 8 (`E3FR7...`, `H216U...`, `Z1LGR...`) give
//!   `InvalidAccountState_Sender`; the recipient ones (`C4LGS...`, `R3VK4...`, `P1LL7...`)
//!   `InvalidAccountState_Recipient`.
//! - Settle once, at most the reserve; refund only completed (settled) money, cumulatively at
//!   most what was charged; cancel only `Pending` or `Reserved`; an identical resend of a money or
//!   token action within 7 days gets the earlier answer whatever its Timestamp's age
//!   ([`api::replay`]); a changed request under a used `CallerReference` is `DuplicateRequest`.
//! - Business time runs on a per-emulator test clock ([`clock`]); signature skew on the real one.
//! - A reserve not settled within the reserve validity (7 days by default) is cancelled with
//!   StatusCode `Expired`.
//! - Fees: FPS's fee schedule and the marketplace's fees split each payment; balances per account
//!   move when a transaction succeeds (see [`ledger::fees`] and [`ledger::postings`]).

pub mod account;
pub mod api;
pub mod cbui;
pub mod clock;
pub mod command;
pub mod config;
pub mod error;
pub mod faults;
pub mod ids;
pub mod instruction;
pub mod ipn;
pub mod landing_signer;
pub mod ledger;
pub mod outbox;
pub mod settlement;
pub mod sigv2;
pub mod state;
pub mod store;
pub mod xml;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

pub use config::{CallerAccount, ConfigError, RecipientAccount, SandboxConfig, SecondKey};
pub use state::SandboxState;

use landing_signer::{KeyError, LandingSigner, CERTIFICATE_PATH};
use store::{Store, StoreError};

/// Largest request body accepted (forms and Query API posts are small).
const MAX_BODY: usize = 64 * 1024;

/// Why the emulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The configuration is unusable.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The signing key failed.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The listener could not be bound.
    #[error("cannot listen on {addr}: {reason}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        reason: String,
    },
}

/// A running emulator.
#[derive(Debug)]
pub struct RunningSandbox {
    /// The address it listens on.
    pub addr: SocketAddr,
    /// Its shared state.
    pub state: Arc<SandboxState>,
    stop: Arc<Notify>,
    tasks: Vec<JoinHandle<()>>,
}

impl RunningSandbox {
    /// `http://127.0.0.1:port` (or the configured public URL).
    pub fn base_url(&self) -> &str {
        &self.state.public_url
    }

    /// The CBUI start URL.
    pub fn cbui_url(&self) -> String {
        format!("{}{}", self.state.public_url, cbui::START_PATH)
    }

    /// The Query API endpoint (`.../`).
    pub fn api_url(&self) -> String {
        format!("{}/", self.state.public_url)
    }

    /// Moves the emulator's test clock `by` forward (at most 400 days a call; whole
    /// milliseconds), then completes what became due (pending transactions, reserves past their
    /// validity) before returning, and wakes IPN delivery. The Timestamp skew of signed requests
    /// still uses the real clock.
    pub async fn advance_clock(&self, by: std::time::Duration) -> Result<(), clock::AdvanceError> {
        let by_ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.state.advance_clock(by_ms).await.map(|_| ())
    }

    /// Stops serving and the background workers, and waits for them.
    pub async fn stop(self) {
        self.stop.notify_waiters();
        for task in self.tasks {
            task.abort();
            let _ = task.await;
        }
    }
}

/// The HTTP routes over a state.
pub fn router(state: Arc<SandboxState>) -> Router {
    Router::new()
        .route("/", get(api::handle).post(api::handle))
        .route(cbui::START_PATH, get(cbui::start))
        .route("/cobranded-ui/actions/signin", post(cbui::sign_in))
        .route("/cobranded-ui/actions/confirm", post(cbui::confirm))
        .route(CERTIFICATE_PATH, get(certificate))
        .route(faults::FAULTS_PATH, get(faults::switch).post(faults::switch))
        .route(clock::CLOCK_PATH, get(clock::switch).post(clock::switch))
        .route(
            settlement::SETTLEMENT_PATH,
            get(settlement::switch).post(settlement::switch),
        )
        .route("/outbox", get(outbox::page))
        .route(FAVICON_PATH, get(favicon))
        .route(account::ACCOUNT_PATH, get(account::page))
        .route("/account/signin", post(account::sign_in))
        .route("/account/signout", post(account::sign_out))
        .route("/account/cancel-payment", post(account::cancel_payment))
        .route("/account/cancel-token", post(account::cancel_token))
        .layer(RequestBodyLimitLayer::new(MAX_BODY))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Path of the emulator's icon, which browsers ask for on every page.
pub const FAVICON_PATH: &str = "/favicon.ico";

/// The icon (16x16, 32-bit ICO): without it every page leaves a 404 in the browser's console.
const FAVICON: &[u8] = include_bytes!("favicon.ico");

async fn favicon() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/x-icon"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        FAVICON,
    )
}

async fn certificate(State(state): State<Arc<SandboxState>>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/x-pem-file")],
        state.signer.certificate_pem().to_owned(),
    )
}

/// Opens the state, binds the listener and starts serving and the workers.
pub async fn start(config: SandboxConfig) -> Result<RunningSandbox, SandboxError> {
    config.check()?;
    let store = Store::open(config.database.as_deref()).await?;
    let signer = LandingSigner::load_or_create(&store).await?;
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|e| SandboxError::Bind {
            addr: config.listen,
            reason: e.to_string(),
        })?;
    let addr = listener.local_addr().map_err(|e| SandboxError::Bind {
        addr: config.listen,
        reason: e.to_string(),
    })?;
    let public_url = config
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{addr}"))
        .trim_end_matches('/')
        .to_owned();
    let http = SandboxState::ipn_client(config.ipn.timeout);
    let state = Arc::new(SandboxState {
        config,
        store,
        signer,
        public_url,
        write_lock: tokio::sync::Mutex::new(()),
        replay_lock: tokio::sync::Mutex::new(()),
        wake_ledger: Notify::new(),
        wake_ipn: Notify::new(),
        http,
        faults: faults::FaultSwitch::default(),
        settlement: settlement::SettlementSwitch::default(),
    });
    let stop = Arc::new(Notify::new());
    let app = router(state.clone());
    let stopped = stop.clone();
    let server = tokio::spawn(async move {
        let shutdown = async move { stopped.notified().await };
        if let Err(e) = axum::serve(listener, app).with_graceful_shutdown(shutdown).await {
            tracing::error!(error = %e, "sandbox server failed");
        }
    });
    let ledger = tokio::spawn(ipn::run_ledger(state.clone()));
    let delivery = tokio::spawn(ipn::run_delivery(state.clone()));
    tracing::info!(%addr, "FPS sandbox listening");
    Ok(RunningSandbox {
        addr,
        state,
        stop,
        tasks: vec![server, ledger, delivery],
    })
}
