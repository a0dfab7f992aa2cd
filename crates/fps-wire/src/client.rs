//! The Query API client: signs each call (Signature Version 2, HmacSHA256, Timestamp), sends it,
//! reads the XML answer, and resends the identical request only where that cannot act twice.

use std::time::Duration;

use super::balance::AccountBalance;
use super::error::FpsError;
use super::outcome::{Outcome, Sending};
use super::request::{Action, Charge};
use super::response::{self, StatusResult, TransactionResult, Verification};
use super::transaction::{self, AccountActivity, ActivityQuery, TransactionDetails};
use crate::signer::{sign_pairs, SecretKey};
use fps_core::canonical::HttpMethod;
use fps_core::params::SignatureMethod;
use fps_core::{CoreError, Endpoint};

/// The Query API version sent with every call.
pub const API_VERSION: &str = "2010-08-28";

/// FPS's sandbox Query API endpoint.
pub const SANDBOX_API: &str = "https://fps.sandbox.amazonaws.com/";

/// FPS's production Query API endpoint.
pub const PRODUCTION_API: &str = "https://fps.amazonaws.com/";

/// Parses `sandbox`, `production`, or an absolute URL without query (the local emulator).
pub fn api_endpoint(text: &str) -> Result<Endpoint, CoreError> {
    match text {
        "sandbox" => Endpoint::parse_without_query(SANDBOX_API),
        "production" => Endpoint::parse_without_query(PRODUCTION_API),
        url => Endpoint::parse_without_query(url),
    }
}

/// An ISO 8601 UTC request timestamp (`2026-11-23T18:01:58Z`). Kept with an order so a resent
/// Pay is byte-identical to the first one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timestamp(String);

impl Timestamp {
    /// The current time.
    pub fn now() -> Self {
        let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
        let text = time::OffsetDateTime::now_utc()
            .format(&format)
            .unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_owned());
        Timestamp(text)
    }

    /// A stored timestamp; `None` unless it has the exact shape [`Timestamp::now`] writes.
    pub fn from_stored(text: &str) -> Option<Self> {
        let shape = "0000-00-00T00:00:00Z";
        let ok = text.len() == shape.len()
            && text.bytes().zip(shape.bytes()).all(|(c, s)| match s {
                b'0' => c.is_ascii_digit(),
                other => c == other,
            });
        ok.then(|| Timestamp(text.to_owned()))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Seconds since the Unix epoch.
    pub fn unix_seconds(&self) -> Option<i64> {
        let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
        time::PrimitiveDateTime::parse(&self.0, &format)
            .ok()
            .map(|t| t.assume_utc().unix_timestamp())
    }
}

/// How the client reaches FPS.
#[derive(Debug, Clone)]
pub struct FpsConfig {
    /// The Query API endpoint.
    pub endpoint: Endpoint,
    /// `AWSAccessKeyId`.
    pub access_key_id: String,
    /// The secret access key (never logged).
    pub secret: SecretKey,
    /// Time allowed for one attempt, connect to last byte.
    pub timeout: Duration,
    /// Attempts for idempotent calls (1 = no retry).
    pub max_attempts: u32,
}

/// A Query API client. Cheap to clone.
#[derive(Debug, Clone)]
pub struct FpsClient {
    http: reqwest::Client,
    config: std::sync::Arc<FpsConfig>,
}

impl FpsClient {
    /// Builds a client (no redirects followed, TLS via rustls).
    pub fn new(config: FpsConfig) -> Result<Self, FpsError> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("fps-checkout/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| FpsError::Transport(e.to_string()))?;
        Ok(FpsClient {
            http,
            config: std::sync::Arc::new(config),
        })
    }

    /// The configured endpoint.
    pub fn endpoint(&self) -> &Endpoint {
        &self.config.endpoint
    }

    /// The signed GET URL for `action` at `timestamp`.
    pub fn signed_url(&self, action: &Action, timestamp: &Timestamp) -> String {
        let mut pairs: Vec<(String, String)> = action
            .params()
            .into_iter()
            .map(|(n, v)| (n.to_owned(), v))
            .collect();
        for (name, value) in [
            ("Action", action.name()),
            ("AWSAccessKeyId", self.config.access_key_id.as_str()),
            ("SignatureMethod", SignatureMethod::HmacSha256.as_str()),
            ("SignatureVersion", "2"),
            ("Timestamp", timestamp.as_str()),
            ("Version", API_VERSION),
        ] {
            pairs.push((name.to_owned(), value.to_owned()));
        }
        sign_pairs(
            &self.config.secret,
            SignatureMethod::HmacSha256,
            HttpMethod::Get,
            &self.config.endpoint,
            &pairs,
            "Signature",
        )
        .url
    }

    /// Sends `action` signed at `timestamp`; resends the identical URL after a transient failure
    /// when the action is idempotent. Returns the body of a non-error answer.
    pub(crate) async fn call(&self, action: &Action, timestamp: &Timestamp) -> Result<String, FpsError> {
        self.call_counted(action, timestamp).await.0
    }

