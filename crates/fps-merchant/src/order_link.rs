//! The shopper's secret link to an order page: `order.html#<reference>.<key>`, where the key is
//! an HMAC of the order's reference under a key derived from the shop's secret. Nothing to store,
//! not guessable without the secret, and in the URL's fragment so that it is never sent to a
//! server in a request line or a `Referer`.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use fps_wire::signer::SecretKey;

/// Separates this key from every other use of the shop's secret.
const LABEL: &[u8] = b"fps-checkout order page link v1";

/// The header the order page sends its key in.
pub const ORDER_KEY_HEADER: &str = "fps-order-key";

/// Makes and checks order page keys. Debug prints no key material.
#[derive(Clone)]
pub struct OrderLinks {
    key: Zeroizing<[u8; 32]>,
}

impl fmt::Debug for OrderLinks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OrderLinks([redacted])")
    }
}

impl OrderLinks {
    /// Derives the link key from the shop's secret (HMAC-SHA256 of a fixed label). Rotating the
    /// secret invalidates the links handed out before.
    pub fn new(secret: &SecretKey) -> Self {
        let mut key = Zeroizing::new([0u8; 32]);
        key.copy_from_slice(&mac(secret.expose(), LABEL));
        OrderLinks { key }
    }

    /// The key of `reference`'s page: 43 URL-safe base64 characters (256 bits).
    pub fn key(&self, reference: &str) -> String {
        URL_SAFE_NO_PAD.encode(mac(self.key.as_slice(), reference.as_bytes()))
    }

    /// Whether `key` opens `reference`'s page, compared in constant time.
    pub fn opens(&self, reference: &str, key: &str) -> bool {
        let expected = self.key(reference);
        expected.len() == key.len() && bool::from(expected.as_bytes().ct_eq(key.as_bytes()))
    }

    /// The shopper's link to the page, relative to the shop's pages.
    pub fn page(&self, reference: &str) -> String {
        format!("order.html#{reference}.{}", self.key(reference))
    }
}

fn mac(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links(secret: &str) -> OrderLinks {
        OrderLinks::new(&SecretKey::new(secret).unwrap())
    }

    #[test]
    fn a_key_opens_only_its_own_order() {
        let links = links("shop-secret");
        let key = links.key("ord-1");
        assert_eq!(key.len(), 43);
        assert!(links.opens("ord-1", &key));
        assert!(!links.opens("ord-2", &key));
        assert!(!links.opens("ord-1", &key[..42]));
        assert!(!links.opens("ord-1", ""));
        let mut flipped = key.clone().into_bytes();
        flipped[0] = if flipped[0] == b'A' { b'B' } else { b'A' };
        assert!(!links.opens("ord-1", std::str::from_utf8(&flipped).unwrap()));
    }

    #[test]
    fn another_secret_makes_other_keys() {
        assert_ne!(links("one").key("ord-1"), links("two").key("ord-1"));
        assert!(!links("two").opens("ord-1", &links("one").key("ord-1")));
    }

    #[test]
    fn the_page_link_carries_the_key_in_the_fragment() {
        let links = links("shop-secret");
        let page = links.page("ord-1");
        assert_eq!(page, format!("order.html#ord-1.{}", links.key("ord-1")));
        assert!(!format!("{links:?}").contains(&links.key("ord-1")));
    }
}
