//! Text building without `core::fmt`: decimal numbers and quoted input for messages and rendered
//! values. The browser module must stay small, and the formatting machinery is kilobytes of wasm.

use alloc::string::String;

/// The parts joined into one string, as `[..].concat()` does, by a short loop: the standard
/// library's generic join is a kilobyte of wasm.
pub fn concat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|part| part.len()).sum());
    for part in parts {
        out.push_str(part);
    }
    out
}

/// The byte offset of the first `byte` (ASCII) in `text`. A byte loop rather than a `char`
/// pattern: `str`'s char searcher and its memchr grow the module (BENCHMARKS.md, "Size notes").
pub fn find_byte(text: &str, byte: u8) -> Option<usize> {
    text.bytes().position(|b| b == byte)
}

/// Whether `text` contains `byte` (ASCII).
pub fn contains_byte(text: &str, byte: u8) -> bool {
    text.bytes().any(|b| b == byte)
}

/// `text` before and after the first `byte` (ASCII), as `str::split_once(char)`.
pub fn split_once_byte(text: &str, byte: u8) -> Option<(&str, &str)> {
    split_at_byte(text, find_byte(text, byte)?)
}

/// `text` before and after the last `byte` (ASCII), as `str::rsplit_once(char)`.
pub fn rsplit_once_byte(text: &str, byte: u8) -> Option<(&str, &str)> {
    split_at_byte(text, text.bytes().rposition(|b| b == byte)?)
}

/// The halves around the ASCII byte at `at` (so both are whole characters: never `None`).
fn split_at_byte(text: &str, at: usize) -> Option<(&str, &str)> {
    Some((text.get(..at)?, text.get(at + 1..)?))
}

/// The pieces of `text` between `byte`s (ASCII), as `str::split(char)`: empty pieces included,
/// one empty piece for empty text.
pub fn split_byte(text: &str, byte: u8) -> SplitByte<'_> {
    SplitByte {
        rest: Some(text),
        byte,
    }
}

/// The iterator of [`split_byte`].
#[derive(Debug, Clone)]
pub struct SplitByte<'a> {
    rest: Option<&'a str>,
    byte: u8,
}

impl<'a> Iterator for SplitByte<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let rest = self.rest?;
        match split_once_byte(rest, self.byte) {
            Some((piece, tail)) => {
                self.rest = Some(tail);
                Some(piece)
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }
}

/// Appends `n` in decimal, at least `width` digits (zero-padded on the left).
pub fn push_decimal(out: &mut String, n: u64, width: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut rest = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    for _ in (digits.len() - at)..width {
        out.push('0');
    }
    for &digit in &digits[at..] {
        out.push(char::from(digit));
    }
}

/// `n` in decimal.
pub fn decimal(n: u64) -> String {
    let mut out = String::new();
    push_decimal(&mut out, n, 1);
    out
}

/// Parses ASCII decimal digits (at least one, nothing else) as `str::parse::<u64>` would for
/// them; `None` on anything else or on overflow. One small parser instead of one per integer type.
pub fn parse_digits(text: &str) -> Option<u64> {
    if text.is_empty() {
        return None;
    }
    text.bytes().try_fold(0u64, |acc, b| {
        let digit = b.checked_sub(b'0').filter(|d| *d <= 9)?;
        acc.checked_mul(10)?.checked_add(u64::from(digit))
    })
}

/// Longest piece of offending input quoted back in an error message, in characters.
const QUOTE_LIMIT: usize = 64;

/// Quotes untrusted input for an error message: in double quotes, at most [`QUOTE_LIMIT`]
/// characters (then `…`), with `"`, `\` and control characters escaped as Rust writes them
/// (`\"`, `\\`, `\n`, `\r`, `\t`, `\0`, `\u{7f}`).
pub fn quote(input: &str) -> String {
    let mut out = String::with_capacity(input.len().min(QUOTE_LIMIT) + 2);
    out.push('"');
    for (taken, c) in input.chars().enumerate() {
        if taken == QUOTE_LIMIT {
            out.push('…');
            break;
        }
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\0' => out.push_str("\\0"),
            c if c.is_control() => {
                out.push_str("\\u{");
                push_hex(&mut out, u32::from(c));
                out.push('}');
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Appends `n` in lowercase hex without leading zeros.
fn push_hex(out: &mut String, n: u32) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut started = false;
    for shift in (0..8).rev() {
        let nibble = (n >> (shift * 4)) & 0xf;
        if nibble != 0 || started || shift == 0 {
            started = true;
            out.push(char::from(HEX[nibble as usize]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    #[test]
    fn byte_splits_agree_with_str() {
        for text in [
            "", "a", "&", "a&b", "&a&&b&", "é&ü=x", "a=b=c", "==", "x&y=", "ab",
        ] {
            for (byte, c) in [(b'&', '&'), (b'=', '=')] {
                assert_eq!(
                    split_byte(text, byte).collect::<Vec<_>>(),
                    text.split(c).collect::<Vec<_>>(),
                    "{text:?}"
                );
                assert_eq!(split_once_byte(text, byte), text.split_once(c), "{text:?}");
                assert_eq!(rsplit_once_byte(text, byte), text.rsplit_once(c), "{text:?}");
                assert_eq!(find_byte(text, byte), text.find(c), "{text:?}");
                assert_eq!(contains_byte(text, byte), text.contains(c), "{text:?}");
            }
        }
    }

    #[test]
    fn decimals() {
        assert_eq!(decimal(0), "0");
        assert_eq!(decimal(7), "7");
        assert_eq!(decimal(1_000_000), "1000000");
        assert_eq!(decimal(u64::MAX), u64::MAX.to_string());
        let mut out = String::new();
        push_decimal(&mut out, 5, 2);
        assert_eq!(out, "05");
        out.clear();
        push_decimal(&mut out, 123, 2);
        assert_eq!(out, "123");
    }

    #[test]
    fn parses_digits_like_str_parse() {
        for text in [
            "0",
            "7",
            "0042",
            "18446744073709551615",
            "000000000000000000000001",
        ] {
            assert_eq!(parse_digits(text), text.parse::<u64>().ok(), "{text}");
        }
        for bad in ["", "+1", "-1", " 1", "1 ", "1.0", "18446744073709551616", "١"] {
            assert_eq!(parse_digits(bad), None, "{bad}");
        }
    }

    #[test]
    fn quotes_like_debug_for_ascii_and_controls() {
        for input in [
            "",
            "abc",
            "a\"b",
            "back\\slash",
            "line\nfeed\r\t",
            "nul\0",
            "del\u{7f}",
            "é€",
        ] {
            assert_eq!(quote(input), format!("{input:?}"), "{input:?}");
        }
        let long = "x".repeat(70);
        assert_eq!(quote(&long), format!("\"{}…\"", "x".repeat(64)));
    }
}
