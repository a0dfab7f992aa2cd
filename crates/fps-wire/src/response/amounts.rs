//! Amounts and fees as FPS answers write them (`1.000000`, IPN `USD 1.1`), read into cents.

use serde::Deserialize;

use fps_core::Amount;

/// `<CurrencyCode>` and `<Value>` of an amount element.
#[derive(Deserialize)]
pub(crate) struct AmountXml {
    #[serde(rename = "CurrencyCode")]
    pub(crate) currency_code: Option<String>,
    #[serde(rename = "Value")]
    pub(crate) value: String,
}

/// Reads a fee as responses write it, in minor units: like [`response_amount`], but zero
/// (`0.000000`) is a valid fee.
pub fn fee_minor(value: &str, currency: Option<&str>) -> Option<u64> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b == b'0' || b == b'.') && value.matches('.').count() <= 1 {
        fps_core::Currency::parse(currency.unwrap_or("USD")).ok()?;
        return Some(0);
    }
    response_amount(value, currency).map(|a| a.minor_units())
}

/// Reads an amount as responses write it (`1.000000`, six decimals; IPN `USD 1.1`): trailing
/// zeros past the cents are dropped, anything finer than a cent is refused.
pub fn response_amount(value: &str, currency: Option<&str>) -> Option<Amount> {
    let currency = fps_core::Currency::parse(currency.unwrap_or("USD")).ok()?;
    let value = value.trim();
    let text = match value.split_once('.') {
        Some((whole, fraction)) if fraction.len() > 2 => {
            // By `get`, not `split_at`: a garbled answer may put a multi-byte character there.
            let (Some(cents), Some(rest)) = (fraction.get(..2), fraction.get(2..)) else {
                return None;
            };
            if !rest.bytes().all(|b| b == b'0') {
                return None;
            }
            format!("{whole}.{cents}")
        }
        _ => value.to_owned(),
    };
    Amount::parse_in(&text, currency).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_amounts() {
        assert_eq!(response_amount("1.000000", None).unwrap().minor_units(), 100);
        assert_eq!(response_amount("1.1", Some("USD")).unwrap().minor_units(), 110);
        assert!(response_amount("1.001000", None).is_none());
        // Found by fuzzing (fuzz/fuzz_targets/fps_response.rs): a multi-byte character after the
        // cents used to panic (a str split inside a character).
        assert!(response_amount("1.\u{FFFD}00", None).is_none());
        assert!(response_amount("1.0\u{FFFD}", None).is_none());
        assert!(response_amount("\u{DE}.\u{DE}\u{DE}\u{DE}", None).is_none());
        assert!(response_amount("1.00", Some("EUR")).is_none());
    }
}
