//! What an order records about its sender from the verified CBUI return (seed 003, "keep a
//! database of sender information"): the shipping address CBUI collected for an order that ships
//! (`collectShippingAddress=True`) and the payment method the sender chose (the return's status).
//! Every field is bounded and stripped of control and hidden characters before it is stored; the
//! pages escape it when they show it.

use serde::{Deserialize, Serialize};

use super::signed_params::hidden_character;
use fps_core::return_url::Status;
use fps_core::CbuiReturn;

/// Longest name, address line or city kept, in characters.
pub const MAX_LINE_CHARS: usize = 128;
/// Longest state, zip, country or phone number kept, in characters.
pub const MAX_SHORT_CHARS: usize = 64;

/// A shipping address as CBUI returned it (`addressName`, `addressLine1`, `addressLine2`,
/// `city`, `state`, `zip`, `country`, `phoneNumber`); absent fields are `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShippingAddress {
    /// `addressName`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `addressLine1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line1: Option<String>,
    /// `addressLine2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    /// `city`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// `state`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// `zip`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zip: Option<String>,
    /// `country`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// `phoneNumber`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
}

/// `text` without control or hidden characters, trimmed and cut to `max` characters; `None`
/// when nothing is left.
fn clean(text: Option<&str>, max: usize) -> Option<String> {
    let kept: String = text?
        .chars()
        .filter(|c| !c.is_control() && hidden_character(&c.to_string()).is_none())
        .take(max)
        .collect();
    let kept = kept.trim();
    (!kept.is_empty()).then(|| kept.to_owned())
}

impl ShippingAddress {
    /// The address a return carries, if it carries any field of one.
    pub fn from_return(parsed: &CbuiReturn) -> Option<Self> {
        let address = ShippingAddress {
            name: clean(parsed.get("addressName"), MAX_LINE_CHARS),
            line1: clean(parsed.get("addressLine1"), MAX_LINE_CHARS),
            line2: clean(parsed.get("addressLine2"), MAX_LINE_CHARS),
            city: clean(parsed.get("city"), MAX_LINE_CHARS),
            state: clean(parsed.get("state"), MAX_SHORT_CHARS),
            zip: clean(parsed.get("zip"), MAX_SHORT_CHARS),
            country: clean(parsed.get("country"), MAX_SHORT_CHARS),
            phone: clean(parsed.get("phoneNumber"), MAX_SHORT_CHARS),
        };
        (address != ShippingAddress::default()).then_some(address)
    }

    /// The address as stored (JSON).
    pub fn to_json(&self) -> String {
        // Strings only: serializing cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A stored address; `None` when the text is not one.
    pub fn from_json(text: &str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }
}

/// The payment method the sender chose, from a successful Sender pipeline's status: `balance`
/// (SA), `bank` (SB) or `card` (SC); `None` for any other status.
pub fn payment_method(status: Status) -> Option<&'static str> {
    match status {
        Status::SuccessBalance => Some("balance"),
        Status::SuccessBank => Some("bank"),
        Status::SuccessCard => Some("card"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_a_bounded_clean_address_from_the_return() {
        let long = "x".repeat(300);
        let query = format!(
            "status=SC&tokenID=ABCDEFGHIJKLMNOP1234&callerReference=ord-1&addressName=Ada%20Lovelace&\
             addressLine1=1%20Main%20St%E2%80%AE&city={long}&zip=%0A98101&country=US"
        );
        let parsed = CbuiReturn::parse(&query).unwrap();
        let address = ShippingAddress::from_return(&parsed).unwrap();
        assert_eq!(address.name.as_deref(), Some("Ada Lovelace"));
        assert_eq!(address.line1.as_deref(), Some("1 Main St"));
        assert_eq!(
            address.city.as_ref().map(|c| c.chars().count()),
            Some(MAX_LINE_CHARS)
        );
        assert_eq!(address.zip.as_deref(), Some("98101"));
        assert_eq!(address.line2, None);
        assert_eq!(ShippingAddress::from_json(&address.to_json()), Some(address));
        let bare = CbuiReturn::parse("status=SC&tokenID=ABCDEFGHIJKLMNOP1234&callerReference=ord-1").unwrap();
        assert_eq!(ShippingAddress::from_return(&bare), None);
    }

    #[test]
    fn names_the_payment_method_of_each_sender_status() {
        assert_eq!(payment_method(Status::SuccessBalance), Some("balance"));
        assert_eq!(payment_method(Status::SuccessBank), Some("bank"));
        assert_eq!(payment_method(Status::SuccessCard), Some("card"));
        assert_eq!(payment_method(Status::SuccessRecipient), None);
        assert_eq!(payment_method(Status::Aborted), None);
    }
}
