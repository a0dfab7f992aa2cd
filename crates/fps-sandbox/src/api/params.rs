//! Reading a Query API call's decoded parameters: required and optional values, amounts,
//! bounded texts, enums; anything the action does not take is refused.

use super::COMMON_PARAMS;
use crate::error::{ErrorCode, FpsError};
use crate::ids;
use fps_core::canonical::CanonicalQuery;
use fps_core::{Amount, Endpoint};

/// A call's decoded, duplicate-free parameters.
#[derive(Debug, Clone)]
pub struct ApiParams {
    pairs: Vec<(String, String)>,
}

impl ApiParams {
    /// Wraps decoded pairs (duplicates already refused).
    pub fn new(pairs: Vec<(String, String)>) -> Self {
        ApiParams { pairs }
    }

    /// The canonical query of every parameter but `Signature`.
    pub fn canonical(&self) -> CanonicalQuery {
        CanonicalQuery::new(self.pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())))
    }

    /// A value, if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// A value that must be present and non-empty.
    pub fn required(&self, name: &str) -> Result<&str, FpsError> {
        match self.get(name) {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(FpsError::missing(name)),
        }
    }

    /// Refuses any parameter that is neither common nor in `allowed` (names compared exactly:
    /// the Query API is case-sensitive) as FPS did: `InvalidRequest` with its WSDL message.
    pub fn only(&self, allowed: &[&str]) -> Result<(), FpsError> {
        match self
            .pairs
            .iter()
            .find(|(n, _)| !COMMON_PARAMS.contains(&n.as_str()) && !allowed.contains(&n.as_str()))
        {
            Some((name, _)) => Err(FpsError::new(
                ErrorCode::InvalidRequest,
                format!(
                    "The request doesn't conform to the interface specification in the WSDL. \
                     Element/Parameter \":{}\" in request is either invalid or is found at unexpected location",
                    bounded_name(name)
                ),
            )),
            None => Ok(()),
        }
    }

    /// A text of at most `max` bytes without control characters.
    pub fn text(&self, name: &str, max: usize) -> Result<Option<String>, FpsError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) if v.is_empty() || v.len() > max || v.chars().any(char::is_control) => {
                Err(FpsError::invalid(
                    name,
                    format!("must be 1 to {max} bytes without control characters"),
                ))
            }
            Some(v) => Ok(Some(v.to_owned())),
        }
    }

    /// A required text of at most `max` bytes.
    pub fn required_text(&self, name: &str, max: usize) -> Result<String, FpsError> {
        self.text(name, max)?.ok_or_else(|| FpsError::missing(name))
    }

    /// `<prefix>.Value` and `<prefix>.CurrencyCode` (USD), in cents.
    pub fn amount(&self, prefix: &str) -> Result<Option<i64>, FpsError> {
        let value_name = format!("{prefix}.Value");
        let currency_name = format!("{prefix}.CurrencyCode");
        match (self.get(&value_name), self.get(&currency_name)) {
            (None, None) => Ok(None),
            (None, Some(_)) => Err(FpsError::missing(&value_name)),
            (Some(_), None) => Err(FpsError::missing(&currency_name)),
            (Some(value), Some(currency)) => {
                if currency != "USD" {
                    return Err(FpsError::invalid(&currency_name, "only USD is supported"));
                }
                let amount = Amount::parse(value).map_err(|e| FpsError::invalid(&value_name, e))?;
                i64::try_from(amount.minor_units())
                    .map(Some)
                    .map_err(|_| FpsError::invalid(&value_name, "too large"))
            }
        }
    }

    /// A required amount.
    pub fn required_amount(&self, prefix: &str) -> Result<i64, FpsError> {
        self.amount(prefix)?
            .ok_or_else(|| FpsError::missing(&format!("{prefix}.Value")))
    }

    /// One of `allowed`, if present.
    pub fn one_of(&self, name: &str, allowed: &[&str]) -> Result<Option<String>, FpsError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) if allowed.contains(&v) => Ok(Some(v.to_owned())),
            Some(_) => Err(FpsError::invalid(
                name,
                format!("must be one of {}", allowed.join(", ")),
            )),
        }
    }

    /// An absolute http(s) URL (`OverrideIPNURL`), if present.
    pub fn url(&self, name: &str) -> Result<Option<String>, FpsError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => Endpoint::parse(v)
                .map(|_| Some(v.to_owned()))
                .map_err(|e| FpsError::invalid(name, e)),
        }
    }

    /// A whole number in `min..=max`, if present.
    pub fn number(&self, name: &str, min: i64, max: i64) -> Result<Option<i64>, FpsError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => match v.parse::<i64>() {
                Ok(n) if (min..=max).contains(&n) && v.bytes().all(|b| b.is_ascii_digit()) => Ok(Some(n)),
                _ => Err(FpsError::invalid(
                    name,
                    format!("must be a whole number from {min} to {max}"),
                )),
            },
        }
    }

    /// An ISO 8601 date, as Unix milliseconds, if present.
    pub fn date(&self, name: &str) -> Result<Option<i64>, FpsError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => ids::parse_iso_date(v)
                .map(Some)
                .ok_or_else(|| FpsError::invalid(name, "must be an ISO 8601 date")),
        }
    }

    /// A percentage of [`Self::percent`] in basis points (`12.5` is 1250), if present.
    pub fn basis_points(&self, name: &str) -> Result<Option<i64>, FpsError> {
        Ok(self.percent(name)?.map(|v| {
            let (whole, fraction) = v.split_once('.').unwrap_or((&v, ""));
            let whole: i64 = whole.parse().unwrap_or(0);
            let fraction: i64 = format!("{fraction:0<2}").parse().unwrap_or(0);
            whole * 100 + fraction
        }))
    }

    /// A decimal percentage from 0 to 100 with at most two decimals (`MarketplaceVariableFee`).
    pub fn percent(&self, name: &str) -> Result<Option<String>, FpsError> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => {
                let (whole, fraction) = v.split_once('.').unwrap_or((v, ""));
                let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
                let ok = !whole.is_empty()
                    && whole.len() <= 3
                    && digits(whole)
                    && digits(fraction)
                    && fraction.len() <= 2
                    && whole
                        .parse::<u32>()
                        .is_ok_and(|w| w < 100 || (w == 100 && fraction.bytes().all(|b| b == b'0')));
                if ok {
                    Ok(Some(v.to_owned()))
                } else {
                    Err(FpsError::invalid(name, "must be a percentage from 0 to 100"))
                }
            }
        }
    }
}

