//! The benchmark's baseline: a minimal axum handler answering a fixed JSON, so the cost of
//! `POST /fps/sign` can be read as a ratio on the same machine and run
//! (`scripts/bench-backend`). Listens on FPS_BENCH_LISTEN (default 127.0.0.1:8091).

mod native {
    use axum::routing::post;
    use axum::{Json, Router};

    async fn fixed() -> Json<serde_json::Value> {
        Json(
            serde_json::json!({ "url": "https://example.invalid/", "signature": "x", "signatureMethod": "HmacSHA256" }),
        )
    }

    pub fn main() {
        let listen = std::env::var("FPS_BENCH_LISTEN").unwrap_or_else(|_| "127.0.0.1:8091".to_owned());
        let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
            Ok(runtime) => runtime,
            Err(e) => {
                eprintln!("fixed_json: {e}");
                std::process::exit(1);
            }
        };
        runtime.block_on(async move {
            let listener = match tokio::net::TcpListener::bind(&listen).await {
                Ok(listener) => listener,
                Err(e) => {
                    eprintln!("fixed_json: cannot listen on {listen}: {e}");
                    std::process::exit(1);
                }
            };
            let app = Router::new().route("/fixed", post(fixed));
            if let Err(e) = axum::serve(listener, app).await {
                eprintln!("fixed_json: {e}");
            }
        });
    }
}

fn main() {
    native::main();
}
