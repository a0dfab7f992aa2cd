//! The CBUI pipeline steps after the start URL ([`super::start`]): sign in, confirm, and build
//! the signed landing URL on `returnURL`.

use axum::http::StatusCode;
use axum::response::Response;

use super::accounts::{find_account, offered, view, wants_reserve, Sender};
use super::landing::{fail, landing_url};
use super::pages;
use super::{error_page, html, redirect};
use crate::config::{CallerAccount, SenderBehaviour, TEST_SENDER_PASSWORD};
use crate::ids;
use crate::state::SandboxState;
use crate::store::{InstrumentKind, InstrumentRecord, SessionRecord, TokenRecord};
use fps_core::params::PaymentMethod;
use fps_core::{CbuiRequest, Pipeline, Status};

fn get<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

struct Loaded {
    session: SessionRecord,
    caller: CallerAccount,
    request: CbuiRequest,
    return_url: String,
}

async fn load(state: &SandboxState, pairs: &[(String, String)]) -> Result<Loaded, Response> {
    let gone = || {
        error_page(
            StatusCode::NOT_FOUND,
            "This payment authorization does not exist or has expired.",
        )
    };
    let id = get(pairs, "session").ok_or_else(gone)?;
    let session = state.store.session(id).await.ok().flatten().ok_or_else(gone)?;
    let caller = state.caller(&session.caller_key).cloned().ok_or_else(gone)?;
    let stored: Vec<(String, String)> = serde_json::from_str(&session.request_pairs).map_err(|_| gone())?;
    // Stored as sent (see super::start): read with the same letter-case tolerance.
    let request = CbuiRequest::from_sent_pairs(stored.iter().map(|(n, v)| (n.as_str(), v.as_str())))
        .map_err(|_| gone())?;
    let return_url = request.common().return_url.as_str().to_owned();
    Ok(Loaded {
        session,
        caller,
        request,
        return_url,
    })
}

fn replayed() -> Response {
    error_page(
        StatusCode::CONFLICT,
        "This payment authorization was already completed or cancelled. Return to the merchant's site to start again.",
    )
}

/// Step 2: sign in (or cancel).
pub async fn sign_in(state: &SandboxState, pairs: &[(String, String)]) -> Response {
    let loaded = match load(state, pairs).await {
        Ok(l) => l,
        Err(page) => return page,
    };
    let reference = Some(loaded.request.pipeline().caller_reference().as_str());
    let view = view(&loaded.caller, &loaded.request);
    let id = loaded.session.id.as_str();
    if loaded.session.state != "signin" {
        return replayed();
    }
    if get(pairs, "action") == Some("cancel") {
        return match state.store.advance_session(id, "signin", "done", None).await {
            Ok(true) => fail(state, &loaded.return_url, Status::Aborted, reference, ""),
            _ => replayed(),
        };
    }
    let email = get(pairs, "email").unwrap_or("").trim();
    let password = get(pairs, "password").unwrap_or("");
    let Some(sender) = find_account(state, email, password) else {
        let page = pages::sign_in(
            &view,
            id,
            Some("No sandbox account has that e-mail address and password."),
            email,
        );
        return html(StatusCode::OK, page);
    };
    let recipient_pipeline = matches!(loaded.request.pipeline(), Pipeline::Recipient(_));
    if recipient_pipeline && !sender.business {
        let page = pages::sign_in(
            &view,
            id,
            Some("Sign in with a business (recipient) account to register as a recipient."),
            email,
        );
        return html(StatusCode::OK, page);
    }
    let forced = match sender.behaviour {
        SenderBehaviour::SystemError => {
            Some((Status::SystemError, "A system error occurred; try again later."))
        }
        SenderBehaviour::Unverified => {
            Some((Status::NotAllowed, "The sender's e-mail address is not verified."))
        }
        SenderBehaviour::NotMarketplace => Some((
            Status::NotMarketplaceCaller,
            "The caller is not registered as a third-party caller.",
        )),
        _ if !recipient_pipeline && sender.email.eq_ignore_ascii_case(&loaded.caller.email) => Some((
            Status::NotAllowed,
            "The sender and the recipient are the same account.",
        )),
        _ if !recipient_pipeline && offered(&loaded.request, &view, sender.behaviour).is_empty() => Some((
            Status::PaymentMethodMismatch,
            "The sender has none of the payment methods this request allows.",
        )),
        _ => None,
    };
    let next = if forced.is_some() { "done" } else { "confirm" };
    match state
        .store
        .advance_session(id, "signin", next, Some(&sender.email))
        .await
    {
        Ok(true) => {}
        _ => return replayed(),
    }
    if let Some((status, message)) = forced {
        return fail(state, &loaded.return_url, status, reference, message);
    }
    let methods = if recipient_pipeline {
        Vec::new()
    } else {
        offered(&loaded.request, &view, sender.behaviour)
    };
    html(
        StatusCode::OK,
        pages::confirm(
            &view,
            id,
            &sender.name,
            &methods,
            &pages::default_shipping(&sender.name),
            None,
        ),
    )
}

