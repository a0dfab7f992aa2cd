//! Prepaid and postpaid instruments (API 2010-08-28), the caller's side: FundPrepaid,
//! GetPrepaidBalance and GetTotalPrepaidLiability for the instruments of SetupPrepaid; SettleDebt,
//! WriteOffDebt, GetDebtBalance and GetOutstandingDebtBalance for those of SetupPostpaid. The
//! requests, the balances read into cents, and the typed [`FpsClient`] calls.

use serde::Deserialize;

use fps_core::params::{CallerReference, TokenId};
use fps_core::Amount;

use super::client::{FpsClient, Timestamp};
use super::error::FpsError;
use super::outcome::{Outcome, Sending};
use super::request::Action;
use super::response::{fee_minor, parse_success, quoted, AmountXml, TransactionResult};
use super::vocabulary::ActionName;

/// Longest instrument id sent (FPS's ids are 64 characters).
const MAX_INSTRUMENT_ID: usize = 128;
/// Longest `CallerDescription` FPS takes.
const MAX_CALLER_DESCRIPTION: usize = 160;

/// Money moved into a prepaid instrument (FundPrepaid) or out of a sender's payment method to
/// pay a credit instrument's debt (SettleDebt).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstrumentPayment {
    /// The call's own reference; resending under it is safe.
    pub caller_reference: CallerReference,
    /// The funding token (FundPrepaid) or the settlement token (SettleDebt) of the pipeline.
    pub sender_token_id: TokenId,
    /// `prepaidInstrumentID` or `creditInstrumentID` of the pipeline's return.
    pub instrument_id: String,
    /// How much.
    pub amount: Amount,
    /// Shown in the caller's records (at most 160 characters; longer text is cut).
    pub caller_description: Option<String>,
}

/// WriteOffDebt: part of a credit instrument's debt forgiven.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DebtWriteOff {
    /// The call's own reference.
    pub caller_reference: CallerReference,
    /// `creditInstrumentID` of the pipeline's return.
    pub instrument_id: String,
    /// How much is forgiven.
    pub amount: Amount,
    /// Why, for the records.
    pub caller_description: Option<String>,
}

/// One call on an instrument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstrumentCall {
    /// Moves money from the funding token into the prepaid instrument.
    FundPrepaid(InstrumentPayment),
    /// A prepaid instrument's balance.
    PrepaidBalance {
        /// The prepaid instrument.
        instrument_id: String,
    },
    /// What the caller's prepaid instruments hold together.
    TotalPrepaidLiability,
    /// Pays down a credit instrument's debt with its settlement token.
    SettleDebt(InstrumentPayment),
    /// Forgives part of a credit instrument's debt.
    WriteOffDebt(DebtWriteOff),
    /// A credit instrument's debt.
    DebtBalance {
        /// The credit instrument.
        instrument_id: String,
    },
    /// What the caller's credit instruments owe together.
    OutstandingDebt,
}

impl InstrumentCall {
    /// Which action this is, in the shared vocabulary.
    pub fn kind(&self) -> ActionName {
        match self {
            InstrumentCall::FundPrepaid(_) => ActionName::FundPrepaid,
            InstrumentCall::PrepaidBalance { .. } => ActionName::GetPrepaidBalance,
            InstrumentCall::TotalPrepaidLiability => ActionName::GetTotalPrepaidLiability,
            InstrumentCall::SettleDebt(_) => ActionName::SettleDebt,
            InstrumentCall::WriteOffDebt(_) => ActionName::WriteOffDebt,
            InstrumentCall::DebtBalance { .. } => ActionName::GetDebtBalance,
            InstrumentCall::OutstandingDebt => ActionName::GetOutstandingDebtBalance,
        }
    }

