//! Signature Version 2 test vectors kept as data (`tests/vectors/*.json`): published AWS examples
//! and cases computed independently of this code with Python and `openssl dgst`.

use fps_core::canonical::{encode, CanonicalQuery, HttpMethod, StringToSign};
use fps_core::params::SignatureMethod;
use fps_core::Endpoint;
use fps_wire::signer::{sign, verify, SecretKey};
use serde::Deserialize;

#[derive(Deserialize)]
struct SigV2Case {
    name: String,
    method: String,
    endpoint: String,
    params: Vec<(String, String)>,
    signature_method: String,
    secret: String,
    canonical_query: String,
    string_to_sign: String,
    signature: String,
}

#[derive(Deserialize)]
struct EncodingCase {
    input: String,
    encoded: String,
}

fn load<T: for<'de> Deserialize<'de>>(file: &str) -> Vec<T> {
    let path = format!("{}/../../tests/vectors/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn every_sigv2_vector_matches_byte_for_byte() {
    let cases: Vec<SigV2Case> = load("sigv2.json");
    assert!(cases.len() >= 30, "vector file lost cases: {}", cases.len());
    assert!(cases.iter().any(|c| c.name.starts_with("published")));
    for case in &cases {
        let endpoint = Endpoint::parse(&case.endpoint).unwrap_or_else(|e| panic!("{}: {e}", case.name));
        let query = CanonicalQuery::new(case.params.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        assert_eq!(
            query.as_str(),
            case.canonical_query,
            "canonical query of {}",
            case.name
        );
        let method = match case.method.as_str() {
            "GET" => HttpMethod::Get,
            "POST" => HttpMethod::Post,
            other => panic!("{}: method {other}", case.name),
        };
        let sts = StringToSign::new(method, &endpoint, &query);
        assert_eq!(
            sts.as_str(),
            case.string_to_sign,
            "string to sign of {}",
            case.name
        );
        let mac = SignatureMethod::from_wire(&case.signature_method).expect("known method");
        let secret = SecretKey::new(&case.secret).expect("non-empty secret");
        assert_eq!(
            sign(&secret, mac, &sts),
            case.signature,
            "signature of {}",
            case.name
        );
        assert!(
            verify(&secret, mac, &sts, &case.signature),
            "verify of {}",
            case.name
        );
    }
}

#[test]
fn every_encoding_vector_matches() {
    let cases: Vec<EncodingCase> = load("encoding.json");
    assert!(cases.len() > 95);
    for case in cases {
        assert_eq!(encode(&case.input), case.encoded, "{:?}", case.input);
    }
}

/// The independently computed CBUI cases, parsed into typed requests and rendered again, give the
/// same canonical query: the typed layer adds and drops nothing, and rewrites only amounts, into
/// the two-decimal form FPS expects ("100" -> "100.00").
#[test]
fn typed_cbui_requests_reproduce_the_cbui_vectors() {
    use fps_core::params::CbuiRequest;
    let cases: Vec<SigV2Case> = load("sigv2.json");
    let mut checked = Vec::new();
    for case in cases
        .iter()
        .filter(|c| c.endpoint.ends_with("/cobranded-ui/actions/start"))
    {
        let pairs = case
            .params
            .iter()
            .filter(|(n, _)| n != "signature")
            .map(|(n, v)| (n.as_str(), v.as_str()));
        match CbuiRequest::from_pairs(pairs) {
            Ok(request) => {
                let normalized: Vec<(String, String)> = case
                    .params
                    .iter()
                    .map(|(n, v)| match AMOUNT_PARAMS.contains(&n.as_str()) {
                        true => (n.clone(), normalize_amount(v)),
                        false => (n.clone(), v.clone()),
                    })
                    .collect();
                let expected = CanonicalQuery::new(normalized.iter().map(|(n, v)| (n.as_str(), v.as_str())));
                assert_eq!(request.canonical_query(), expected, "{}", case.name);
                checked.push(case.name.as_str());
            }
            Err(e) => eprintln!("not a valid typed request ({e}): {}", case.name),
        }
    }
    eprintln!("typed requests checked: {checked:#?}");
    assert!(
        checked.len() >= 10,
        "only {} CBUI vectors parsed as typed requests",
        checked.len()
    );
}

const AMOUNT_PARAMS: &[&str] = &[
    "transactionAmount",
    "globalAmountLimit",
    "fundingAmount",
    "creditLimit",
    "maxFixedFee",
    "itemTotal",
    "shipping",
    "handling",
    "discount",
    "tax",
    "giftWrapping",
];

/// Two-decimal form of a decimal amount, written independently of `Amount`.
fn normalize_amount(text: &str) -> String {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    format!("{whole}.{fraction:0<2}")
}