    /// [`Self::call`], also saying whether the answer is to a resend of the identical request.
    async fn call_counted(
        &self,
        action: &Action,
        timestamp: &Timestamp,
    ) -> (Result<String, FpsError>, Sending) {
        let url = self.signed_url(action, timestamp);
        let attempts = if action.is_idempotent() {
            self.config.max_attempts.max(1)
        } else {
            1
        };
        let mut attempt = 1;
        loop {
            let outcome = self.send_once(&url).await;
            match outcome {
                Err(e) if attempt < attempts && e.is_transient() => {
                    tracing::warn!(action = action.name(), attempt, error = %e, "FPS call failed; resending the identical request");
                    tokio::time::sleep(Duration::from_millis(100 * u64::from(attempt))).await;
                    attempt += 1;
                }
                other => {
                    if let Err(e) = &other {
                        tracing::warn!(action = action.name(), error = %e, "FPS call failed");
                    }
                    let sending = if attempt > 1 {
                        Sending::Resend
                    } else {
                        Sending::First
                    };
                    return (other, sending);
                }
            }
        }
    }

    async fn send_once(&self, url: &str) -> Result<String, FpsError> {
        let seconds = self.config.timeout.as_secs().max(1);
        let lift = |e: reqwest::Error| {
            if e.is_timeout() {
                FpsError::Timeout { seconds }
            } else {
                FpsError::Transport(without_url(&e))
            }
        };
        let mut answer = self.http.get(url).send().await.map_err(lift)?;
        let status = answer.status().as_u16();
        let mut body = Vec::new();
        while let Some(chunk) = answer.chunk().await.map_err(lift)? {
            if body.len() + chunk.len() > response::MAX_RESPONSE_BYTES {
                return Err(FpsError::Malformed {
                    action: "any",
                    reason: format!("answer larger than {} bytes", response::MAX_RESPONSE_BYTES),
                });
            }
            body.extend_from_slice(&chunk);
        }
        let body = String::from_utf8_lossy(&body).into_owned();
        if let Some(error) = response::parse_error(&body, status) {
            return Err(error);
        }
        if !(200..300).contains(&status) {
            return Err(FpsError::Http { status });
        }
        Ok(body)
    }

    /// VerifySignature: did FPS sign `http_parameters` (the raw return query or IPN body) for
    /// `url_end_point`?
    pub async fn verify_signature(
        &self,
        url_end_point: &str,
        http_parameters: &str,
    ) -> Result<Verification, FpsError> {
        let action = Action::VerifySignature {
            url_end_point: url_end_point.to_owned(),
            http_parameters: http_parameters.to_owned(),
        };
        response::verify_result(&self.call(&action, &Timestamp::now()).await?)
    }

    /// A money-changing call, classified: applied, refused or unknown. `sending` says whether
    /// the caller sent this identical request before; a resend by the client itself counts too.
    pub(crate) async fn change(
        &self,
        action: &Action,
        timestamp: &Timestamp,
        sending: Sending,
    ) -> Outcome<TransactionResult> {
        let (result, counted) = self.call_counted(action, timestamp).await;
        let sending = if counted == Sending::Resend {
            Sending::Resend
        } else {
            sending
        };
        let result = result.and_then(|body| response::transaction_result(action.kind(), &body));
        Outcome::of(result, sending)
    }

    /// Pay, signed at `timestamp` (keep it to resend the identical request later).
    pub async fn pay(
        &self,
        charge: Charge,
        timestamp: &Timestamp,
        sending: Sending,
    ) -> Outcome<TransactionResult> {
        self.change(&Action::Pay(charge), timestamp, sending).await
    }

    /// Reserve, signed at `timestamp`.
    pub async fn reserve(
        &self,
        charge: Charge,
        timestamp: &Timestamp,
        sending: Sending,
    ) -> Outcome<TransactionResult> {
        self.change(&Action::Reserve(charge), timestamp, sending).await
    }

    /// Settle, signed at `timestamp` (never resent automatically: the reconciler resends it).
    pub async fn settle(
        &self,
        reserve_transaction_id: &str,
        amount: Option<fps_core::Amount>,
        timestamp: &Timestamp,
        sending: Sending,
    ) -> Outcome<TransactionResult> {
        let action = Action::Settle {
            reserve_transaction_id: reserve_transaction_id.to_owned(),
            amount,
        };
        self.change(&action, timestamp, sending).await
    }

    /// Cancel (never resent automatically).
    pub async fn cancel(
        &self,
        transaction_id: &str,
        description: Option<String>,
    ) -> Outcome<TransactionResult> {
        let action = Action::Cancel {
            transaction_id: transaction_id.to_owned(),
            description,
        };
        self.change(&action, &Timestamp::now(), Sending::First).await
    }

    /// Refund under the refund's own caller reference, signed at `timestamp`.
    pub async fn refund(
        &self,
        action: Action,
        timestamp: &Timestamp,
        sending: Sending,
    ) -> Outcome<TransactionResult> {
        self.change(&action, timestamp, sending).await
    }

