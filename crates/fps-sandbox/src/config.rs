//! The emulator's configuration: caller accounts (access key id + secret), recipient accounts,
//! the built-in test senders, timings. Read from a JSON file or from the environment.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use fps_wire::signer::SecretKey;

/// Password of every built-in test sender (a sandbox: the sign-in only picks the account).
pub const TEST_SENDER_PASSWORD: &str = "sandbox";

/// A developer account that signs CBUI requests and Query API calls.
#[derive(Debug, Clone)]
pub struct CallerAccount {
    /// The access key id (`callerKey`, `AWSAccessKeyId`).
    pub access_key_id: String,
    /// The secret access key.
    pub secret: SecretKey,
    /// The business name shown on the CBUI pages and in IPNs as recipient.
    pub name: String,
    /// The account's e-mail (the default recipient of its payments).
    pub email: String,
    /// Where IPNs go unless a call sets `OverrideIPNURL`.
    pub ipn_url: Option<String>,
    /// Whether the account may run marketplace payments (a `RecipientTokenId` other than its own).
    pub marketplace: bool,
}

/// A caller's second access key (seed 003: "a second set of credentials"). While a merchant
/// rotates its key both sign for the same account: tokens, transactions and idempotency records
/// stay the account's, whichever key made them.
#[derive(Debug, Clone)]
pub struct SecondKey {
    /// The account's first access key id ([`CallerAccount::access_key_id`]), which names it.
    pub caller: String,
    /// The second access key id.
    pub access_key_id: String,
    /// Its secret access key.
    pub secret: SecretKey,
}

/// A seller account that can install a recipient token through the Recipient pipeline.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct RecipientAccount {
    /// Display name.
    pub name: String,
    /// Sign-in e-mail on the CBUI pages.
    pub email: String,
}

/// What signing in as a test sender does on the CBUI pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SenderBehaviour {
    /// A normal buyer with a balance, a bank account and a card.
    Normal,
    /// A buyer with only an Amazon Payments balance: a pipeline that does not offer ABT ends `PE`.
    BalanceOnly,
    /// Every pipeline ends with status `SE` (system error).
    SystemError,
    /// Every pipeline ends with status `NP` (e-mail not verified).
    Unverified,
    /// Every pipeline ends with status `NM` (caller not a registered third-party caller).
    NotMarketplace,
}

/// A built-in test sender.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestSender {
    /// Sign-in e-mail.
    pub email: &'static str,
    /// Display name.
    pub name: &'static str,
    /// What the pipeline does for this sender.
    pub behaviour: SenderBehaviour,
}

/// The built-in test senders (password [`TEST_SENDER_PASSWORD`] for all).
pub const TEST_SENDERS: &[TestSender] = &[
    TestSender {
        email: "buyer@sandbox.test",
        name: "Test Buyer",
        behaviour: SenderBehaviour::Normal,
    },
    TestSender {
        email: super::ledger::CAPTURE_DECLINED_SENDER,
        name: "Declined At Settlement Buyer",
        behaviour: SenderBehaviour::Normal,
    },
    TestSender {
        email: "balance-only@sandbox.test",
        name: "Balance Only Buyer",
        behaviour: SenderBehaviour::BalanceOnly,
    },
    TestSender {
        email: "system-error@sandbox.test",
        name: "System Error Buyer",
        behaviour: SenderBehaviour::SystemError,
    },
    TestSender {
        email: "unverified@sandbox.test",
        name: "Unverified Buyer",
        behaviour: SenderBehaviour::Unverified,
    },
    TestSender {
        email: "not-marketplace@sandbox.test",
        name: "Marketplace Refused Buyer",
        behaviour: SenderBehaviour::NotMarketplace,
    },
];

/// Finds a built-in test sender by e-mail (case-insensitive).
pub fn test_sender(email: &str) -> Option<&'static TestSender> {
    TEST_SENDERS
        .iter()
        .find(|s| s.email.eq_ignore_ascii_case(email.trim()))
}

