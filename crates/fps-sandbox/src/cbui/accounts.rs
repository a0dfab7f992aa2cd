//! The sandbox accounts that sign in on the CBUI pages, and what a request offers them.

use super::pages::RequestView;
use crate::config::{test_sender, CallerAccount, SenderBehaviour, TEST_SENDER_PASSWORD};
use crate::state::SandboxState;
use fps_core::params::{CobrandingStyle, PaymentMethod};
use fps_core::{CbuiRequest, Pipeline};

const ALL_METHODS: [PaymentMethod; 3] = [PaymentMethod::Balance, PaymentMethod::Bank, PaymentMethod::Card];

/// Who signed in.
pub(crate) struct Sender {
    /// Display name.
    pub(crate) name: String,
    /// The account's e-mail as configured.
    pub(crate) email: String,
    /// What the CBUI pipeline does for it.
    pub(crate) behaviour: SenderBehaviour,
    /// A recipient (business) account: may install recipient tokens.
    pub(crate) business: bool,
}

/// The sandbox account (test sender, configured recipient or caller) with this e-mail, if the
/// password is the sandbox's.
pub(crate) fn find_account(state: &SandboxState, email: &str, password: &str) -> Option<Sender> {
    if password != TEST_SENDER_PASSWORD {
        return None;
    }
    if let Some(s) = test_sender(email) {
        return Some(Sender {
            name: s.name.to_owned(),
            email: s.email.to_owned(),
            behaviour: s.behaviour,
            business: false,
        });
    }
    let email = email.trim();
    let business = |name: &str, address: &str| Sender {
        name: name.to_owned(),
        email: address.to_owned(),
        behaviour: SenderBehaviour::Normal,
        business: true,
    };
    if let Some(r) = state
        .config
        .recipients
        .iter()
        .find(|r| r.email.eq_ignore_ascii_case(email))
    {
        return Some(business(&r.name, &r.email));
    }
    state
        .config
        .callers
        .iter()
        .find(|c| c.email.eq_ignore_ascii_case(email))
        .map(|c| business(&c.name, &c.email))
}

pub(super) fn view(caller: &CallerAccount, request: &CbuiRequest) -> RequestView {
    let common = request.common();
    let pipeline = request.pipeline();
    let (amount, reason, methods) = match pipeline {
        Pipeline::SingleUse(p) => (
            Some(format!("${}", p.transaction_amount)),
            p.payment_reason.as_ref().map(|r| r.as_str().to_owned()),
            p.payment_method.as_ref(),
        ),
        Pipeline::MultiUse(p) => (
            Some(format!("up to ${} in total", p.global_amount_limit)),
            p.payment_reason.as_ref().map(|r| r.as_str().to_owned()),
            p.payment_method.as_ref(),
        ),
        Pipeline::Recurring(p) => (
            Some(format!(
                "${} every {}",
                p.transaction_amount,
                fps_core::params::ParamValue::render(&p.recurring_period)
            )),
            p.payment_reason.as_ref().map(|r| r.as_str().to_owned()),
            p.payment_method.as_ref(),
        ),
        Pipeline::Recipient(p) => (
            None,
            Some("Register as a recipient".to_owned()),
            p.payment_method.as_ref(),
        ),
        Pipeline::EditToken(p) => (
            None,
            Some("Change the payment method of an authorization".to_owned()),
            p.payment_method.as_ref(),
        ),
        Pipeline::SetupPrepaid(p) => (
            Some(format!("${}", p.funding_amount)),
            None,
            p.payment_method.as_ref(),
        ),
        Pipeline::SetupPostpaid(p) => (
            Some(format!("credit up to ${}", p.credit_limit)),
            None,
            p.payment_method.as_ref(),
        ),
    };
    RequestView {
        caller_name: caller.name.clone(),
        website_description: common.website_description.as_ref().map(|d| d.as_str().to_owned()),
        cobranding_url: common.cobranding_url.as_ref().map(|u| u.as_str().to_owned()),
        cobranding_style: common.cobranding_style.unwrap_or(CobrandingStyle::Logo),
        pipeline: pipeline.name(),
        amount,
        reason,
        allowed: methods.map_or_else(|| ALL_METHODS.to_vec(), |m| m.methods().to_vec()),
        address: address_lines(request),
        collect_address: collects_address(request),
    }
}

/// Whether the request asks for a shipping address (`collectShippingAddress=True`).
pub(super) fn collects_address(request: &CbuiRequest) -> bool {
    let flag = match request.pipeline() {
        Pipeline::SingleUse(p) => p.collect_shipping_address,
        Pipeline::MultiUse(p) => p.collect_shipping_address,
        Pipeline::Recurring(p) => p.collect_shipping_address,
        _ => None,
    };
    flag.is_some_and(|f| f.get())
}

/// The address the request carries, as lines (none when the page collects one instead).
fn address_lines(request: &CbuiRequest) -> Vec<String> {
    let Some(a) = request.address().filter(|_| !collects_address(request)) else {
        return Vec::new();
    };
    let city_line: Vec<&str> = [
        a.city.as_ref().map(|c| c.as_str()),
        a.state.as_ref().map(|s| s.as_str()),
        a.zip.as_ref().map(|z| z.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect();
    [
        a.name.as_ref().map(|n| n.as_str().to_owned()),
        a.line1.as_ref().map(|l| l.as_str().to_owned()),
        a.line2.as_ref().map(|l| l.as_str().to_owned()),
        (!city_line.is_empty()).then(|| city_line.join(" ")),
        a.country.as_ref().map(|c| c.as_str().to_owned()),
        a.phone_number.as_ref().map(|p| p.as_str().to_owned()),
    ]
    .into_iter()
    .flatten()
    .collect()
}

pub(super) fn wants_reserve(request: &CbuiRequest) -> bool {
    matches!(request.pipeline(), Pipeline::SingleUse(p) if p.reserve.is_some_and(|r| r.get()))
}

/// The methods the sender may choose: allowed by the request, held by the sender, cards only
/// for a reserve.
pub(super) fn offered(
    request: &CbuiRequest,
    view: &RequestView,
    behaviour: SenderBehaviour,
) -> Vec<PaymentMethod> {
    view.allowed
        .iter()
        .copied()
        .filter(|m| behaviour != SenderBehaviour::BalanceOnly || *m == PaymentMethod::Balance)
        .filter(|m| !wants_reserve(request) || *m == PaymentMethod::Card)
        .collect()
}
