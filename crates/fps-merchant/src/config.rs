//! `serve`'s typed settings: where to listen, the store, FPS, the URLs signed for, the secrets
//! (printed as `[redacted]`). The command line builds them from its arguments and the environment
//! (`crates/fps-cli/src/serve.rs`); this module never reads the environment.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use fps_core::params::{CallerKey, CbuiEndpoint};
use fps_core::Endpoint;
use fps_wire::signer::SecretKey;

/// Requests the server handles at once unless `FPS_MAX_IN_FLIGHT` says otherwise.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 512;

/// Seconds between two reconciler ticks unless `FPS_RECONCILE_INTERVAL_SECS` says otherwise.
pub const DEFAULT_RECONCILE_INTERVAL: Duration = Duration::from_secs(60);

/// Shortest admin token accepted.
pub const MIN_ADMIN_TOKEN: usize = 16;

/// Everything `serve` needs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to listen.
    pub listen: SocketAddr,
    /// The store.
    pub database_url: String,
    /// The catalog file.
    pub catalog: PathBuf,
    /// The Query API.
    pub fps_endpoint: Endpoint,
    /// The CBUI start URL.
    pub cbui_endpoint: CbuiEndpoint,
    /// Return URLs signed for, compared byte for byte.
    pub return_urls: Vec<Endpoint>,
    /// The IPN URL (UrlEndPoint for notifications).
    pub ipn_url: Endpoint,
    /// CORS origins.
    pub cors_origins: Vec<String>,
    /// The access key id (callerKey / AWSAccessKeyId).
    pub access_key_id: CallerKey,
    /// The secret key.
    pub secret: SecretKey,
    /// The admin bearer token.
    pub admin_token: SecretKey,
    /// Time for one FPS call.
    pub fps_timeout: Duration,
    /// Requests handled at once; more are refused at once with 503 (`FPS_MAX_IN_FLIGHT`).
    pub max_in_flight: usize,
    /// Time between two reconciler ticks; `None` runs no reconciler
    /// (`FPS_RECONCILE_INTERVAL_SECS`, default 60, `0` = off).
    pub reconcile_interval: Option<Duration>,
    /// The texts Pay and Reserve carry (`FPS_SENDER_DESCRIPTION`, `FPS_CALLER_DESCRIPTION`).
    pub descriptions: Descriptions,
}

/// Longest `SenderDescription` / `CallerDescription` FPS takes, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 160;

/// What Pay and Reserve send as `SenderDescription` (what the buyer sees of the payment in
/// their Amazon Payments account) and `CallerDescription` (the merchant's own records; without
/// one configured, the order's description). Each 1 to 160 characters of plain text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Descriptions {
    /// `SenderDescription`, when configured.
    pub sender: Option<String>,
    /// `CallerDescription`, when configured.
    pub caller: Option<String>,
}

impl Descriptions {
    /// Checks configured texts: trimmed, 1 to [`MAX_DESCRIPTION_CHARS`] characters, no control
    /// or invisible characters (they reach Amazon's pages). The error names which one is wrong.
    pub fn new(sender: Option<&str>, caller: Option<&str>) -> Result<Self, (&'static str, String)> {
        fn check(which: &'static str, text: Option<&str>) -> Result<Option<String>, (&'static str, String)> {
            let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
                return Ok(None);
            };
            if text.chars().count() > MAX_DESCRIPTION_CHARS {
                return Err((
                    which,
                    format!("is longer than {MAX_DESCRIPTION_CHARS} characters"),
                ));
            }
            if text.chars().any(char::is_control) || super::signed_params::hidden_character(text).is_some() {
                return Err((
                    which,
                    "has a control, invisible or direction-changing character".to_owned(),
                ));
            }
            Ok(Some(text.to_owned()))
        }
        Ok(Descriptions {
            sender: check("SenderDescription", sender)?,
            caller: check("CallerDescription", caller)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_are_bounded_plain_text() {
        let ok = Descriptions::new(Some(" Trailhead Supply "), None).unwrap();
        assert_eq!(ok.sender.as_deref(), Some("Trailhead Supply"));
        assert_eq!(ok.caller, None);
        assert_eq!(
            Descriptions::new(Some(""), Some("  ")).unwrap(),
            Descriptions::default()
        );
        let long = "x".repeat(MAX_DESCRIPTION_CHARS + 1);
        assert_eq!(
            Descriptions::new(None, Some(&long)).unwrap_err().0,
            "CallerDescription"
        );
        assert!(Descriptions::new(None, Some(&long[1..])).is_ok());
        assert_eq!(
            Descriptions::new(Some("a\u{202E}b"), None).unwrap_err().0,
            "SenderDescription"
        );
        assert_eq!(
            Descriptions::new(Some("a\nb"), None).unwrap_err().0,
            "SenderDescription"
        );
    }
}