/// Step 3: confirm (or cancel) and return.
pub async fn confirm(state: &SandboxState, pairs: &[(String, String)]) -> Response {
    let loaded = match load(state, pairs).await {
        Ok(l) => l,
        Err(page) => return page,
    };
    let reference = loaded.request.pipeline().caller_reference().as_str().to_owned();
    let id = loaded.session.id.clone();
    if loaded.session.state != "confirm" {
        return replayed();
    }
    let email = loaded.session.sender_email.clone().unwrap_or_default();
    let Some(sender) = find_account(state, &email, TEST_SENDER_PASSWORD) else {
        return replayed();
    };
    let view = view(&loaded.caller, &loaded.request);
    if get(pairs, "action") != Some("confirm") {
        return match state.store.advance_session(&id, "confirm", "done", None).await {
            Ok(true) => fail(state, &loaded.return_url, Status::Aborted, Some(&reference), ""),
            _ => replayed(),
        };
    }
    let recipient_pipeline = matches!(loaded.request.pipeline(), Pipeline::Recipient(_));
    let methods = offered(&loaded.request, &view, sender.behaviour);
    let method = if recipient_pipeline {
        PaymentMethod::Balance
    } else {
        match get(pairs, "paymentMethod").and_then(PaymentMethod::from_wire) {
            Some(m) if methods.contains(&m) => m,
            _ => {
                let page = pages::confirm(
                    &view,
                    &id,
                    &sender.name,
                    &methods,
                    &posted_shipping(pairs),
                    Some("Choose one of the payment methods offered."),
                );
                return html(StatusCode::OK, page);
            }
        }
    };
    let shipping = posted_shipping(pairs);
    if view.collect_address {
        if let Err(problem) = check_shipping(&shipping) {
            let page = pages::confirm(&view, &id, &sender.name, &methods, &shipping, Some(&problem));
            return html(StatusCode::OK, page);
        }
    }
    match state.store.advance_session(&id, "confirm", "done", None).await {
        Ok(true) => {}
        _ => return replayed(),
    }
    match install(state, &loaded, &sender, method, &reference).await {
        Ok(mut added) => {
            if view.collect_address {
                added.extend(shipping.into_iter().filter(|(_, v)| !v.is_empty()));
            }
            match landing_url(state, &loaded.return_url, &added) {
                Some(url) => redirect(&url),
                None => error_page(StatusCode::BAD_REQUEST, "The return URL cannot be used."),
            }
        }
        Err(e) => {
            tracing::error!(error = %e, "token not stored");
            fail(
                state,
                &loaded.return_url,
                Status::SystemError,
                Some(&reference),
                "A system error occurred; try again later.",
            )
        }
    }
}

/// The shipping fields as posted (trimmed), in the order of [`pages::SHIPPING_FIELDS`].
fn posted_shipping(pairs: &[(String, String)]) -> Vec<(&'static str, String)> {
    pages::SHIPPING_FIELDS
        .iter()
        .map(|(name, _, _, _)| (*name, get(pairs, name).unwrap_or("").trim().to_owned()))
        .collect()
}

