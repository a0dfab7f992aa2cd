//! What `/fps/sign` lets into a signed CBUI request besides the order's price and reference:
//! no text or branding the browser chose. Amazon shows a signed request's text and logo on its
//! own pages, so every value there comes from the order, the catalog or the configuration, and
//! none hides or reorders characters.

use serde::Deserialize;

use super::order::Mode;
use super::store::Order;
use fps_core::endpoint::Scheme;
use fps_core::params::{CbuiRequest, Description, FpsBool, HttpUrl, PaymentMethod, Pipeline, SingleUse};

/// Code of a parameter the shop never signs (for this order).
pub const NOT_ALLOWED: &str = "PARAMETER_NOT_ALLOWED";
/// Code of a parameter whose value is not the one the shop signs.
pub const MISMATCH: &str = "PARAMETER_MISMATCH";
/// Code of a value with an invisible or direction-changing character.
pub const HIDDEN_CHARACTER: &str = "HIDDEN_CHARACTER";
/// Code of a returnURL other than the one the order was first signed with.
pub const RETURN_URL_FIXED: &str = "RETURN_URL_FIXED";

/// One refused parameter: which, why, and the API code that says so.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("parameter {parameter} {reason}")]
pub struct Refusal {
    /// The API code (one of this module's constants).
    pub code: &'static str,
    /// The parameter's wire name.
    pub parameter: &'static str,
    /// Why, for people.
    pub reason: String,
}

impl Refusal {
    /// A refusal of `parameter` with `code`.
    pub fn new(code: &'static str, parameter: &'static str, reason: impl Into<String>) -> Self {
        Refusal {
            code,
            parameter,
            reason: reason.into(),
        }
    }
}

/// The first bidi control (U+202A-202E, U+2066-2069, U+200E, U+200F, U+061C) or zero-width
/// character (U+200B-200D, U+2060, U+FEFF) in `text`: characters that make a page show other
/// text than it seems to, or hide some.
pub fn hidden_character(text: &str) -> Option<char> {
    text.chars().find(|c| {
        matches!(
            c,
            '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{061C}'
                | '\u{200B}'..='\u{200D}'
                | '\u{2060}'
                | '\u{FEFF}'
        )
    })
}

/// Refuses the first parameter of `request` whose value has a [`hidden_character`].
pub fn check_hidden(request: &CbuiRequest) -> Result<(), Refusal> {
    for (name, value) in request.pairs() {
        if let Some(c) = hidden_character(&value) {
            return Err(Refusal::new(
                HIDDEN_CHARACTER,
                name,
                format!(
                    "contains U+{:04X}, an invisible or direction-changing character",
                    c as u32
                ),
            ));
        }
    }
    Ok(())
}

/// The shop's own branding on the CBUI pages (the catalog's `branding`): the only
/// `websiteDescription`, `cobrandingUrl` and `cobrandingStyle` the shop signs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Branding {
    /// Text about the shop.
    #[serde(default)]
    pub website_description: Option<String>,
    /// The shop's logo, on HTTPS.
    #[serde(default)]
    pub cobranding_url: Option<String>,
    /// `logo` or `banner`.
    #[serde(default)]
    pub cobranding_style: Option<String>,
}

impl Branding {
    /// Checks each value as CBUI takes it: a description without control or hidden
    /// characters, an `https:` logo URL, a known style.
    pub fn check(&self) -> Result<(), String> {
        if let Some(text) = &self.website_description {
            Description::new("websiteDescription", text).map_err(|e| e.to_string())?;
            if hidden_character(text).is_some() {
                return Err(
                    "branding.websiteDescription has an invisible or direction-changing character".into(),
                );
            }
        }
        if let Some(url) = &self.cobranding_url {
            let url = HttpUrl::new("cobrandingUrl", url).map_err(|e| e.to_string())?;
            if url.endpoint().scheme() != Scheme::Https {
                return Err("branding.cobrandingUrl must be an https: URL".into());
            }
        }
        match self.cobranding_style.as_deref() {
            None | Some("logo" | "banner") => Ok(()),
            Some(_) => Err("branding.cobrandingStyle must be logo or banner".into()),
        }
    }

