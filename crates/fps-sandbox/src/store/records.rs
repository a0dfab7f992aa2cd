//! The rows the store reads and writes.

/// A payment token installed through a CBUI pipeline.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenRecord {
    /// 64 uppercase alphanumerics.
    pub token_id: String,
    /// The caller that installed it.
    pub caller_key: String,
    /// The pipeline's `callerReference`.
    pub caller_reference: String,
    /// `SingleUse`, `MultiUse`, `Recurring` or `Recipient` (CBUI pipelines); for a token of
    /// InstallPaymentInstruction its `TokenType` (`Unrestricted`, `SingleUse`, `MultiUse`, `Recurring`).
    pub token_type: String,
    /// The sender (or, for a recipient token, the recipient) who approved it.
    pub owner_email: String,
    /// Their display name.
    pub owner_name: String,
    /// `ABT`, `ACH` or `CC`.
    pub payment_method: String,
    /// The amount per payment authorised, if the pipeline stated one.
    pub amount_minor: Option<i64>,
    /// The lifetime cap (`globalAmountLimit`), if any.
    pub limit_minor: Option<i64>,
    /// Money charged under the token so far.
    pub used_minor: i64,
    /// Payments made under the token so far.
    pub use_count: i64,
    /// Whether the token was asked for with `reserve=True`.
    pub reserve: bool,
    /// `Active` or `Inactive`.
    pub status: String,
    /// The pipeline's `paymentReason`.
    pub payment_reason: Option<String>,
    /// For a recipient token, its refund token.
    pub refund_token_id: Option<String>,
    /// The token this one replaced, if any.
    pub old_token_id: Option<String>,
    /// When it was installed.
    pub date_installed: i64,
    /// For a recipient token: `recipientPaysFee`.
    pub recipient_pays_fee: Option<bool>,
    /// For a recipient token: `maxFixedFee`, in cents.
    pub max_fixed_fee_minor: Option<i64>,
    /// For a recipient token: `maxVariableFee`, in basis points.
    pub max_variable_fee_bp: Option<i64>,
    /// For a token of InstallPaymentInstruction: its GK payment instruction (`None` for the
    /// tokens of the CBUI pipelines).
    pub payment_instruction: Option<String>,
    /// For a token of InstallPaymentInstruction: `TokenFriendlyName`.
    pub friendly_name: Option<String>,
}

impl TokenRecord {
    /// A token installed at `date_installed` (business time: the store's clock), active, with
    /// nothing charged under it yet and none of the optional terms; the caller adds what its
    /// pipeline or instruction states (amounts, reason, fees, ...) with struct update syntax.
    /// `owner` is the e-mail and display name of who approved it.
    pub fn new_active(
        token_id: String,
        caller_key: &str,
        caller_reference: String,
        token_type: String,
        (owner_email, owner_name): (&str, &str),
        payment_method: &str,
        date_installed: i64,
    ) -> Self {
        TokenRecord {
            token_id,
            caller_key: caller_key.to_owned(),
            caller_reference,
            token_type,
            owner_email: owner_email.to_owned(),
            owner_name: owner_name.to_owned(),
            payment_method: payment_method.to_owned(),
            amount_minor: None,
            limit_minor: None,
            used_minor: 0,
            use_count: 0,
            reserve: false,
            status: "Active".into(),
            payment_reason: None,
            refund_token_id: None,
            old_token_id: None,
            date_installed,
            recipient_pays_fee: None,
            max_fixed_fee_minor: None,
            max_variable_fee_bp: None,
            payment_instruction: None,
            friendly_name: None,
        }
    }

    /// Whether InstallPaymentInstruction installed it (a caller or recipient token on the
    /// caller's own account) rather than a CBUI pipeline.
    pub fn is_instruction(&self) -> bool {
        self.payment_instruction.is_some()
    }
}

