//! Shared harness of the sandbox integration tests: starts the real emulator on 127.0.0.1 with a
//! temporary SQLite file, signs Query API calls with the project's signer, and drives the CBUI
//! pages over HTTP like a browser without script would.

use std::path::PathBuf;
use std::time::Duration;

use fps_core::canonical::HttpMethod;
use fps_core::params::{CbuiEndpoint, SignatureMethod};
use fps_core::{CbuiRequest, CbuiReturn, Endpoint};
use fps_sandbox::{CallerAccount, RecipientAccount, RunningSandbox, SandboxConfig};
use fps_wire::signer::{sign_cbui, sign_pairs, SecretKey};

pub const KEY: &str = "AKIASANDBOXCALLER001";
pub const SECRET: &str = "sandbox/secret+key=for tests";
pub const OTHER_KEY: &str = "AKIASANDBOXCALLER002";
pub const MARKET_KEY: &str = "AKIASANDBOXMARKET003";
pub const CALLER_EMAIL: &str = "shop@merchant.sandbox.test";
pub const SELLER_EMAIL: &str = "seller@sandbox.test";

/// A temporary directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("fps-sandbox-test-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn caller(key: &str, email: &str, ipn_url: Option<String>, marketplace: bool) -> CallerAccount {
    CallerAccount {
        access_key_id: key.into(),
        secret: SecretKey::new(SECRET).unwrap(),
        name: format!("Shop {key}"),
        email: email.into(),
        ipn_url,
        marketplace,
    }
}

pub fn config(dir: &TempDir, pending_ms: u64, ipn_url: Option<String>) -> SandboxConfig {
    let mut config = SandboxConfig::new(vec![
        caller(KEY, CALLER_EMAIL, ipn_url, false),
        caller(OTHER_KEY, "other@merchant.sandbox.test", None, false),
        caller(MARKET_KEY, "market@merchant.sandbox.test", None, true),
    ]);
    config.recipients = vec![RecipientAccount {
        name: "Seller".into(),
        email: SELLER_EMAIL.into(),
    }];
    config.database = Some(dir.0.join("sandbox.sqlite"));
    config.pending_delay = Duration::from_millis(pending_ms);
    config.ipn.initial_backoff = Duration::from_millis(20);
    config.ipn.max_backoff = Duration::from_millis(200);
    config.ipn.max_attempts = 50;
    config
}

pub struct Harness {
    pub sandbox: RunningSandbox,
    pub http: reqwest::Client,
    pub dir: TempDir,
}

/// A Query API answer.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: String,
}

impl Reply {
    /// The text of the first element `name`.
    pub fn tag(&self, name: &str) -> Option<String> {
        tag(&self.body, name)
    }

    /// Every text of elements `name`.
    pub fn tags(&self, name: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut rest = self.body.as_str();
        let open = format!("<{name}>");
        let close = format!("</{name}>");
        while let Some(start) = rest.find(&open) {
            let after = &rest[start + open.len()..];
            let Some(end) = after.find(&close) else { break };
            out.push(after[..end].to_owned());
            rest = &after[end..];
        }
        out
    }

    /// The error code of an error envelope, checking its shape.
    pub fn error_code(&self) -> String {
        assert!(
            self.status >= 400,
            "expected an error, got {}: {}",
            self.status,
            self.body
        );
        assert!(
            self.body.contains("<Response><Errors><Error><Code>"),
            "{}",
            self.body
        );
        assert!(
            self.tag("RequestID").is_some_and(|id| id.ends_with(":0")),
            "{}",
            self.body
        );
        self.tag("Code").unwrap()
    }
}

pub fn tag(body: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let start = body.find(&open)? + open.len();
    let end = body[start..].find(&format!("</{name}>"))? + start;
    Some(body[start..end].to_owned())
}

pub fn now_iso(offset_secs: i64) -> String {
    let at = time::OffsetDateTime::now_utc() + time::Duration::seconds(offset_secs);
    at.format(&time::format_description::well_known::Rfc3339).unwrap()
}

