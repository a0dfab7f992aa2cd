//! A local test FPS, bound to 127.0.0.1: a real HTTP server speaking the Query API's XML and
//! error envelope (`fps-protocol.md` sections 5-6). It checks every request's SigV2 signature,
//! keeps transactions with their life cycle, answers identical resends with the first result
//! and a reused CallerReference with DuplicateRequest, and signs CBUI returns and IPNs that its
//! VerifySignature then checks (HMAC with a key of its own stands in for Amazon's RSA key).
//! Faults can be injected per action: slow answers, HTTP 500, malformed XML, error codes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use fps_core::canonical::{decode_query, CanonicalQuery, HttpMethod, PlusIs, StringToSign};
use fps_core::params::SignatureMethod;
use fps_core::{encode, Endpoint};
use fps_wire::signer::{sign, verify, SecretKey};

/// The caller's access key id the test FPS knows.
pub const ACCESS_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
/// The caller's secret.
pub const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
/// The key the test FPS signs returns and IPNs with (stands in for Amazon's RSA key).
const FPS_OWN_KEY: &str = "test-fps-own-signing-key";

/// What an injected fault does.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Process the call, then answer only after this long (the client times out first).
    SlowAfterApply(Duration),
    /// Answer HTTP 500 with an HTML page, without processing.
    Http500,
    /// Answer 200 with broken XML, without processing.
    Malformed,
    /// Answer with this FPS error code, without processing.
    Error(&'static str),
}

/// One transaction at the test FPS.
#[derive(Debug, Clone)]
pub struct Txn {
    /// `Pay`, `Reserve`, `Refund`.
    pub operation: String,
    /// Its CallerReference.
    pub caller_reference: String,
    /// Minor units.
    pub amount_minor: u64,
    /// `Pending`, `Success`, `Reserved`, `Cancelled`, `Failure`.
    pub status: String,
    /// Refunded so far (minor units).
    pub refunded_minor: u64,
    /// Settled (reserve only).
    pub settled: bool,
}

#[derive(Default)]
struct Inner {
    transactions: HashMap<String, Txn>,
    /// CallerReference -> (request fingerprint, first answer body).
    idempotency: HashMap<String, (String, String)>,
    faults: HashMap<String, Vec<Fault>>,
    calls: Vec<(String, Vec<(String, String)>)>,
    next_id: u64,
    /// Refunds start `Pending` (as card refunds do at the real FPS) instead of `Success`.
    pending_refunds: bool,
}

/// A running test FPS.
#[derive(Clone)]
pub struct FpsServer {
    /// Its Query API endpoint (`http://127.0.0.1:PORT/`).
    pub endpoint: String,
    inner: Arc<Mutex<Inner>>,
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn success(action: &str, result: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?>\n<{action}Response xmlns=\"http://fps.amazonaws.com/doc/2010-08-28/\">\
         <{action}Result>{result}</{action}Result><ResponseMetadata><RequestId>\
         6f3b1f2c-1d0e-4a8b-9c7d-000000000001:0</RequestId></ResponseMetadata></{action}Response>"
    )
}

fn error_body(code: &str, message: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?>\n<Response><Errors><Error><Code>{code}</Code><Message>{}</Message></Error>\
         </Errors><RequestID>0b2b1d5f-40a0-4ec8-9a8e-2b4e83c6b61a:0</RequestID></Response>",
        xml_escape(message)
    )
}

fn txn_result(id: &str, status: &str) -> String {
    format!("<TransactionId>{id}</TransactionId><TransactionStatus>{status}</TransactionStatus>")
}

fn minor(value: &str) -> Option<u64> {
    fps_core::Amount::parse(value).ok().map(|a| a.minor_units())
}

