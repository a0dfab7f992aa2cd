//! The shop's catalog: products with their prices and how they are charged. The server prices
//! every order from it; the browser never sets a price.

use std::collections::HashMap;

use serde::Deserialize;

use super::marketplace::{FeeTerms, FeeTermsFile};
use super::order::Mode;
use super::signed_params::{hidden_character, Branding};
use fps_core::{Amount, Currency};

/// Largest catalog file read.
const MAX_CATALOG_BYTES: u64 = 1024 * 1024;

/// One product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    /// Stock-keeping unit: 1 to 64 of `A-Z a-z 0-9 - _ .`.
    pub sku: String,
    /// Name shown to shoppers.
    pub name: String,
    /// Unit price.
    pub price: Amount,
    /// Pay at once, or reserve and settle when shipped.
    pub mode: Mode,
    /// The seller (a handle) when a marketplace seller sells it, paid with its recipient token.
    pub seller: Option<String>,
    /// Whether it is shipped: an order with it asks CBUI for the shipping address.
    pub ships: bool,
}

/// The products, by SKU.
#[derive(Debug, Clone)]
pub struct Catalog {
    currency: Currency,
    products: HashMap<String, Product>,
    marketplace: Option<FeeTerms>,
    branding: Branding,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    #[serde(default)]
    currency: Option<String>,
    products: Vec<ProductFile>,
    /// The marketplace's fees on sellers' products.
    #[serde(default)]
    marketplace: Option<FeeTermsFile>,
    /// The shop's text and logo on the CBUI pages: the only ones `/fps/sign` signs.
    #[serde(default)]
    branding: Branding,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProductFile {
    sku: String,
    name: String,
    price: String,
    #[serde(default)]
    mode: Option<Mode>,
    #[serde(default)]
    seller: Option<String>,
    /// Shipped to the buyer (`collectShippingAddress=True` is signed for its orders).
    #[serde(default)]
    ships: bool,
    /// Shop text about the product; accepted for the shop's pages, not used by the server.
    #[serde(default, rename = "description")]
    _description: Option<String>,
}

/// One line of an order as the browser sends it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineRequest {
    /// The product.
    pub sku: String,
    /// How many, 1 to [`MAX_QUANTITY`].
    pub quantity: u32,
}

/// Most units of one product in an order.
pub const MAX_QUANTITY: u32 = 99;

/// Most lines in an order.
pub const MAX_LINES: usize = 50;

/// A priced order, before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Priced {
    /// The total.
    pub total: Amount,
    /// Reserve when any product is shipped later, else pay.
    pub mode: Mode,
    /// `2 x Mug, 1 x Tee`, at most 160 characters.
    pub description: String,
    /// The lines as `[{"sku","name","quantity","unitPrice"}]` JSON.
    pub lines_json: String,
    /// The seller of every line, when the order sells a marketplace seller's goods.
    pub seller: Option<String>,
    /// Whether some line ships (the order's CBUI request collects the shipping address).
    pub ships: bool,
}

/// Why pricing failed: the shopper's input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PricingError {
    /// No lines.
    #[error("an order needs at least one item")]
    Empty,
    /// Too many lines.
    #[error("an order has at most {MAX_LINES} lines")]
    TooManyLines,
    /// The SKU is not sold here.
    #[error("unknown sku {0:?}")]
    UnknownSku(String),
    /// The same SKU twice.
    #[error("sku {0:?} appears twice; give it one line with the total quantity")]
    DuplicateSku(String),
    /// A quantity outside 1 to 99.
    #[error("quantity of {sku:?} must be 1 to {MAX_QUANTITY}")]
    Quantity {
        /// The line's SKU.
        sku: String,
    },
    /// The total is above what FPS takes.
    #[error("the order total is above the largest payable amount")]
    TooLarge,
    /// Lines of different sellers (or of a seller and the shop) in one order.
    #[error("an order buys from one seller only; order {0:?} separately")]
    MixedSellers(String),
}

