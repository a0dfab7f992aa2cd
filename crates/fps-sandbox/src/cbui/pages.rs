//! The CBUI pages: sign-in, confirm, and the error page. Plain HTML forms, no script; labelled
//! fields, one heading per page, errors announced with `role="alert"`.

use crate::config::TEST_SENDERS;
use crate::xml::escape;
use fps_core::params::{CobrandingStyle, PaymentMethod};

/// What the pages show about the request.
#[derive(Debug, Clone)]
pub struct RequestView {
    /// The caller's business name.
    pub caller_name: String,
    /// `websiteDescription`.
    pub website_description: Option<String>,
    /// `cobrandingUrl`.
    pub cobranding_url: Option<String>,
    /// `cobrandingStyle`.
    pub cobranding_style: CobrandingStyle,
    /// The pipeline's name.
    pub pipeline: &'static str,
    /// What is being authorised, e.g. `$12.50` or `up to $100.00 in total`.
    pub amount: Option<String>,
    /// `paymentReason`.
    pub reason: Option<String>,
    /// Payment methods the request allows.
    pub allowed: Vec<PaymentMethod>,
    /// The address the request carries, as lines to show (empty when none).
    pub address: Vec<String>,
    /// Whether the request asks the sandbox to collect a shipping address (`collectShippingAddress`).
    pub collect_address: bool,
}

/// A shipping address field collected on the confirm page: wire name, label, required, sandbox default.
pub const SHIPPING_FIELDS: &[(&str, &str, bool, &str)] = &[
    ("addressName", "Full name", true, "Test Buyer"),
    ("addressLine1", "Address line 1", true, "1 Sandbox Way"),
    ("addressLine2", "Address line 2", false, ""),
    ("city", "City", true, "Seattle"),
    ("state", "State", true, "WA"),
    ("zip", "ZIP code", true, "98101"),
    ("country", "Country", false, "US"),
    ("phoneNumber", "Phone", false, "206-555-0100"),
];

/// The sandbox defaults of the shipping fields, with the signed-in sender's name.
pub fn default_shipping(sender_name: &str) -> Vec<(&'static str, String)> {
    SHIPPING_FIELDS
        .iter()
        .map(|(name, _, _, default)| {
            let value = if *name == "addressName" {
                sender_name
            } else {
                default
            };
            (*name, value.to_owned())
        })
        .collect()
}