/// A parameter name as echoed in an error: at most 128 characters, control characters dropped.
fn bounded_name(name: &str) -> String {
    name.chars().filter(|c| !c.is_control()).take(128).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> ApiParams {
        ApiParams::new(pairs.iter().map(|(n, v)| ((*n).into(), (*v).into())).collect())
    }

    #[test]
    fn reads_amounts_percentages_numbers_and_dates() {
        let p = params(&[
            ("A.Value", "12.30"),
            ("A.CurrencyCode", "USD"),
            ("B.Value", "1.234"),
            ("B.CurrencyCode", "USD"),
            ("C.Value", "1"),
            ("Fee", "12.5"),
            ("BadFee", "100.01"),
            ("N", "20"),
            ("D", "2010-08-28T12:00:00Z"),
        ]);
        assert_eq!(p.amount("A").unwrap(), Some(1230));
        assert_eq!(p.amount("Missing").unwrap(), None);
        assert!(p.amount("B").is_err());
        assert!(p.amount("C").is_err(), "a value needs its currency");
        assert_eq!(p.percent("Fee").unwrap().as_deref(), Some("12.5"));
        assert_eq!(p.basis_points("Fee").unwrap(), Some(1250));
        assert_eq!(p.basis_points("Missing").unwrap(), None);
        assert!(p.percent("BadFee").is_err());
        for bad in ["", "-1", "1.234", "abc", "1000", ".5"] {
            assert!(params(&[("F", bad)]).percent("F").is_err(), "{bad:?}");
        }
        assert_eq!(
            params(&[("F", "100.00")]).percent("F").unwrap().as_deref(),
            Some("100.00")
        );
        assert_eq!(p.number("N", 1, 200).unwrap(), Some(20));
        assert!(p.number("N", 1, 10).is_err());
        assert!(params(&[("N", "+5")]).number("N", 1, 10).is_err());
        assert_eq!(p.date("D").unwrap(), Some(1_282_996_800_000));
        assert!(params(&[("D", "2010-08-28")]).date("D").is_err());
    }

    #[test]
    fn refuses_what_an_action_does_not_take() {
        let p = params(&[("Action", "Pay"), ("Timestamp", "x"), ("Colour", "blue")]);
        assert!(p.only(&["Colour"]).is_ok());
        let err = p.only(&[]).unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidRequest);
        assert_eq!(
            err.message,
            "The request doesn't conform to the interface specification in the WSDL. \
             Element/Parameter \":Colour\" in request is either invalid or is found at unexpected location"
        );
        let lower = params(&[("callerReference", "r")])
            .only(&["CallerReference"])
            .unwrap_err();
        assert!(lower.message.contains("\":callerReference\""), "case-sensitive");
        assert!(params(&[("T", "a\u{7}b")]).text("T", 10).is_err());
        assert!(params(&[("T", "abcdefghijk")]).text("T", 10).is_err());
        assert!(params(&[("T", "")]).required("T").is_err());
    }
}
