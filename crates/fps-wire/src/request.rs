//! Typed Query API requests (`fps-protocol.md` section 6): each becomes an action name and its
//! parameters, before the common parameters and the signature are added.

use fps_core::params::{CallerReference, ParamValue, Percent, TokenId};
use fps_core::Amount;

use crate::vocabulary::ActionName;

/// One Query API call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Checks a CBUI return or an IPN with FPS.
    VerifySignature {
        /// Scheme, host, port and path of the URL that received the data; no query.
        url_end_point: String,
        /// The received query or body, exactly as received.
        http_parameters: String,
    },
    /// Charges a sender token at once.
    Pay(Charge),
    /// Reserves an amount on a sender's card, for a later Settle.
    Reserve(Charge),
    /// Charges a reserve, once.
    Settle {
        /// The Reserve's TransactionId.
        reserve_transaction_id: String,
        /// The amount; the whole reserve when absent.
        amount: Option<Amount>,
    },
    /// Cancels a pending or reserved transaction.
    Cancel {
        /// The transaction.
        transaction_id: String,
        /// Why, for the records.
        description: Option<String>,
    },
    /// Refunds a completed transaction, in part or whole.
    Refund {
        /// The transaction to refund.
        transaction_id: String,
        /// This refund's own unique reference (makes retries safe).
        caller_reference: CallerReference,
        /// The amount; the remainder when absent.
        amount: Option<Amount>,
        /// Why, for the records.
        description: Option<String>,
    },
    /// A transaction's status.
    GetTransactionStatus {
        /// The transaction.
        transaction_id: String,
    },
    /// A transaction's details.
    GetTransaction {
        /// The transaction.
        transaction_id: String,
    },
    /// Installs a caller or recipient token on the caller's own account.
    InstallPaymentInstruction(PaymentInstruction),
    /// The caller's transactions in a date range, one batch.
    GetAccountActivity(super::transaction::ActivityQuery),
    /// The caller's account balance (no parameters).
    GetAccountBalance,
    /// The caller's tokens, filtered.
    GetTokens(super::token_queries::TokenFilter),
    /// A token's usage limits and what was used.
    GetTokenUsage {
        /// The token.
        token_id: String,
    },
    /// The payment instruction of a token of InstallPaymentInstruction.
    GetPaymentInstruction {
        /// The token.
        token_id: String,
    },
    /// Whether the account behind a recipient token is verified.
    GetRecipientVerificationStatus {
        /// The recipient token.
        recipient_token_id: String,
    },
    /// A Simple Pay subscription's details.
    GetSubscriptionDetails {
        /// The subscription.
        subscription_id: String,
    },
    /// A Simple Pay subscription's transactions.
    GetTransactionsForSubscription {
        /// The subscription.
        subscription_id: String,
    },
    /// Cancels a Simple Pay subscription, refunding part of it.
    CancelSubscriptionAndRefund(super::subscriptions::SubscriptionRefund),
    /// A prepaid or postpaid instrument's action (FundPrepaid, SettleDebt, the balances...).
    Instrument(super::instruments::InstrumentCall),
}

/// What InstallPaymentInstruction takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentInstruction {
    /// The instruction in FPS's GK language, e.g. `MyRole == 'Caller' orSay 'Role does not match';`.
    pub instruction: String,
    /// Names the token; installing again under it returns the same token.
    pub caller_reference: CallerReference,
    /// `Unrestricted`, `SingleUse`, `MultiUse` or `Recurring`.
    pub token_type: &'static str,
    /// `TokenFriendlyName`.
    pub friendly_name: Option<String>,
}

/// What Pay and Reserve take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Charge {
    /// The caller's reference; reusing it makes a resent request safe.
    pub caller_reference: CallerReference,
    /// The token from the CBUI return.
    pub sender_token_id: TokenId,
    /// The amount.
    pub amount: Amount,
    /// Shown in the caller's records (at most 160 characters; longer text is cut).
    pub caller_description: Option<String>,
    /// Shown to the sender in their Amazon Payments account (at most 160 characters; longer
    /// text is cut).
    pub sender_description: Option<String>,
    /// For a marketplace payment: the seller and the marketplace's cut.
    pub marketplace: Option<MarketplaceTerms>,
}

/// Who pays FPS's fee on a marketplace payment (`ChargeFeeTo`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChargeFeeTo {
    /// The marketplace (the caller).
    Caller,
    /// The seller (the recipient): FPS's default.
    Recipient,
}

impl ChargeFeeTo {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            ChargeFeeTo::Caller => "Caller",
            ChargeFeeTo::Recipient => "Recipient",
        }
    }
}

/// A marketplace payment's extra parameters: `RecipientTokenId`, `MarketplaceFixedFee`,
/// `MarketplaceVariableFee`, `ChargeFeeTo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarketplaceTerms {
    /// The seller's recipient token.
    pub recipient_token_id: TokenId,
    /// The marketplace's fixed fee.
    pub fixed_fee: Option<Amount>,
    /// The marketplace's variable fee, in percent.
    pub variable_fee: Option<Percent>,
    /// Who pays FPS's fee.
    pub charge_fee_to: ChargeFeeTo,
}

