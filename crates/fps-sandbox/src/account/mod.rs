//! The Amazon-side account pages (payments.amazon.com in the seeds): every sandbox account (a
//! test buyer, a configured seller, a caller's own account) signs in at `/account` with the
//! sandbox password and sees its balance, its transactions with their status history and fees,
//! and the tokens it authorized; a buyer cancels a pending or reserved payment or a token there,
//! and the caller hears of it by IPN as of any other change.
//!
//! The sign-in is a random 128-bit id in an `HttpOnly`, `SameSite=Strict` cookie scoped to
//! `/account`, kept in the store for an hour; every form carries the session's own token back
//! (compared in constant time), so another site cannot post them. Pages have the CBUI pages'
//! no-script CSP and escaping.

mod pages;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use crate::cbui::{find_account, html};
use crate::clock::real_now_ms;
use crate::config::TEST_SENDERS;
use crate::ids;
use crate::ledger;
use crate::state::SandboxState;
use crate::store::{AccountSession, StoreError};
use fps_core::canonical::{decode_query, reject_duplicates, PlusIs};

/// Path of the account pages.
pub const ACCOUNT_PATH: &str = "/account";
/// Name of the sign-in cookie.
const COOKIE: &str = "fps_sandbox_account";
/// How long a sign-in lasts.
const SESSION_MS: i64 = 60 * 60 * 1000;
/// Most transactions and tokens a page lists.
const LIST_LIMIT: i64 = 100;

/// The confirmations the page may show after an action (`?done=`): fixed texts, never echoed input.
const NOTICES: &[(&str, &str)] = &[
    (
        "payment-cancelled",
        "The payment was cancelled. The merchant has been notified.",
    ),
    (
        "token-cancelled",
        "The authorization was cancelled. The merchant has been notified.",
    ),
];

fn form(body: &Bytes) -> Option<Vec<(String, String)>> {
    let text = std::str::from_utf8(body).ok()?;
    let pairs = decode_query(text, PlusIs::Space).ok()?;
    reject_duplicates(&pairs).ok()?;
    Some(pairs)
}

fn get<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

fn see_other(location: &'static str, cookie: Option<String>) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    headers.insert(header::LOCATION, HeaderValue::from_static(location));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(value) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        headers.insert(header::SET_COOKIE, value);
    }
    response
}

fn failed(e: &StoreError) -> Response {
    tracing::error!(error = %e, "account pages: database failed");
    crate::cbui::error_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "The account could not be read; try again.",
    )
}

/// The sign-in cookie's session id, if the request carries a well-formed one.
fn cookie_session(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value)
        .filter(|id| id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()))
}

async fn signed_in(state: &SandboxState, headers: &HeaderMap) -> Result<Option<AccountSession>, StoreError> {
    match cookie_session(headers) {
        Some(id) => state.store.account_session(id, real_now_ms()).await,
        None => Ok(None),
    }
}

/// Every account that may sign in: the test buyers, the configured sellers and callers.
fn accounts(state: &SandboxState) -> Vec<String> {
    let mut out: Vec<String> = TEST_SENDERS.iter().map(|s| s.email.to_owned()).collect();
    out.extend(state.config.recipients.iter().map(|r| r.email.clone()));
    out.extend(state.config.callers.iter().map(|c| c.email.clone()));
    out
}

/// `GET /account`: the account of the signed-in account, or the sign-in page.
pub async fn page(State(state): State<Arc<SandboxState>>, headers: HeaderMap, uri: Uri) -> Response {
    let session = match signed_in(&state, &headers).await {
        Ok(Some(session)) => session,
        Ok(None) => return html(StatusCode::OK, pages::sign_in(&accounts(&state), None, "")),
        Err(e) => return failed(&e),
    };
    let done = uri
        .query()
        .and_then(|q| decode_query(q, PlusIs::Space).ok())
        .and_then(|pairs| get(&pairs, "done").map(str::to_owned));
    let notice = NOTICES
        .iter()
        .find(|(key, _)| Some(*key) == done.as_deref())
        .map(|(_, text)| *text);
    render(&state, &session, StatusCode::OK, notice, None).await
}

async fn render(
    state: &SandboxState,
    session: &AccountSession,
    status: StatusCode,
    notice: Option<&str>,
    error: Option<&str>,
) -> Response {
    match account_page(state, session, notice, error).await {
        Ok(page) => html(status, page),
        Err(e) => failed(&e),
    }
}