    /// GetTransactionStatus.
    pub async fn transaction_status(&self, transaction_id: &str) -> Result<StatusResult, FpsError> {
        let action = Action::GetTransactionStatus {
            transaction_id: transaction_id.to_owned(),
        };
        response::status_result(&self.call(&action, &Timestamp::now()).await?)
    }

    /// InstallPaymentInstruction: the new (or, under a reference already used, the earlier)
    /// token's id. Idempotent by its caller reference, so resent after transient failures.
    pub async fn install_payment_instruction(
        &self,
        instruction: super::request::PaymentInstruction,
    ) -> Result<String, FpsError> {
        let action = Action::InstallPaymentInstruction(instruction);
        response::install_result(&self.call(&action, &Timestamp::now()).await?)
    }

    /// GetTransaction.
    pub async fn transaction(&self, transaction_id: &str) -> Result<TransactionDetails, FpsError> {
        let action = Action::GetTransaction {
            transaction_id: transaction_id.to_owned(),
        };
        transaction::transaction_details(&self.call(&action, &Timestamp::now()).await?)
    }

    /// GetAccountBalance: the caller's account balance. Read-only, so resent after transient
    /// failures.
    pub async fn account_balance(&self) -> Result<AccountBalance, FpsError> {
        super::balance::account_balance(&self.call(&Action::GetAccountBalance, &Timestamp::now()).await?)
    }

    /// GetAccountActivity: one batch of the caller's transactions.
    pub async fn account_activity(&self, query: ActivityQuery) -> Result<AccountActivity, FpsError> {
        let action = Action::GetAccountActivity(query);
        transaction::account_activity(&self.call(&action, &Timestamp::now()).await?)
    }
}

/// A transport error's text without the URL (which carries the signature and parameters).
fn without_url(error: &reqwest::Error) -> String {
    let kind = if error.is_connect() {
        "connection failed"
    } else if error.is_body() || error.is_decode() {
        "the answer broke off"
    } else if error.is_request() {
        "the request could not be sent"
    } else {
        "HTTP error"
    };
    let mut source = std::error::Error::source(error);
    let mut detail = String::new();
    while let Some(inner) = source {
        detail = inner.to_string();
        source = inner.source();
    }
    if detail.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}: {}", detail.chars().take(200).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signer::verify;
    use fps_core::canonical::{decode_query, CanonicalQuery, PlusIs, StringToSign};

    fn client() -> FpsClient {
        FpsClient::new(FpsConfig {
            endpoint: api_endpoint("http://127.0.0.1:9/").unwrap(),
            access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
            secret: SecretKey::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY").unwrap(),
            timeout: Duration::from_secs(1),
            max_attempts: 2,
        })
        .unwrap()
    }

    #[test]
    fn signed_url_carries_common_params_and_verifies() {
        let client = client();
        let stamp = Timestamp::from_stored("2026-11-23T18:01:58Z").unwrap();
        let action = Action::VerifySignature {
            url_end_point: "http://shop.example:8080/thanks".into(),
            http_parameters: "status=SC&signature=ab%2Bc%0A".into(),
        };
        let url = client.signed_url(&action, &stamp);
        let endpoint = Endpoint::parse(&url).unwrap();
        let pairs = decode_query(endpoint.query().unwrap(), PlusIs::Literal).unwrap();
        let get = |n: &str| pairs.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
        assert_eq!(get("Action").as_deref(), Some("VerifySignature"));
        assert_eq!(get("Version").as_deref(), Some(API_VERSION));
        assert_eq!(get("Timestamp").as_deref(), Some("2026-11-23T18:01:58Z"));
        assert_eq!(get("SignatureMethod").as_deref(), Some("HmacSHA256"));
        assert_eq!(
            get("HttpParameters").as_deref(),
            Some("status=SC&signature=ab%2Bc%0A")
        );
        assert!(url.contains("HttpParameters=status%3DSC%26signature%3Dab%252Bc%250A"));
        let signature = get("Signature").unwrap();
        let query = CanonicalQuery::new(pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        let sts = StringToSign::new(HttpMethod::Get, &endpoint, &query);
        assert!(verify(
            &SecretKey::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY").unwrap(),
            SignatureMethod::HmacSha256,
            &sts,
            &signature
        ));
        assert_eq!(
            url,
            client.signed_url(&action, &stamp),
            "same timestamp, same URL"
        );
    }

    #[test]
    fn timestamps() {
        assert!(Timestamp::from_stored(Timestamp::now().as_str()).is_some());
        assert!(Timestamp::from_stored("2026-11-23 18:01:58Z").is_none());
        assert!(Timestamp::from_stored("").is_none());
        let stamp = Timestamp::from_stored("2026-11-23T18:01:58Z").unwrap();
        assert_eq!(stamp.unix_seconds(), Some(1_795_456_918));
        assert!(api_endpoint("sandbox").unwrap().as_str().contains("sandbox"));
        assert!(api_endpoint("https://x.example/?a=1").is_err());
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let text = format!("{:?}", client());
        assert!(!text.contains("wJalr"), "{text}");
    }
}