/// Longest `TokenFriendlyName` sent.
const MAX_FRIENDLY_NAME: usize = 128;

/// Longest `CallerDescription` FPS takes.
const MAX_CALLER_DESCRIPTION: usize = 160;

/// Longest `SenderDescription` FPS takes.
const MAX_SENDER_DESCRIPTION: usize = 160;

impl Action {
    /// Which action this is, in the shared vocabulary.
    pub fn kind(&self) -> ActionName {
        match self {
            Action::VerifySignature { .. } => ActionName::VerifySignature,
            Action::Pay(_) => ActionName::Pay,
            Action::Reserve(_) => ActionName::Reserve,
            Action::Settle { .. } => ActionName::Settle,
            Action::Cancel { .. } => ActionName::Cancel,
            Action::Refund { .. } => ActionName::Refund,
            Action::GetTransactionStatus { .. } => ActionName::GetTransactionStatus,
            Action::GetTransaction { .. } => ActionName::GetTransaction,
            Action::InstallPaymentInstruction(_) => ActionName::InstallPaymentInstruction,
            Action::GetAccountActivity(_) => ActionName::GetAccountActivity,
            Action::GetAccountBalance => ActionName::GetAccountBalance,
            Action::GetTokens(_) => ActionName::GetTokens,
            Action::GetTokenUsage { .. } => ActionName::GetTokenUsage,
            Action::GetPaymentInstruction { .. } => ActionName::GetPaymentInstruction,
            Action::GetRecipientVerificationStatus { .. } => ActionName::GetRecipientVerificationStatus,
            Action::GetSubscriptionDetails { .. } => ActionName::GetSubscriptionDetails,
            Action::GetTransactionsForSubscription { .. } => ActionName::GetTransactionsForSubscription,
            Action::CancelSubscriptionAndRefund(_) => ActionName::CancelSubscriptionAndRefund,
            Action::Instrument(call) => call.kind(),
        }
    }

    /// The `Action` parameter's value.
    pub fn name(&self) -> &'static str {
        self.kind().as_str()
    }

    /// Whether resending the identical signed request cannot act twice: calls that only read,
    /// and calls made idempotent by their `CallerReference`. Settle and Cancel are not retried.
    pub fn is_idempotent(&self) -> bool {
        !matches!(self, Action::Settle { .. } | Action::Cancel { .. })
    }

    /// The action's own parameters (without `Action` and the common ones).
    pub fn params(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let amount = |out: &mut Vec<(&'static str, String)>, prefix: &str, amount: &Amount| {
            let (value, code) = match prefix {
                "RefundAmount" => ("RefundAmount.Value", "RefundAmount.CurrencyCode"),
                _ => ("TransactionAmount.Value", "TransactionAmount.CurrencyCode"),
            };
            out.push((value, amount.to_string()));
            out.push((code, amount.currency().code().to_owned()));
        };
        match self {
            Action::VerifySignature {
                url_end_point,
                http_parameters,
            } => {
                out.push(("UrlEndPoint", url_end_point.clone()));
                out.push(("HttpParameters", http_parameters.clone()));
            }
            Action::Pay(charge) | Action::Reserve(charge) => {
                out.push(("CallerReference", charge.caller_reference.as_str().to_owned()));
                out.push(("SenderTokenId", charge.sender_token_id.as_str().to_owned()));
                amount(&mut out, "TransactionAmount", &charge.amount);
                if let Some(text) = &charge.caller_description {
                    out.push(("CallerDescription", bounded(text, MAX_CALLER_DESCRIPTION)));
                }
                if let Some(text) = &charge.sender_description {
                    out.push(("SenderDescription", bounded(text, MAX_SENDER_DESCRIPTION)));
                }
                if let Some(terms) = &charge.marketplace {
                    out.push(("RecipientTokenId", terms.recipient_token_id.as_str().to_owned()));
                    if let Some(fixed) = &terms.fixed_fee {
                        out.push(("MarketplaceFixedFee.Value", fixed.to_string()));
                        out.push((
                            "MarketplaceFixedFee.CurrencyCode",
                            fixed.currency().code().to_owned(),
                        ));
                    }
                    if let Some(variable) = &terms.variable_fee {
                        out.push(("MarketplaceVariableFee", variable.render()));
                    }
                    out.push(("ChargeFeeTo", terms.charge_fee_to.as_str().to_owned()));
                }
            }
            Action::Settle {
                reserve_transaction_id,
                amount: settle_amount,
            } => {
                out.push(("ReserveTransactionId", reserve_transaction_id.clone()));
                if let Some(a) = settle_amount {
                    amount(&mut out, "TransactionAmount", a);
                }
            }
            Action::Cancel {
                transaction_id,
                description,
            } => {
                out.push(("TransactionId", transaction_id.clone()));
                if let Some(text) = description {
                    out.push(("Description", bounded(text, MAX_CALLER_DESCRIPTION)));
                }
            }
            Action::Refund {
                transaction_id,
                caller_reference,
                amount: refund_amount,
                description,
            } => {
                out.push(("TransactionId", transaction_id.clone()));
                out.push(("CallerReference", caller_reference.as_str().to_owned()));
                if let Some(a) = refund_amount {
                    amount(&mut out, "RefundAmount", a);
                }
                if let Some(text) = description {
                    out.push(("CallerDescription", bounded(text, MAX_CALLER_DESCRIPTION)));
                }
            }
            Action::GetTransactionStatus { transaction_id } | Action::GetTransaction { transaction_id } => {
                out.push(("TransactionId", transaction_id.clone()));
            }
            Action::InstallPaymentInstruction(install) => {
                out.push(("PaymentInstruction", install.instruction.clone()));
                out.push(("CallerReference", install.caller_reference.as_str().to_owned()));
                out.push(("TokenType", install.token_type.to_owned()));
                if let Some(name) = &install.friendly_name {
                    out.push(("TokenFriendlyName", bounded(name, MAX_FRIENDLY_NAME)));
                }
            }
            Action::GetAccountActivity(query) => out.extend(query.params()),
            Action::GetAccountBalance => {}
            Action::GetTokens(filter) => out.extend(filter.params()),
            Action::GetTokenUsage { token_id } | Action::GetPaymentInstruction { token_id } => {
                out.push(("TokenId", token_id.clone()));
            }
            Action::GetRecipientVerificationStatus { recipient_token_id } => {
                out.push(("RecipientTokenId", recipient_token_id.clone()));
            }
            Action::GetSubscriptionDetails { subscription_id }
            | Action::GetTransactionsForSubscription { subscription_id } => {
                out.push(("SubscriptionId", subscription_id.clone()));
            }
            Action::CancelSubscriptionAndRefund(refund) => out.extend(refund.params()),
            Action::Instrument(call) => out.extend(call.params()),
        }
        out
    }
}

