//! Who may call what: the admin routes need the token, and CORS allows only the configured origins.

use crate::common::*;
use reqwest::Method;

#[tokio::test]
async fn admin_needs_the_token() {
    let h = start().await;
    let url = format!("{}/api/orders", h.base);
    let none = h.http.get(&url).send().await.unwrap();
    assert_eq!(none.status().as_u16(), 401);
    let wrong = h
        .http
        .get(&url)
        .bearer_auth("test-admin-token-0123456780")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status().as_u16(), 401);
    let (status, body) = read(wrong).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("UNAUTHORIZED"))
    );
    let (status, body) = h.admin(Method::GET, "/api/orders", None).await;
    assert_eq!(status, 200, "{body}");
    h.create_order("MUG-ENAMEL", 1).await;
    let (_, body) = h.admin(Method::GET, "/api/orders", None).await;
    assert_eq!(body["orders"].as_array().map(Vec::len), Some(1));
    h.create_order("EBOOK-RUST", 1).await;
    let (_, body) = h.admin(Method::GET, "/api/orders?limit=1", None).await;
    assert_eq!(body["orders"].as_array().map(Vec::len), Some(1));
    for bad in [
        "/api/orders?limit=abc",
        "/api/orders?limit=-1",
        "/api/orders?order=asc",
    ] {
        let (status, body) = h.admin(Method::GET, bad, None).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (400, Some("INVALID_QUERY")),
            "{bad}"
        );
    }
}

#[tokio::test]
async fn cors_allows_only_the_configured_origins() {
    let h = start().await;
    let preflight = |origin: &'static str| {
        h.http
            .request(Method::OPTIONS, format!("{}/fps/sign", h.base))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let allowed = preflight("https://shop.example").await.unwrap();
    assert_eq!(
        allowed
            .headers()
            .get("access-control-allow-origin")
            .and_then(|v| v.to_str().ok()),
        Some("https://shop.example")
    );
    let other = preflight("https://evil.example").await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
}
