//! The emulator's Amazon-side account pages and what goes with them (issue 19): the icon every
//! page asks for, GetAccountBalance, a caller's second access key, and `/account` where test
//! accounts sign in to see their balance, transactions and tokens and cancel payments.

use crate::sandbox_support::*;

#[tokio::test]
async fn the_icon_answers_with_its_type_and_may_be_cached() {
    let h = Harness::start(50, None).await;
    let response = h
        .http
        .get(format!("{}/favicon.ico", h.sandbox.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    assert_eq!(header("content-type").as_deref(), Some("image/x-icon"));
    let cache = header("cache-control").unwrap();
    assert!(cache.contains("public") && cache.contains("max-age="), "{cache}");
    let body = response.bytes().await.unwrap();
    // An ICO file: reserved 0, type 1 (icon), one image of 16x16.
    assert_eq!(&body[..6], &[0, 0, 1, 0, 1, 0]);
    assert_eq!((body[6], body[7]), (16, 16));
    h.sandbox.stop().await;
}