/// Cuts text to at most `max` characters.
fn bounded(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pay_and_refund_flatten_amounts() {
        let charge = Charge {
            caller_reference: CallerReference::new("order-1").unwrap(),
            sender_token_id: TokenId::new("ABCDEFGHIJKLMNOP1234").unwrap(),
            amount: Amount::parse("12.5").unwrap(),
            caller_description: Some("x".repeat(300)),
            sender_description: Some("é".repeat(300)),
            marketplace: None,
        };
        let params = Action::Pay(charge.clone()).params();
        let sender = params.iter().find(|(n, _)| *n == "SenderDescription").unwrap();
        assert_eq!(sender.1.chars().count(), 160, "cut as FPS bounds it");
        let plain = Action::Pay(Charge {
            sender_description: None,
            ..charge.clone()
        })
        .params();
        assert!(!plain.iter().any(|(n, _)| *n == "SenderDescription"));
        assert!(!params.iter().any(|(n, _)| *n == "RecipientTokenId"));
        let market = Action::Reserve(Charge {
            marketplace: Some(MarketplaceTerms {
                recipient_token_id: TokenId::new("RECIPIENTTOKEN123").unwrap(),
                fixed_fee: Some(Amount::parse("0.25").unwrap()),
                variable_fee: Some(Percent::parse_param("v", "7.5").unwrap()),
                charge_fee_to: ChargeFeeTo::Recipient,
            }),
            ..charge
        })
        .params();
        for pair in [
            ("RecipientTokenId", "RECIPIENTTOKEN123"),
            ("MarketplaceFixedFee.Value", "0.25"),
            ("MarketplaceFixedFee.CurrencyCode", "USD"),
            ("MarketplaceVariableFee", "7.50"),
            ("ChargeFeeTo", "Recipient"),
        ] {
            assert!(
                market.contains(&(pair.0, pair.1.to_owned())),
                "{pair:?} in {market:?}"
            );
        }
        assert!(params.contains(&("TransactionAmount.Value", "12.50".into())));
        assert!(params.contains(&("TransactionAmount.CurrencyCode", "USD".into())));
        let description = params.iter().find(|(n, _)| *n == "CallerDescription").unwrap();
        assert_eq!(description.1.len(), 160);
        let refund = Action::Refund {
            transaction_id: "T1".into(),
            caller_reference: CallerReference::new("order-1-refund-1").unwrap(),
            amount: Some(Amount::parse("1").unwrap()),
            description: None,
        };
        assert!(refund.params().contains(&("RefundAmount.Value", "1.00".into())));
        assert!(refund.is_idempotent());
        let settle = Action::Settle {
            reserve_transaction_id: "T2".into(),
            amount: None,
        };
        assert_eq!(settle.params(), vec![("ReserveTransactionId", "T2".into())]);
        assert!(!settle.is_idempotent());
    }
}
