//! Hostile rows for the shop's public routes: `/healthz`, unknown paths, `POST /api/orders` and
//! `POST /fps/sign`.

use super::{case, many_params, nested_json, Case, Inputs};
use reqwest::header::HeaderValue;
use reqwest::Method;
use serde_json::{json, Value};

pub(super) fn cases(inputs: &Inputs) -> Vec<Case> {
    use Method as M;
    let Inputs { sign, big, .. } = inputs;
    let with_param = |name: &str, value: Value| inputs.with_param(name, value);

    let many_headers = (0..120).fold(
        case(M::GET, "/healthz", "120 extra headers", 431, None),
        |c, i| {
            let name: &'static str = Box::leak(format!("x-h{i}").into_boxed_str());
            c.header(name, HeaderValue::from_static("1"))
        },
    );

    vec![
        // /healthz
        case(
            M::POST,
            "/healthz",
            "wrong method (POST)",
            405,
            Some("METHOD_NOT_ALLOWED"),
        ),
        case(M::GET, "/healthz", "20 KB header", 431, Some("HEADERS_TOO_LARGE")).header(
            "x-junk",
            HeaderValue::from_str(&"a".repeat(20 * 1024)).expect("header"),
        ),
        case(M::GET, "/healthz", "1 MB header", 431, None).header(
            "x-junk",
            HeaderValue::from_str(&"a".repeat(1024 * 1024)).expect("header"),
        ),
        many_headers,
        // Unknown paths
        case(M::GET, "/nope", "unknown path", 404, Some("NO_SUCH_PATH")),
        case(
            M::GET,
            "/API/ORDERS",
            "path in upper case",
            404,
            Some("NO_SUCH_PATH"),
        ),
        case(
            M::GET,
            "/%FF%FE",
            "non-UTF-8 percent-encoded path",
            404,
            Some("NO_SUCH_PATH"),
        ),
        // POST /api/orders
        case(
            M::PUT,
            "/api/orders",
            "wrong method (PUT)",
            405,
            Some("METHOD_NOT_ALLOWED"),
        ),
        case(
            M::DELETE,
            "/api/orders",
            "wrong method (DELETE)",
            405,
            Some("METHOD_NOT_ALLOWED"),
        ),
        case(
            M::POST,
            "/api/orders",
            "no body, no content type",
            415,
            Some("UNSUPPORTED_MEDIA_TYPE"),
        ),
        case(
            M::POST,
            "/api/orders",
            "JSON sent as text/plain",
            415,
            Some("UNSUPPORTED_MEDIA_TYPE"),
        )
        .text(r#"{"items":[{"sku":"MUG-ENAMEL","quantity":1}]}"#),
        case(
            M::POST,
            "/api/orders",
            "empty JSON body",
            400,
            Some("INVALID_BODY"),
        )
        .json(""),
        case(
            M::POST,
            "/api/orders",
            "truncated JSON",
            400,
            Some("INVALID_BODY"),
        )
        .json(r#"{"items":[{"sku""#),
        case(
            M::POST,
            "/api/orders",
            "JSON array instead of object",
            422,
            Some("INVALID_BODY"),
        )
        .json("[]"),
        case(
            M::POST,
            "/api/orders",
            "missing field items",
            422,
            Some("INVALID_BODY"),
        )
        .json("{}"),
        case(M::POST, "/api/orders", "unknown field", 422, Some("INVALID_BODY"))
            .json(r#"{"items":[{"sku":"MUG-ENAMEL","quantity":1}],"amount":"0.01"}"#),
        case(
            M::POST,
            "/api/orders",
            "duplicate key items",
            422,
            Some("INVALID_BODY"),
        )
        .json(r#"{"items":[],"items":[{"sku":"MUG-ENAMEL","quantity":1}]}"#),
        case(
            M::POST,
            "/api/orders",
            "quantity as string",
            422,
            Some("INVALID_BODY"),
        )
        .json(r#"{"items":[{"sku":"MUG-ENAMEL","quantity":"1"}]}"#),
        case(M::POST, "/api/orders", "quantity 2^64", 422, Some("INVALID_BODY"))
            .json(r#"{"items":[{"sku":"MUG-ENAMEL","quantity":18446744073709551616}]}"#),
        case(
            M::POST,
            "/api/orders",
            "quantity 4294967295 (overflow)",
            400,
            Some("INVALID_ORDER"),
        )
        .json(r#"{"items":[{"sku":"MUG-ENAMEL","quantity":4294967295}]}"#),
        case(M::POST, "/api/orders", "quantity 1.5", 422, Some("INVALID_BODY"))
            .json(r#"{"items":[{"sku":"MUG-ENAMEL","quantity":1.5}]}"#),
        case(M::POST, "/api/orders", "empty items", 400, Some("INVALID_ORDER")).json(r#"{"items":[]}"#),
        case(M::POST, "/api/orders", "unknown SKU", 400, Some("INVALID_ORDER"))
            .json(r#"{"items":[{"sku":"NOPE","quantity":1}]}"#),
        case(
            M::POST,
            "/api/orders",
            "SKU with Cyrillic look-alike",
            400,
            Some("INVALID_ORDER"),
        )
        .json(r#"{"items":[{"sku":"MUG-ЕNAMEL","quantity":1}]}"#),
        case(
            M::POST,
            "/api/orders",
            "SKU with NUL and RTL override",
            400,
            Some("INVALID_ORDER"),
        )
        .json("{\"items\":[{\"sku\":\"MUG\\u0000\u{202E}ENAMEL\",\"quantity\":1}]}"),
        case(
            M::POST,
            "/api/orders",
            "lone surrogate escape",
            400,
            Some("INVALID_BODY"),
        )
        .json(r#"{"items":[{"sku":"\ud800","quantity":1}]}"#),
        case(
            M::POST,
            "/api/orders",
            "invalid UTF-8 in JSON",
            400,
            Some("INVALID_BODY"),
        )
        .json(b"{\"items\":[{\"sku\":\"\xff\xfe\",\"quantity\":1}]}".to_vec()),
        case(
            M::POST,
            "/api/orders",
            "UTF-8 BOM before JSON",
            400,
            Some("INVALID_BODY"),
        )
        .json(b"\xef\xbb\xbf{\"items\":[]}".to_vec()),
        case(
            M::POST,
            "/api/orders",
            "JSON nested 10 000 deep",
            422,
            Some("INVALID_BODY"),
        )
        .json(nested_json(10_000)),
        case(
            M::POST,
            "/api/orders",
            "5 000 items (175 KB)",
            413,
            Some("BODY_TOO_LARGE"),
        )
        .json(format!(
            "{{\"items\":[{}]}}",
            vec![r#"{"sku":"MUG-ENAMEL","quantity":1}"#; 5_000].join(",")
        )),
        case(M::POST, "/api/orders", "70 KB body", 413, Some("BODY_TOO_LARGE"))
            .json(format!("{{\"items\":[],\"pad\":\"{big}\"}}")),
        // POST /fps/sign
        case(
            M::GET,
            "/fps/sign",
            "wrong method (GET)",
            405,
            Some("METHOD_NOT_ALLOWED"),
        ),
        case(
            M::POST,
            "/fps/sign",
            "form-encoded body",
            415,
            Some("UNSUPPORTED_MEDIA_TYPE"),
        )
        .typed("application/x-www-form-urlencoded", "pipeline=SingleUse"),
        case(M::POST, "/fps/sign", "not JSON", 400, Some("INVALID_BODY")).json("pipeline=SingleUse"),
        case(M::POST, "/fps/sign", "missing params", 422, Some("INVALID_BODY"))
            .json(r#"{"pipeline":"SingleUse"}"#),
        case(
            M::POST,
            "/fps/sign",
            "params as a string",
            422,
            Some("INVALID_BODY"),
        )
        .json(r#"{"pipeline":"SingleUse","params":"callerKey=x"}"#),
        case(M::POST, "/fps/sign", "a number value", 422, Some("INVALID_BODY"))
            .json(with_param("transactionAmount", json!(12.5))),
        case(M::POST, "/fps/sign", "a null value", 422, Some("INVALID_BODY"))
            .json(with_param("paymentReason", Value::Null)),
        case(M::POST, "/fps/sign", "49 parameters", 422, Some("INVALID_BODY")).json(many_params(49)),
        case(
            M::POST,
            "/fps/sign",
            "3 000-byte value",
            400,
            Some("PARAMETER_TOO_LARGE"),
        )
        .json(with_param("paymentReason", json!("x".repeat(3000)))),
        case(M::POST, "/fps/sign", "17 KB body", 413, Some("BODY_TOO_LARGE")).json(format!(
            "{{\"pipeline\":\"SingleUse\",\"params\":{{\"a\":\"{}\"}}}}",
            "x".repeat(17 * 1024)
        )),
        case(
            M::POST,
            "/fps/sign",
            "duplicate transactionAmount",
            400,
            Some("INVALID_PARAMETER"),
        )
        .json(serde_json::to_string(&sign).expect("json").replacen(
            "\"params\":{",
            "\"params\":{\"transactionAmount\":\"0.01\",",
            1,
        )),
        case(
            M::POST,
            "/fps/sign",
            "unknown parameter",
            400,
            Some("INVALID_PARAMETER"),
        )
        .json(with_param("extra", json!("1"))),
        case(
            M::POST,
            "/fps/sign",
            "full-width digits in amount",
            400,
            Some("INVALID_PARAMETER"),
        )
        .json(with_param("transactionAmount", json!("１２.50"))),
        case(
            M::POST,
            "/fps/sign",
            "amount changed",
            403,
            Some("AMOUNT_MISMATCH"),
        )
        .json(with_param("transactionAmount", json!("0.01"))),
        case(
            M::POST,
            "/fps/sign",
            "foreign returnURL",
            403,
            Some("RETURN_URL_NOT_ALLOWED"),
        )
        .json(with_param("returnURL", json!("https://evil.example/thanks"))),
        case(
            M::POST,
            "/fps/sign",
            "foreign callerKey",
            403,
            Some("FOREIGN_CALLER_KEY"),
        )
        .json(with_param("callerKey", json!("AKIAOTHERKEY00000000"))),
        case(
            M::POST,
            "/fps/sign",
            "unknown callerReference",
            404,
            Some("UNKNOWN_ORDER"),
        )
        .json(with_param("callerReference", json!("ord-does-not-exist"))),
        case(
            M::POST,
            "/fps/sign",
            "pipeline MultiUse",
            403,
            Some("PIPELINE_NOT_ALLOWED"),
        )
        .json(
            serde_json::to_vec(&json!({ "pipeline": "MultiUse", "params": sign["params"] })).expect("json"),
        ),
    ]
}