fn valid_sku(sku: &str) -> bool {
    (1..=64).contains(&sku.len())
        && sku
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

impl Catalog {
    /// Reads and checks a catalog file; the error names the file and the problem.
    pub fn load(path: &std::path::Path) -> Result<Self, String> {
        use std::io::Read as _;
        let mut text = String::new();
        std::fs::File::open(path)
            .and_then(|f| f.take(MAX_CATALOG_BYTES).read_to_string(&mut text))
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Self::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Parses and checks catalog JSON.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let file: CatalogFile = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let currency =
            Currency::parse(file.currency.as_deref().unwrap_or("USD")).map_err(|e| e.to_string())?;
        let marketplace = file
            .marketplace
            .map(|m| m.check(currency))
            .transpose()
            .map_err(|e| format!("marketplace: {e}"))?;
        let mut products = HashMap::new();
        for p in file.products {
            if !valid_sku(&p.sku) {
                return Err(format!("sku {:?} must be 1 to 64 of A-Z a-z 0-9 - _ .", p.sku));
            }
            // Names make the order's description, which Amazon shows as the paymentReason.
            if p.name.trim().is_empty()
                || p.name.len() > 128
                || p.name.chars().any(char::is_control)
                || hidden_character(&p.name).is_some()
            {
                return Err(format!(
                    "name of {} must be 1 to 128 bytes of text, without invisible or direction-changing characters",
                    p.sku
                ));
            }
            let price =
                Amount::parse_in(&p.price, currency).map_err(|e| format!("price of {}: {e}", p.sku))?;
            if let Some(seller) = &p.seller {
                if !valid_sku(seller) {
                    return Err(format!(
                        "seller of {} must be 1 to 64 of A-Z a-z 0-9 - _ .",
                        p.sku
                    ));
                }
                if marketplace.is_none() {
                    return Err(format!(
                        "{} has a seller but the catalog has no \"marketplace\" fees",
                        p.sku
                    ));
                }
            }
            let product = Product {
                sku: p.sku.clone(),
                name: p.name,
                price,
                mode: p.mode.unwrap_or(Mode::Pay),
                seller: p.seller,
                ships: p.ships,
            };
            if products.insert(p.sku.clone(), product).is_some() {
                return Err(format!("sku {} appears twice", p.sku));
            }
        }
        if products.is_empty() {
            return Err("the catalog has no products".to_owned());
        }
        file.branding.check()?;
        Ok(Catalog {
            currency,
            products,
            marketplace,
            branding: file.branding,
        })
    }

    /// The shop's branding on the CBUI pages (none unless the catalog sets it).
    pub fn branding(&self) -> &Branding {
        &self.branding
    }

    /// The marketplace's fees on sellers' products, if the shop is a marketplace.
    pub fn marketplace(&self) -> Option<&FeeTerms> {
        self.marketplace.as_ref()
    }

    /// The sellers the catalog names, each once.
    pub fn sellers(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self
            .products
            .values()
            .filter_map(|p| p.seller.as_deref())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Whether some product is sold by this seller.
    pub fn has_seller(&self, seller: &str) -> bool {
        self.products
            .values()
            .any(|p| p.seller.as_deref() == Some(seller))
    }

    /// The catalog's currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// A product by SKU.
    pub fn product(&self, sku: &str) -> Option<&Product> {
        self.products.get(sku)
    }

    /// Prices an order from its lines.
    pub fn price(&self, lines: &[LineRequest]) -> Result<Priced, PricingError> {
        if lines.is_empty() {
            return Err(PricingError::Empty);
        }
        if lines.len() > MAX_LINES {
            return Err(PricingError::TooManyLines);
        }
        let mut total: u64 = 0;
        let mut mode = Mode::Pay;
        let mut ships = false;
        let mut seen = std::collections::HashSet::new();
        let mut described = Vec::new();
        let mut json_lines = Vec::new();
        let mut seller: Option<Option<&str>> = None;
        for line in lines {
            let short: String = line.sku.chars().take(64).collect();
            let product = self
                .products
                .get(&line.sku)
                .ok_or_else(|| PricingError::UnknownSku(short.clone()))?;
            if !seen.insert(line.sku.as_str()) {
                return Err(PricingError::DuplicateSku(short));
            }
            if line.quantity == 0 || line.quantity > MAX_QUANTITY {
                return Err(PricingError::Quantity { sku: short });
            }
            match seller {
                Some(s) if s != product.seller.as_deref() => return Err(PricingError::MixedSellers(short)),
                _ => seller = Some(product.seller.as_deref()),
            }
            let line_total = product.price.minor_units() * u64::from(line.quantity);
            total = total.saturating_add(line_total);
            if product.mode == Mode::Reserve {
                mode = Mode::Reserve;
            }
            ships |= product.ships;
            described.push(format!("{} x {}", line.quantity, product.name));
            json_lines.push(serde_json::json!({
                "sku": product.sku,
                "name": product.name,
                "quantity": line.quantity,
                "unitPrice": product.price.to_string(),
            }));
        }
        let total = Amount::from_minor(total, self.currency).map_err(|_| PricingError::TooLarge)?;
        let mut description: String = described.join(", ");
        if description.chars().count() > 160 {
            description = description.chars().take(157).collect::<String>() + "...";
        }
        Ok(Priced {
            total,
            mode,
            description,
            lines_json: serde_json::Value::Array(json_lines).to_string(),
            seller: seller.flatten().map(str::to_owned),
            ships,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CATALOG: &str = r#"{"currency":"USD","products":[
        {"sku":"MUG","name":"Mug","price":"12.50","mode":"pay"},
        {"sku":"BIKE","name":"Bike","price":"300","mode":"reserve","ships":true}]}"#;

    fn line(sku: &str, quantity: u32) -> LineRequest {
        LineRequest {
            sku: sku.into(),
            quantity,
        }
    }

    #[test]
    fn prices_orders() {
        let catalog = Catalog::from_json(CATALOG).unwrap();
        let priced = catalog.price(&[line("MUG", 2)]).unwrap();
        assert_eq!(priced.total.to_string(), "25.00");
        assert_eq!(priced.mode, Mode::Pay);
        assert_eq!(priced.description, "2 x Mug");
        assert!(!priced.ships);
        let mixed = catalog.price(&[line("MUG", 1), line("BIKE", 1)]).unwrap();
        assert_eq!(mixed.total.to_string(), "312.50");
        assert_eq!(mixed.mode, Mode::Reserve);
        assert!(mixed.ships, "an order ships when one of its products does");
    }

    #[test]
    fn refuses_bad_orders() {
        let catalog = Catalog::from_json(CATALOG).unwrap();
        assert_eq!(catalog.price(&[]), Err(PricingError::Empty));
        assert!(matches!(
            catalog.price(&[line("NOPE", 1)]),
            Err(PricingError::UnknownSku(_))
        ));
        assert!(matches!(
            catalog.price(&[line("MUG", 0)]),
            Err(PricingError::Quantity { .. })
        ));
        assert!(matches!(
            catalog.price(&[line("MUG", 100)]),
            Err(PricingError::Quantity { .. })
        ));
        assert!(matches!(
            catalog.price(&[line("MUG", 1), line("MUG", 1)]),
            Err(PricingError::DuplicateSku(_))
        ));
        let lines: Vec<_> = (0..51).map(|_| line("MUG", 1)).collect();
        assert_eq!(catalog.price(&lines), Err(PricingError::TooManyLines));
    }

    #[test]
    fn sellers_products_need_marketplace_fees_and_stay_apart() {
        let market = r#"{"marketplace":{"fixedFee":"0.25","variableFee":"5","chargeFeeTo":"Recipient"},
            "products":[{"sku":"VASE","name":"Vase","price":"20","seller":"potter"},
                        {"sku":"MUG","name":"Mug","price":"12.50"}]}"#;
        let catalog = Catalog::from_json(market).unwrap();
        assert!(catalog.has_seller("potter"));
        assert!(!catalog.has_seller("MUG"));
        let priced = catalog.price(&[line("VASE", 1)]).unwrap();
        assert_eq!(priced.seller.as_deref(), Some("potter"));
        assert_eq!(catalog.price(&[line("MUG", 1)]).unwrap().seller, None);
        assert!(matches!(
            catalog.price(&[line("MUG", 1), line("VASE", 1)]),
            Err(PricingError::MixedSellers(_))
        ));
        let terms = catalog.marketplace().unwrap();
        assert_eq!(terms.fixed_fee.unwrap().to_string(), "0.25");
        assert!(Catalog::from_json(&market.replace(
            r#""marketplace":{"fixedFee":"0.25","variableFee":"5","chargeFeeTo":"Recipient"},"#,
            ""
        ))
        .is_err());
        assert!(Catalog::from_json(&market.replace("potter", "pot ter")).is_err());
        assert!(Catalog::from_json(&market.replace("Recipient", "Nobody")).is_err());
    }

    #[test]
    fn refuses_bad_catalogs() {
        for bad in [
            r#"{"products":[]}"#,
            r#"{"products":[{"sku":"A B","name":"x","price":"1"}]}"#,
            r#"{"products":[{"sku":"A","name":"x","price":"1.001"}]}"#,
            r#"{"products":[{"sku":"A","name":"x","price":"1"},{"sku":"A","name":"y","price":"2"}]}"#,
            r#"{"products":[{"sku":"A","name":"x","price":"1","mode":"later"}]}"#,
            r#"{"currency":"EUR","products":[{"sku":"A","name":"x","price":"1"}]}"#,
            r#"{"products":[{"sku":"A","name":"x","price":"1","colour":"red"}]}"#,
            // Names become the signed paymentReason: no bidi override, no zero-width space.
            r#"{"products":[{"sku":"A","name":"Mug \u202egnp.exe","price":"1"}]}"#,
            r#"{"products":[{"sku":"A","name":"Mu\u200bg","price":"1"}]}"#,
            r#"{"branding":{"cobrandingUrl":"http://shop.example/logo.png"},"products":[{"sku":"A","name":"x","price":"1"}]}"#,
            r#"{"branding":{"slogan":"x"},"products":[{"sku":"A","name":"x","price":"1"}]}"#,
        ] {
            assert!(Catalog::from_json(bad).is_err(), "{bad}");
        }
    }
}
