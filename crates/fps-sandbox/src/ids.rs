//! Identifiers and wire formats the emulator produces: token, transaction and request ids,
//! six-decimal amounts, ISO 8601 dates.

use rand::Rng;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

const UPPER_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

fn upper_alnum(len: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..len)
        .map(|_| char::from(UPPER_ALNUM[rng.gen_range(0..UPPER_ALNUM.len())]))
        .collect()
}

/// A token id: 64 uppercase letters and digits.
pub fn token_id() -> String {
    upper_alnum(64)
}

/// A transaction id: 35 uppercase letters and digits.
pub fn transaction_id() -> String {
    upper_alnum(35)
}

/// A request id: a UUID plus `:0`.
pub fn request_id() -> String {
    format!("{}:0", uuid::Uuid::new_v4())
}

/// A CBUI session id: 128 random bits, hex.
pub fn session_id() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// An amount as responses carry it: six decimals (`1.000000`).
pub fn six_decimals(minor: i64) -> String {
    format!("{}0000", two_decimals(minor))
}

/// An amount as pages and IPNs show it: two decimals (`1.00`).
pub fn two_decimals(minor: i64) -> String {
    // A balance may be negative: the sign goes in front of the whole amount.
    let sign = if minor < 0 { "-" } else { "" };
    let magnitude = minor.unsigned_abs();
    format!("{sign}{}.{:02}", magnitude / 100, magnitude % 100)
}

/// Unix milliseconds as an ISO 8601 UTC date with milliseconds (`2009-10-07T08:37:54.765Z`).
pub fn iso_date(ms: i64) -> String {
    let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.millisecond()
    )
}

/// Parses an ISO 8601 date-time with offset (`2008-09-18T13:00:01Z`, milliseconds allowed)
/// into Unix milliseconds.
pub fn parse_iso_date(text: &str) -> Option<i64> {
    let at = OffsetDateTime::parse(text, &Rfc3339).ok()?;
    i64::try_from(at.unix_timestamp_nanos() / 1_000_000).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_fps_shapes() {
        let token = token_id();
        assert_eq!(token.len(), 64);
        assert!(token.bytes().all(|b| UPPER_ALNUM.contains(&b)));
        assert_eq!(transaction_id().len(), 35);
        let request = request_id();
        assert!(request.ends_with(":0") && request.len() == 38);
        assert_ne!(token_id(), token_id());
    }

    #[test]
    fn formats_amounts_and_dates() {
        assert_eq!(six_decimals(100), "1.000000");
        assert_eq!(six_decimals(1234), "12.340000");
        assert_eq!(two_decimals(5), "0.05");
        assert_eq!(two_decimals(-50), "-0.50");
        assert_eq!(six_decimals(-150), "-1.500000");
        assert_eq!(iso_date(1_254_879_474_765), "2009-10-07T01:37:54.765Z");
        assert_eq!(
            parse_iso_date("2009-10-07T01:37:54.765Z"),
            Some(1_254_879_474_765)
        );
        assert_eq!(
            parse_iso_date("2009-10-06T18:37:54.765-07:00"),
            Some(1_254_879_474_765)
        );
        assert_eq!(parse_iso_date("2008-09-18T13:00:01Z"), Some(1_221_742_801_000));
        assert_eq!(parse_iso_date("yesterday"), None);
    }
}