/// Required fields present, none too long, no control characters.
fn check_shipping(shipping: &[(&'static str, String)]) -> Result<(), String> {
    for ((name, value), (_, label, required, _)) in shipping.iter().zip(pages::SHIPPING_FIELDS) {
        if *required && value.is_empty() {
            return Err(format!("Enter the {}.", label.to_lowercase()));
        }
        let max = if matches!(*name, "state" | "zip" | "phoneNumber") {
            32
        } else {
            128
        };
        if value.len() > max || value.chars().any(char::is_control) {
            return Err(format!(
                "The {} is too long or not plain text.",
                label.to_lowercase()
            ));
        }
    }
    Ok(())
}

/// Installs (or edits) the token and returns the parameters of a successful return.
async fn install(
    state: &SandboxState,
    loaded: &Loaded,
    sender: &Sender,
    method: PaymentMethod,
    reference: &str,
) -> Result<Vec<(&'static str, String)>, crate::store::StoreError> {
    let pipeline = loaded.request.pipeline();
    let status = match method {
        PaymentMethod::Balance => Status::SuccessBalance,
        PaymentMethod::Bank => Status::SuccessBank,
        PaymentMethod::Card => Status::SuccessCard,
    };
    let minor = |a: fps_core::Amount| i64::try_from(a.minor_units()).unwrap_or(i64::MAX);
    if let Pipeline::EditToken(edit) = pipeline {
        state
            .store
            .set_token_method(edit.token_id.as_str(), method.as_str())
            .await?;
        let mut added = vec![
            ("tokenID", edit.token_id.as_str().to_owned()),
            ("status", Status::SuccessUpdate.code().to_owned()),
            ("callerReference", reference.to_owned()),
        ];
        if method == PaymentMethod::Card {
            added.push(("expiry", card_expiry()));
        }
        return Ok(added);
    }
    if let Some(added) = install_instrument(state, loaded, sender, method, status).await? {
        return Ok(added);
    }
    let token_id = ids::token_id();
    let refund_token_id = matches!(pipeline, Pipeline::Recipient(_)).then(ids::token_id);
    let (amount, limit, reason) = match pipeline {
        Pipeline::SingleUse(p) => (Some(minor(p.transaction_amount)), None, p.payment_reason.as_ref()),
        Pipeline::MultiUse(p) => (
            p.transaction_amount.map(minor),
            Some(minor(p.global_amount_limit)),
            p.payment_reason.as_ref(),
        ),
        Pipeline::Recurring(p) => (Some(minor(p.transaction_amount)), None, p.payment_reason.as_ref()),
        _ => (None, None, None),
    };
    let (pays_fee, max_fixed, max_variable) = match pipeline {
        Pipeline::Recipient(p) => (
            Some(p.recipient_pays_fee.get()),
            p.max_fixed_fee.map(minor),
            p.max_variable_fee.map(|v| i64::from(v.basis_points())),
        ),
        _ => (None, None, None),
    };
    let token = TokenRecord {
        amount_minor: amount,
        limit_minor: limit,
        reserve: wants_reserve(&loaded.request),
        payment_reason: reason.map(|r| r.as_str().to_owned()),
        refund_token_id: refund_token_id.clone(),
        recipient_pays_fee: pays_fee,
        max_fixed_fee_minor: max_fixed,
        max_variable_fee_bp: max_variable,
        ..TokenRecord::new_active(
            token_id.clone(),
            &loaded.caller.access_key_id,
            reference.to_owned(),
            pipeline.name().to_owned(),
            (&sender.email, &sender.name),
            method.as_str(),
            state.now_ms(),
        )
    };
    state.store.insert_token(&token).await?;
    let mut added = vec![("tokenID", token_id)];
    if let Some(refund) = refund_token_id {
        added.push(("refundTokenID", refund));
        added.push(("status", Status::SuccessRecipient.code().to_owned()));
    } else {
        added.push(("status", status.code().to_owned()));
    }
    added.push(("callerReference", reference.to_owned()));
    if method == PaymentMethod::Card && !matches!(pipeline, Pipeline::Recipient(_)) {
        added.push(("expiry", card_expiry()));
    }
    Ok(added)
}

/// SetupPrepaid and SetupPostpaid: installs the instrument's two sender tokens and returns their
/// ids as the protocol sheet's return table names them (`None` for every other pipeline).
/// SetupPrepaid: a single-use funding token for the funding amount (`callerReferenceFunding`)
/// and a prepaid sender token spending at most that amount (`callerReferenceSender`).
/// SetupPostpaid: a credit sender token up to the credit limit (`callerReferenceSender`) and a
/// settlement token up to the global limit (`callerReferenceSettlement`). The instrument is
/// recorded with them: FundPrepaid funds it, SettleDebt and WriteOffDebt pay its debt down
/// (`crate::ledger::instruments`).
async fn install_instrument(
    state: &SandboxState,
    loaded: &Loaded,
    sender: &Sender,
    method: PaymentMethod,
    status: Status,
) -> Result<Option<Vec<(&'static str, String)>>, crate::store::StoreError> {
    let minor = |a: fps_core::Amount| i64::try_from(a.minor_units()).unwrap_or(i64::MAX);
    let pipeline = loaded.request.pipeline();
    // (return name, token type, callerReference, amount per payment, lifetime limit)
    let (tokens, instrument_name, reason) = match pipeline {
        Pipeline::SetupPrepaid(p) => (
            [
                (
                    "fundingTokenID",
                    "SingleUse",
                    p.caller_reference_funding.as_str(),
                    Some(minor(p.funding_amount)),
                    None,
                ),
                (
                    "prepaidSenderTokenID",
                    "MultiUse",
                    p.caller_reference_sender.as_str(),
                    None,
                    Some(minor(p.funding_amount)),
                ),
            ],
            "prepaidInstrumentID",
            p.payment_reason.as_ref(),
        ),
        Pipeline::SetupPostpaid(p) => (
            [
                (
                    "creditSenderTokenID",
                    "MultiUse",
                    p.caller_reference_sender.as_str(),
                    None,
                    Some(minor(p.credit_limit)),
                ),
                (
                    "settlementTokenID",
                    "MultiUse",
                    p.caller_reference_settlement.as_str(),
                    None,
                    Some(minor(p.global_amount_limit)),
                ),
            ],
            "creditInstrumentID",
            p.payment_reason.as_ref(),
        ),
        _ => return Ok(None),
    };
    let mut added = Vec::new();
    let mut token_ids = Vec::new();
    for (name, token_type, caller_reference, amount, limit) in tokens {
        let token = TokenRecord {
            amount_minor: amount,
            limit_minor: limit,
            payment_reason: reason.map(|r| r.as_str().to_owned()),
            ..TokenRecord::new_active(
                ids::token_id(),
                &loaded.caller.access_key_id,
                caller_reference.to_owned(),
                token_type.to_owned(),
                (&sender.email, &sender.name),
                method.as_str(),
                state.now_ms(),
            )
        };
        state.store.insert_token(&token).await?;
        token_ids.push(token.token_id.clone());
        added.push((name, token.token_id));
    }
    // (kind, spending token, funding or settlement token, limit): the order of `tokens` above.
    let (kind, sender_token, funding_token, limit) = match (pipeline, token_ids.as_slice()) {
        (Pipeline::SetupPrepaid(p), [funding, sender]) => {
            (InstrumentKind::Prepaid, sender, funding, minor(p.funding_amount))
        }
        (Pipeline::SetupPostpaid(p), [sender, settlement]) => {
            (InstrumentKind::Credit, sender, settlement, minor(p.credit_limit))
        }
        _ => return Ok(None),
    };
    let instrument = InstrumentRecord {
        instrument_id: ids::token_id(),
        caller_key: loaded.caller.access_key_id.clone(),
        kind: kind.as_str().to_owned(),
        owner_email: sender.email.clone(),
        owner_name: sender.name.clone(),
        payment_method: method.as_str().to_owned(),
        sender_token_id: sender_token.clone(),
        funding_token_id: funding_token.clone(),
        limit_minor: limit,
        date_installed: state.now_ms(),
    };
    state.store.insert_instrument(&instrument).await?;
    added.push((instrument_name, instrument.instrument_id));
    added.push(("status", status.code().to_owned()));
    added.push(("callerReference", pipeline.caller_reference().as_str().to_owned()));
    if method == PaymentMethod::Card {
        added.push(("expiry", card_expiry()));
    }
    Ok(Some(added))
}

/// The sandbox card's expiry, `MM/YYYY`, four years ahead.
fn card_expiry() -> String {
    let year = time::OffsetDateTime::now_utc().year() + 4;
    format!("12/{year}")
}
