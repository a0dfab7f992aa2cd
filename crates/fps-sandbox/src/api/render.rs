//! FPS's response documents: `<Action>Response > <Action>Result` + `ResponseMetadata > RequestId`,
//! amounts with six decimals, transactions with their history and relations.

use fps_wire::vocabulary::ActionName;

use super::ApiReply;
use crate::ids;
use crate::store::{HistoryRecord, TokenRecord, TransactionRecord};
use crate::xml::Xml;

/// The response namespace of an API version.
pub fn namespace(version: &str) -> String {
    format!("http://fps.amazonaws.com/doc/{version}/")
}

/// A success document: `<Action>Response` > (`<Action>Result` filled by `fill`, if the action
/// has one) + metadata; the element names are the shared vocabulary's.
pub fn respond(action: ActionName, version: &str, request_id: &str, fill: impl FnOnce(&mut Xml)) -> ApiReply {
    let mut xml = Xml::new();
    xml.open_ns(action.response(), &namespace(version));
    if let Some(result) = action.result() {
        xml.open(result);
        fill(&mut xml);
        xml.close();
    }
    xml.open("ResponseMetadata").leaf("RequestId", request_id).close();
    ApiReply {
        status: 200,
        body: xml.finish(),
    }
}

/// `<name><CurrencyCode>USD</CurrencyCode><Value>1.000000</Value></name>`.
pub fn amount(xml: &mut Xml, name: &'static str, minor: i64) {
    xml.open(name)
        .leaf("CurrencyCode", "USD")
        .leaf("Value", &ids::six_decimals(minor))
        .close();
}

/// The amount a transaction's money actually is: the settled part of a settled reserve.
pub fn effective_amount(txn: &TransactionRecord) -> i64 {
    txn.settled_minor.unwrap_or(txn.amount_minor)
}

/// The caller's side of a transaction for `TransactionPart` (GetAccountActivity).
#[derive(Debug, Clone, Copy)]
pub struct CallerPart<'a> {
    /// The caller's name.
    pub name: &'a str,
    /// The caller's e-mail (the recipient when no marketplace is involved).
    pub email: &'a str,
}

/// The fees each party of a transaction paid: (role, name, cents). For a marketplace payment the
/// recipient pays the marketplace fee (and FPS's unless `ChargeFeeTo=Caller`); otherwise the
/// recipient, who is the caller, pays FPS's fee.
pub fn fees_paid<'a>(
    txn: &'a TransactionRecord,
    caller: CallerPart<'a>,
) -> Vec<(&'static str, &'a str, i64)> {
    let caller_pays = txn.fee_paid_by == "Caller";
    let fps = txn.fps_fee_minor;
    let market = if txn.operation == "Refund" {
        0
    } else {
        txn.marketplace_fee_minor
    };
    let recipient_fees = market + if caller_pays { 0 } else { fps };
    let mut parts = vec![
        ("Sender", txn.sender_name.as_str(), 0),
        ("Recipient", txn.recipient_name.as_str(), recipient_fees),
    ];
    let marketplace = !txn.recipient_email.eq_ignore_ascii_case(caller.email) && txn.operation != "Refund";
    parts.push((
        "Caller",
        caller.name,
        if marketplace && caller_pays { fps } else { 0 },
    ));
    parts
}

/// A `Transaction` element (GetTransaction, GetAccountActivity; the latter with the parts).
pub fn transaction(
    xml: &mut Xml,
    txn: &TransactionRecord,
    history: &[HistoryRecord],
    related: &[(String, &'static str)],
    parts: Option<CallerPart<'_>>,
) {
    xml.open("Transaction")
        .leaf("TransactionId", &txn.id)
        .leaf_opt("CallerReference", txn.caller_reference.as_deref())
        .leaf_opt("CallerDescription", txn.caller_description.as_deref())
        .leaf_opt("SenderDescription", txn.sender_description.as_deref())
        .leaf("DateReceived", &ids::iso_date(txn.date_received));
    if let Some(done) = txn.date_completed {
        xml.leaf("DateCompleted", &ids::iso_date(done));
    }
    amount(xml, "TransactionAmount", effective_amount(txn));
    amount(xml, "FPSFees", txn.fps_fee_minor);
    amount(xml, "MarketplaceFees", txn.marketplace_fee_minor);
    xml.leaf("FPSFeesPaidBy", &txn.fee_paid_by)
        .leaf_opt("SenderTokenId", txn.sender_token_id.as_deref())
        .leaf_opt("RecipientTokenId", txn.recipient_token_id.as_deref())
        .leaf_opt("PrepaidInstrumentId", txn.prepaid_instrument_id.as_deref())
        .leaf_opt("CreditInstrumentId", txn.credit_instrument_id.as_deref());
    let operation = match (txn.operation.as_str(), txn.settled_minor) {
        ("Reserve", Some(_)) => "Settle",
        (op, _) => op,
    };
    xml.leaf("FPSOperation", operation)
        .leaf("PaymentMethod", &txn.payment_method)
        .leaf("TransactionStatus", &txn.status)
        .leaf("StatusCode", &txn.status_code)
        .leaf("StatusMessage", &txn.status_message)
        .leaf("SenderName", &txn.sender_name)
        .leaf("SenderEmail", &txn.sender_email)
        .leaf("RecipientName", &txn.recipient_name)
        .leaf("RecipientEmail", &txn.recipient_email);
    for (id, relation) in related {
        xml.open("RelatedTransaction")
            .leaf("TransactionId", id)
            .leaf("RelationType", relation)
            .close();
    }
    for entry in history {
        xml.open("StatusHistory")
            .leaf("Date", &ids::iso_date(entry.at))
            .leaf("TransactionStatus", &entry.status)
            .leaf("StatusCode", &entry.status_code);
        amount(xml, "Amount", entry.amount_minor);
        xml.close();
    }
    if let Some(caller) = parts {
        for (role, name, fees) in fees_paid(txn, caller) {
            xml.open("TransactionPart").leaf("Role", role).leaf("Name", name);
            amount(xml, "FeesPaid", fees);
            xml.close();
        }
    }
    xml.close();
}

/// A `Token` element (GetTokenByCaller).
pub fn token(xml: &mut Xml, token: &TokenRecord) {
    let token_type = if token.token_type == "Recipient" {
        "Unrestricted"
    } else {
        token.token_type.as_str()
    };
    let friendly = token
        .friendly_name
        .clone()
        .or_else(|| token.payment_reason.clone())
        .unwrap_or_else(|| format!("{} token {}", token.token_type, token.caller_reference));
    xml.open("Token")
        .leaf("TokenId", &token.token_id)
        .leaf("FriendlyName", &friendly)
        .leaf("TokenStatus", &token.status)
        .leaf("DateInstalled", &ids::iso_date(token.date_installed))
        .leaf("CallerReference", &token.caller_reference)
        .leaf("TokenType", token_type)
        .leaf_opt("OldTokenId", token.old_token_id.as_deref())
        .leaf_opt("PaymentReason", token.payment_reason.as_deref())
        .close();
}