/// How IPN delivery retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpnRetry {
    /// Wait before the second attempt; doubled after each failure.
    pub initial_backoff: Duration,
    /// Longest wait between attempts.
    pub max_backoff: Duration,
    /// Attempts before giving up (FPS retried for about a day).
    pub max_attempts: u32,
    /// Time limit of one delivery attempt.
    pub timeout: Duration,
}

impl Default for IpnRetry {
    fn default() -> Self {
        IpnRetry {
            initial_backoff: Duration::from_secs(5),
            max_backoff: Duration::from_secs(3600),
            max_attempts: 30,
            timeout: Duration::from_secs(10),
        }
    }
}

/// Everything the emulator needs to run.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Caller accounts.
    pub callers: Vec<CallerAccount>,
    /// Recipient accounts.
    pub recipients: Vec<RecipientAccount>,
    /// Where to listen; must be a loopback address.
    pub listen: SocketAddr,
    /// The URL browsers and clients reach the emulator at (default `http://<listen>`).
    pub public_url: Option<String>,
    /// The SQLite file holding all state (`None`: in memory, lost on exit; tests only).
    pub database: Option<PathBuf>,
    /// How long a card or bank payment, reserve, settle or refund stays `Pending`.
    pub pending_delay: Duration,
    /// IPN retry policy.
    pub ipn: IpnRetry,
    /// Allowed clock skew of `Timestamp` (15 minutes, the AWS norm).
    pub max_skew: Duration,
    /// How long a reserve may wait for its Settle before it is cancelled as `Expired` (7 days).
    pub reserve_validity: Duration,
    /// The bearer token of `POST /sandbox/faults`; without one the fault switch does not exist.
    pub fault_token: Option<SecretKey>,
    /// Second access keys of callers (at most one per caller, as AWS allowed two per account).
    pub second_keys: Vec<SecondKey>,
}

impl SandboxConfig {
    /// A configuration with the given callers, defaults elsewhere: 127.0.0.1:0, in-memory state,
    /// two-second pending delay.
    pub fn new(callers: Vec<CallerAccount>) -> Self {
        SandboxConfig {
            callers,
            recipients: Vec::new(),
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            public_url: None,
            database: None,
            pending_delay: Duration::from_secs(2),
            ipn: IpnRetry::default(),
            max_skew: Duration::from_secs(15 * 60),
            reserve_validity: Duration::from_secs(7 * 24 * 3600),
            fault_token: None,
            second_keys: Vec::new(),
        }
    }

    /// The caller with this access key id.
    pub fn caller(&self, access_key_id: &str) -> Option<&CallerAccount> {
        self.callers.iter().find(|c| c.access_key_id == access_key_id)
    }

    /// The caller a signature by `access_key_id` speaks for, with the secret of that key: the
    /// caller's first key or its second one.
    pub fn signing_key(&self, access_key_id: &str) -> Option<(&CallerAccount, &SecretKey)> {
        if let Some(caller) = self.caller(access_key_id) {
            return Some((caller, &caller.secret));
        }
        let second = self
            .second_keys
            .iter()
            .find(|k| k.access_key_id == access_key_id)?;
        self.caller(&second.caller).map(|caller| (caller, &second.secret))
    }

    /// Reads a JSON configuration file (see `SANDBOX.md` for the format).
    pub fn from_json_file(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        Self::from_json(&text)
    }

