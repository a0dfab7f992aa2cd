//! Sender and order data (issue 19) through the real emulator: a product that ships has CBUI
//! collect the shipping address (signed from the catalog, never chosen by the browser), the
//! verified return's address and payment method are stored on the order and shown to the admin
//! and the shopper, FPS's RequestId of each Query API call is kept, and Pay carries the
//! configured SenderDescription and CallerDescription to FPS.

use crate::common::assert_refused;
use crate::common::stack::{start_stack, Shopper, Stack, STACK_CALLER_DESCRIPTION, STACK_SENDER_DESCRIPTION};
use reqwest::Method;
use serde_json::{json, Value};

/// The address the shopper types on the CBUI confirm page (markup included, to be escaped).
const ADDRESS: &[(&str, &str)] = &[
    ("addressName", "Ada <b>Lovelace</b>"),
    ("addressLine1", "12 Analytical Row"),
    ("addressLine2", ""),
    ("city", "London"),
    ("state", "LDN"),
    ("zip", "N1 9GU"),
    ("country", "GB"),
    ("phoneNumber", "020 7946 0000"),
];

/// The order reference and key of the order's `order.html#<reference>.<key>` link.
fn link(order: &Value) -> (String, String) {
    let page = order["orderPage"].as_str().expect("orderPage");
    let fragment = page.strip_prefix("order.html#").expect("order.html# link");
    let (reference, key) = fragment.rsplit_once('.').expect("reference.key");
    (reference.to_owned(), key.to_owned())
}

/// The order as its shopper sees it.
async fn shopper_view(s: &Stack, reference: &str, key: &str) -> Value {
    let response = s
        .http
        .get(format!("{}/api/shop/orders/{reference}", s.base))
        .header("Fps-Order-Key", key)
        .send()
        .await
        .expect("order page");
    let (status, body) = crate::common::read(response).await;
    assert_eq!(status, 200, "{body}");
    body
}

/// `/fps/sign` for `order` with `collectShippingAddress` set to `value` (or left out).
async fn sign_with(s: &Stack, order: &Value, value: Option<&str>) -> (u16, Value) {
    let mut body = s.sign_body(order);
    if let Some(value) = value {
        body["params"]["collectShippingAddress"] = json!(value);
    }
    s.post_json("/fps/sign", &body).await
}

/// The emulator's account page of `email`, signed in.
async fn account_page(s: &Stack, email: &str) -> String {
    let signed_in = s
        .http
        .post(format!("{}/account/signin", s.sandbox))
        .form(&[("email", email), ("password", "sandbox")])
        .send()
        .await
        .expect("sign in");
    assert_eq!(signed_in.status().as_u16(), 303);
    let cookie = signed_in
        .headers()
        .get("set-cookie")
        .and_then(|c| c.to_str().ok())
        .and_then(|c| c.split(';').next())
        .expect("a session cookie")
        .to_owned();
    s.http
        .get(format!("{}/account", s.sandbox))
        .header("Cookie", cookie)
        .send()
        .await
        .expect("account page")
        .text()
        .await
        .expect("page text")
}