/// A transaction: a Pay, a Reserve (settled in place), a Refund, or an instrument's FundPrepaid,
/// SettleDebt or WriteOffDebt.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TransactionRecord {
    /// Insertion order.
    pub seq: i64,
    /// 35 uppercase alphanumerics.
    pub id: String,
    /// The caller that made it.
    pub caller_key: String,
    /// `Pay`, `Reserve`, `Refund`, `FundPrepaid`, `SettleDebt` or `WriteOffDebt`.
    pub operation: String,
    /// The call's `CallerReference`.
    pub caller_reference: Option<String>,
    /// The sender token charged.
    pub sender_token_id: Option<String>,
    /// The recipient token, in a marketplace.
    pub recipient_token_id: Option<String>,
    /// Sender's name.
    pub sender_name: String,
    /// Sender's e-mail.
    pub sender_email: String,
    /// Recipient's name.
    pub recipient_name: String,
    /// Recipient's e-mail.
    pub recipient_email: String,
    /// The amount (reserved, paid or refunded).
    pub amount_minor: i64,
    /// For a reserve: the amount settled, once Settle was called.
    pub settled_minor: Option<i64>,
    /// `Pending`, `Success`, `Failure`, `Reserved` or `Cancelled`.
    pub status: String,
    /// `Success`, `PendingNetworkResponse`, `Canceled`, `PaymentFailed`, ...
    pub status_code: String,
    /// Human-readable status.
    pub status_message: String,
    /// `ABT`, `ACH` or `CC`.
    pub payment_method: String,
    /// The token's payment reason.
    pub payment_reason: Option<String>,
    /// For a refund: the refunded transaction.
    pub parent_id: Option<String>,
    /// `CallerDescription`.
    pub caller_description: Option<String>,
    /// `SenderDescription`.
    pub sender_description: Option<String>,
    /// `OverrideIPNURL` of the latest call on this transaction.
    pub override_ipn_url: Option<String>,
    /// When it was received.
    pub date_received: i64,
    /// When it reached a final status.
    pub date_completed: Option<i64>,
    /// When a `Pending` transaction moves on (or a `Reserved` one expires).
    pub due_at: Option<i64>,
    /// What the transaction becomes at `due_at` (`Expired` for a reserve).
    pub due_status: Option<String>,
    /// `MarketplaceFixedFee` asked, in cents.
    pub marketplace_fixed_minor: i64,
    /// `MarketplaceVariableFee` asked, in basis points.
    pub marketplace_variable_bp: i64,
    /// `ChargeFeeTo`: `Caller` or `Recipient`.
    pub fee_paid_by: String,
    /// FPS's fee on the (settled) amount, in cents.
    pub fps_fee_minor: i64,
    /// The marketplace's fee on the (settled) amount; for a refund, what the marketplace gave back.
    pub marketplace_fee_minor: i64,
    /// The prepaid instrument funded (FundPrepaid) or spent from (a Pay of its sender token).
    pub prepaid_instrument_id: Option<String>,
    /// The credit instrument settled, written off (SettleDebt, WriteOffDebt) or spent on.
    pub credit_instrument_id: Option<String>,
}

/// An e-mail FPS sent a sender, recorded for the outbox page.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EmailRecord {
    /// The sender's address.
    pub to_email: String,
    /// Subject line.
    pub subject: String,
    /// Text.
    pub body: String,
    /// The transaction it is about.
    pub transaction_id: String,
    /// `payment_succeeded`, `payment_failed`, `settlement_failed` or `refund`.
    pub kind: String,
    /// When.
    pub at: i64,
}

/// One movement of money on an account, written when a transaction succeeds.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EntryRecord {
    /// An e-mail, or `FPS`.
    pub account: String,
    /// The transaction that moved the money.
    pub transaction_id: String,
    /// The account's part: `Sender`, `Recipient`, `Caller` or `FPS`.
    pub role: String,
    /// Signed cents: positive in, negative out.
    pub amount_minor: i64,
    /// When.
    pub at: i64,
}

/// One entry of a transaction's status history.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HistoryRecord {
    /// When.
    pub at: i64,
    /// The status entered.
    pub status: String,
    /// Its status code.
    pub status_code: String,
    /// The amount concerned.
    pub amount_minor: i64,
}

/// A CBUI session between the start URL and the return.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRecord {
    /// Random id carried by the pages' forms.
    pub id: String,
    /// The caller that signed the start URL.
    pub caller_key: String,
    /// The verified request pairs, JSON.
    pub request_pairs: String,
    /// Who signed in.
    pub sender_email: Option<String>,
    /// `signin`, `confirm` or `done`.
    pub state: String,
}

/// A queued IPN.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct IpnRecord {
    /// Outbox id.
    pub id: i64,
    /// Where it goes.
    pub url: String,
    /// The signed form body.
    pub body: String,
    /// Attempts so far.
    pub attempts: i64,
}

/// Filters of GetAccountActivity.
#[derive(Debug, Clone, Default)]
pub struct ActivityFilter {
    /// First `date_received` included.
    pub start: i64,
    /// Last `date_received` included.
    pub end: Option<i64>,
    /// Only this operation.
    pub operation: Option<String>,
    /// Only this status.
    pub status: Option<String>,
    /// Only this payment method.
    pub payment_method: Option<String>,
    /// Newest first.
    pub descending: bool,
    /// At most this many (one more is fetched to tell whether there is a next batch).
    pub limit: i64,
    /// Only those paid to this account (`Role=Recipient`).
    pub recipient_email: Option<String>,
    /// Only those paid by this account (`Role=Sender`).
    pub sender_email: Option<String>,
}
