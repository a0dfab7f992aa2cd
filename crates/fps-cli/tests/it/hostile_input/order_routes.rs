//! Hostile rows for the order routes: the shopper's order page API (`/api/shop/orders/...`) and
//! the admin routes (`/api/orders...`).

use super::{case, Case, Inputs};
use crate::common::*;
use reqwest::header::HeaderValue;
use reqwest::Method;

pub(super) fn cases(inputs: &Inputs) -> Vec<Case> {
    use Method as M;
    let Inputs {
        r,
        settle,
        refund,
        cancel,
        get_one,
        ..
    } = inputs;
    vec![
        // The shopper's order page API (the key goes in Fps-Order-Key; these requests carry none
        // or a wrong one: every answer is the same 404, which tells nobody which orders exist).
        case(
            M::GET,
            &format!("/api/shop/orders/{r}"),
            "no order key",
            404,
            Some("UNKNOWN_ORDER"),
        ),
        case(
            M::GET,
            &format!("/api/shop/orders/{r}"),
            "order key with non-ASCII bytes",
            404,
            Some("UNKNOWN_ORDER"),
        )
        .header(
            "fps-order-key",
            HeaderValue::from_bytes(b"\xff\xfekey").expect("h"),
        ),
        case(
            M::GET,
            &format!("/api/shop/orders/{r}"),
            "the admin token as order key",
            404,
            Some("UNKNOWN_ORDER"),
        )
        .header("fps-order-key", HeaderValue::from_static(ADMIN_TOKEN)),
        case(
            M::POST,
            &format!("/api/shop/orders/{r}/cancel"),
            "cancel without key",
            404,
            Some("UNKNOWN_ORDER"),
        ),
        case(
            M::POST,
            &format!("/api/shop/orders/{r}/reauthorize"),
            "reauthorize, 5 KB key",
            404,
            Some("UNKNOWN_ORDER"),
        )
        .header(
            "fps-order-key",
            HeaderValue::from_str(&"k".repeat(5000)).expect("h"),
        ),
        case(
            M::GET,
            &format!("/api/shop/orders/{r}/cancel"),
            "GET on cancel",
            405,
            Some("METHOD_NOT_ALLOWED"),
        ),
        case(
            M::POST,
            &format!("/api/shop/orders/{r}/cancel"),
            "70 KB body",
            413,
            Some("BODY_TOO_LARGE"),
        )
        .text("x".repeat(70 * 1024)),
        case(
            M::GET,
            "/api/shop/orders/%FF%FE",
            "reference not UTF-8",
            400,
            Some("INVALID_PATH"),
        ),
        // Admin routes
        case(M::GET, "/api/orders", "no token", 401, Some("UNAUTHORIZED")),
        case(M::GET, "/api/orders", "wrong token", 401, Some("UNAUTHORIZED")).header(
            "authorization",
            HeaderValue::from_static("Bearer test-admin-token-0123456780"),
        ),
        case(M::GET, "/api/orders", "token as Basic", 401, Some("UNAUTHORIZED")).header(
            "authorization",
            HeaderValue::from_str(&format!("Basic {ADMIN_TOKEN}")).expect("h"),
        ),
        case(
            M::GET,
            "/api/orders",
            "token lowercase bearer",
            401,
            Some("UNAUTHORIZED"),
        )
        .header(
            "authorization",
            HeaderValue::from_str(&format!("bearer {ADMIN_TOKEN}")).expect("h"),
        ),
        case(
            M::GET,
            "/api/orders",
            "token prefix only",
            401,
            Some("UNAUTHORIZED"),
        )
        .header("authorization", HeaderValue::from_static("Bearer test-admin")),
        case(
            M::GET,
            "/api/orders",
            "non-ASCII bytes in the token",
            401,
            Some("UNAUTHORIZED"),
        )
        .header(
            "authorization",
            HeaderValue::from_bytes(b"Bearer \xfftoken").expect("h"),
        ),
        case(
            M::GET,
            "/api/orders",
            "two Authorization headers, first wrong",
            401,
            Some("UNAUTHORIZED"),
        )
        .header("authorization", HeaderValue::from_static("Bearer wrong"))
        .admin(),
        case(M::GET, get_one, "no token", 401, Some("UNAUTHORIZED")),
        case(M::POST, settle, "no token", 401, Some("UNAUTHORIZED")),
        case(M::POST, cancel, "no token", 401, Some("UNAUTHORIZED")),
        case(M::POST, refund, "no token", 401, Some("UNAUTHORIZED")),
        case(
            M::GET,
            "/api/orders?limit=abc",
            "limit not a number",
            400,
            Some("INVALID_QUERY"),
        )
        .admin(),
        case(
            M::GET,
            "/api/orders?limit=99999999999999999999",
            "limit 10^20",
            400,
            Some("INVALID_QUERY"),
        )
        .admin(),
        case(
            M::GET,
            "/api/orders?limit=1&limit=2",
            "duplicate limit",
            400,
            Some("INVALID_QUERY"),
        )
        .admin(),
        case(
            M::GET,
            "/api/orders/ord-nope",
            "unknown order",
            404,
            Some("UNKNOWN_ORDER"),
        )
        .admin(),
        case(
            M::GET,
            "/api/orders/%FF",
            "non-UTF-8 reference",
            400,
            Some("INVALID_PATH"),
        )
        .admin(),
        case(
            M::GET,
            "/api/orders/%E2%80%AE%00",
            "RTL override and NUL reference",
            404,
            Some("UNKNOWN_ORDER"),
        )
        .admin(),
        case(
            M::GET,
            settle,
            "wrong method (GET)",
            405,
            Some("METHOD_NOT_ALLOWED"),
        )
        .admin(),
        case(M::POST, settle, "not JSON", 400, Some("INVALID_BODY"))
            .admin()
            .json("amount=1"),
        case(M::POST, settle, "amount as number", 400, Some("INVALID_BODY"))
            .admin()
            .json(r#"{"amount":12.5}"#),
        case(
            M::POST,
            settle,
            "amount with 3 decimals",
            400,
            Some("INVALID_AMOUNT"),
        )
        .admin()
        .json(r#"{"amount":"1.005"}"#),
        case(M::POST, settle, "negative amount", 400, Some("INVALID_AMOUNT"))
            .admin()
            .json(r#"{"amount":"-1"}"#),
        case(
            M::POST,
            settle,
            "open order (not reserved)",
            409,
            Some("WRONG_STATE"),
        )
        .admin(),
        case(M::POST, refund, "amount 1e400", 400, Some("INVALID_AMOUNT"))
            .admin()
            .json(r#"{"amount":"1e400"}"#),
        case(
            M::POST,
            refund,
            "open order (nothing to refund)",
            409,
            Some("WRONG_STATE"),
        )
        .admin(),
        case(
            M::POST,
            cancel,
            "open order (nothing to cancel)",
            409,
            Some("WRONG_STATE"),
        )
        .admin(),
        case(
            M::POST,
            "/api/orders/ord-nope/refund",
            "unknown order",
            404,
            Some("UNKNOWN_ORDER"),
        )
        .admin(),
    ]
}