    /// Refuses branding in `request` that is not this configuration's.
    pub fn check_request(&self, request: &CbuiRequest) -> Result<(), Refusal> {
        let common = request.common();
        let asked = [
            (
                "websiteDescription",
                common.website_description.as_ref().map(Description::as_str),
                self.website_description.as_deref(),
            ),
            (
                "cobrandingUrl",
                common.cobranding_url.as_ref().map(HttpUrl::as_str),
                self.cobranding_url.as_deref(),
            ),
            (
                "cobrandingStyle",
                common.cobranding_style.map(|s| s.as_str()),
                self.cobranding_style.as_deref(),
            ),
        ];
        for (name, asked, configured) in asked {
            match (asked, configured) {
                (None, _) => {}
                (Some(_), None) => {
                    return Err(Refusal::new(
                        NOT_ALLOWED,
                        name,
                        "is not configured for this shop (catalog branding)",
                    ))
                }
                (Some(asked), Some(configured)) if asked != configured => {
                    return Err(Refusal::new(
                        MISMATCH,
                        name,
                        "must be the shop's configured value (catalog branding)",
                    ))
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// Every parameter an order's SingleUse request may carry; the values of the optional ones are
/// checked by [`check_order`].
const SIGNED_FOR_ORDERS: &[&str] = &[
    "pipelineName",
    "version",
    "signatureVersion",
    "signatureMethod",
    "callerKey",
    "returnURL",
    "callerReference",
    "transactionAmount",
    "currencyCode",
    "paymentReason",
    "reserve",
    "paymentMethod",
    "collectShippingAddress",
    "websiteDescription",
    "cobrandingUrl",
    "cobrandingStyle",
];

/// Refuses any parameter an order's request does not take (display amounts, address fields,
/// a recipient token), a `paymentReason` or `paymentMethod` other than the order's, and a
/// `collectShippingAddress` other than the catalog's (`True` for an order that ships, absent
/// otherwise: [`with_shipping`] adds it). The `reserve` flag is checked by the policy.
pub fn check_order(request: &CbuiRequest, single: &SingleUse, order: &Order) -> Result<(), Refusal> {
    for (name, _) in request.pairs() {
        if !SIGNED_FOR_ORDERS.contains(&name) {
            return Err(Refusal::new(
                NOT_ALLOWED,
                name,
                "is not signed by this shop: the order, the catalog and the configuration set what Amazon shows",
            ));
        }
    }
    if let Some(reason) = &single.payment_reason {
        if reason.as_str() != order.description {
            return Err(Refusal::new(
                MISMATCH,
                "paymentReason",
                "must be the order's description (or absent)",
            ));
        }
    }
    match (order.ships, single.collect_shipping_address.map(FpsBool::get)) {
        (_, None) | (true, Some(true)) => {}
        (false, Some(_)) => {
            return Err(Refusal::new(
                NOT_ALLOWED,
                "collectShippingAddress",
                "is not signed for this order: none of its products ships (catalog)",
            ))
        }
        (true, Some(false)) => {
            return Err(Refusal::new(
                MISMATCH,
                "collectShippingAddress",
                "must be True (or absent) for this order: a product of it ships (catalog)",
            ))
        }
    }
    match (order.mode, &single.payment_method) {
        (Mode::Reserve, Some(methods)) if methods.methods() == [PaymentMethod::Card] => Ok(()),
        (Mode::Reserve, _) => Err(Refusal::new(
            MISMATCH,
            "paymentMethod",
            "must be CC for a Reserve order: FPS reserves on cards only",
        )),
        (Mode::Pay, None) => Ok(()),
        (Mode::Pay, Some(_)) => Err(Refusal::new(
            NOT_ALLOWED,
            "paymentMethod",
            "is not signed for a Pay order: the shopper chooses among all of them",
        )),
    }
}

/// The request to sign for `order`: `request` (checked by [`check_order`]) with
/// `collectShippingAddress=True` added when the order ships, so CBUI collects the address.
pub fn with_shipping(request: CbuiRequest, order: &Order) -> Result<CbuiRequest, fps_core::CoreError> {
    let Pipeline::SingleUse(single) = request.pipeline() else {
        return Ok(request);
    };
    if !order.ships || single.collect_shipping_address.is_some() {
        return Ok(request);
    }
    let mut pairs = request.pairs();
    pairs.push(("collectShippingAddress", "True".to_owned()));
    CbuiRequest::from_pairs(pairs.iter().map(|(n, v)| (*n, v.as_str())))
}

/// Whether a request asks for a token usable with Reserve.
pub fn wants_reserve(single: &SingleUse) -> bool {
    single.reserve.is_some_and(FpsBool::get)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_hidden_character_and_only_those() {
        for c in [
            '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}',
            '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}', '\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}',
            '\u{FEFF}',
        ] {
            assert_eq!(
                hidden_character(&format!("Mug{c}")),
                Some(c),
                "U+{:04X}",
                c as u32
            );
        }
        assert_eq!(hidden_character("2 x Mug, 1 x Tee – café ☕ العربية"), None);
        assert_eq!(hidden_character("\u{2029}\u{2065}\u{206A}\u{200A}"), None);
    }

    #[test]
    fn branding_must_be_https_and_plain() {
        let ok = Branding {
            website_description: Some("Trailhead Supply".into()),
            cobranding_url: Some("https://shop.example/logo.png".into()),
            cobranding_style: Some("logo".into()),
        };
        assert_eq!(ok.check(), Ok(()));
        let http = Branding {
            cobranding_url: Some("http://shop.example/logo.png".into()),
            ..Branding::default()
        };
        assert!(http.check().is_err());
        let bidi = Branding {
            website_description: Some("Trailhead \u{202E}ylppuS".into()),
            ..Branding::default()
        };
        assert!(bidi.check().is_err());
        let style = Branding {
            cobranding_style: Some("huge".into()),
            ..Branding::default()
        };
        assert!(style.check().is_err());
    }
}
