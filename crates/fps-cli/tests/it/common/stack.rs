//! The merchant backend against the real FPS emulator, both started exactly as
//! `fps-checkout demo` starts them (the emulator on a thread and runtime of its own, the backend
//! on SQLite, fresh development keys, free loopback ports), and a shopper who goes through the
//! emulator's CBUI pages over HTTP the way a browser without script would.

use std::path::PathBuf;
use std::time::Duration;

use fps_cli::demo::{self, DemoArgs, RunningDemo};
use serde_json::Value;

use super::{read, Api};

/// What the shopper does on the CBUI confirm page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shopper {
    /// Signs in as the sandbox test buyer and confirms with a card.
    Confirms,
    /// Signs in, then presses Cancel (status `A`).
    Cancels,
    /// Signs in as this sandbox account and confirms with a card.
    ConfirmsAs(&'static str),
    /// Signs in as the test buyer and confirms with this payment method (`CC`, `ACH`, `ABT`)
    /// and these confirm-page fields (the shipping address of an order that ships).
    ConfirmsWith(&'static str, &'static [(&'static str, &'static str)]),
}

/// The running backend + emulator.
pub struct Stack {
    /// The backend's API.
    pub api: Api,
    /// The emulator's base URL (no trailing slash).
    pub sandbox: String,
    demo: Option<RunningDemo>,
    dir: PathBuf,
}

impl std::ops::Deref for Stack {
    type Target = Api;

    fn deref(&self) -> &Api {
        &self.api
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The stack's `FPS_SENDER_DESCRIPTION`.
pub const STACK_SENDER_DESCRIPTION: &str = "Trailhead Supply order";
/// The stack's `FPS_CALLER_DESCRIPTION`.
pub const STACK_CALLER_DESCRIPTION: &str = "Trailhead Supply web shop";

/// Starts the emulator and the backend with `pending_delay_ms` for card payments.
pub async fn start_stack(pending_delay_ms: u64) -> Stack {
    let dir = std::env::temp_dir().join(format!("fps-stack-{}", uuid::Uuid::new_v4().simple()));
    let pkg = dir.join("pkg");
    std::fs::create_dir_all(&pkg).expect("state folder");
    let args = DemoArgs {
        shop: "127.0.0.1:0".parse().expect("addr"),
        sandbox: "127.0.0.1:0".parse().expect("addr"),
        dir: dir.clone(),
        www: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../www"),
        pkg,
        pending_delay_ms,
        ready_file: None,
        sender_description: STACK_SENDER_DESCRIPTION.to_owned(),
        caller_description: Some(STACK_CALLER_DESCRIPTION.to_owned()),
    };
    let running = demo::start(&args).await.expect("the demo starts");
    let base = running.info.shop_url.trim_end_matches('/').to_owned();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let (status, config) = read(
        http.get(format!("{base}/config.json"))
            .send()
            .await
            .expect("config"),
    )
    .await;
    assert_eq!(status, 200, "{config}");
    Stack {
        api: Api {
            return_url: config["returnUrl"].as_str().expect("returnUrl").to_owned(),
            caller_key: config["callerKey"].as_str().expect("callerKey").to_owned(),
            ipn_url: format!("{base}/fps/ipn"),
            admin_token: running.info.admin_token.clone(),
            base,
            http,
        },
        sandbox: running.info.sandbox_url.trim_end_matches('/').to_owned(),
        demo: Some(running),
        dir,
    }
}

impl Stack {
    /// Stops both servers.
    pub async fn stop(mut self) {
        if let Some(running) = self.demo.take() {
            running.stop().await;
        }
    }

    async fn page(&self, response: reqwest::Response) -> (u16, Option<String>, String) {
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .map(str::to_owned);
        (status, location, response.text().await.unwrap_or_default())
    }

    async fn form(&self, path: &str, fields: &[(&str, &str)]) -> (u16, Option<String>, String) {
        let response = self
            .http
            .post(format!("{}{path}", self.sandbox))
            .form(fields)
            .send()
            .await
            .expect("CBUI form");
        self.page(response).await
    }

    /// The shopper at the CBUI: opens the signed URL, signs in as the test buyer, confirms with a
    /// card or cancels. Returns the URL the emulator sends the browser back to.
    pub async fn shopper(&self, signed_url: &str, choice: Shopper) -> String {
        let response = self.http.get(signed_url).send().await.expect("CBUI start");
        let (status, _, page) = self.page(response).await;
        assert_eq!(status, 200, "{page}");
        let marker = "name=\"session\" value=\"";
        let at = page
            .find(marker)
            .unwrap_or_else(|| panic!("no session in {page}"))
            + marker.len();
        let session = page[at..at + 32].to_owned();
        let (status, location, page) = self
            .form(
                "/cobranded-ui/actions/signin",
                &[
                    ("session", &session),
                    (
                        "email",
                        match choice {
                            Shopper::ConfirmsAs(email) => email,
                            _ => "buyer@sandbox.test",
                        },
                    ),
                    ("password", "sandbox"),
                    ("action", "signin"),
                ],
            )
            .await;
        if status == 303 {
            return location.expect("location");
        }
        assert_eq!(status, 200, "{page}");
        let (action, method, extra) = match choice {
            Shopper::Confirms | Shopper::ConfirmsAs(_) => ("confirm", "CC", &[][..]),
            Shopper::ConfirmsWith(method, extra) => ("confirm", method, extra),
            Shopper::Cancels => ("cancel", "CC", &[][..]),
        };
        let mut fields = vec![
            ("session", session.as_str()),
            ("paymentMethod", method),
            ("action", action),
        ];
        fields.extend_from_slice(extra);
        let (status, location, page) = self.form("/cobranded-ui/actions/confirm", &fields).await;
        assert_eq!(status, 303, "{page}");
        location.expect("location")
    }

    /// A whole checkout of one `sku`: order, signature, CBUI, and the landing query forwarded to
    /// `/fps/return` byte for byte. Returns the order, the raw landing query and the answer.
    pub async fn checkout(&self, sku: &str, choice: Shopper) -> (Value, String, u16, Value) {
        let order = self.create_order(sku, 1).await;
        let (raw, status, body) = self.authorize(&order, choice).await;
        (order, raw, status, body)
    }

    /// The CBUI part of a checkout for an order already open (`order` as `POST /api/orders` or
    /// the order page answer it: `callerReference`, `amount`, `description`, `paymentMode`).
    /// Returns the raw landing query and the answer of `/fps/return`.
    pub async fn authorize(&self, order: &Value, choice: Shopper) -> (String, u16, Value) {
        let signed = self.sign(order).await;
        let landing = self.shopper(signed["url"].as_str().expect("url"), choice).await;
        assert!(landing.starts_with(&self.return_url), "{landing}");
        let raw = landing
            .split_once('?')
            .map(|(_, q)| q.to_owned())
            .unwrap_or_default();
        let (status, body) = self.post_text("/fps/return", &raw).await;
        (raw, status, body)
    }

    /// Polls the admin view of an order (which refreshes from FPS) until it is `status`;
    /// at most 20 s. Returns the order as last seen.
    pub async fn reaches(&self, reference: &str, status: &str) -> Value {
        let mut last = Value::Null;
        for _ in 0..200 {
            last = self.order(reference).await;
            if last["status"] == status {
                return last;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("order {reference} never became {status}; last seen {last}");
    }
}
