//! Criterion benches of the core: the seeds' SingleUse request built, canonicalized and signed,
//! and a CBUI return parsed. `scripts/bench-core` runs these beside the Python peer
//! (`scripts/bench-peer.py`) and prints the ratios recorded in BENCHMARKS.md.

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::hint::black_box;

    use criterion::Criterion;
    use fps_core::canonical::HttpMethod;
    use fps_core::params::{CbuiEndpoint, CbuiRequest};
    use fps_core::{CbuiReturn, Endpoint};
    use fps_wire::signer::{SecretKey, Signer};
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct SingleUse {
        endpoint: String,
        secret: String,
        params: Vec<(String, String)>,
    }

    #[derive(Deserialize)]
    struct Return {
        query: String,
    }

    fn fixture<T: for<'de> Deserialize<'de>>(name: &str) -> T {
        let path = format!("{}/benches/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    pub fn benches(c: &mut Criterion) {
        let single: SingleUse = fixture("singleuse.json");
        let ret: Return = fixture("return.json");
        let secret = SecretKey::new(&single.secret).expect("fixture secret");
        let signer = Signer::new(&secret);
        let endpoint = Endpoint::parse(&single.endpoint).expect("fixture endpoint");
        let cbui = CbuiEndpoint::custom(&single.endpoint).expect("fixture endpoint");
        let request = CbuiRequest::from_pairs(single.params.iter().map(|(n, v)| (n.as_str(), v.as_str())))
            .expect("fixture request");

        let mut group = c.benchmark_group("sign");
        // The same work as the Python peer: pairs -> canonical query -> string to sign -> HMAC -> base64.
        group.bench_function("raw_pairs", |b| {
            b.iter(|| {
                signer.sign_pairs(
                    request.signature_method(),
                    HttpMethod::Get,
                    &endpoint,
                    black_box(&single.params),
                    "signature",
                )
            })
        });
        // A prebuilt typed request: canonicalize + sign.
        group.bench_function("canonicalize_sign", |b| {
            b.iter(|| signer.sign_cbui(black_box(&request), &cbui))
        });
        // Untrusted pairs validated into a typed request, then canonicalized and signed.
        group.bench_function("build_canonicalize_sign", |b| {
            b.iter(|| {
                let pairs = black_box(&single.params)
                    .iter()
                    .map(|(n, v)| (n.as_str(), v.as_str()));
                let request = CbuiRequest::from_pairs(pairs).expect("valid");
                signer.sign_cbui(&request, &cbui)
            })
        });
        // Canonicalization alone: encode, sort, join.
        group.bench_function("canonical_only", |b| {
            b.iter(|| {
                fps_core::CanonicalQuery::new(
                    black_box(&single.params)
                        .iter()
                        .map(|(n, v)| (n.as_str(), v.as_str())),
                )
            })
        });
        // The floor: the MAC and base64 alone over the prebuilt string to sign.
        let string_to_sign = request.string_to_sign(&cbui);
        group.bench_function("hmac_only", |b| {
            b.iter(|| signer.sign(request.signature_method(), black_box(&string_to_sign)))
        });
        group.finish();

        c.bench_function("parse_return", |b| {
            b.iter(|| CbuiReturn::parse(black_box(&ret.query)).expect("valid"))
        });
    }
}

#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_group!(benches, native::benches);
#[cfg(not(target_arch = "wasm32"))]
criterion::criterion_main!(benches);

#[cfg(target_arch = "wasm32")]
fn main() {}