    /// The action's own parameters (without `Action` and the common ones).
    pub fn params(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let describe = |out: &mut Vec<(&'static str, String)>, text: &Option<String>| {
            if let Some(text) = text {
                out.push(("CallerDescription", bounded(text, MAX_CALLER_DESCRIPTION)));
            }
        };
        match self {
            InstrumentCall::FundPrepaid(p) | InstrumentCall::SettleDebt(p) => {
                let (instrument, value, code) = match self {
                    InstrumentCall::FundPrepaid(_) => (
                        "PrepaidInstrumentId",
                        "FundingAmount.Value",
                        "FundingAmount.CurrencyCode",
                    ),
                    _ => (
                        "CreditInstrumentId",
                        "SettlementAmount.Value",
                        "SettlementAmount.CurrencyCode",
                    ),
                };
                out.push(("CallerReference", p.caller_reference.as_str().to_owned()));
                out.push(("SenderTokenId", p.sender_token_id.as_str().to_owned()));
                out.push((instrument, bounded(&p.instrument_id, MAX_INSTRUMENT_ID)));
                out.push((value, p.amount.to_string()));
                out.push((code, p.amount.currency().code().to_owned()));
                describe(&mut out, &p.caller_description);
            }
            InstrumentCall::WriteOffDebt(w) => {
                out.push(("CallerReference", w.caller_reference.as_str().to_owned()));
                out.push(("CreditInstrumentId", bounded(&w.instrument_id, MAX_INSTRUMENT_ID)));
                out.push(("AdjustmentAmount.Value", w.amount.to_string()));
                out.push((
                    "AdjustmentAmount.CurrencyCode",
                    w.amount.currency().code().to_owned(),
                ));
                describe(&mut out, &w.caller_description);
            }
            InstrumentCall::PrepaidBalance { instrument_id } => {
                out.push(("PrepaidInstrumentId", bounded(instrument_id, MAX_INSTRUMENT_ID)));
            }
            InstrumentCall::DebtBalance { instrument_id } => {
                out.push(("CreditInstrumentId", bounded(instrument_id, MAX_INSTRUMENT_ID)));
            }
            InstrumentCall::TotalPrepaidLiability | InstrumentCall::OutstandingDebt => {}
        }
        out
    }
}

/// Cuts text to at most `max` characters.
fn bounded(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// An instrument's balance, or the caller's instruments' together, in cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InstrumentBalance {
    /// What a prepaid instrument holds (`AvailableBalance`, or `OutstandingBalance` of the
    /// liability), or what a credit instrument owes (`AvailableBalance` of GetDebtBalance,
    /// `OutstandingBalance` of GetOutstandingDebtBalance).
    pub balance_minor: i64,
    /// Money on its way: funding not yet complete (`PendingInBalance`, prepaid) or settlements
    /// not yet complete (`PendingOutBalance`, postpaid).
    pub pending_minor: i64,
}

#[derive(Deserialize)]
struct BalanceResultXml {
    #[serde(rename = "PrepaidBalance")]
    prepaid: Option<BalanceXml>,
    #[serde(rename = "OutstandingPrepaidLiability")]
    liability: Option<BalanceXml>,
    #[serde(rename = "DebtBalance")]
    debt: Option<BalanceXml>,
    #[serde(rename = "OutstandingDebt")]
    outstanding: Option<BalanceXml>,
}

#[derive(Deserialize)]
struct BalanceXml {
    #[serde(rename = "AvailableBalance")]
    available: Option<AmountXml>,
    #[serde(rename = "OutstandingBalance")]
    outstanding: Option<AmountXml>,
    #[serde(rename = "PendingInBalance")]
    pending_in: Option<AmountXml>,
    #[serde(rename = "PendingOutBalance")]
    pending_out: Option<AmountXml>,
}

