//! The fulfilment webhook (issue 19, "Fulfilment"): a signed JSON event posted to the shop's
//! own endpoint whenever an order becomes paid, reserved, settled, refunded, cancelled or failed,
//! so fulfilment (shipping, e-mail, stock) can follow payments without polling the admin API.
//!
//! Events come from an outbox table written in the same database transaction as the state change
//! they announce (`store::outbox`), so no change is lost and none is announced that did not
//! happen; a delivery worker ([`Deliverer`]) posts them at least once, leasing each to one
//! backend at a time. Without a URL configured the order service writes no events at all.

pub mod deliver;
pub mod event;
pub mod signature;

use std::fmt;
use std::time::Duration;

use fps_core::Endpoint;
use fps_wire::signer::SecretKey;

pub use deliver::{Deliverer, DeliveryReport};
pub use signature::{header_value, verify, SignatureError, SIGNATURE_HEADER, TOLERANCE_SECONDS};

/// Time one delivery may take (connect, send, read the answer) unless configured otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// How often a backend looks for events due unless configured otherwise.
pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_secs(1);

/// The webhook's own signing secret (not the FPS secret key): prints as `[redacted]`, wiped on
/// drop, and a distinct type so that no other secret can be passed where it belongs.
#[derive(Clone)]
pub struct WebhookSecret(SecretKey);

impl WebhookSecret {
    /// The secret from its text (trimmed); `None` when empty.
    pub fn new(text: &str) -> Option<Self> {
        SecretKey::new(text).map(WebhookSecret)
    }

    /// The secret's bytes, for the HMAC only.
    pub fn expose(&self) -> &[u8] {
        self.0.expose()
    }
}

impl From<SecretKey> for WebhookSecret {
    fn from(secret: SecretKey) -> Self {
        WebhookSecret(secret)
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret([redacted])")
    }
}

/// Where and how events are delivered (`FPS_FULFILMENT_WEBHOOK_*`).
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    /// The receiver, an absolute http(s) URL.
    pub url: Endpoint,
    /// The signing secret.
    pub secret: WebhookSecret,
    /// Time one delivery may take, answer included.
    pub timeout: Duration,
    /// How often the worker looks for due events.
    pub poll_interval: Duration,
}

impl WebhookConfig {
    /// Deliveries to `url` signed with `secret`, with the default timeout and poll interval.
    pub fn new(url: Endpoint, secret: WebhookSecret) -> Self {
        WebhookConfig {
            url,
            secret,
            timeout: DEFAULT_TIMEOUT,
            poll_interval: DEFAULT_POLL_INTERVAL,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_never_prints() {
        let secret = WebhookSecret::new("whsec-very-secret").unwrap();
        let config = WebhookConfig::new(Endpoint::parse("https://hooks.example/fps").unwrap(), secret);
        let printed = format!("{config:?}");
        assert!(!printed.contains("very-secret"), "{printed}");
        assert!(printed.contains("redacted"), "{printed}");
        assert!(WebhookSecret::new("  ").is_none());
    }
}