#[tokio::test]
async fn only_the_catalog_decides_whether_cbui_collects_the_address() {
    let s = start_stack(0).await;
    let boots = s.create_order("BOOTS-TRAIL", 1).await;
    assert_eq!(boots["collectShippingAddress"], true, "{boots}");
    let mug = s.create_order("MUG-ENAMEL", 1).await;
    assert_eq!(mug["collectShippingAddress"], false, "{mug}");
    // The browser cannot ask for the address of an order that does not ship, nor drop it from
    // one that does.
    assert_refused(
        &sign_with(&s, &mug, Some("True")).await,
        403,
        "PARAMETER_NOT_ALLOWED",
    );
    assert_refused(
        &sign_with(&s, &mug, Some("False")).await,
        403,
        "PARAMETER_NOT_ALLOWED",
    );
    assert_refused(
        &sign_with(&s, &boots, Some("False")).await,
        403,
        "PARAMETER_MISMATCH",
    );
    // Echoing the catalog's value signs it; leaving it out signs it too (the server adds it).
    let (status, echoed) = sign_with(&s, &boots, Some("True")).await;
    assert_eq!(status, 200, "{echoed}");
    assert!(
        echoed["url"]
            .as_str()
            .unwrap()
            .contains("collectShippingAddress=True"),
        "{echoed}"
    );
    let (status, added) = sign_with(&s, &boots, None).await;
    assert_eq!(status, 200, "{added}");
    assert_eq!(added["url"], echoed["url"], "the same signed request");
    let (status, plain) = sign_with(&s, &mug, None).await;
    assert_eq!(status, 200, "{plain}");
    assert!(
        !plain["url"].as_str().unwrap().contains("collectShippingAddress"),
        "{plain}"
    );
    s.stop().await;
}

#[tokio::test]
async fn the_verified_return_stores_the_address_the_method_and_fps_request_ids() {
    let s = start_stack(0).await;
    let (order, raw, status, body) = s
        .checkout("BOOTS-TRAIL", Shopper::ConfirmsWith("ACH", ADDRESS))
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        raw.contains("addressLine1=12"),
        "CBUI returned the address: {raw}"
    );
    assert!(raw.contains("status=SB"), "{raw}");
    let (reference, key) = link(&order);
    s.reaches(&reference, "paid").await;

    let (status, admin) = s
        .admin(Method::GET, &format!("/api/orders/{reference}"), None)
        .await;
    assert_eq!(status, 200, "{admin}");
    let address = &admin["shippingAddress"];
    assert_eq!(address["name"], "Ada <b>Lovelace</b>", "{admin}");
    assert_eq!(address["line1"], "12 Analytical Row");
    assert_eq!(address["city"], "London");
    assert_eq!(address["zip"], "N1 9GU");
    assert_eq!(address["country"], "GB");
    assert_eq!(address["phone"], "020 7946 0000");
    assert!(
        address.get("line2").is_none(),
        "empty fields are left out: {admin}"
    );
    assert_eq!(admin["paymentMethod"], "bank", "{admin}");
    assert_eq!(admin["ships"], true);
    // Every Query API call made for the order left FPS's RequestId: Pay at least.
    let requests = admin["fpsRequests"].as_array().expect("fpsRequests");
    let pay = requests
        .iter()
        .find(|r| r["action"] == "Pay")
        .unwrap_or_else(|| panic!("no Pay in {admin}"));
    assert!(!pay["requestId"].as_str().unwrap_or("").is_empty(), "{pay}");
    assert_eq!(pay["outcome"], "applied");

    // The shopper sees the same address and method on the order page, no FPS ids.
    let view = shopper_view(&s, &reference, &key).await;
    assert_eq!(view["shippingAddress"], *address, "{view}");
    assert_eq!(view["paymentMethod"], "bank");
    assert!(view.get("fpsRequests").is_none(), "{view}");

    // A card payment of an order that does not ship: the method, no address.
    let (mug, _, status, body) = s.checkout("MUG-ENAMEL", Shopper::Confirms).await;
    assert_eq!(status, 200, "{body}");
    let (mug_reference, _) = link(&mug);
    let mug_admin = s.reaches(&mug_reference, "paid").await;
    assert_eq!(mug_admin["paymentMethod"], "card", "{mug_admin}");
    assert_eq!(mug_admin["shippingAddress"], Value::Null, "{mug_admin}");

    // Pay carried the configured descriptions: the buyer's account shows the sender's, the
    // shop's account its own.
    let buyer = account_page(&s, "buyer@sandbox.test").await;
    assert!(buyer.contains(STACK_SENDER_DESCRIPTION), "{buyer}");
    assert!(!buyer.contains(STACK_CALLER_DESCRIPTION), "{buyer}");
    s.stop().await;
}