/// Reads the result of one of the four balance actions. The balance amount is required; a
/// missing pending amount reads as zero.
pub fn instrument_balance(action: ActionName, body: &str) -> Result<InstrumentBalance, FpsError> {
    let (xml, _): (BalanceResultXml, _) = parse_success(action, body)?;
    let malformed = |reason: String| FpsError::Malformed {
        action: action.as_str(),
        reason,
    };
    let container = match action {
        ActionName::GetPrepaidBalance => xml.prepaid,
        ActionName::GetTotalPrepaidLiability => xml.liability,
        ActionName::GetDebtBalance => xml.debt,
        ActionName::GetOutstandingDebtBalance => xml.outstanding,
        _ => None,
    }
    .ok_or_else(|| malformed("no balance element".to_owned()))?;
    let minor = |name: &str, amount: &AmountXml| {
        fee_minor(&amount.value, amount.currency_code.as_deref())
            .and_then(|m| i64::try_from(m).ok())
            .ok_or_else(|| malformed(format!("bad {name} {}", quoted(&amount.value))))
    };
    let balance = container
        .available
        .as_ref()
        .or(container.outstanding.as_ref())
        .ok_or_else(|| malformed("no AvailableBalance or OutstandingBalance".to_owned()))?;
    let pending = container.pending_in.as_ref().or(container.pending_out.as_ref());
    Ok(InstrumentBalance {
        balance_minor: minor("balance", balance)?,
        pending_minor: pending.map_or(Ok(0), |p| minor("pending balance", p))?,
    })
}

impl FpsClient {
    /// FundPrepaid, signed at `timestamp` (keep it to resend the identical request later).
    pub async fn fund_prepaid(
        &self,
        payment: InstrumentPayment,
        timestamp: &Timestamp,
        sending: Sending,
    ) -> Outcome<TransactionResult> {
        let action = Action::Instrument(InstrumentCall::FundPrepaid(payment));
        self.change(&action, timestamp, sending).await
    }

    /// SettleDebt, signed at `timestamp`.
    pub async fn settle_debt(
        &self,
        payment: InstrumentPayment,
        timestamp: &Timestamp,
        sending: Sending,
    ) -> Outcome<TransactionResult> {
        let action = Action::Instrument(InstrumentCall::SettleDebt(payment));
        self.change(&action, timestamp, sending).await
    }

    /// WriteOffDebt, signed at `timestamp`.
    pub async fn write_off_debt(
        &self,
        write_off: DebtWriteOff,
        timestamp: &Timestamp,
        sending: Sending,
    ) -> Outcome<TransactionResult> {
        let action = Action::Instrument(InstrumentCall::WriteOffDebt(write_off));
        self.change(&action, timestamp, sending).await
    }

    /// One of the four read-only balance calls (resent after transient failures).
    async fn instrument_balance(&self, call: InstrumentCall) -> Result<InstrumentBalance, FpsError> {
        let kind = call.kind();
        let body = self.call(&Action::Instrument(call), &Timestamp::now()).await?;
        instrument_balance(kind, &body)
    }

    /// GetPrepaidBalance: what the prepaid instrument holds, and its funding still pending.
    pub async fn prepaid_balance(&self, instrument_id: &str) -> Result<InstrumentBalance, FpsError> {
        self.instrument_balance(InstrumentCall::PrepaidBalance {
            instrument_id: instrument_id.to_owned(),
        })
        .await
    }

    /// GetTotalPrepaidLiability: what the caller's prepaid instruments hold together.
    pub async fn total_prepaid_liability(&self) -> Result<InstrumentBalance, FpsError> {
        self.instrument_balance(InstrumentCall::TotalPrepaidLiability)
            .await
    }

    /// GetDebtBalance: what the credit instrument owes, and its settlements still pending.
    pub async fn debt_balance(&self, instrument_id: &str) -> Result<InstrumentBalance, FpsError> {
        self.instrument_balance(InstrumentCall::DebtBalance {
            instrument_id: instrument_id.to_owned(),
        })
        .await
    }

