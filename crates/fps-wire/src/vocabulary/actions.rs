//! The Query API's action names (the `Action` parameter) and the names of the elements that
//! answer them: `<Action>Response`, holding `<Action>Result` and `ResponseMetadata`.

/// Declares the actions through `closed_names`, and derives from each wire name the
/// names of its response and result elements.
macro_rules! action_names {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $wire:literal, )+
        }
    ) => {
        closed_names! {
            $(#[$meta])*
            $vis enum $name { $( $(#[$vmeta])* $variant => $wire, )+ }
        }

        impl $name {
            /// The root element of a successful answer: `<Action>Response`.
            pub fn response(self) -> &'static str {
                match self { $( Self::$variant => concat!($wire, "Response"), )+ }
            }

            /// The result element inside the response, `<Action>Result`; `None` for an action
            /// whose answer carries only `ResponseMetadata` (CancelToken).
            pub fn result(self) -> Option<&'static str> {
                let name = match self { $( Self::$variant => concat!($wire, "Result"), )+ };
                self.has_result().then_some(name)
            }
        }
    };
}

action_names! {
    /// A Query API action, as the `Action` parameter names it.
    pub enum ActionName {
        /// Checks a CBUI return or an IPN.
        VerifySignature => "VerifySignature",
        /// Charges a sender token at once.
        Pay => "Pay",
        /// Reserves an amount on a card for a later Settle.
        Reserve => "Reserve",
        /// Charges a reserve.
        Settle => "Settle",
        /// Cancels a pending or reserved transaction.
        Cancel => "Cancel",
        /// Refunds a transaction.
        Refund => "Refund",
        /// A transaction's status.
        GetTransactionStatus => "GetTransactionStatus",
        /// A transaction's details.
        GetTransaction => "GetTransaction",
        /// The caller's transactions in a date range.
        GetAccountActivity => "GetAccountActivity",
        /// The caller's account balance: total, pending in and out, available.
        GetAccountBalance => "GetAccountBalance",
        /// Cancels a token.
        CancelToken => "CancelToken",
        /// A token by its caller reference.
        GetTokenByCaller => "GetTokenByCaller",
        /// Installs a caller or recipient token.
        InstallPaymentInstruction => "InstallPaymentInstruction",
        /// The caller's tokens, filtered by status, type, reference and friendly name.
        GetTokens => "GetTokens",
        /// A token's usage limits and what was used under them.
        GetTokenUsage => "GetTokenUsage",
        /// The payment instruction of a token of InstallPaymentInstruction.
        GetPaymentInstruction => "GetPaymentInstruction",
        /// Whether the account behind a recipient token is verified.
        GetRecipientVerificationStatus => "GetRecipientVerificationStatus",
        /// A Simple Pay subscription's terms and state.
        GetSubscriptionDetails => "GetSubscriptionDetails",
        /// The transactions of a Simple Pay subscription.
        GetTransactionsForSubscription => "GetTransactionsForSubscription",
        /// Cancels a Simple Pay subscription and refunds part of it.
        CancelSubscriptionAndRefund => "CancelSubscriptionAndRefund",
        /// Funds a prepaid instrument from its funding token.
        FundPrepaid => "FundPrepaid",
        /// A prepaid instrument's balance.
        GetPrepaidBalance => "GetPrepaidBalance",
        /// What the caller's prepaid instruments hold together.
        GetTotalPrepaidLiability => "GetTotalPrepaidLiability",
        /// Pays down a credit instrument's debt with its settlement token.
        SettleDebt => "SettleDebt",
        /// Forgives part of a credit instrument's debt.
        WriteOffDebt => "WriteOffDebt",
        /// A credit instrument's debt.
        GetDebtBalance => "GetDebtBalance",
        /// What the caller's credit instruments owe together.
        GetOutstandingDebtBalance => "GetOutstandingDebtBalance",
    }
}

impl ActionName {
    /// Whether the answer has an `<Action>Result` element (all but CancelToken).
    pub fn has_result(self) -> bool {
        self != ActionName::CancelToken
    }

    /// The action whose result element is `name`.
    pub fn of_result(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|a| a.result() == Some(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_reads_back_and_names_its_elements_after_itself() {
        for action in ActionName::ALL {
            let name = action.as_str();
            assert_eq!(ActionName::from_wire(name), Some(*action));
            assert_eq!(action.response(), format!("{name}Response"));
            if let Some(result) = action.result() {
                assert_eq!(result, format!("{name}Result"));
                assert_eq!(ActionName::of_result(result), Some(*action));
            }
        }
        assert_eq!(ActionName::CancelToken.result(), None);
        assert_eq!(ActionName::from_wire("pay"), None);
        assert_eq!(ActionName::of_result("PayResponse"), None);
    }
}