impl FpsServer {
    /// Starts the server on a free loopback port.
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let server = FpsServer {
            endpoint: format!("http://127.0.0.1:{port}/"),
            inner: Arc::new(Mutex::new(Inner::default())),
        };
        let app = Router::new().route("/", get(handle)).with_state(server.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        server
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Makes the next `times` calls of `action` fail with `fault`.
    pub fn fault(&self, action: &str, fault: Fault, times: usize) {
        let mut inner = self.lock();
        let queue = inner.faults.entry(action.to_owned()).or_default();
        for _ in 0..times {
            queue.push(fault.clone());
        }
    }

    /// How many calls of `action` arrived (faulty ones included).
    pub fn calls(&self, action: &str) -> usize {
        self.lock().calls.iter().filter(|(a, _)| a == action).count()
    }

    /// The transactions of an operation.
    pub fn transactions(&self, operation: &str) -> Vec<(String, Txn)> {
        self.lock()
            .transactions
            .iter()
            .filter(|(_, t)| t.operation == operation)
            .map(|(id, t)| (id.clone(), t.clone()))
            .collect()
    }

    /// Changes a transaction's status, as FPS does when a card payment completes.
    pub fn set_status(&self, id: &str, status: &str) {
        if let Some(t) = self.lock().transactions.get_mut(id) {
            t.status = status.to_owned();
        }
    }

    /// From now on refunds start `Pending` and complete only by [`FpsServer::set_status`].
    pub fn hold_refunds(&self) {
        self.lock().pending_refunds = true;
    }

    /// A CBUI return for `return_url` (which may carry its own query): the query string the
    /// browser would see, signed over `method` (GET for returns), `params` in the given order.
    pub fn signed_return(&self, return_url: &str, params: &[(&str, &str)]) -> String {
        self.signed_pairs(HttpMethod::Get, return_url, params)
    }

    /// An IPN body for `ipn_url`, signed over POST.
    pub fn signed_ipn(&self, ipn_url: &str, params: &[(&str, &str)]) -> String {
        self.signed_pairs(HttpMethod::Post, ipn_url, params)
    }

    fn signed_pairs(&self, method: HttpMethod, url: &str, params: &[(&str, &str)]) -> String {
        let endpoint = Endpoint::parse(url).expect("url");
        let mut pairs: Vec<(String, String)> = decode_query(endpoint.query().unwrap_or(""), PlusIs::Space)
            .expect("own query")
            .into_iter()
            .collect();
        for (n, v) in params {
            pairs.push((n.to_string(), v.to_string()));
        }
        pairs.push(("signatureMethod".into(), "RSA-SHA1".into()));
        pairs.push(("signatureVersion".into(), "2".into()));
        pairs.push((
            "certificateUrl".into(),
            format!("{}certs/090909/PKICert.pem", self.endpoint),
        ));
        let bare = Endpoint::parse(endpoint.without_query()).expect("bare");
        let query = CanonicalQuery::new(pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        let sts = StringToSign::new(method, &bare, &query);
        let key = SecretKey::new(FPS_OWN_KEY).expect("key");
        let signature = sign(&key, SignatureMethod::HmacSha256, &sts);
        pairs.push(("signature".into(), signature));
        pairs
            .iter()
            .map(|(n, v)| format!("{}={}", encode(n), encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }
}

async fn handle(State(server): State<FpsServer>, RawQuery(query): RawQuery) -> Response {
    let query = query.unwrap_or_default();
    let reply =
        |status: StatusCode, body: String| (status, [("content-type", "text/xml")], body).into_response();
    let pairs = match decode_query(&query, PlusIs::Literal) {
        Ok(p) => p,
        Err(e) => {
            return reply(
                StatusCode::BAD_REQUEST,
                error_body("InvalidParams", &e.to_string()),
            )
        }
    };
    let get = |name: &str| pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    let action = get("Action").unwrap_or_default();
    server.lock().calls.push((action.clone(), pairs.clone()));

    // Signature Version 2 over GET, this host and path /.
    let endpoint = Endpoint::parse(&server.endpoint).expect("own endpoint");
    let query_signed = CanonicalQuery::new(pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    let sts = StringToSign::new(HttpMethod::Get, &endpoint, &query_signed);
    let secret = SecretKey::new(SECRET).expect("secret");
    let well_formed = get("AWSAccessKeyId").as_deref() == Some(ACCESS_KEY)
        && get("SignatureVersion").as_deref() == Some("2")
        && get("SignatureMethod").as_deref() == Some("HmacSHA256")
        && get("Version").as_deref() == Some("2010-08-28")
        && get("Timestamp").is_some_and(|t| t.ends_with('Z') && t.len() >= 20);
    let signed = get("Signature").is_some_and(|s| verify(&secret, SignatureMethod::HmacSha256, &sts, &s));
    if !well_formed || !signed {
        return reply(
            StatusCode::FORBIDDEN,
            error_body("SignatureDoesNotMatch", "The request signature does not match."),
        );
    }

    let fault = {
        let mut inner = server.lock();
        inner
            .faults
            .get_mut(&action)
            .and_then(|q| (!q.is_empty()).then(|| q.remove(0)))
    };
    let mut delay = None;
    match fault {
        Some(Fault::Http500) => {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "<html><body>500 Internal Server Error</body></html>",
            )
                .into_response()
        }
        Some(Fault::Malformed) => {
            return reply(
                StatusCode::OK,
                format!("<{action}Response><{action}Result><Transact"),
            )
        }
        Some(Fault::Error(code)) => return reply(StatusCode::BAD_REQUEST, error_body(code, "injected")),
        Some(Fault::SlowAfterApply(d)) => delay = Some(d),
        None => {}
    }
    let (status, body) = server.apply(&action, &pairs, get);
    if let Some(d) = delay {
        tokio::time::sleep(d).await;
    }
    reply(status, body)
}

impl FpsServer {
    fn apply(
        &self,
        action: &str,
        pairs: &[(String, String)],
        get: impl Fn(&str) -> Option<String>,
    ) -> (StatusCode, String) {
        let bad = |code: &str, message: &str| (StatusCode::BAD_REQUEST, error_body(code, message));
        let mut inner = self.lock();
        let fingerprint: String = {
            let mut p: Vec<String> = pairs
                .iter()
                .filter(|(n, _)| n != "Signature")
                .map(|(n, v)| format!("{n}={v}"))
                .collect();
            p.sort();
            p.join("&")
        };
        match action {
            "VerifySignature" => {
                let (Some(url), Some(params)) = (get("UrlEndPoint"), get("HttpParameters")) else {
                    return bad("InvalidParams", "UrlEndPoint and HttpParameters are required.");
                };
                let Ok(received) = decode_query(&params, PlusIs::Space) else {
                    return bad("InvalidParams", "HttpParameters is not a query.");
                };
                let find = |n: &str| received.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
                if find("certificateUrl").is_none() {
                    return bad("InvalidParams", "certificateUrl is missing in 'HttpParameters'.");
                }
                let ok = match (Endpoint::parse_without_query(&url), find("signature")) {
                    (Ok(endpoint), Some(signature)) => {
                        let query =
                            CanonicalQuery::new(received.iter().map(|(n, v)| (n.as_str(), v.as_str())));
                        let key = SecretKey::new(FPS_OWN_KEY).expect("key");
                        [HttpMethod::Get, HttpMethod::Post].into_iter().any(|m| {
                            let sts = StringToSign::new(m, &endpoint, &query);
                            verify(&key, SignatureMethod::HmacSha256, &sts, &signature)
                        })
                    }
                    _ => false,
                };
                let status = if ok { "Success" } else { "Failure" };
                (
                    StatusCode::OK,
                    success(
                        action,
                        &format!("<VerificationStatus>{status}</VerificationStatus>"),
                    ),
                )
            }
            "Pay" | "Reserve" | "Refund" => {
                let Some(reference) = get("CallerReference") else {
                    return bad("InvalidParams", "CallerReference is required.");
                };
                if let Some((seen, body)) = inner.idempotency.get(&reference) {
                    return if *seen == fingerprint {
                        (StatusCode::OK, body.clone())
                    } else {
                        bad(
                            "DuplicateRequest",
                            "CallerReference was used with other parameters.",
                        )
                    };
                }
                let (id, status, amount) = if action == "Refund" {
                    let Some(original) = get("TransactionId") else {
                        return bad("InvalidParams", "TransactionId is required.");
                    };
                    let Some(t) = inner.transactions.get(&original).cloned() else {
                        return bad("InvalidTransactionId", "No such transaction.");
                    };
                    if t.status != "Success" {
                        return bad(
                            "InvalidTransactionState",
                            "Only completed transactions are refunded.",
                        );
                    }
                    let left = t.amount_minor - t.refunded_minor;
                    let amount = match get("RefundAmount.Value") {
                        Some(v) => match minor(&v) {
                            Some(m) => m,
                            None => return bad("InvalidParameterValue", "RefundAmount.Value"),
                        },
                        None => left,
                    };
                    if amount > left {
                        return bad("RefundAmountExceeded", "Refunds exceed the amount.");
                    }
                    if let Some(t) = inner.transactions.get_mut(&original) {
                        t.refunded_minor += amount;
                    }
                    inner.next_id += 1;
                    let status = if inner.pending_refunds {
                        "Pending"
                    } else {
                        "Success"
                    };
                    (format!("REFUND{:029}", inner.next_id), status, amount)
                } else {
                    let Some(token) = get("SenderTokenId") else {
                        return bad("InvalidParams", "SenderTokenId is required.");
                    };
                    let Some(amount) = get("TransactionAmount.Value").as_deref().and_then(minor) else {
                        return bad("InvalidParameterValue", "TransactionAmount.Value");
                    };
                    if get("TransactionAmount.CurrencyCode").as_deref() != Some("USD") {
                        return bad("InvalidParameterValue", "TransactionAmount.CurrencyCode");
                    }
                    if token.starts_with("DECLINE") {
                        return bad(
                            "InsufficientBalance",
                            "The sender does not have sufficient balance.",
                        );
                    }
                    let status = match (token.starts_with("PENDING"), action) {
                        (true, _) => "Pending",
                        (false, "Reserve") => "Reserved",
                        (false, _) => "Success",
                    };
                    inner.next_id += 1;
                    (format!("TXN{:032}", inner.next_id), status, amount)
                };
                inner.transactions.insert(
                    id.clone(),
                    Txn {
                        operation: action.to_owned(),
                        caller_reference: reference.clone(),
                        amount_minor: amount,
                        status: status.to_owned(),
                        refunded_minor: 0,
                        settled: false,
                    },
                );
                let body = success(action, &txn_result(&id, status));
                inner.idempotency.insert(reference, (fingerprint, body.clone()));
                (StatusCode::OK, body)
            }
            "Settle" => {
                let Some(id) = get("ReserveTransactionId") else {
                    return bad("InvalidParams", "ReserveTransactionId is required.");
                };
                let Some(t) = inner.transactions.get_mut(&id) else {
                    return bad("InvalidTransactionId", "No such transaction.");
                };
                if t.status != "Reserved" || t.settled {
                    return bad(
                        "InvalidTransactionState",
                        "Only an unsettled reserve can be settled.",
                    );
                }
                let amount = match get("TransactionAmount.Value") {
                    Some(v) => match minor(&v) {
                        Some(m) => m,
                        None => return bad("InvalidParameterValue", "TransactionAmount.Value"),
                    },
                    None => t.amount_minor,
                };
                if amount > t.amount_minor {
                    return bad(
                        "SettleAmountGreaterThanReserveAmount",
                        "Settle exceeds the reserve.",
                    );
                }
                t.amount_minor = amount;
                t.settled = true;
                t.status = "Success".into();
                (StatusCode::OK, success(action, &txn_result(&id, "Success")))
            }
            "Cancel" => {
                let Some(id) = get("TransactionId") else {
                    return bad("InvalidParams", "TransactionId is required.");
                };
                let Some(t) = inner.transactions.get_mut(&id) else {
                    return bad("InvalidTransactionId", "No such transaction.");
                };
                if t.status != "Reserved" && t.status != "Pending" {
                    return bad(
                        "InvalidTransactionState",
                        "Only pending or reserved transactions cancel.",
                    );
                }
                t.status = "Cancelled".into();
                (StatusCode::OK, success(action, &txn_result(&id, "Cancelled")))
            }
            "GetTransactionStatus" => {
                let Some(id) = get("TransactionId") else {
                    return bad("InvalidParams", "TransactionId is required.");
                };
                let Some(t) = inner.transactions.get(&id) else {
                    return bad("InvalidTransactionId", "No such transaction.");
                };
                let result = format!(
                    "{}<CallerReference>{}</CallerReference><StatusCode>{}</StatusCode>\
                     <StatusMessage>test</StatusMessage>",
                    txn_result(&id, &t.status),
                    xml_escape(&t.caller_reference),
                    t.status
                );
                (StatusCode::OK, success(action, &result))
            }
            "GetTransaction" => {
                let Some(id) = get("TransactionId") else {
                    return bad("InvalidParams", "TransactionId is required.");
                };
                let Some(t) = inner.transactions.get(&id) else {
                    return bad("InvalidTransactionId", "No such transaction.");
                };
                let result = format!(
                    "<Transaction><TransactionId>{id}</TransactionId><CallerReference>{}</CallerReference>\
                     <TransactionAmount><CurrencyCode>USD</CurrencyCode><Value>{}.{:02}</Value></TransactionAmount>\
                     <FPSOperation>{}</FPSOperation><TransactionStatus>{}</TransactionStatus></Transaction>",
                    xml_escape(&t.caller_reference),
                    t.amount_minor / 100,
                    t.amount_minor % 100,
                    t.operation,
                    t.status
                );
                (StatusCode::OK, success(action, &result))
            }
            other => bad("InvalidParams", &format!("Unknown Action {other}.")),
        }
    }
}
