//! The order life cycle as pure data and rules: states, which FPS outcome moves an order where,
//! and the money rules of settle, cancel and refund. No I/O here.

use std::fmt;

use fps_wire::TransactionStatus;

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OrderState {
    /// Priced, waiting for the shopper to come back from CBUI.
    Open,
    /// The return was verified and Pay/Reserve was sent; the outcome is not known yet.
    Charging,
    /// FPS accepted Pay/Reserve and will decide later (cards, bank transfers).
    Pending,
    /// The amount is reserved on the card: settle or cancel it.
    Reserved,
    /// Settle was sent; waiting for its outcome.
    Settling,
    /// Money taken (Pay succeeded, or the reserve was settled). Refunds are possible.
    Paid,
    /// Everything taken was refunded.
    Refunded,
    /// Cancelled before money moved.
    Cancelled,
    /// FPS refused or failed the payment.
    Failed,
}

impl OrderState {
    /// Every state.
    pub const ALL: [OrderState; 9] = [
        OrderState::Open,
        OrderState::Charging,
        OrderState::Pending,
        OrderState::Reserved,
        OrderState::Settling,
        OrderState::Paid,
        OrderState::Refunded,
        OrderState::Cancelled,
        OrderState::Failed,
    ];

    /// The stored and displayed name.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderState::Open => "open",
            OrderState::Charging => "charging",
            OrderState::Pending => "pending",
            OrderState::Reserved => "reserved",
            OrderState::Settling => "settling",
            OrderState::Paid => "paid",
            OrderState::Refunded => "refunded",
            OrderState::Cancelled => "cancelled",
            OrderState::Failed => "failed",
        }
    }

    /// Reads a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        OrderState::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// Whether nothing can happen to the order any more (except refunds of a paid one).
    pub fn is_final(self) -> bool {
        matches!(
            self,
            OrderState::Refunded | OrderState::Cancelled | OrderState::Failed
        )
    }
}

impl fmt::Display for OrderState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How an order is charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Pay at once.
    Pay,
    /// Reserve now, settle when shipped.
    Reserve,
}

impl Mode {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Pay => "pay",
            Mode::Reserve => "reserve",
        }
    }

    /// Reads a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "pay" => Some(Mode::Pay),
            "reserve" => Some(Mode::Reserve),
            _ => None,
        }
    }
}

/// Which of an order's FPS transactions a status is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// The Pay or Reserve transaction.
    Charge,
    /// The Settle transaction (when FPS gave it an id of its own).
    Settle,
}

/// The state an FPS status moves an order to, or `None` when it must not move (the same state,
/// an older status arriving late, or a status that does not fit). Never moves backwards.
pub fn next_state(
    current: OrderState,
    mode: Mode,
    which: Which,
    status: TransactionStatus,
) -> Option<OrderState> {
    use OrderState::*;
    use TransactionStatus as T;
    let next = match (which, current, status) {
        (Which::Charge, Charging, T::Pending) => Pending,
        (Which::Charge, Charging | Pending, T::Success) if mode == Mode::Pay => Paid,
        (Which::Charge, Charging | Pending, T::Reserved) if mode == Mode::Reserve => Reserved,
        (Which::Charge, Charging | Pending, T::Failure) => Failed,
        // Cancelled before money was taken (by the caller, the buyer, or a reserve that expired),
        // also under a settle asked for or lost: that settle can no longer happen.
        (Which::Charge, Charging | Pending | Reserved | Settling, T::Cancelled) => Cancelled,
        // A settled reserve reports Success on the reserve transaction itself.
        (Which::Charge, Settling, T::Success) if mode == Mode::Reserve => Paid,
        // ... and a failed settle reports Failure on it.
        (Which::Charge, Settling, T::Failure) if mode == Mode::Reserve => Failed,
        (Which::Settle, Settling, T::Success) => Paid,
        (Which::Settle, Settling, T::Failure) => Failed,
        _ => return None,
    };
    Some(next)
}

/// The reason recorded on an order that moves to `failed` from `current`, for the shopper and
/// the admin: a settlement (from `settling`) or the payment itself failed.
pub fn failure_reason(current: OrderState) -> &'static str {
    if current == OrderState::Settling {
        "FPS could not settle the reserved amount; nothing was charged"
    } else {
        "FPS declined the payment; nothing was charged"
    }
}

/// The `callerReference` of an order's `attempt`-th authorization: the order's own reference for
/// the first, `{reference}-a{attempt}` for each new authorization after a failed payment or
/// settlement (FPS keys tokens and charges by callerReference, so a new attempt needs a new one).
pub fn caller_reference(reference: &str, attempt: u32) -> String {
    if attempt <= 1 {
        reference.to_owned()
    } else {
        format!("{reference}-a{attempt}")
    }
}

/// The order reference and attempt a `callerReference` names (the inverse of
/// [`caller_reference`]): `ord-x-a2` is attempt 2 of `ord-x`, anything else attempt 1 of itself.
pub fn split_caller_reference(caller_reference: &str) -> (&str, u32) {
    if let Some((reference, attempt)) = caller_reference.rsplit_once("-a") {
        let digits = !attempt.is_empty() && attempt.len() <= 4 && attempt.bytes().all(|b| b.is_ascii_digit());
        if digits && !attempt.starts_with('0') {
            if let Ok(n @ 2..) = attempt.parse::<u32>() {
                return (reference, n);
            }
        }
    }
    (caller_reference, 1)
}