fn shipping_fieldset(values: &[(&'static str, String)]) -> String {
    let mut out = String::from("<fieldset><legend>Ship to</legend>");
    for (name, label, required, _) in SHIPPING_FIELDS {
        let value = values
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str());
        out.push_str(&format!(
            "<label for=\"{name}\">{label}{}</label><input id=\"{name}\" name=\"{name}\" type=\"text\" value=\"{}\"{}>",
            if *required { "" } else { " (optional)" },
            escape(value),
            if *required { " required" } else { "" },
        ));
    }
    out.push_str("</fieldset>");
    out
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;margin:0;background:#f3f4f6;color:#111827}\
header{background:#232f3e;color:#fff;padding:1rem 1.5rem;display:flex;gap:1rem;align-items:center;flex-wrap:wrap}\
header img{max-width:215px;max-height:40px;background:#fff;padding:2px}\
header .site{font-size:.95rem;opacity:.9}\
main{max-width:34rem;margin:2rem auto;background:#fff;padding:1.5rem 2rem;border-radius:8px;box-shadow:0 1px 4px #0002}\
h1{font-size:1.4rem;margin-top:0}dl{display:grid;grid-template-columns:auto 1fr;gap:.4rem 1rem}dt{font-weight:600}\
label{display:block;margin:.8rem 0 .2rem;font-weight:600}input[type=email],input[type=password],input[type=text]{width:100%;padding:.5rem;font-size:1rem;box-sizing:border-box}\
fieldset{border:1px solid #d1d5db;border-radius:6px;margin:1rem 0}fieldset label{font-weight:400;display:flex;gap:.5rem;align-items:center}\
.actions{display:flex;gap:1rem;margin-top:1.2rem}button{font-size:1rem;padding:.6rem 1.2rem;border-radius:6px;border:1px solid #9ca3af;background:#fff;cursor:pointer}\
button.primary{background:#f0c14b;border-color:#a88734;font-weight:600}button:focus,input:focus{outline:3px solid #2563eb;outline-offset:2px}\
.alert{background:#fef2f2;border:1px solid #fca5a5;color:#7f1d1d;padding:.6rem .8rem;border-radius:6px}\
.hint{font-size:.9rem;color:#4b5563}code{background:#f3f4f6;padding:0 .2rem}";

/// The `Content-Security-Policy` of every page: no script at all.
pub const CSP: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src http: https: data:; base-uri 'none'";

/// A page of the emulator: header (co-branded when `view` is given), title, body.
pub fn layout(title: &str, view: Option<&RequestView>, body: &str) -> String {
    let mut header =
        String::from("<header><strong>Amazon Payments</strong> <span>(fps-checkout sandbox)</span>");
    if let Some(view) = view {
        if let Some(url) = &view.cobranding_url {
            let class = match view.cobranding_style {
                CobrandingStyle::Banner => "banner",
                CobrandingStyle::Logo => "logo",
            };
            header.push_str(&format!(
                "<img class=\"{class}\" src=\"{}\" alt=\"{} logo\">",
                escape(url),
                escape(&view.caller_name)
            ));
        }
        header.push_str(&format!(
            "<span class=\"site\">Paying {}",
            escape(&view.caller_name)
        ));
        if let Some(description) = &view.website_description {
            header.push_str(&format!(" — {}", escape(description)));
        }
        header.push_str("</span>");
    }
    header.push_str("</header>");
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} — Amazon Payments sandbox</title><style>{STYLE}</style></head>\
         <body>{header}<main>{body}</main></body></html>",
        escape(title)
    )
}

fn summary(view: &RequestView) -> String {
    let mut out = String::from("<dl>");
    out.push_str(&format!(
        "<dt>Merchant</dt><dd>{}</dd>",
        escape(&view.caller_name)
    ));
    if let Some(amount) = &view.amount {
        out.push_str(&format!("<dt>Amount</dt><dd>{}</dd>", escape(amount)));
    }
    if let Some(reason) = &view.reason {
        out.push_str(&format!("<dt>For</dt><dd>{}</dd>", escape(reason)));
    }
    if !view.address.is_empty() {
        let lines: Vec<String> = view.address.iter().map(|l| escape(l)).collect();
        out.push_str(&format!("<dt>Ship to</dt><dd>{}</dd>", lines.join("<br>")));
    }
    out.push_str(&format!(
        "<dt>Authorization</dt><dd>{}</dd></dl>",
        escape(view.pipeline)
    ));
    out
}

fn alert(error: Option<&str>) -> String {
    error
        .map(|e| format!("<p class=\"alert\" role=\"alert\">{}</p>", escape(e)))
        .unwrap_or_default()
}

/// The sign-in page.
pub fn sign_in(view: &RequestView, session: &str, error: Option<&str>, email: &str) -> String {
    let senders: Vec<String> = TEST_SENDERS
        .iter()
        .map(|s| format!("<code>{}</code>", escape(s.email)))
        .collect();
    let body = format!(
        "<h1>Sign in to pay</h1>{}{}\
         <form method=\"post\" action=\"/cobranded-ui/actions/signin\">\
         <input type=\"hidden\" name=\"session\" value=\"{}\">\
         <label for=\"email\">E-mail address</label>\
         <input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"username\" required value=\"{}\" autofocus>\
         <label for=\"password\">Password</label>\
         <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>\
         <div class=\"actions\"><button class=\"primary\" type=\"submit\" name=\"action\" value=\"signin\">Sign in</button>\
         <button type=\"submit\" name=\"action\" value=\"cancel\" formnovalidate>Cancel and return to {}</button></div></form>\
         <p class=\"hint\">Sandbox accounts: {} (password <code>sandbox</code>).</p>",
        alert(error),
        summary(view),
        escape(session),
        escape(email),
        escape(&view.caller_name),
        senders.join(", "),
    );
    layout("Sign in", Some(view), &body)
}

fn method_label(method: PaymentMethod) -> &'static str {
    match method {
        PaymentMethod::Balance => "Amazon Payments balance",
        PaymentMethod::Bank => "Bank account (ending 6789)",
        PaymentMethod::Card => "Visa credit card (ending 1111)",
    }
}

/// The confirmation page: payment method choice among `offered`, the shipping address form when
/// the request collects one (filled with `shipping`), Confirm or Cancel.
pub fn confirm(
    view: &RequestView,
    session: &str,
    sender_name: &str,
    offered: &[PaymentMethod],
    shipping: &[(&'static str, String)],
    error: Option<&str>,
) -> String {
    let choices = if offered.is_empty() {
        String::new()
    } else {
        let mut out = String::from("<fieldset><legend>Pay with</legend>");
        for (i, method) in offered.iter().enumerate() {
            out.push_str(&format!(
                "<label><input type=\"radio\" name=\"paymentMethod\" value=\"{}\"{}> {}</label>",
                method.as_str(),
                if i == 0 { " checked" } else { "" },
                method_label(*method)
            ));
        }
        out.push_str("</fieldset>");
        out
    };
    let body = format!(
        "<h1>Confirm your authorization</h1>{}<p>Signed in as <strong>{}</strong>.</p>{}\
         <form method=\"post\" action=\"/cobranded-ui/actions/confirm\">\
         <input type=\"hidden\" name=\"session\" value=\"{}\">{}{}\
         <div class=\"actions\"><button class=\"primary\" type=\"submit\" name=\"action\" value=\"confirm\">Confirm</button>\
         <button type=\"submit\" name=\"action\" value=\"cancel\" formnovalidate>Cancel</button></div></form>",
        alert(error),
        escape(sender_name),
        summary(view),
        escape(session),
        choices,
        if view.collect_address { shipping_fieldset(shipping) } else { String::new() },
    );
    layout("Confirm", Some(view), &body)
}

/// The error page CBUI shows when it cannot trust the request enough to return.
pub fn error(message: &str) -> String {
    let body = format!(
        "<h1>We cannot process this request</h1><p class=\"alert\" role=\"alert\">{}</p>\
         <p>The merchant's payment link is not valid. Go back to the merchant's site and try again.</p>",
        escape(message)
    );
    layout("Error", None, &body)
}
