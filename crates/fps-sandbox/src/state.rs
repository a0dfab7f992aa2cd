//! The emulator's shared state: configuration, store, signing key, the write lock that keeps
//! the money rules atomic, and the wake-ups of the background workers.

use std::time::Duration;

use tokio::sync::{Mutex, Notify};

use super::config::{CallerAccount, SandboxConfig};
use super::faults::FaultSwitch;
use super::landing_signer::{LandingSigner, CERTIFICATE_PATH};
use super::settlement::{Settlement, SettlementSwitch};
use super::store::Store;

/// Everything the handlers and workers share.
#[derive(Debug)]
pub struct SandboxState {
    /// The configuration.
    pub config: SandboxConfig,
    /// The database.
    pub store: Store,
    /// The RSA key of returns and IPNs.
    pub signer: LandingSigner,
    /// `http://host:port` clients reach the emulator at, without a trailing slash.
    pub public_url: String,
    /// Held by every action that changes money or tokens, and by the workers.
    pub write_lock: Mutex<()>,
    /// Held from the look-up of a request's record to the recording of its answer (taken
    /// before `write_lock`), so two identical resends at once give one answer, applied once.
    pub replay_lock: Mutex<()>,
    /// Wakes the worker that completes pending transactions.
    pub wake_ledger: Notify,
    /// Wakes the IPN delivery worker.
    pub wake_ipn: Notify,
    /// The HTTP client of IPN delivery.
    pub http: reqwest::Client,
    /// The fault in force on the Query API (`POST /sandbox/faults`).
    pub faults: FaultSwitch,
    /// When card and bank transactions complete (`POST /sandbox/settlement`).
    pub settlement: SettlementSwitch,
}

impl SandboxState {
    /// The URL of the certificate that checks the emulator's signatures.
    pub fn certificate_url(&self) -> String {
        format!("{}{CERTIFICATE_PATH}", self.public_url)
    }

    /// The caller with this access key id.
    pub fn caller(&self, access_key_id: &str) -> Option<&CallerAccount> {
        self.config.caller(access_key_id)
    }

    /// Business time now (the test clock), in Unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        self.store.now_ms()
    }

    /// The pending delay in milliseconds: the configured one, or the settlement switch's.
    pub fn pending_delay_ms(&self) -> i64 {
        let delay = match self.settlement.current() {
            Settlement::Pending { delay_ms } => u128::from(delay_ms),
            Settlement::Configured | Settlement::Instant => self.config.pending_delay.as_millis(),
        };
        i64::try_from(delay).unwrap_or(i64::MAX)
    }

    /// Whether card and bank transactions complete in the answer (the settlement switch).
    pub fn settles_instantly(&self) -> bool {
        self.settlement.current() == Settlement::Instant
    }

    /// Builds the IPN HTTP client (no redirects: a notification goes exactly where configured).
    pub fn ipn_client(timeout: Duration) -> reqwest::Client {
        reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default()
    }
}