/// Whether `caller_reference` names the order's current authorization: the same test as
/// comparing with [`caller_reference`], without building the string (it runs on every
/// `/fps/sign`).
pub fn names_attempt(caller_reference: &str, reference: &str, attempt: u32) -> bool {
    split_caller_reference(caller_reference) == (reference, attempt)
}

/// Most authorizations one order may have (the first and its re-authorizations).
pub const MAX_ATTEMPTS: u32 = 5;

/// The state a new authorization needs: only a failed order (its payment or its settlement
/// failed) may be authorized again, and only [`MAX_ATTEMPTS`] times in all.
pub fn check_reauthorize(current: OrderState, attempt: u32) -> Result<(), RuleError> {
    if current != OrderState::Failed {
        return Err(RuleError::WrongState {
            action: "authorize again",
            current,
            needed: "failed (a payment or settlement that did not go through)",
        });
    }
    if attempt >= MAX_ATTEMPTS {
        return Err(RuleError::TooManyAttempts { limit: MAX_ATTEMPTS });
    }
    Ok(())
}

/// The state a shopper's cancel needs: before any money is taken. An open order (never
/// authorized) is cancelled by the shop alone; a pending or reserved one through FPS.
pub fn check_shopper_cancel(current: OrderState) -> Result<(), RuleError> {
    match current {
        OrderState::Open | OrderState::Pending | OrderState::Reserved => Ok(()),
        _ => Err(RuleError::WrongState {
            action: "cancel",
            current,
            needed: "open, pending or reserved (once paid, ask the shop for a refund)",
        }),
    }
}

/// How long an order may sit in a state that is waiting for FPS before somebody should look.
pub const STUCK_AFTER_SECONDS: i64 = 15 * 60;

/// How close to its expiry a reserve is flagged (settle or cancel it before FPS cancels it).
pub const RESERVE_WARNING_SECONDS: i64 = 24 * 3600;

/// Why an order needs the shop's attention, if it does: a failed payment or settlement (the
/// shopper may authorize again; reserved goods must not ship), an FPS outcome overdue, or a
/// reserve near its `reserve_deadline` (Unix seconds).
pub fn attention(
    state: OrderState,
    last_error: Option<&str>,
    updated_at: i64,
    reserve_deadline: Option<i64>,
    now: i64,
) -> Option<String> {
    let stale = now.saturating_sub(updated_at) >= STUCK_AFTER_SECONDS;
    match state {
        OrderState::Failed => Some(last_error.unwrap_or("the payment failed").to_owned()),
        OrderState::Charging | OrderState::Settling if stale => Some(format!(
            "waiting for FPS for over {} minutes",
            STUCK_AFTER_SECONDS / 60
        )),
        OrderState::Pending if stale => Some(format!(
            "payment still pending after {} minutes",
            STUCK_AFTER_SECONDS / 60
        )),
        OrderState::Reserved => match reserve_deadline {
            Some(deadline) if deadline.saturating_sub(now) <= RESERVE_WARNING_SECONDS => Some(format!(
                "the reserve expires {}: settle or cancel it",
                if deadline <= now {
                    "now".to_owned()
                } else {
                    format!("in {} hours", (deadline - now + 3599) / 3600)
                }
            )),
            _ => None,
        },
        _ => None,
    }
}

/// Why a money rule refuses an admin action.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    /// The order is in the wrong state for the action.
    #[error("order is {current}; {action} needs {needed}")]
    WrongState {
        /// What was asked.
        action: &'static str,
        /// Where the order is.
        current: OrderState,
        /// Where it must be.
        needed: &'static str,
    },
    /// The amount is above what the rule allows.
    #[error("{action} of {asked} is more than the {limit} allowed")]
    TooMuch {
        /// What was asked.
        action: &'static str,
        /// The amount asked, formatted.
        asked: String,
        /// The limit, formatted.
        limit: String,
    },
    /// The order was authorized too many times.
    #[error("the order was already authorized {limit} times; start a new order")]
    TooManyAttempts {
        /// [`MAX_ATTEMPTS`].
        limit: u32,
    },
}

/// The state settle needs.
pub fn check_settle(current: OrderState, asked_minor: u64, reserved_minor: u64) -> Result<(), RuleError> {
    if current != OrderState::Reserved {
        return Err(RuleError::WrongState {
            action: "settle",
            current,
            needed: "reserved (a reserve settles once)",
        });
    }
    if asked_minor > reserved_minor {
        return Err(RuleError::TooMuch {
            action: "settle",
            asked: money(asked_minor),
            limit: money(reserved_minor),
        });
    }
    Ok(())
}

/// The state cancel needs.
pub fn check_cancel(current: OrderState) -> Result<(), RuleError> {
    match current {
        OrderState::Pending | OrderState::Reserved => Ok(()),
        _ => Err(RuleError::WrongState {
            action: "cancel",
            current,
            needed: "pending or reserved (completed payments can only be refunded)",
        }),
    }
}

/// The state and amount a refund needs.
pub fn check_refund(
    current: OrderState,
    asked_minor: u64,
    settled_minor: u64,
    refunded_minor: u64,
) -> Result<(), RuleError> {
    if current != OrderState::Paid {
        return Err(RuleError::WrongState {
            action: "refund",
            current,
            needed: "paid (a reserve must be settled first)",
        });
    }
    let left = settled_minor.saturating_sub(refunded_minor);
    if asked_minor > left {
        return Err(RuleError::TooMuch {
            action: "refund",
            asked: money(asked_minor),
            limit: money(left),
        });
    }
    Ok(())
}

/// Formats minor units as `12.34`.
pub fn money(minor: u64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

#[cfg(test)]
#[path = "order_tests.rs"]
mod tests;
