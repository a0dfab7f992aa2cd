//! Audit finding 2 (issue 16): clients that trickle request bodies cannot hold the server's
//! in-flight slots. Raw sockets on loopback, bounded in count and in time.

use std::time::Duration;

use crate::common::*;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

const MAX_IN_FLIGHT: usize = 4;

/// Opens a connection and sends a request head announcing a large body, plus its first byte.
async fn trickle(base: &str, path: &str) -> TcpStream {
    let address = base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).await.expect("connect");
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n{{"
    );
    stream.write_all(head.as_bytes()).await.expect("head");
    stream
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trickled_bodies_leave_healthz_answerable() {
    let h = start_with(&[("FPS_MAX_IN_FLIGHT", &MAX_IN_FLIGHT.to_string())]).await;
    let mut held = Vec::new();
    for i in 0..2 * MAX_IN_FLIGHT {
        let path = if i % 2 == 0 { "/api/orders" } else { "/fps/sign" };
        held.push(trickle(&h.base, path).await);
    }
    // Let the server take every request in.
    tokio::time::sleep(Duration::from_millis(300)).await;
    for stream in &mut held {
        stream.write_all(b" ").await.expect("one more byte");
    }
    let answer = tokio::time::timeout(
        Duration::from_secs(2),
        h.http.get(format!("{}/healthz", h.base)).send(),
    )
    .await
    .expect("/healthz answers within 2 s")
    .expect("/healthz answers");
    assert_eq!(answer.status().as_u16(), 200);
    // Real work is not shut out either.
    let (status, body) = tokio::time::timeout(
        Duration::from_secs(2),
        h.post_json(
            "/api/orders",
            &serde_json::json!({ "items": [{ "sku": "MUG-ENAMEL", "quantity": 1 }] }),
        ),
    )
    .await
    .expect("an order within 2 s");
    assert_eq!(status, 201, "{body}");
    drop(held);
}

#[tokio::test]
async fn a_trickled_body_times_out_with_408() {
    let h = start().await;
    let mut stream = trickle(&h.base, "/api/orders").await;
    let started = std::time::Instant::now();
    let mut answer = Vec::new();
    // The server answers and closes; the read ends there (or when the server resets).
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
        .await
        .expect("an answer well before the request timeout");
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("\"BODY_TIMEOUT\""), "{text}");
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
}
