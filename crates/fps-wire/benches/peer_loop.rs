//! The Rust side of the paired peer benchmark: the same timing loop as `scripts/bench-peer.py`
//! (warm-up, then `Instant` around N iterations), so `scripts/bench-core` can alternate Rust and
//! Python runs and take the ratio pair by pair, which holds when a shared machine's speed drifts.
//!
//! `cargo bench --bench peer_loop -- --only sign|parse_return [--iterations N]`; prints
//! `<op>_ns_per_op <float>` like the peer.

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    use std::hint::black_box;
    use std::time::Instant;

    use fps_core::canonical::HttpMethod;
    use fps_core::params::SignatureMethod;
    use fps_core::{CbuiReturn, Endpoint};
    use fps_wire::signer::{SecretKey, Signer};

    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let only = value("--only").unwrap_or_else(|| "sign".to_owned());
    let iterations: u32 = value("--iterations")
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);

    let read = |name: &str| -> serde_json::Value {
        let path = format!("{}/benches/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(&path).expect("fixture")).expect("fixture JSON")
    };
    let single = read("singleuse.json");
    let params: Vec<(String, String)> = serde_json::from_value(single["params"].clone()).expect("params");
    let secret = SecretKey::new(single["secret"].as_str().expect("secret")).expect("secret");
    let endpoint = Endpoint::parse(single["endpoint"].as_str().expect("endpoint")).expect("endpoint");
    let query = read("return.json")["query"].as_str().expect("query").to_owned();

    let time = |op: &mut dyn FnMut()| {
        for _ in 0..(iterations / 10).max(1000) {
            op();
        }
        let start = Instant::now();
        for _ in 0..iterations {
            op();
        }
        start.elapsed().as_nanos() as f64 / f64::from(iterations)
    };
    match only.as_str() {
        "sign" => {
            // The peer's work: pairs -> canonical query -> string to sign -> HMAC-SHA256 -> base64,
            // with the key given as bytes each time as the peer's `hmac.new(key, ...)` does.
            let ns = time(&mut || {
                let signer = Signer::new(&secret);
                black_box(signer.sign_pairs(
                    SignatureMethod::HmacSha256,
                    HttpMethod::Get,
                    &endpoint,
                    black_box(&params),
                    "signature",
                ));
            });
            println!("sign_ns_per_op {ns:.1}");
        }
        "parse_return" => {
            let ns = time(&mut || {
                black_box(CbuiReturn::parse(black_box(&query)).expect("valid return"));
            });
            println!("parse_return_ns_per_op {ns:.1}");
        }
        other => panic!("unknown --only {other}"),
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {}
