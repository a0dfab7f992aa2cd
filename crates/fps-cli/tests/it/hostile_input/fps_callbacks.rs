//! Hostile rows for the routes FPS calls back: `POST /fps/return` (the shopper's return from the
//! CBUI) and `POST /fps/ipn`.

use super::{case, Case, Inputs};
use crate::common::*;
use reqwest::Method;

pub(super) fn cases(inputs: &Inputs) -> Vec<Case> {
    use Method as M;
    let Inputs {
        r,
        big,
        good_return,
        unsigned_return,
        ..
    } = inputs;
    vec![
        // POST /fps/return
        case(
            M::GET,
            "/fps/return",
            "wrong method (GET)",
            405,
            Some("METHOD_NOT_ALLOWED"),
        ),
        case(M::POST, "/fps/return", "empty body", 400, Some("INVALID_RETURN")).text(""),
        case(M::POST, "/fps/return", "no status", 400, Some("INVALID_RETURN"))
            .text(format!("callerReference={r}&tokenID={TOKEN_OK}")),
        case(
            M::POST,
            "/fps/return",
            "unknown status",
            400,
            Some("INVALID_RETURN"),
        )
        .text(format!("callerReference={r}&status=XX")),
        case(
            M::POST,
            "/fps/return",
            "bad percent escape",
            400,
            Some("INVALID_RETURN"),
        )
        .text(format!("callerReference={r}&status=SC&x=%G1")),
        case(
            M::POST,
            "/fps/return",
            "percent-encoded invalid UTF-8",
            400,
            Some("INVALID_RETURN"),
        )
        .text(format!("callerReference={r}&status=SC&x=%C3%28")),
        case(
            M::POST,
            "/fps/return",
            "raw invalid UTF-8 body",
            400,
            Some("INVALID_BODY"),
        )
        .text(b"status=SC&x=\xff".to_vec()),
        case(
            M::POST,
            "/fps/return",
            "duplicate status",
            400,
            Some("INVALID_RETURN"),
        )
        .text(format!("callerReference={r}&status=A&status=SC")),
        case(
            M::POST,
            "/fps/return",
            "lowercase tokenID",
            400,
            Some("INVALID_RETURN"),
        )
        .text(format!("callerReference={r}&status=SC&tokenID=abc")),
        case(M::POST, "/fps/return", "200 pairs", 400, Some("INVALID_RETURN"))
            .text(format!("status=SC&{}", vec!["a=1"; 200].join("&"))),
        case(M::POST, "/fps/return", "9 KB query", 400, Some("INVALID_RETURN"))
            .text(format!("status=SC&x={}", "a".repeat(9 * 1024))),
        case(M::POST, "/fps/return", "70 KB body", 413, Some("BODY_TOO_LARGE")).text("x".repeat(70 * 1024)),
        case(
            M::POST,
            "/fps/return",
            "unknown order",
            404,
            Some("UNKNOWN_ORDER"),
        )
        .text(format!("callerReference=ord-nope&status=SC&tokenID={TOKEN_OK}")),
        case(
            M::POST,
            "/fps/return",
            "Unicode callerReference",
            404,
            Some("UNKNOWN_ORDER"),
        )
        .text(format!(
            "callerReference=%E2%80%AEord&status=SC&tokenID={TOKEN_OK}"
        )),
        case(
            M::POST,
            "/fps/return",
            "success without FPS signature",
            403,
            Some("SIGNATURE_INVALID"),
        )
        .text(unsigned_return.clone()),
        case(
            M::POST,
            "/fps/return",
            "forged signature",
            403,
            Some("SIGNATURE_INVALID"),
        )
        .text(format!(
            "{unsigned_return}&signatureMethod=RSA-SHA1&signatureVersion=2\
             &certificateUrl=https%3A%2F%2Ffps.example%2Fcert.pem&signature=Zm9yZ2Vk"
        )),
        case(
            M::POST,
            "/fps/return",
            "signed return, tokenID swapped",
            403,
            Some("SIGNATURE_INVALID"),
        )
        .text(good_return.replace(&token_of(good_return), TOKEN_DECLINE)),
        // POST /fps/ipn
        case(
            M::GET,
            "/fps/ipn",
            "wrong method (GET)",
            405,
            Some("METHOD_NOT_ALLOWED"),
        ),
        case(M::POST, "/fps/ipn", "empty body", 403, Some("SIGNATURE_INVALID")).text(""),
        case(
            M::POST,
            "/fps/ipn",
            "JSON instead of a form",
            403,
            Some("SIGNATURE_INVALID"),
        )
        .json(r#"{"transactionId":"T1","transactionStatus":"SUCCESS"}"#),
        case(
            M::POST,
            "/fps/ipn",
            "bad percent escape",
            400,
            Some("INVALID_NOTIFICATION"),
        )
        .typed(
            "application/x-www-form-urlencoded",
            "transactionId=%ZZ&signature=x",
        ),
        case(
            M::POST,
            "/fps/ipn",
            "duplicate transactionStatus",
            400,
            Some("INVALID_NOTIFICATION"),
        )
        .typed(
            "application/x-www-form-urlencoded",
            "transactionId=T1&transactionStatus=FAILURE&transactionStatus=SUCCESS&signature=x",
        ),
        case(
            M::POST,
            "/fps/ipn",
            "raw invalid UTF-8 body",
            400,
            Some("INVALID_BODY"),
        )
        .typed(
            "application/x-www-form-urlencoded",
            b"transactionId=\xc3\x28".to_vec(),
        ),
        case(
            M::POST,
            "/fps/ipn",
            "forged signature",
            403,
            Some("SIGNATURE_INVALID"),
        )
        .typed(
            "application/x-www-form-urlencoded",
            format!(
                "transactionId=T1&transactionStatus=SUCCESS&callerReference={r}&signatureMethod=RSA-SHA1\
                 &signatureVersion=2&certificateUrl=https%3A%2F%2Ffps.example%2Fcert.pem&signature=Zm9yZ2Vk"
            ),
        ),
        case(M::POST, "/fps/ipn", "70 KB body", 413, Some("BODY_TOO_LARGE")).text(big.as_str()),
    ]
}
