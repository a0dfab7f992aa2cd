//! Connection-level hostility: more requests in flight than the server allows are shed with 503,
//! and a client that never finishes its headers is cut off.

use crate::common::*;

#[tokio::test]
async fn too_many_requests_in_flight_are_shed_with_503() {
    let h = start_with(&[("FPS_MAX_IN_FLIGHT", "1")]).await;
    let order = h.create_order("MUG-ENAMEL", 1).await;
    h.sign(&order).await;
    // Holds the only slot: VerifySignature answers after the client's 1 s timeout (retried).
    h.fps
        .fault(
            "VerifySignature",
            Fault::SlowAfterApply(std::time::Duration::from_secs(3)),
            3,
        )
        .await;
    let raw = h.cbui_return(&order, "SC").await;
    let slow = {
        let (http, url) = (h.http.clone(), format!("{}/fps/return", h.base));
        tokio::spawn(async move {
            http.post(url)
                .header("content-type", "text/plain")
                .body(raw)
                .send()
                .await
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let shed = h
        .http
        .get(format!("{}/healthz", h.base))
        .send()
        .await
        .expect("answer");
    assert_eq!(shed.status().as_u16(), 503);
    assert_eq!(
        shed.headers().get("retry-after").and_then(|v| v.to_str().ok()),
        Some("1")
    );
    let (status, body) = read(shed).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (503, Some("OVERLOADED"))
    );
    let _ = slow.await;
    let again = h
        .http
        .get(format!("{}/healthz", h.base))
        .send()
        .await
        .expect("answer");
    assert_eq!(again.status().as_u16(), 200, "the slot is free again");
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_cut_off() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let h = start().await;
    let address = h.base.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address).await.expect("connect");
    // A request line and one header, then silence (slowloris).
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: shop\r\n")
        .await
        .expect("write");
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(
        fps_merchant::server::HEADER_READ_TIMEOUT * 3,
        stream.read_to_end(&mut rest),
    )
    .await;
    assert!(
        matches!(closed, Ok(Ok(_)) | Ok(Err(_))),
        "the server still holds a connection whose headers never came"
    );
    let answer = String::from_utf8_lossy(&rest);
    assert!(!answer.contains("200 OK"), "{answer}");
    let alive = h
        .http
        .get(format!("{}/healthz", h.base))
        .send()
        .await
        .expect("alive");
    assert_eq!(alive.status().as_u16(), 200);
}
