//! The account pages' HTML: sign-in, and the account (balance, transactions with their status
//! history and fees, tokens). Plain forms without script, every text escaped, one heading per
//! page and labelled fields, like the CBUI pages whose layout and style they share.

use crate::cbui::pages::layout;
use crate::ids::{iso_date, two_decimals};
use crate::ledger::balance::Balance;
use crate::store::{HistoryRecord, TokenRecord, TransactionRecord};
use crate::xml::escape;

/// Style of the account pages, after the CBUI pages' own (in `layout`).
const STYLE: &str = "<style>main{max-width:68rem}caption{text-align:left}time{white-space:nowrap}table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem;font-size:.92rem}\
th,td{border-bottom:1px solid #e5e7eb;padding:.45rem .4rem;text-align:left;vertical-align:top}\
th{background:#f9fafb}td.money{text-align:right;white-space:nowrap}ol.history{margin:0;padding-left:1.1rem;font-size:.85rem}\
.status{font-weight:600}.status-Cancelled,.status-Failure{color:#991b1b}.status-Success{color:#166534}\
.status-Pending,.status-Reserved{color:#92400e}code{font-size:.8rem;word-break:break-all}\
.notice{background:#ecfdf5;border:1px solid #6ee7b7;color:#065f46;padding:.6rem .8rem;border-radius:6px}\
.who{display:flex;justify-content:space-between;align-items:center;gap:1rem;flex-wrap:wrap}\
td form{margin:0}td button{font-size:.85rem;padding:.3rem .6rem}</style>";

/// Everything the account page shows.
#[derive(Debug)]
pub struct AccountView<'a> {
    /// The account's display name.
    pub name: &'a str,
    /// Its e-mail.
    pub email: &'a str,
    /// The token the page's forms carry back.
    pub form_token: &'a str,
    /// Its balance.
    pub balance: Balance,
    /// Its transactions, newest first, each with its status history and refunds of it.
    pub transactions: &'a [(TransactionRecord, Vec<HistoryRecord>)],
    /// The tokens it authorized, newest first, with the name of the caller each is for.
    pub tokens: &'a [(TokenRecord, String)],
    /// A confirmation to show (`role="status"`).
    pub notice: Option<&'a str>,
    /// A problem to show (`role="alert"`).
    pub error: Option<&'a str>,
}

fn money(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    format!("{sign}${}", two_decimals(minor.saturating_abs()))
}

/// A date as people read it (`2026-12-06 15:45:57 UTC`), machine-readable in `datetime`.
fn when(ms: i64) -> String {
    let iso = iso_date(ms);
    let shown = iso.get(..19).unwrap_or(&iso).replace('T', " ");
    format!(
        "<time datetime=\"{}\">{} UTC</time>",
        escape(&iso),
        escape(&shown)
    )
}

fn method_name(method: &str) -> &str {
    match method {
        "ABT" => "Balance",
        "ACH" => "Bank account",
        "CC" => "Credit card",
        other => other,
    }
}

/// The sign-in page, listing the accounts that may sign in.
pub fn sign_in(accounts: &[String], error: Option<&str>, email: &str) -> String {
    let listed: Vec<String> = accounts
        .iter()
        .map(|a| format!("<code>{}</code>", escape(a)))
        .collect();
    let body = format!(
        "<h1>Sign in to your account</h1>{}\
         <p>See your balance, your payments and the authorizations you gave, and cancel them.</p>\
         <form method=\"post\" action=\"/account/signin\">\
         <label for=\"email\">E-mail address</label>\
         <input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"username\" required value=\"{}\" autofocus>\
         <label for=\"password\">Password</label>\
         <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>\
         <div class=\"actions\"><button class=\"primary\" type=\"submit\">Sign in</button></div></form>\
         <p class=\"hint\">Sandbox accounts: {} (password <code>sandbox</code>).</p>",
        error
            .map(|e| format!("<p class=\"alert\" role=\"alert\">{}</p>", escape(e)))
            .unwrap_or_default(),
        escape(email),
        listed.join(", "),
    );
    layout("Your account", None, &body)
}

