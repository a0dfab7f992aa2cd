//! Auto-mount: every `[data-fps-checkout]` becomes a Pay Now button ([`mount_buttons`]) and every
//! `[data-fps-return]` shows the return's outcome ([`render_returns`]), with no inline script on
//! the page.

use alloc::{borrow::ToOwned, string::String, vec::Vec};
use wasm_bindgen::JsCast;
use web_sys::{Document, Element};

use super::button::{Callbacks, Checkout, MOUNTED_ATTR};
use super::error::BrowserError;
use super::fetch::{describe, window};
use super::js::console_error;
use super::options::{CheckoutOptions, RawOptions, OPTION_NAMES};
use super::return_page::render_return;
use fps_core::text::concat;
use fps_core::text::split_byte;

/// The attributes read from a `[data-fps-checkout]` element (`data-params` is not offered:
/// further parameters take the JS API).
fn raw_from_attributes(element: &Element) -> RawOptions {
    let mut values: [Option<String>; 14] = Default::default();
    for (value, (_, attribute)) in values.iter_mut().zip(OPTION_NAMES) {
        *value = element.get_attribute(attribute);
    }
    RawOptions::from_values(values, Vec::new())
}

/// The page's URL without its fragment: the default returnURL.
pub fn page_url() -> Result<String, BrowserError> {
    let href = window()?
        .location()
        .href()
        .map_err(|e| BrowserError::Environment(concat(&["location.href: ", &describe(&e)])))?;
    Ok(split_byte(&href, b'#').next().unwrap_or_default().to_owned())
}

/// Validates a container's `data-*` attributes into options.
pub fn options_from_element(element: &Element) -> Result<CheckoutOptions, BrowserError> {
    CheckoutOptions::from_raw(&raw_from_attributes(element), &page_url()?)
}

fn elements(document: &Document, selector: &str) -> Vec<Element> {
    let Ok(list) = document.query_selector_all(selector) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|node| node.dyn_into::<Element>().ok())
        .collect()
}

/// Mounts every not yet mounted `[data-fps-checkout]` of the page. Each element is handled on its
/// own: a broken one shows its error and the rest go on. Returns how many buttons were mounted.
pub fn mount_buttons() -> usize {
    let Some(document) = page_document() else {
        return 0;
    };
    let mut mounted = 0;
    for element in elements(&document, "[data-fps-checkout]") {
        if element.has_attribute(MOUNTED_ATTR) {
            continue;
        }
        let options = options_from_element(&element);
        match Checkout::mount(element, options, Callbacks::default()) {
            Ok(_) => mounted += 1,
            Err(error) => console_error(&error),
        }
    }
    mounted
}

/// Renders the outcome into every not yet rendered `[data-fps-return]` of the page.
pub fn render_returns() {
    let Some(document) = page_document() else {
        return;
    };
    for element in elements(&document, "[data-fps-return]") {
        if element.has_attribute(MOUNTED_ATTR) {
            continue;
        }
        let _ = element.set_attribute(MOUNTED_ATTR, "");
        render_return(element);
    }
}

fn page_document() -> Option<Document> {
    super::js::page_window().and_then(|w| w.document())
}
