//! Audit findings 4, 5 and 6 (issue 16) against the real merchant server: `/fps/sign` signs no
//! browser-chosen text, branding, display amount or address; a Reserve order only as a Reserve
//! paid by card; and the return URL of an order's first signing stays its return URL.

use crate::common::*;
use serde_json::{json, Value};

fn with(body: &Value, name: &str, value: &str) -> Value {
    let mut body = body.clone();
    body["params"][name] = json!(value);
    body
}

fn without(body: &Value, name: &str) -> Value {
    let mut body = body.clone();
    if let Some(params) = body["params"].as_object_mut() {
        params.remove(name);
    }
    body
}

/// Posts `body` to `/fps/sign`; returns the status, the error code and the error message.
async fn verdict(h: &Harness, body: &Value) -> (u16, String, String) {
    let (status, answer) = h.post_json("/fps/sign", body).await;
    let text = |k: &str| answer["error"][k].as_str().unwrap_or_default().to_owned();
    (status, text("code"), text("message"))
}

#[tokio::test]
async fn signs_no_browser_chosen_text_or_branding() {
    let h = start().await;
    let order = h.create_order("MUG-ENAMEL", 1).await;
    let honest = h.sign_body(&order);
    let description = order["description"].as_str().expect("description").to_owned();
    let cases: Vec<(&str, &str, &str)> = vec![
        (
            "paymentReason",
            "Account locked: call +1 555 0100",
            "PARAMETER_MISMATCH",
        ),
        (
            "websiteDescription",
            "Amazon Payments Security Team",
            "PARAMETER_NOT_ALLOWED",
        ),
        (
            "cobrandingUrl",
            "http://attacker.example/amazon-logo.png",
            "PARAMETER_NOT_ALLOWED",
        ),
        (
            "cobrandingUrl",
            "https://attacker.example/amazon-logo.png",
            "PARAMETER_NOT_ALLOWED",
        ),
        ("cobrandingStyle", "banner", "PARAMETER_NOT_ALLOWED"),
        ("itemTotal", "0.01", "PARAMETER_NOT_ALLOWED"),
        ("discount", "12.49", "PARAMETER_NOT_ALLOWED"),
        ("tax", "0.00", "PARAMETER_NOT_ALLOWED"),
        ("shipping", "0.00", "PARAMETER_NOT_ALLOWED"),
        ("handling", "0.00", "PARAMETER_NOT_ALLOWED"),
        ("giftWrapping", "0.00", "PARAMETER_NOT_ALLOWED"),
        ("addressName", "Amazon Refunds Dept.", "PARAMETER_NOT_ALLOWED"),
        ("addressLine1", "1 Phishing Way", "PARAMETER_NOT_ALLOWED"),
        ("phoneNumber", "+1 555 0100", "PARAMETER_NOT_ALLOWED"),
        ("collectShippingAddress", "True", "PARAMETER_NOT_ALLOWED"),
        ("paymentMethod", "ABT", "PARAMETER_NOT_ALLOWED"),
    ];
    for (name, value, code) in cases {
        let (status, got, message) = verdict(&h, &with(&honest, name, value)).await;
        assert_eq!((status, got.as_str()), (403, code), "{name}={value}: {message}");
        assert!(message.contains(name), "the refusal names {name}: {message}");
    }
    // Bidi overrides and zero-width characters, even around the order's own description.
    for hidden in [
        '\u{202A}', '\u{202E}', '\u{2066}', '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}', '\u{200B}',
        '\u{200D}', '\u{2060}', '\u{FEFF}',
    ] {
        let reason = format!("{description}{hidden}");
        let (status, code, message) = verdict(&h, &with(&honest, "paymentReason", &reason)).await;
        assert_eq!(
            (status, code.as_str()),
            (403, "HIDDEN_CHARACTER"),
            "U+{:04X}: {message}",
            hidden as u32
        );
        assert!(message.contains("paymentReason"), "{message}");
    }
    // What the shop does sign: the order's description, or no reason at all.
    assert_eq!(h.post_json("/fps/sign", &honest).await.0, 200);
    assert_eq!(
        h.post_json("/fps/sign", &without(&honest, "paymentReason"))
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn signs_only_the_configured_branding() {
    let dir = std::env::temp_dir().join(format!("fps-branding-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("dir");
    let catalog = dir.join("catalog.json");
    std::fs::write(
        &catalog,
        r#"{"currency":"USD",
            "branding":{"websiteDescription":"Trailhead Supply","cobrandingUrl":"https://shop.example/logo.png","cobrandingStyle":"logo"},
            "products":[{"sku":"MUG-ENAMEL","name":"Enamel camping mug","price":"12.50","mode":"pay"}]}"#,
    )
    .expect("catalog");
    let h = start_with(&[("FPS_CATALOG", catalog.to_str().expect("path"))]).await;
    let order = h.create_order("MUG-ENAMEL", 1).await;
    let honest = h.sign_body(&order);
    let branded = with(
        &with(
            &with(&honest, "websiteDescription", "Trailhead Supply"),
            "cobrandingUrl",
            "https://shop.example/logo.png",
        ),
        "cobrandingStyle",
        "logo",
    );
    assert_eq!(h.post_json("/fps/sign", &branded).await.0, 200);
    for (name, value) in [
        ("websiteDescription", "Trailhead Supply - Amazon verified"),
        ("cobrandingUrl", "https://shop.example/logo.png?x=1"),
        ("cobrandingStyle", "banner"),
    ] {
        let (status, code, message) = verdict(&h, &with(&branded, name, value)).await;
        assert_eq!(
            (status, code.as_str()),
            (403, "PARAMETER_MISMATCH"),
            "{name}: {message}"
        );
        assert!(message.contains(name), "{message}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn reserve_orders_are_signed_only_as_card_reserves() {
    let h = start().await;
    let order = h.create_order("TENT-2P", 1).await;
    assert_eq!(order["paymentMode"], "reserve", "{order}");
    let honest = h.sign_body(&order);
    assert_eq!(honest["params"]["reserve"], "True");
    assert_eq!(honest["params"]["paymentMethod"], "CC");
    let cases = [
        (without(&honest, "reserve"), "PIPELINE_NOT_ALLOWED"),
        (with(&honest, "reserve", "False"), "PIPELINE_NOT_ALLOWED"),
        (without(&honest, "paymentMethod"), "PARAMETER_MISMATCH"),
        (with(&honest, "paymentMethod", "ABT,ACH,CC"), "PARAMETER_MISMATCH"),
        (with(&honest, "paymentMethod", "ABT"), "PARAMETER_MISMATCH"),
    ];
    for (body, code) in cases {
        let (status, got, message) = verdict(&h, &body).await;
        assert_eq!((status, got.as_str()), (403, code), "{body}: {message}");
    }
    assert_eq!(h.post_json("/fps/sign", &honest).await.0, 200);
    // A Pay order never carries reserve=True.
    let pay = h.create_order("MUG-ENAMEL", 1).await;
    let (status, code, _) = verdict(&h, &with(&h.sign_body(&pay), "reserve", "True")).await;
    assert_eq!((status, code.as_str()), (403, "PIPELINE_NOT_ALLOWED"));
}

#[tokio::test]
async fn the_return_url_is_fixed_at_the_first_signing() {
    let h = start().await;
    let order = h.create_order("MUG-ENAMEL", 1).await;
    let honest = h.sign_body(&order);
    assert_eq!(h.post_json("/fps/sign", &honest).await.0, 200);
    // Another allowed return URL, by whoever holds the reference.
    let other = with(&honest, "returnURL", "https://shop.example/thanks");
    let (status, code, message) = verdict(&h, &other).await;
    assert_eq!((status, code.as_str()), (403, "RETURN_URL_FIXED"), "{message}");
    // The same URL again (a reload) still signs.
    assert_eq!(h.post_json("/fps/sign", &honest).await.0, 200);
    // And the shopper's real return still verifies.
    let raw = h.cbui_return(&order, "SC").await;
    let (status, body) = h.post_text("/fps/return", &raw).await;
    assert_eq!(status, 200, "{body}");
}