/// A form posting `field=value` with the form token to `action`, as one button.
fn button_form(action: &str, token: &str, field: &str, value: &str, label: &str) -> String {
    format!(
        "<form method=\"post\" action=\"{action}\"><input type=\"hidden\" name=\"formToken\" value=\"{}\">\
         <input type=\"hidden\" name=\"{field}\" value=\"{}\"><button type=\"submit\">{}</button></form>",
        escape(token),
        escape(value),
        escape(label),
    )
}

fn history(entries: &[HistoryRecord]) -> String {
    let mut out = String::from("<ol class=\"history\">");
    for h in entries {
        out.push_str(&format!(
            "<li>{}: {} ({}, {})</li>",
            when(h.at),
            escape(&h.status),
            escape(&h.status_code),
            money(h.amount_minor),
        ));
    }
    out.push_str("</ol>");
    out
}

/// The description the caller sent for this viewer: `SenderDescription` to the sender (what
/// appears in the buyer's account), `CallerDescription` to the others (the merchant's records).
fn described(txn: &TransactionRecord, to_sender: bool) -> String {
    let (class, text) = if to_sender {
        ("sender-description", txn.sender_description.as_deref())
    } else {
        ("caller-description", txn.caller_description.as_deref())
    };
    text.map(|t| format!("<br><span class=\"{class}\">{}</span>", escape(t)))
        .unwrap_or_default()
}

fn transactions(view: &AccountView<'_>) -> String {
    if view.transactions.is_empty() {
        return "<p>No transactions yet.</p>".to_owned();
    }
    let mut out = String::from(
        "<table id=\"transactions\"><caption class=\"hint\">Newest first; times in UTC</caption><thead><tr>\
         <th scope=\"col\">Transaction</th><th scope=\"col\">From → to</th><th scope=\"col\">Amount</th>\
         <th scope=\"col\">Fees</th><th scope=\"col\">Status and history</th><th scope=\"col\"></th></tr></thead><tbody>",
    );
    for (txn, entries) in view.transactions {
        let amount = txn.settled_minor.unwrap_or(txn.amount_minor);
        let mine = txn.sender_email.eq_ignore_ascii_case(view.email);
        let cancellable =
            mine && txn.operation != "Refund" && (txn.status == "Pending" || txn.status == "Reserved");
        let action = if cancellable {
            button_form(
                "/account/cancel-payment",
                view.form_token,
                "transaction",
                &txn.id,
                "Cancel payment",
            )
        } else {
            String::new()
        };
        let mut fees = format!("FPS {}", money(txn.fps_fee_minor));
        if txn.marketplace_fee_minor != 0 {
            fees.push_str(&format!("<br>Marketplace {}", money(txn.marketplace_fee_minor)));
        }
        fees.push_str(&format!(
            "<br><span class=\"hint\">paid by {}</span>",
            escape(&txn.fee_paid_by)
        ));
        out.push_str(&format!(
            "<tr data-transaction=\"{id}\" data-status=\"{status}\"><td>{op} <span class=\"hint\">{date}</span><br><code>{id}</code>{reason}</td>\
             <td>{sender} → {recipient}<br><span class=\"hint\">{method}</span></td><td class=\"money\">{amount}</td>\
             <td class=\"money\">{fees}</td><td><span class=\"status status-{status}\">{status}</span> <span class=\"hint\">{message}</span>{history}</td>\
             <td>{action}</td></tr>",
            id = escape(&txn.id),
            op = escape(&txn.operation),
            date = when(txn.date_received),
            reason = txn
                .payment_reason
                .as_deref()
                .map(|r| format!("<br>{}", escape(r)))
                .unwrap_or_default()
                + &described(txn, mine),
            sender = escape(&txn.sender_name),
            recipient = escape(&txn.recipient_name),
            method = escape(method_name(&txn.payment_method)),
            amount = money(amount),
            status = escape(&txn.status),
            message = escape(&txn.status_message),
            history = history(entries),
        ));
    }
    out.push_str("</tbody></table>");
    out
}

