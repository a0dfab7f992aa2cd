//! The FPS the whole-stack tests run against: the real emulator (fps-sandbox) in this process,
//! with its test controls (`/sandbox/faults`, `/sandbox/settlement`, the test clock), the Query
//! API to read the transactions it holds, its CBUI pages to get signed returns, and its own RSA
//! key (in process) to sign the crafted returns and IPNs a test sends the backend.

use std::time::Duration;

use fps_core::CbuiReturn;
use serde_json::{json, Value};

use crate::common::read;
use crate::sandbox_support::{self, Harness as Fps, TempDir};
use crate::shop_support::FAULT_TOKEN;
use fps_wire::signer::SecretKey;

/// The caller's access key id the emulator knows.
pub const ACCESS_KEY: &str = sandbox_support::KEY;
/// The caller's secret.
pub const SECRET: &str = sandbox_support::SECRET;

/// How long a held card or bank transaction stays `Pending` ([`Emulator::set_status`] ends it
/// by moving the emulator's test clock past it).
const HELD: Duration = Duration::from_secs(3600);

/// What an injected fault does (the emulator's fault switch, for the next `times` calls).
#[derive(Debug, Clone)]
pub enum Fault {
    /// Process the call, then answer only after this long (the client times out first).
    SlowAfterApply(Duration),
    /// Answer HTTP 500 with an HTML page (a proxy in front of FPS), without processing.
    Http500,
    /// Answer 200 with broken XML (the call is processed: the caller cannot know it).
    Malformed,
    /// Answer with this FPS error code, without processing.
    Error(&'static str),
}

/// How the sandbox buyer pays at the CBUI, and how FPS then treats the payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payer {
    /// A card payment that completes in FPS's answer.
    Ok,
    /// A card payment that stays `Pending` until [`Emulator::set_status`].
    Pending,
    /// A payment FPS refuses with `InsufficientBalance`.
    Declined,
}

/// One transaction the emulator holds, as GetAccountActivity shows it.
#[derive(Debug, Clone)]
pub struct Txn {
    /// Its CallerReference.
    pub caller_reference: String,
    /// Minor units.
    pub amount_minor: u64,
    /// `Pending`, `Success`, `Reserved`, `Cancelled`, `Failure`.
    pub status: String,
}

/// The emulator and how the harness drives it.
pub struct Emulator {
    /// The emulator and its signed Query API client.
    pub fps: Fps,
    /// Its Query API endpoint (`http://127.0.0.1:PORT/`).
    pub endpoint: String,
    /// The settlement in force between a test's checkouts (instant, or held refunds).
    default_settlement: std::sync::Mutex<Value>,
}

impl Emulator {
    /// Starts the emulator: fault switch on, no IPN URL (tests send their own, signed with its
    /// key), card and bank transactions completing in the answer.
    pub async fn start() -> Emulator {
        let dir = TempDir::new();
        let mut config = sandbox_support::config(&dir, 50, None);
        config.fault_token = SecretKey::new(FAULT_TOKEN);
        let sandbox = fps_sandbox::start(config).await.expect("sandbox");
        let emulator = Emulator {
            endpoint: sandbox.api_url(),
            fps: Fps::with(sandbox, dir),
            default_settlement: std::sync::Mutex::new(json!({ "mode": "instant" })),
        };
        emulator.settle(json!({ "mode": "instant" })).await;
        emulator
    }

    async fn control(&self, path: &str, body: &Value) -> Value {
        let response = self
            .fps
            .http
            .post(format!("{}{path}", self.fps.sandbox.base_url()))
            .bearer_auth(FAULT_TOKEN)
            .json(body)
            .send()
            .await
            .expect("test control");
        let (status, answer) = read(response).await;
        assert_eq!(status, 200, "{path} {body}: {answer}");
        answer
    }

    async fn settle(&self, settlement: Value) {
        let answer = self.control("/sandbox/settlement", &settlement).await;
        assert_eq!(answer, settlement);
    }

    /// Makes the next `times` calls of `action` fail with `fault`.
    pub async fn fault(&self, action: &str, fault: Fault, times: u32) {
        let mut body = match fault {
            Fault::SlowAfterApply(delay) => json!({ "mode": "slow", "delayMs": delay.as_millis() }),
            Fault::Http500 => json!({ "mode": "5xx", "status": 500, "html": true }),
            Fault::Malformed => json!({ "mode": "malformed" }),
            Fault::Error(code) => json!({ "mode": "error", "code": code }),
        };
        body["actions"] = json!([action]);
        body["times"] = json!(times);
        let answer = self.control("/sandbox/faults", &body).await;
        assert_eq!(answer["mode"], body["mode"], "{answer}");
    }