async fn account_page(
    state: &SandboxState,
    session: &AccountSession,
    notice: Option<&str>,
    error: Option<&str>,
) -> Result<String, StoreError> {
    let email = session.email.as_str();
    let caller = state
        .config
        .callers
        .iter()
        .find(|c| c.email.eq_ignore_ascii_case(email));
    let caller_key = caller.map(|c| c.access_key_id.as_str());
    let name = find_account(state, email, crate::config::TEST_SENDER_PASSWORD)
        .map_or_else(|| email.to_owned(), |a| a.name);
    let balance = ledger::balance::account_balance(state, email, caller_key).await?;
    let mut transactions = Vec::new();
    for txn in state
        .store
        .transactions_involving(email, caller_key, LIST_LIMIT)
        .await?
    {
        let history = state.store.history(&txn.id).await?;
        transactions.push((txn, history));
    }
    let tokens: Vec<_> = state
        .store
        .tokens_of(email, LIST_LIMIT)
        .await?
        .into_iter()
        .map(|t| {
            let caller_name = state
                .caller(&t.caller_key)
                .map_or_else(|| "a merchant".to_owned(), |c| c.name.clone());
            (t, caller_name)
        })
        .collect();
    Ok(pages::account(&pages::AccountView {
        name: &name,
        email,
        form_token: &session.form_token,
        balance,
        transactions: &transactions,
        tokens: &tokens,
        notice,
        error,
    }))
}

/// `POST /account/signin`: checks the e-mail and the sandbox password, sets the cookie.
pub async fn sign_in(State(state): State<Arc<SandboxState>>, body: Bytes) -> Response {
    let Some(pairs) = form(&body) else {
        return crate::cbui::error_page(StatusCode::BAD_REQUEST, "The form could not be read.");
    };
    let email = get(&pairs, "email").unwrap_or("").trim();
    let password = get(&pairs, "password").unwrap_or("");
    let Some(account) = find_account(&state, email, password) else {
        let page = pages::sign_in(
            &accounts(&state),
            Some("No sandbox account has that e-mail address and password."),
            email,
        );
        return html(StatusCode::OK, page);
    };
    let session = AccountSession {
        id: ids::session_id(),
        email: account.email,
        form_token: ids::session_id(),
        expires_at: real_now_ms() + SESSION_MS,
    };
    if let Err(e) = state.store.create_account_session(&session, real_now_ms()).await {
        return failed(&e);
    }
    let cookie = format!(
        "{COOKIE}={}; Path={ACCOUNT_PATH}; HttpOnly; SameSite=Strict; Max-Age={}",
        session.id,
        SESSION_MS / 1000
    );
    see_other(ACCOUNT_PATH, Some(cookie))
}

/// The signed-in session of a posted form whose form token matches, or the response to give.
async fn posted(
    state: &SandboxState,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<(AccountSession, Vec<(String, String)>), Response> {
    let pairs = form(body)
        .ok_or_else(|| crate::cbui::error_page(StatusCode::BAD_REQUEST, "The form could not be read."))?;
    let session = match signed_in(state, headers).await {
        Ok(Some(session)) => session,
        Ok(None) => return Err(see_other(ACCOUNT_PATH, None)),
        Err(e) => return Err(failed(&e)),
    };
    let sent = get(&pairs, "formToken").unwrap_or("");
    if !bool::from(sent.as_bytes().ct_eq(session.form_token.as_bytes())) {
        return Err(crate::cbui::error_page(
            StatusCode::FORBIDDEN,
            "This form is out of date. Open your account page again.",
        ));
    }
    Ok((session, pairs))
}

/// `POST /account/signout`.
pub async fn sign_out(State(state): State<Arc<SandboxState>>, headers: HeaderMap, body: Bytes) -> Response {
    let (session, _) = match posted(&state, &headers, &body).await {
        Ok(ok) => ok,
        Err(response) => return response,
    };
    if let Err(e) = state.store.end_account_session(&session.id).await {
        return failed(&e);
    }
    let cookie = format!("{COOKIE}=; Path={ACCOUNT_PATH}; HttpOnly; SameSite=Strict; Max-Age=0");
    see_other(ACCOUNT_PATH, Some(cookie))
}

/// `POST /account/cancel-payment`: the signed-in sender cancels its pending or reserved payment.
pub async fn cancel_payment(
    State(state): State<Arc<SandboxState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (session, pairs) = match posted(&state, &headers, &body).await {
        Ok(ok) => ok,
        Err(response) => return response,
    };
    let id = get(&pairs, "transaction").unwrap_or("");
    let outcome = {
        let _guard = state.write_lock.lock().await;
        ledger::cancel_by_sender(&state, &session.email, id).await
    };
    state.wake_ledger.notify_one();
    match outcome {
        Ok(_) => see_other("/account?done=payment-cancelled", None),
        Err(e) => render(&state, &session, StatusCode::CONFLICT, None, Some(&e.message)).await,
    }
}

/// `POST /account/cancel-token`: the signed-in account cancels a token it authorized.
pub async fn cancel_token(
    State(state): State<Arc<SandboxState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (session, pairs) = match posted(&state, &headers, &body).await {
        Ok(ok) => ok,
        Err(response) => return response,
    };
    let id = get(&pairs, "token").unwrap_or("");
    let outcome = {
        let _guard = state.write_lock.lock().await;
        ledger::cancel_token_by_owner(&state, &session.email, id).await
    };
    match outcome {
        Ok(()) => see_other("/account?done=token-cancelled", None),
        Err(e) => render(&state, &session, StatusCode::CONFLICT, None, Some(&e.message)).await,
    }
}