    /// Parses a JSON configuration.
    pub fn from_json(text: &str) -> Result<Self, ConfigError> {
        let file: ConfigFile = serde_json::from_str(text).map_err(|e| ConfigError::Json(e.to_string()))?;
        let mut callers = Vec::new();
        let mut second_keys = Vec::new();
        for c in file.callers {
            if let Some(second) = c.second_key {
                let secret = SecretKey::new(&second.secret_key).ok_or_else(|| {
                    ConfigError::Invalid(format!("caller {}: empty second_key.secret_key", c.access_key_id))
                })?;
                second_keys.push(SecondKey {
                    caller: c.access_key_id.clone(),
                    access_key_id: second.access_key_id,
                    secret,
                });
            }
            let secret = SecretKey::new(&c.secret_key).ok_or_else(|| {
                ConfigError::Invalid(format!("caller {}: empty secret_key", c.access_key_id))
            })?;
            callers.push(CallerAccount {
                name: c.name.unwrap_or_else(|| "Sandbox Merchant".to_owned()),
                email: c
                    .email
                    .unwrap_or_else(|| format!("{}@merchant.sandbox.test", c.access_key_id.to_lowercase())),
                access_key_id: c.access_key_id,
                secret,
                ipn_url: c.ipn_url,
                marketplace: c.marketplace,
            });
        }
        let mut config = SandboxConfig::new(callers);
        config.second_keys = second_keys;
        config.recipients = file.recipients;
        if let Some(listen) = file.listen {
            config.listen = listen
                .parse()
                .map_err(|_| ConfigError::Invalid(format!("listen {listen:?} is not an address:port")))?;
        }
        config.public_url = file.public_url;
        config.database = file.database;
        if let Some(ms) = file.pending_delay_ms {
            config.pending_delay = Duration::from_millis(ms);
        }
        if let Some(ms) = file.ipn_initial_backoff_ms {
            config.ipn.initial_backoff = Duration::from_millis(ms);
        }
        if let Some(n) = file.ipn_max_attempts {
            config.ipn.max_attempts = n;
        }
        if let Some(ms) = file.reserve_validity_ms {
            config.reserve_validity = Duration::from_millis(ms);
        }
        if let Some(token) = file.fault_token {
            config.fault_token = Some(
                SecretKey::new(&token).ok_or_else(|| ConfigError::Invalid("fault_token is empty".into()))?,
            );
        }
        config.check()?;
        Ok(config)
    }