    /// How many Query API calls of `action` arrived (faulty ones included).
    pub fn calls(&self, action: &str) -> usize {
        let calls = self.fps.sandbox.state.faults.calls(action);
        usize::try_from(calls).expect("a count")
    }

    /// The transactions of an operation (`Pay`, `Reserve` unsettled or not, `Refund`), by id.
    pub async fn transactions(&self, operation: &str) -> Vec<(String, Txn)> {
        let reply = self
            .fps
            .call(&[
                ("Action", "GetAccountActivity"),
                ("StartDate", "2000-01-01T00:00:00Z"),
                ("MaxBatchSize", "200"),
            ])
            .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        let mut found = Vec::new();
        for block in reply.body.split("<Transaction>").skip(1) {
            let field = |name: &str| sandbox_support::tag(block, name).unwrap_or_default();
            let op = field("FPSOperation");
            let shown_as = if op == "Settle" { "Reserve" } else { op.as_str() };
            if shown_as != operation {
                continue;
            }
            let amount = fps_core::Amount::parse(field("Value").trim_end_matches("0000"))
                .expect("an amount")
                .minor_units();
            found.push((
                field("TransactionId"),
                Txn {
                    caller_reference: field("CallerReference"),
                    amount_minor: amount,
                    status: field("TransactionStatus"),
                },
            ));
        }
        found
    }

    /// Brings a held transaction to `status` as FPS would: `Pending` stays as it is, `Success`
    /// comes when the emulator's test clock passes its pending delay. Checks the result.
    pub async fn set_status(&self, id: &str, status: &str) {
        if status != "Pending" {
            self.fps
                .sandbox
                .advance_clock(HELD + Duration::from_secs(1))
                .await
                .expect("advance the emulator's clock");
        }
        let reply = self
            .fps
            .call(&[("Action", "GetTransactionStatus"), ("TransactionId", id)])
            .await;
        assert_eq!(
            reply.tag("TransactionStatus").as_deref(),
            Some(status),
            "{}",
            reply.body
        );
    }

    /// From now on card refunds (and settles) stay `Pending` until [`Emulator::set_status`].
    pub async fn hold_refunds(&self) {
        let held = json!({ "mode": "pending", "delayMs": HELD.as_millis() });
        *self.default_settlement.lock().expect("settlement") = held.clone();
        self.settle(held).await;
    }

    /// Puts the settlement `payer` needs in force for a checkout (and a declining fault).
    pub async fn prepare(&self, payer: Payer) {
        match payer {
            Payer::Ok => self.settle(json!({ "mode": "instant" })).await,
            Payer::Pending => {
                self.settle(json!({ "mode": "pending", "delayMs": HELD.as_millis() }))
                    .await
            }
            Payer::Declined => self.fault("Pay", Fault::Error("InsufficientBalance"), 1).await,
        }
    }

    /// Puts the settlement between checkouts back in force.
    pub async fn restore(&self) {
        let settlement = self.default_settlement.lock().expect("settlement").clone();
        self.settle(settlement).await;
    }

    /// The shopper at the emulator's CBUI pages for a request signed with the caller's secret
    /// (as the backend signs it): signs in as the sandbox buyer and confirms paying with
    /// `method` (`CC`, `ACH`, `ABT`). Returns the landing URL.
    pub async fn approve(&self, params: &[(&str, &str)], method: &str) -> String {
        let url = self.fps.cbui_url(ACCESS_KEY, params);
        self.fps.approve(&url, "buyer@sandbox.test", method).await
    }

    /// A return for `return_url` (which may carry its own query) signed with the emulator's key
    /// as its CBUI signs one: the query string the browser would see.
    pub fn signed_return(&self, return_url: &str, params: &[(&str, &str)]) -> String {
        let added: Vec<(&str, String)> = params.iter().map(|(n, v)| (*n, (*v).to_owned())).collect();
        let landing = fps_sandbox::cbui::landing::landing_url(&self.fps.sandbox.state, return_url, &added)
            .expect("a usable return URL");
        landing
            .split_once('?')
            .map(|(_, q)| q.to_owned())
            .unwrap_or_default()
    }

    /// An IPN body for `ipn_url`, signed over POST with the emulator's key.
    pub fn signed_ipn(&self, ipn_url: &str, params: &[(&str, &str)]) -> String {
        let pairs = params
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect();
        fps_sandbox::ipn::signed_body(&self.fps.sandbox.state, ipn_url, pairs).expect("a usable IPN URL")
    }
}

/// The `tokenID` of a return's query.
pub fn token_of(raw: &str) -> String {
    CbuiReturn::parse(raw)
        .ok()
        .and_then(|r| r.token_id)
        .map(|t| t.as_str().to_owned())
        .expect("a return with a token")
}
