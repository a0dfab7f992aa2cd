//! The `POST /fps/sign` request parser: the JSON body (`SignRequest`, as the handler's JSON
//! extractor decodes it with serde_json), the signing policy's parse and check against an open
//! order, then signing.
//!
//! Properties: never panics; whatever the policy accepts is a request whose own pairs parse back
//! to the same request, whose signed URL carries exactly those pairs plus the signature, and
//! whose signature verifies.
#![no_main]

use std::sync::OnceLock;

use fps_core::canonical::{decode_query, HttpMethod, PlusIs, StringToSign};
use fps_core::params::{CallerKey, CbuiEndpoint};
use fps_core::{Amount, CbuiRequest, Currency, Endpoint};
use fps_merchant::order::Mode;
use fps_merchant::policy::{SignRequest, SigningPolicy};
use fps_merchant::signed_params::Branding;
use fps_merchant::store::Order;
use fps_wire::signer::{verify, SecretKey};
use libfuzzer_sys::fuzz_target;

const KEY: &str = "AKIAIOSFODNN7EXAMPLE";

struct Fixture {
    policy: SigningPolicy,
    order: Order,
    secret: SecretKey,
    endpoint: CbuiEndpoint,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| Fixture {
        policy: SigningPolicy {
            caller_key: CallerKey::new(KEY).expect("key"),
            return_urls: vec![Endpoint::parse("https://shop.example/thanks").expect("url")],
            branding: Branding::default(),
        },
        order: Order::new_open(
            "ord-1".into(),
            "[]".into(),
            "1 x Mug".into(),
            Amount::from_minor(1250, Currency::Usd).expect("amount"),
            Mode::Pay,
            0,
        ),
        secret: SecretKey::new("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY").expect("secret"),
        endpoint: CbuiEndpoint::sandbox(),
    })
}

fuzz_target!(|data: &[u8]| {
    let f = fixture();
    let Ok(body) = serde_json::from_slice::<SignRequest>(data) else {
        return;
    };
    let Ok(request) = f.policy.parse(&body) else {
        return;
    };
    // A typed request's own pairs parse back to the same request.
    let pairs = request.pairs();
    let again = CbuiRequest::from_pairs(pairs.iter().map(|(n, v)| (*n, v.as_str())))
        .expect("a request's own pairs are valid");
    assert_eq!(again, request);
    let order = (request.pipeline().caller_reference().as_str() == f.order.reference).then_some(&f.order);
    if f.policy.check(&request, order).is_err() {
        return;
    }
    let signed = fps_wire::signer::sign_cbui(&f.secret, &request, &f.endpoint);
    let (base, query) = signed.url.split_once('?').expect("a signed URL has a query");
    assert_eq!(base, f.endpoint.endpoint().without_query());
    let mut sent = decode_query(query, PlusIs::Literal).expect("the signed URL decodes");
    let signature = sent
        .iter()
        .position(|(n, _)| n == "signature")
        .map(|i| sent.remove(i).1)
        .expect("the URL carries the signature");
    let mut expected: Vec<(String, String)> =
        pairs.iter().map(|(n, v)| ((*n).to_owned(), v.clone())).collect();
    expected.sort();
    sent.sort();
    assert_eq!(sent, expected, "the URL carries other pairs than the request");
    assert_eq!(signature, signed.signature);
    assert!(verify(
        &f.secret,
        request.signature_method(),
        &StringToSign::new(HttpMethod::Get, f.endpoint.endpoint(), &request.canonical_query()),
        &signature,
    ));
});