    /// Checks the rules every configuration must meet: at least one caller, unique keys,
    /// a loopback listen address.
    pub fn check(&self) -> Result<(), ConfigError> {
        if self.callers.is_empty() {
            return Err(ConfigError::Invalid("no caller account configured".into()));
        }
        for (i, c) in self.callers.iter().enumerate() {
            if c.access_key_id.is_empty() {
                return Err(ConfigError::Invalid("a caller has an empty access_key_id".into()));
            }
            if self.callers[..i]
                .iter()
                .any(|o| o.access_key_id == c.access_key_id)
            {
                return Err(ConfigError::Invalid(format!(
                    "access key id {} is configured twice",
                    c.access_key_id
                )));
            }
        }
        for (i, k) in self.second_keys.iter().enumerate() {
            if k.access_key_id.is_empty() {
                return Err(ConfigError::Invalid(
                    "a second key has an empty access_key_id".into(),
                ));
            }
            if self.caller(&k.caller).is_none() {
                return Err(ConfigError::Invalid(format!(
                    "second key {} names no configured caller",
                    k.access_key_id
                )));
            }
            let taken = self.callers.iter().any(|c| c.access_key_id == k.access_key_id)
                || self.second_keys[..i]
                    .iter()
                    .any(|o| o.access_key_id == k.access_key_id);
            if taken {
                return Err(ConfigError::Invalid(format!(
                    "access key id {} is configured twice",
                    k.access_key_id
                )));
            }
            if self.second_keys[..i].iter().any(|o| o.caller == k.caller) {
                return Err(ConfigError::Invalid(format!(
                    "caller {} has more than two access keys",
                    k.caller
                )));
            }
        }
        if !self.listen.ip().is_loopback() {
            return Err(ConfigError::Invalid(format!(
                "listen address {} is not loopback: the sandbox only serves 127.0.0.1",
                self.listen
            )));
        }
        Ok(())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    callers: Vec<CallerFile>,
    #[serde(default)]
    recipients: Vec<RecipientAccount>,
    listen: Option<String>,
    public_url: Option<String>,
    database: Option<PathBuf>,
    pending_delay_ms: Option<u64>,
    ipn_initial_backoff_ms: Option<u64>,
    ipn_max_attempts: Option<u32>,
    reserve_validity_ms: Option<u64>,
    fault_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CallerFile {
    access_key_id: String,
    secret_key: String,
    name: Option<String>,
    email: Option<String>,
    ipn_url: Option<String>,
    #[serde(default)]
    marketplace: bool,
    second_key: Option<SecondKeyFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SecondKeyFile {
    access_key_id: String,
    secret_key: String,
}

/// Why a configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {reason}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// The file is not valid JSON of the expected shape.
    #[error("configuration: {0}")]
    Json(String),
    /// A rule is broken.
    #[error("configuration: {0}")]
    Invalid(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_json_and_checks_rules() {
        let config = SandboxConfig::from_json(
            r#"{"callers":[{"access_key_id":"AKIDEXAMPLE","secret_key":"s3cret","ipn_url":"http://127.0.0.1:9/ipn"}],
                "recipients":[{"name":"Seller","email":"seller@sandbox.test"}],"pending_delay_ms":5,
                "reserve_validity_ms":60000}"#,
        )
        .unwrap();
        assert_eq!(config.callers[0].secret.expose(), b"s3cret");
        assert_eq!(config.pending_delay, Duration::from_millis(5));
        assert_eq!(config.reserve_validity, Duration::from_secs(60));
        assert_eq!(config.recipients.len(), 1);
        assert!(config.caller("AKIDEXAMPLE").is_some());
        assert!(SandboxConfig::from_json(r#"{"callers":[]}"#).is_err());
        assert!(SandboxConfig::from_json(
            r#"{"callers":[{"access_key_id":"A","secret_key":"s"}],"listen":"0.0.0.0:80"}"#
        )
        .is_err());
        assert!(SandboxConfig::from_json(r#"{"callers":[{"access_key_id":"A","secret_key":" "}]}"#).is_err());
        assert!(
            SandboxConfig::from_json(r#"{"callers":[{"access_key_id":"A","secret_key":"s","x":1}]}"#)
                .is_err()
        );
    }

    #[test]
    fn a_caller_may_hold_a_second_key() {
        let config = SandboxConfig::from_json(
            r#"{"callers":[{"access_key_id":"OLDKEY","secret_key":"old",
                "second_key":{"access_key_id":"NEWKEY","secret_key":"new"}},
                {"access_key_id":"OTHER","secret_key":"other"}]}"#,
        )
        .unwrap();
        let (caller, secret) = config.signing_key("NEWKEY").unwrap();
        assert_eq!(
            (caller.access_key_id.as_str(), secret.expose()),
            ("OLDKEY", &b"new"[..])
        );
        let (caller, secret) = config.signing_key("OLDKEY").unwrap();
        assert_eq!(
            (caller.access_key_id.as_str(), secret.expose()),
            ("OLDKEY", &b"old"[..])
        );
        // The second key names the account only for signatures; the account keeps its first id.
        assert!(config.caller("NEWKEY").is_none());
        assert!(config.signing_key("NOKEY").is_none());
        for bad in [
            // A key taken by another caller, or twice.
            r#"{"callers":[{"access_key_id":"A","secret_key":"s","second_key":{"access_key_id":"B","secret_key":"t"}},
                {"access_key_id":"B","secret_key":"u"}]}"#,
            r#"{"callers":[{"access_key_id":"A","secret_key":"s","second_key":{"access_key_id":"A","secret_key":"t"}}]}"#,
            // An empty secret or id.
            r#"{"callers":[{"access_key_id":"A","secret_key":"s","second_key":{"access_key_id":"B","secret_key":""}}]}"#,
            r#"{"callers":[{"access_key_id":"A","secret_key":"s","second_key":{"access_key_id":"","secret_key":"t"}}]}"#,
        ] {
            assert!(SandboxConfig::from_json(bad).is_err(), "{bad}");
        }
        let mut three = config.clone();
        three.second_keys.push(SecondKey {
            caller: "OLDKEY".into(),
            access_key_id: "THIRDKEY".into(),
            secret: SecretKey::new("third").unwrap(),
        });
        assert!(three.check().is_err());
    }

    #[test]
    fn finds_test_senders() {
        assert_eq!(
            test_sender(" Buyer@Sandbox.test").map(|s| s.behaviour),
            Some(SenderBehaviour::Normal)
        );
        assert!(test_sender("nobody@sandbox.test").is_none());
    }
}
