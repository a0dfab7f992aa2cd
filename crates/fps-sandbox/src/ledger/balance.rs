//! An account's balance as GetAccountBalance and the account pages show it: the sum of its
//! entries (money moved by successful transactions), and what pending transactions will move in
//! or out when they succeed (their parts, as [`super::postings`] would write them).

use super::postings::{payment_parts, refund_parts};
use crate::state::SandboxState;
use crate::store::{StoreError, TransactionRecord};

/// An account's balance, in cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Balance {
    /// The sum of the account's entries (`TotalBalance`).
    pub total_minor: i64,
    /// What pending transactions will credit it (`PendingInBalance`).
    pub pending_in_minor: i64,
    /// What pending transactions will debit it (`PendingOutBalance`).
    pub pending_out_minor: i64,
}

impl Balance {
    /// What may be withdrawn now (`DisburseBalance`): the total less what is on its way out,
    /// never below zero.
    pub fn disburse_minor(&self) -> i64 {
        (self.total_minor - self.pending_out_minor).max(0)
    }

    /// What refunds may draw on now (`RefundBalance`): the total, never below zero.
    pub fn refund_minor(&self) -> i64 {
        self.total_minor.max(0)
    }
}

/// The parts a transaction moves when it succeeds: (account, role, signed cents).
pub fn parts(state: &SandboxState, txn: &TransactionRecord) -> Vec<(String, &'static str, i64)> {
    let caller_email = state
        .caller(&txn.caller_key)
        .map(|c| c.email.clone())
        .unwrap_or_default();
    if txn.operation == "Refund" {
        refund_parts(txn, &caller_email)
    } else {
        payment_parts(txn, &caller_email)
    }
}

/// The balance of the account `email` (`caller_key`: the caller account it belongs to, whose
/// transactions it may take a marketplace fee from).
pub async fn account_balance(
    state: &SandboxState,
    email: &str,
    caller_key: Option<&str>,
) -> Result<Balance, StoreError> {
    let total_minor = state.store.balance(email).await?;
    let mut balance = Balance {
        total_minor,
        pending_in_minor: 0,
        pending_out_minor: 0,
    };
    for txn in state.store.pending_involving(email, caller_key).await? {
        // A reserve waiting for its authorization moves no money; a pending Settle does.
        if txn.operation == "Reserve" && txn.settled_minor.is_none() {
            continue;
        }
        for (account, _, amount) in parts(state, &txn) {
            if !account.eq_ignore_ascii_case(email) {
                continue;
            }
            if amount > 0 {
                balance.pending_in_minor += amount;
            } else {
                balance.pending_out_minor -= amount;
            }
        }
    }
    Ok(balance)
}
