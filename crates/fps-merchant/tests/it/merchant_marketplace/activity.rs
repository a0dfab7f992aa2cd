//! The shop's view of FPS's account activity: paged by FPS's dates, per account, with each
//! transaction's details.

use super::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_activity_pages_by_fps_date_per_account_and_shows_transaction_details() {
    let h = Harness::start(20, None).await;
    let shop = shop(&h).await;
    let today = time::OffsetDateTime::now_utc().date().to_string();
    let recipient_token = register_potter(&h, &shop).await;
    let vase = buy(&h, &shop, "VASE", "25.00", "CC", true).await;
    let mut mugs = Vec::new();
    for _ in 0..4 {
        mugs.push(buy(&h, &shop, "MUG", "12.50", "ABT", false).await);
    }
    settle_when_reserved(&shop, &vase).await;

    // The caller's activity, two at a time, each next page from FPS's own date.
    let mut seen: Vec<Value> = Vec::new();
    let mut path = format!("/api/activity?from={today}&limit=2");
    let mut pages = 0;
    loop {
        let (status, page) = shop.admin(reqwest::Method::GET, &path, None).await;
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["source"], "GetAccountActivity");
        let batch = page["transactions"].as_array().unwrap();
        assert!(batch.len() <= 2, "{page}");
        seen.extend(batch.iter().cloned());
        pages += 1;
        match page["next"].as_str() {
            Some(next) => {
                path = format!(
                    "/api/activity?from={today}&limit=2&after={}",
                    fps_core::encode(next)
                )
            }
            None => break,
        }
        assert!(pages < 10, "paging does not end");
    }
    assert_eq!(pages, 3, "five transactions, two a page");
    let references: Vec<&str> = seen
        .iter()
        .map(|t| t["callerReference"].as_str().unwrap())
        .collect();
    let mut expected: Vec<&str> = std::iter::once(vase.as_str())
        .chain(mugs.iter().map(String::as_str))
        .collect();
    expected.sort_unstable();
    let mut sorted = references.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, expected, "each transaction once, none lost");
    let dates: Vec<&str> = seen.iter().map(|t| t["dateReceived"].as_str().unwrap()).collect();
    assert!(dates.windows(2).all(|w| w[0] < w[1]), "oldest first: {dates:?}");

    // A part of the vase is refunded: the refund belongs to the seller's activity too.
    let (status, refunded) = shop
        .admin(
            reqwest::Method::POST,
            &format!("/api/orders/{vase}/refund"),
            Some(json!({"amount":"5.00"})),
        )
        .await;
    assert!(status == 200 || status == 202, "{status} {refunded}");

    // The seller's part: the vase and its refund, with the split as FPS reports it per party.
    let (status, potter) = shop
        .admin(
            reqwest::Method::GET,
            &format!("/api/activity?account=potter&from={today}&limit=100"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{potter}");
    let only = potter["transactions"].as_array().unwrap();
    assert_eq!(only.len(), 2, "{potter}");
    let sale = &only[0];
    assert_eq!(only[1]["operation"], "Refund");
    assert_eq!(only[1]["amount"], "5.00");
    assert_eq!(only[1]["related"][0]["transactionId"], sale["transactionId"]);
    assert_eq!(sale["callerReference"], vase.as_str());
    assert_eq!(sale["recipientTokenId"], recipient_token.as_str());
    assert_eq!(sale["operation"], "Settle");
    assert_eq!(
        (sale["fpsFees"].as_str(), sale["marketplaceFees"].as_str()),
        (Some("1.03"), Some("1.50"))
    );
    let fees_of = |role: &str| {
        sale["parts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["role"] == role)
            .map(|p| p["feesPaid"].as_str().unwrap().to_owned())
    };
    assert_eq!(fees_of("Recipient").as_deref(), Some("2.53"), "{sale}");
    assert_eq!(fees_of("Caller").as_deref(), Some("0.00"));

    // GetTransaction per order.
    let (status, details) = shop
        .admin(
            reqwest::Method::GET,
            &format!("/api/orders/{vase}/transaction"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{details}");
    assert_eq!(details["source"], "GetTransaction");
    let t = &details["transaction"];
    assert_eq!(
        (t["operation"].as_str(), t["status"].as_str()),
        (Some("Settle"), Some("Success"))
    );
    assert_eq!(t["amount"], "25.00");
    assert_eq!(t["recipientEmail"], SELLER_EMAIL);
    assert!(t["history"].as_array().unwrap().len() >= 3, "{t}");
    let (status, _) = shop
        .admin(
            reqwest::Method::GET,
            "/api/orders/no-such-order/transaction",
            None,
        )
        .await;
    assert_eq!(status, 404);

    // Refusals: bad dates and ranges, unknown accounts, no or a wrong admin token.
    for (query, code, http) in [
        (format!("from={today}&to=2000-01-01"), "INVALID_QUERY", 400),
        ("from=last-week".to_owned(), "INVALID_QUERY", 400),
        ("to=2026-11-30".to_owned(), "INVALID_QUERY", 400),
        (format!("from={today}&limit=1000"), "INVALID_QUERY", 400),
        (
            format!("from={today}&endpoint=http://elsewhere"),
            "INVALID_QUERY",
            400,
        ),
        (format!("from={today}&account=stranger"), "UNKNOWN_SELLER", 404),
    ] {
        let (status, body) = shop
            .admin(reqwest::Method::GET, &format!("/api/activity?{query}"), None)
            .await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (http, Some(code)),
            "{query}: {body}"
        );
    }
    let url = format!("{}/api/activity?from={today}", shop.base);
    let (status, _) = shop.send(shop.http.get(&url)).await;
    assert_eq!(status, 401);
    let (status, _) = shop
        .send(shop.http.get(&url).bearer_auth("not-the-admin-token-000"))
        .await;
    assert_eq!(status, 401);
    let (status, _) = shop
        .send(
            shop.http
                .get(format!("{}/api/orders/{vase}/transaction", shop.base)),
        )
        .await;
    assert_eq!(status, 401);
    drop(shop);
    h.sandbox.stop().await;
}
