//! A marketplace sale end to end: the seller registers, the buyer reserves, the admin settles,
//! and FPS splits the payment.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seller_registers_buyer_reserves_admin_settles_split_from_fps() {
    let h = Harness::start(20, None).await;
    let shop = shop(&h).await;

    // The seller's item cannot be ordered before the seller registers.
    let (status, body) = shop
        .post("/api/orders", json!({"items":[{"sku":"VASE","quantity":1}]}))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("SELLER_NOT_REGISTERED")),
        "{body}"
    );

    // Only the admin opens sign-ups, only for sellers of the catalog.
    let (status, _) = shop.post("/api/sellers", json!({"seller":"potter"})).await;
    assert_eq!(status, 401);
    let (status, body) = shop
        .admin(
            reqwest::Method::POST,
            "/api/sellers",
            Some(json!({"seller":"stranger"})),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("UNKNOWN_SELLER"))
    );
    let (status, signup) = shop
        .admin(
            reqwest::Method::POST,
            "/api/sellers",
            Some(json!({"seller":"potter"})),
        )
        .await;
    assert_eq!(status, 201, "{signup}");
    let reference = signup["callerReference"].as_str().unwrap().to_owned();
    assert_eq!(signup["maxVariableFee"], "5");
    assert_eq!(signup["recipientPaysFee"], "True");
    let (status, shown) = shop
        .send(shop.http.get(format!("{}/api/sellers/{reference}", shop.base)))
        .await;
    assert_eq!((status, shown["seller"].as_str()), (200, Some("potter")));

    // The policy: Recipient only for this sign-up, only at the marketplace's fees.
    let sign = |params: Vec<[&str; 2]>| {
        let shop = &shop;
        let body = json!({"pipeline":"Recipient","params": params});
        async move { shop.post("/fps/sign", body).await }
    };
    let mut greedy = recipient_params(&reference, &shop.return_url);
    greedy[5] = ["maxVariableFee", "50"];
    let (status, body) = sign(greedy).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("FEE_TERMS_MISMATCH"))
    );
    let (status, body) = sign(recipient_params("sel-made-up", &shop.return_url)).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("UNKNOWN_SIGNUP"))
    );
    let (status, signed) = sign(recipient_params(&reference, &shop.return_url)).await;
    assert_eq!(status, 200, "{signed}");

    // The seller approves on the emulator's pages; the shop verifies the SR return.
    let landing = h
        .approve(signed["url"].as_str().unwrap(), SELLER_EMAIL, "ABT")
        .await;
    assert!(landing.contains("status=SR"), "{landing}");
    let (status, registered) = shop.fps_return(&landing).await;
    assert_eq!(status, 200, "{registered}");
    assert_eq!(registered["transactionStatus"], "SR");
    let (status, again) = shop.fps_return(&landing).await;
    assert_eq!(
        (status, again["error"]["code"].as_str()),
        (409, Some("ALREADY_PROCESSED"))
    );
    let (_, sellers) = shop.admin(reqwest::Method::GET, "/api/sellers", None).await;
    let recipient_token = sellers["sellers"][0]["recipientTokenId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        landing.contains(&recipient_token),
        "the stored token is the one FPS returned"
    );
    let (status, body) = sign(recipient_params(&reference, &shop.return_url)).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("SIGNUP_CLOSED"))
    );

    // A buyer reserves the seller's vase by card; the admin settles when it ships.
    let order_ref = buy(&h, &shop, "VASE", "25.00", "CC", true).await;
    settle_when_reserved(&shop, &order_ref).await;

    let (status, split) = shop
        .admin(
            reqwest::Method::GET,
            &format!("/api/orders/{order_ref}/split"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{split}");
    assert_eq!(split["seller"], "potter");
    assert_eq!(split["source"], "GetTransaction");
    // $25.00 by card: FPS 2.9 % + 0.30 = 1.03 (72.5 -> 73 + 30); marketplace 0.25 + 1.25 = 1.50.
    assert_eq!(split["split"]["amount"], "25.00", "{split}");
    assert_eq!(split["split"]["fpsFees"], "1.03");
    assert_eq!(split["split"]["marketplaceFees"], "1.50");
    assert_eq!(split["split"]["fpsFeesPaidBy"], "Recipient");
    assert_eq!(split["split"]["seller"], "22.47");
    assert_eq!(split["split"]["marketplace"], "1.50");
    assert_eq!(split["split"]["fps"], "1.03");
    assert_eq!(split["split"]["recipientEmail"], SELLER_EMAIL);
    // The emulator's own books agree.
    let store = &h.sandbox.state.store;
    assert_eq!(store.balance(SELLER_EMAIL).await.unwrap(), 2247);
    assert_eq!(store.balance("market@merchant.sandbox.test").await.unwrap(), 150);

    // The shop's own item is no marketplace order.
    let (_, mug) = shop
        .post("/api/orders", json!({"items":[{"sku":"MUG","quantity":1}]}))
        .await;
    let (_, split) = shop
        .admin(
            reqwest::Method::GET,
            &format!("/api/orders/{}/split", mug["callerReference"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(split["marketplace"], false);
    let (status, body) = shop
        .post(
            "/api/orders",
            json!({"items":[{"sku":"MUG","quantity":1},{"sku":"VASE","quantity":1}]}),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    drop(shop);
    h.sandbox.stop().await;
}
