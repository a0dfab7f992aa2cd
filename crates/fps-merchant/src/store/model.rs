//! The store's domain types: an order and a refund as the order service sees them, the changes a
//! state change may make, and the events of an order's audit trail.

use super::super::order::{Mode, OrderState};
use super::super::sender::ShippingAddress;
use fps_core::Amount;

/// One stored order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// The callerReference, also the order id.
    pub reference: String,
    /// The priced lines, as JSON.
    pub items: String,
    /// What was bought, for people.
    pub description: String,
    /// The total in minor units.
    pub amount_minor: u64,
    /// `USD`.
    pub currency: String,
    /// Pay or reserve.
    pub mode: Mode,
    /// Where it stands.
    pub state: OrderState,
    /// The return URL the signed CBUI request named.
    pub return_url: Option<String>,
    /// The sender token from the verified return.
    pub sender_token_id: Option<String>,
    /// The Timestamp the Pay/Reserve was signed with (resent identically after a failure).
    pub charge_timestamp: Option<String>,
    /// The Pay/Reserve transaction.
    pub transaction_id: Option<String>,
    /// FPS's last status of it.
    pub transaction_status: Option<String>,
    /// The amount settle was asked for.
    pub settle_amount_minor: Option<u64>,
    /// The Settle transaction, when FPS named one.
    pub settle_transaction_id: Option<String>,
    /// The Timestamp the Settle was signed with (resent identically while its outcome is unknown).
    pub settle_timestamp: Option<String>,
    /// The amount taken.
    pub settled_minor: u64,
    /// The amount refunded or being refunded.
    pub refunded_minor: u64,
    /// The last failure, for the admin.
    pub last_error: Option<String>,
    /// The current authorization: 1, then one more for each re-authorization after a failure
    /// (its callerReference: [`super::order::caller_reference`]).
    pub attempt: u32,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub updated_at: i64,
    /// When the reconciler next asks FPS about the order (Unix seconds); `None`: nothing to ask.
    pub next_check_at: Option<i64>,
    /// How many times the reconciler asked without reaching an outcome (its backoff).
    pub checks: u32,
    /// Whether a product of the order ships: its CBUI request asks for the shipping address.
    pub ships: bool,
    /// The shipping address of the verified return (orders that ship).
    pub shipping_address: Option<ShippingAddress>,
    /// The payment method the sender chose (`balance`, `bank`, `card`), from the return.
    pub payment_method: Option<String>,
}

impl Order {
    /// A new order in `open`, not yet stored: first attempt, nothing authorized, taken or
    /// refunded, created and updated at `at` (Unix seconds). Store it with
    /// [`Store::create_order`](super::Store::create_order).
    pub fn new_open(
        reference: String,
        items: String,
        description: String,
        total: Amount,
        mode: Mode,
        at: i64,
    ) -> Self {
        Order {
            reference,
            items,
            description,
            amount_minor: total.minor_units(),
            currency: total.currency().code().to_owned(),
            mode,
            state: OrderState::Open,
            return_url: None,
            sender_token_id: None,
            charge_timestamp: None,
            transaction_id: None,
            transaction_status: None,
            settle_amount_minor: None,
            settle_transaction_id: None,
            settle_timestamp: None,
            settled_minor: 0,
            refunded_minor: 0,
            last_error: None,
            attempt: 1,
            created_at: at,
            updated_at: at,
            next_check_at: None,
            checks: 0,
            ships: false,
            shipping_address: None,
            payment_method: None,
        }
    }
}

/// One refund of an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refund {
    /// Its own CallerReference.
    pub caller_reference: String,
    /// The order.
    pub order_reference: String,
    /// Minor units.
    pub amount_minor: u64,
    /// `requested` (sent, no answer yet), `Pending`, `Success`, `Failure`, `failed` (refused).
    pub state: String,
    /// The Timestamp it was signed with.
    pub request_timestamp: String,
    /// FPS's transaction id.
    pub transaction_id: Option<String>,
}

/// Fields a state change may set (`None` keeps the stored value).
#[derive(Debug, Clone, Default)]
pub struct Changes {
    /// See [`Order::return_url`].
    pub return_url: Option<String>,
    /// See [`Order::sender_token_id`].
    pub sender_token_id: Option<String>,
    /// See [`Order::charge_timestamp`].
    pub charge_timestamp: Option<String>,
    /// See [`Order::transaction_id`].
    pub transaction_id: Option<String>,
    /// See [`Order::transaction_status`].
    pub transaction_status: Option<String>,
    /// See [`Order::settle_amount_minor`].
    pub settle_amount_minor: Option<u64>,
    /// See [`Order::settle_transaction_id`].
    pub settle_transaction_id: Option<String>,
    /// See [`Order::settle_timestamp`].
    pub settle_timestamp: Option<String>,
    /// See [`Order::settled_minor`].
    pub settled_minor: Option<u64>,
    /// See [`Order::last_error`].
    pub last_error: Option<String>,
    /// See [`Order::shipping_address`] (its JSON).
    pub shipping_address: Option<String>,
    /// See [`Order::payment_method`].
    pub payment_method: Option<String>,
    /// See [`Order::next_check_at`].
    pub next_check: NextCheck,
    /// Whether the change, if it moves the order into a state the fulfilment webhook announces,
    /// writes that event to the outbox in the same transaction (set by the order service when a
    /// webhook is configured).
    pub announce: bool,
}

/// What a state change does to the order's next reconciliation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum NextCheck {
    /// Leaves it as it is.
    #[default]
    Keep,
    /// Nothing is left to ask FPS about.
    Clear,
    /// Ask FPS at this Unix second (and start the backoff again).
    At(i64),
}

/// One entry of an order's event trail: every state change and every decision about an order
/// (FPS answers, refusals, the reconciler's findings) is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// What happened (`charged`, `charge_unknown`, `reconciled`, ...).
    pub kind: &'static str,
    /// Details for people (bounded when stored).
    pub detail: String,
}

impl Event {
    /// An event of `kind` with `detail`.
    pub fn new(kind: &'static str, detail: impl Into<String>) -> Self {
        Event {
            kind,
            detail: detail.into(),
        }
    }
}

/// Longest event detail stored, in characters.
pub const MAX_EVENT_DETAIL: usize = 1000;

/// Refusal events of one kind an order's trail keeps before further ones are only counted.
pub const MAX_REFUSAL_EVENTS: i64 = 10;

/// Longest excerpt of refused input kept, in characters.
pub const MAX_REFUSAL_DETAIL: usize = 300;