impl Harness {
    pub async fn start(pending_ms: u64, ipn_url: Option<String>) -> Self {
        let dir = TempDir::new();
        let sandbox = fps_sandbox::start(config(&dir, pending_ms, ipn_url))
            .await
            .unwrap();
        Self::with(sandbox, dir)
    }

    pub fn with(sandbox: RunningSandbox, dir: TempDir) -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Harness { sandbox, http, dir }
    }

    /// Signs a Query API call for `key` (all common parameters added unless already given).
    pub fn signed_pairs(
        &self,
        key: &str,
        secret: &str,
        method: HttpMethod,
        params: &[(&str, &str)],
    ) -> Vec<(String, String)> {
        let mut pairs: Vec<(String, String)> =
            params.iter().map(|(n, v)| ((*n).into(), (*v).into())).collect();
        let defaults = [
            ("AWSAccessKeyId", key.to_owned()),
            ("SignatureMethod", "HmacSHA256".to_owned()),
            ("SignatureVersion", "2".to_owned()),
            ("Version", "2010-08-28".to_owned()),
        ];
        for (name, value) in defaults {
            if !pairs.iter().any(|(n, _)| n == name) {
                pairs.push((name.into(), value));
            }
        }
        if !pairs.iter().any(|(n, _)| n == "Timestamp" || n == "Expires") {
            pairs.push(("Timestamp".into(), now_iso(0)));
        }
        let sig_method = pairs
            .iter()
            .find(|(n, _)| n == "SignatureMethod")
            .and_then(|(_, v)| SignatureMethod::from_wire(v))
            .unwrap_or(SignatureMethod::HmacSha256);
        let endpoint = Endpoint::parse(&self.sandbox.api_url()).unwrap();
        let secret = SecretKey::new(secret).unwrap();
        let signed = sign_pairs(&secret, sig_method, method, &endpoint, &pairs, "Signature");
        pairs.push(("Signature".into(), signed.signature));
        pairs
    }

    /// A signed GET call as the main caller.
    pub async fn call(&self, params: &[(&str, &str)]) -> Reply {
        self.call_as(KEY, params).await
    }

    pub async fn call_as(&self, key: &str, params: &[(&str, &str)]) -> Reply {
        let pairs = self.signed_pairs(key, SECRET, HttpMethod::Get, params);
        self.send_get(&pairs).await
    }

    pub async fn send_get(&self, pairs: &[(String, String)]) -> Reply {
        let query: Vec<String> = pairs
            .iter()
            .map(|(n, v)| format!("{}={}", fps_core::encode(n), fps_core::encode(v)))
            .collect();
        let url = format!("{}?{}", self.sandbox.api_url(), query.join("&"));
        let response = self.http.get(url).send().await.unwrap();
        let status = response.status().as_u16();
        Reply {
            status,
            body: response.text().await.unwrap(),
        }
    }

    pub async fn send_post(&self, pairs: &[(String, String)]) -> Reply {
        let body: Vec<String> = pairs
            .iter()
            .map(|(n, v)| format!("{}={}", fps_core::encode(n), fps_core::encode(v)))
            .collect();
        let response = self
            .http
            .post(self.sandbox.api_url())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.join("&"))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        Reply {
            status,
            body: response.text().await.unwrap(),
        }
    }

    /// The signed CBUI start URL of a request given as pairs (callerKey added).
    pub fn cbui_url(&self, key: &str, params: &[(&str, &str)]) -> String {
        let mut pairs: Vec<(&str, &str)> = vec![("callerKey", key)];
        pairs.extend_from_slice(params);
        let request = CbuiRequest::from_pairs(pairs).unwrap();
        let endpoint = CbuiEndpoint::custom(&self.sandbox.cbui_url()).unwrap();
        sign_cbui(&SecretKey::new(SECRET).unwrap(), &request, &endpoint).url
    }

    /// GETs a URL without following redirects: status, Location, body.
    pub async fn get(&self, url: &str) -> (u16, Option<String>, String) {
        let response = self.http.get(url).send().await.unwrap();
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_owned());
        (status, location, response.text().await.unwrap())
    }

    /// POSTs a form to a CBUI page: status, Location, body.
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> (u16, Option<String>, String) {
        let body: Vec<String> = form
            .iter()
            .map(|(n, v)| format!("{}={}", fps_core::encode(n), fps_core::encode(v)))
            .collect();
        let response = self
            .http
            .post(format!("{}{path}", self.sandbox.base_url()))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.join("&"))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_owned());
        (status, location, response.text().await.unwrap())
    }

    /// Runs a pipeline through the pages: start, sign in as `email`, confirm with `method`.
    /// Returns the landing URL.
    pub async fn approve(&self, start_url: &str, email: &str, method: &str) -> String {
        let (status, _, page) = self.get(start_url).await;
        assert_eq!(status, 200, "{page}");
        let session = session_of(&page);
        let (status, location, page) = self
            .post_form(
                "/cobranded-ui/actions/signin",
                &[
                    ("session", &session),
                    ("email", email),
                    ("password", "sandbox"),
                    ("action", "signin"),
                ],
            )
            .await;
        if status == 303 {
            return location.unwrap();
        }
        assert_eq!(status, 200, "{page}");
        let (status, location, page) = self
            .post_form(
                "/cobranded-ui/actions/confirm",
                &[
                    ("session", &session),
                    ("paymentMethod", method),
                    ("action", "confirm"),
                ],
            )
            .await;
        assert_eq!(status, 303, "{page}");
        location.unwrap()
    }

    /// Installs a SingleUse token for `amount` paid by `method`; returns its id.
    pub async fn single_use_token(
        &self,
        reference: &str,
        amount: &str,
        method: &str,
        reserve: bool,
    ) -> String {
        self.single_use_token_as(KEY, reference, amount, method, reserve)
            .await
    }

    /// Installs a SingleUse token of caller `key` for the test buyer; returns its id.
    pub async fn single_use_token_as(
        &self,
        key: &str,
        reference: &str,
        amount: &str,
        method: &str,
        reserve: bool,
    ) -> String {
        let mut params = vec![
            ("pipelineName", "SingleUse"),
            ("returnURL", "https://shop.example/thanks?order=42"),
            ("callerReference", reference),
            ("transactionAmount", amount),
        ];
        if reserve {
            params.push(("reserve", "True"));
        }
        let url = self.cbui_url(key, &params);
        let landing = self.approve(&url, "buyer@sandbox.test", method).await;
        let parsed = CbuiReturn::parse(landing.split_once('?').unwrap().1).unwrap();
        assert!(parsed.is_success(), "{landing}");
        parsed.token_id.unwrap().as_str().to_owned()
    }

    /// Polls GetTransactionStatus until the transaction leaves Pending (bounded).
    pub async fn settled_status(&self, id: &str) -> String {
        for _ in 0..2000 {
            let reply = self
                .call(&[("Action", "GetTransactionStatus"), ("TransactionId", id)])
                .await;
            let status = reply
                .tag("TransactionStatus")
                .unwrap_or_else(|| panic!("{}", reply.body));
            if status != "Pending" {
                return status;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("transaction {id} stayed Pending");
    }

    pub async fn pay(&self, action: &str, token: &str, reference: &str, amount: &str) -> Reply {
        self.call(&[
            ("Action", action),
            ("CallerReference", reference),
            ("SenderTokenId", token),
            ("TransactionAmount.Value", amount),
            ("TransactionAmount.CurrencyCode", "USD"),
        ])
        .await
    }
}

pub fn session_of(page: &str) -> String {
    let marker = "name=\"session\" value=\"";
    let start = page
        .find(marker)
        .unwrap_or_else(|| panic!("no session in {page}"))
        + marker.len();
    page[start..start + 32].to_owned()
}