fn tokens(view: &AccountView<'_>) -> String {
    if view.tokens.is_empty() {
        return "<p>You have authorized no payments.</p>".to_owned();
    }
    let mut out = String::from(
        "<table id=\"tokens\"><thead><tr><th scope=\"col\">Authorization</th><th scope=\"col\">For</th>\
         <th scope=\"col\">Limit and use</th><th scope=\"col\">Status</th><th scope=\"col\"></th></tr></thead><tbody>",
    );
    for (token, caller_name) in view.tokens {
        let limit = match (token.amount_minor, token.limit_minor) {
            (_, Some(limit)) => format!("up to {} in total", money(limit)),
            (Some(each), None) => format!("{} a payment", money(each)),
            (None, None) => "no limit".to_owned(),
        };
        let action = if token.status == "Active" {
            button_form(
                "/account/cancel-token",
                view.form_token,
                "token",
                &token.token_id,
                "Cancel authorization",
            )
        } else {
            String::new()
        };
        out.push_str(&format!(
            "<tr data-token=\"{id}\" data-status=\"{status}\"><td>{kind} <span class=\"hint\">{date}</span><br><code>{id}</code></td>\
             <td>{caller}{reason}<br><span class=\"hint\">{method}</span></td><td>{limit}<br><span class=\"hint\">{used} used in {count} payment(s)</span></td>\
             <td><span class=\"status\">{status}</span></td><td>{action}</td></tr>",
            id = escape(&token.token_id),
            kind = escape(&token.token_type),
            date = when(token.date_installed),
            caller = escape(caller_name),
            reason = token
                .payment_reason
                .as_deref()
                .map(|r| format!(": {}", escape(r)))
                .unwrap_or_default(),
            method = escape(method_name(&token.payment_method)),
            limit = escape(&limit),
            used = money(token.used_minor),
            count = token.use_count,
            status = escape(&token.status),
        ));
    }
    out.push_str("</tbody></table>");
    out
}

/// The account page.
pub fn account(view: &AccountView<'_>) -> String {
    let b = view.balance;
    let body = format!(
        "{STYLE}<div class=\"who\"><h1>{name}</h1><form method=\"post\" action=\"/account/signout\">\
         <input type=\"hidden\" name=\"formToken\" value=\"{token}\"><button type=\"submit\">Sign out</button></form></div>\
         <p>Signed in as <strong>{email}</strong>.</p>{notice}{error}\
         <h2>Balance</h2><dl id=\"balance\"><dt>Total</dt><dd data-minor=\"{total}\">{total_text}</dd>\
         <dt>Pending in</dt><dd>{pending_in}</dd><dt>Pending out</dt><dd>{pending_out}</dd>\
         <dt>Available</dt><dd>{available}</dd></dl>\
         <h2>Transactions</h2>{transactions}<h2>Payment authorizations</h2>{tokens}",
        name = escape(view.name),
        token = escape(view.form_token),
        email = escape(view.email),
        notice = view
            .notice
            .map(|n| format!("<p class=\"notice\" role=\"status\">{}</p>", escape(n)))
            .unwrap_or_default(),
        error = view
            .error
            .map(|e| format!("<p class=\"alert\" role=\"alert\">{}</p>", escape(e)))
            .unwrap_or_default(),
        total = b.total_minor,
        total_text = money(b.total_minor),
        pending_in = money(b.pending_in_minor),
        pending_out = money(b.pending_out_minor),
        available = money(b.disburse_minor()),
        transactions = transactions(view),
        tokens = tokens(view),
    );
    layout("Your account", None, &body)
}
