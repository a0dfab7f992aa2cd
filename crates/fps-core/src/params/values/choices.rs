//! Closed sets of wire values (signature method, booleans, cobranding, amount and limit types,
//! payment methods) and the list of payment methods a sender may choose from.

use alloc::{borrow::ToOwned, string::String, vec::Vec};
use core::fmt;

use super::ParamValue;
use crate::error::{CoreError, ParamRule};
use crate::text::split_byte;

wire_enum! {
    /// The MAC a Signature Version 2 request is signed with.
    SignatureMethod {
        /// HMAC-SHA256, preferred.
        HmacSha256 = "HmacSHA256",
        /// HMAC-SHA1.
        HmacSha1 = "HmacSHA1",
    }
}

wire_enum! {
    /// A boolean as FPS writes it.
    FpsBool {
        /// `True`.
        True = "True",
        /// `False`.
        False = "False",
    }
}

wire_enum! {
    /// How the CBUI pages show the caller's brand (`cobrandingStyle`).
    CobrandingStyle {
        /// A logo (the default).
        Logo = "logo",
        /// A banner (being phased out by FPS).
        Banner = "banner",
    }
}

wire_enum! {
    /// How a MultiUse `transactionAmount` constrains each payment (`amountType`).
    AmountType {
        /// Exactly the amount (default).
        Exact = "Exact",
        /// At most the amount.
        Maximum = "Maximum",
        /// At least the amount.
        Minimum = "Minimum",
    }
}

wire_enum! {
    /// What a usage limit counts (`usageLimitType1`/`2`).
    UsageLimitType {
        /// A money amount.
        Amount = "Amount",
        /// A number of payments.
        Count = "Count",
    }
}

wire_enum! {
    /// A payment method the sender may choose (`paymentMethod` list item).
    PaymentMethod {
        /// Amazon Payments balance.
        Balance = "ABT",
        /// Bank account.
        Bank = "ACH",
        /// Credit card.
        Card = "CC",
    }
}

impl FpsBool {
    /// The boolean.
    pub fn get(self) -> bool {
        self == FpsBool::True
    }
}

impl From<bool> for FpsBool {
    fn from(value: bool) -> Self {
        if value {
            FpsBool::True
        } else {
            FpsBool::False
        }
    }
}

/// A non-empty, duplicate-free list of payment methods (`ABT,ACH,CC`), order kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentMethods(Vec<PaymentMethod>);

impl PaymentMethods {
    /// The methods in order.
    pub fn methods(&self) -> &[PaymentMethod] {
        &self.0
    }
}

impl ParamValue for PaymentMethods {
    fn parse_param(name: &str, raw: &str) -> Result<Self, CoreError> {
        let mut methods = Vec::new();
        for item in split_byte(raw, b',') {
            let method = PaymentMethod::parse_param(name, item)?;
            if methods.contains(&method) {
                return Err(CoreError::param(
                    name,
                    ParamRule::Conflict {
                        reason: "lists a payment method twice",
                    },
                ));
            }
            methods.push(method);
        }
        Ok(PaymentMethods(methods))
    }

    fn render(&self) -> String {
        let names: Vec<&str> = self.0.iter().map(|m| m.as_str()).collect();
        names.join(",")
    }
}