    /// GetOutstandingDebtBalance: what the caller's credit instruments owe together.
    pub async fn outstanding_debt(&self) -> Result<InstrumentBalance, FpsError> {
        self.instrument_balance(InstrumentCall::OutstandingDebt).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payment() -> InstrumentPayment {
        InstrumentPayment {
            caller_reference: CallerReference::new("fund-1").unwrap(),
            sender_token_id: TokenId::new("FUNDINGTOKEN12345").unwrap(),
            instrument_id: "INSTRUMENT1".into(),
            amount: Amount::parse("10").unwrap(),
            caller_description: None,
        }
    }

    #[test]
    fn fund_and_settle_name_their_instrument_and_amount() {
        let fund = InstrumentCall::FundPrepaid(payment()).params();
        for pair in [
            ("PrepaidInstrumentId", "INSTRUMENT1"),
            ("FundingAmount.Value", "10.00"),
            ("FundingAmount.CurrencyCode", "USD"),
            ("SenderTokenId", "FUNDINGTOKEN12345"),
            ("CallerReference", "fund-1"),
        ] {
            assert!(
                fund.contains(&(pair.0, pair.1.to_owned())),
                "{pair:?} in {fund:?}"
            );
        }
        let settle = InstrumentCall::SettleDebt(payment()).params();
        assert!(settle.contains(&("CreditInstrumentId", "INSTRUMENT1".into())));
        assert!(settle.contains(&("SettlementAmount.Value", "10.00".into())));
        let write_off = InstrumentCall::WriteOffDebt(DebtWriteOff {
            caller_reference: CallerReference::new("w-1").unwrap(),
            instrument_id: "C1".into(),
            amount: Amount::parse("2.5").unwrap(),
            caller_description: Some("x".repeat(300)),
        })
        .params();
        assert!(write_off.contains(&("AdjustmentAmount.Value", "2.50".into())));
        let description = write_off.iter().find(|(n, _)| *n == "CallerDescription").unwrap();
        assert_eq!(description.1.len(), 160);
        assert!(InstrumentCall::OutstandingDebt.params().is_empty());
        assert_eq!(
            InstrumentCall::OutstandingDebt.kind(),
            ActionName::GetOutstandingDebtBalance
        );
    }

    #[test]
    fn reads_each_balance_by_its_own_element() {
        let prepaid = "<GetPrepaidBalanceResponse xmlns=\"http://fps.amazonaws.com/doc/2010-08-28/\">\
            <GetPrepaidBalanceResult><PrepaidBalance><AvailableBalance><CurrencyCode>USD</CurrencyCode>\
            <Value>4.000000</Value></AvailableBalance><PendingInBalance><CurrencyCode>USD</CurrencyCode>\
            <Value>0.000000</Value></PendingInBalance></PrepaidBalance></GetPrepaidBalanceResult>\
            <ResponseMetadata><RequestId>r:0</RequestId></ResponseMetadata></GetPrepaidBalanceResponse>";
        assert_eq!(
            instrument_balance(ActionName::GetPrepaidBalance, prepaid).unwrap(),
            InstrumentBalance {
                balance_minor: 400,
                pending_minor: 0
            }
        );
        let debt = "<GetOutstandingDebtBalanceResponse><GetOutstandingDebtBalanceResult><OutstandingDebt>\
            <OutstandingBalance><CurrencyCode>USD</CurrencyCode><Value>7.500000</Value></OutstandingBalance>\
            <PendingOutBalance><CurrencyCode>USD</CurrencyCode><Value>1.000000</Value></PendingOutBalance>\
            </OutstandingDebt></GetOutstandingDebtBalanceResult></GetOutstandingDebtBalanceResponse>";
        assert_eq!(
            instrument_balance(ActionName::GetOutstandingDebtBalance, debt).unwrap(),
            InstrumentBalance {
                balance_minor: 750,
                pending_minor: 100
            }
        );
        // Another action's answer, a missing or bad amount: malformed.
        assert!(instrument_balance(ActionName::GetDebtBalance, prepaid).is_err());
        assert!(instrument_balance(
            ActionName::GetPrepaidBalance,
            &prepaid.replace("4.000000", "4.001")
        )
        .is_err());
        assert!(instrument_balance(
            ActionName::GetPrepaidBalance,
            &prepaid.replace("AvailableBalance", "X")
        )
        .is_err());
    }
}
