//! Every forced and failure return status, and caller errors answered with `CE` or an error page.

use super::{parse, raw_url, single_use, url_for, verify_return, RETURN};
use crate::sandbox_support::*;
use fps_core::canonical::HttpMethod;
use fps_core::params::SignatureMethod;
use fps_core::Endpoint;
use fps_wire::signer::{sign_pairs, SecretKey};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forced_and_failure_statuses() {
    let h = Harness::start(20, None).await;
    let url = url_for(&h, &single_use("order-f", "3.00"));
    for (email, status) in [
        ("system-error@sandbox.test", "SE"),
        ("unverified@sandbox.test", "NP"),
        ("not-marketplace@sandbox.test", "NM"),
        (CALLER_EMAIL, "NP"),
    ] {
        let landing = h.approve(&url, email, "ABT").await;
        let parsed = parse(&landing);
        assert_eq!(parsed.status.code(), status, "{email}");
        assert!(parsed.token_id.is_none());
        assert!(parsed.error_message.is_some());
        assert_eq!(verify_return(&h, &landing).await, "Success");
    }
    // Balance-only buyer: PE when the request does not allow ABT, or wants a reserve.
    let mut card_only = single_use("order-pe", "3.00");
    card_only.push(("paymentMethod", "CC".into()));
    let landing = h
        .approve(&url_for(&h, &card_only), "balance-only@sandbox.test", "ABT")
        .await;
    assert_eq!(parse(&landing).status.code(), "PE");
    let mut reserve = single_use("order-pe2", "3.00");
    reserve.push(("reserve", "True".into()));
    let landing = h
        .approve(&url_for(&h, &reserve), "balance-only@sandbox.test", "ABT")
        .await;
    assert_eq!(parse(&landing).status.code(), "PE");
    let landing = h
        .approve(
            &url_for(&h, &single_use("order-ok", "3.00")),
            "balance-only@sandbox.test",
            "ABT",
        )
        .await;
    assert_eq!(parse(&landing).status.code(), "SA");
    // A reserve request offers the card only.
    let (_, _, page) = h.get(&url_for(&h, &reserve)).await;
    let session = session_of(&page);
    let (_, _, page) = h
        .post_form(
            "/cobranded-ui/actions/signin",
            &[
                ("session", &session),
                ("email", "buyer@sandbox.test"),
                ("password", "sandbox"),
                ("action", "signin"),
            ],
        )
        .await;
    assert!(
        page.contains("value=\"CC\"") && !page.contains("value=\"ABT\""),
        "{page}"
    );

    // Abandoned on the sign-in page and on the confirm page: A.
    let (_, _, page) = h.get(&url).await;
    let session = session_of(&page);
    let (status, location, _) = h
        .post_form(
            "/cobranded-ui/actions/signin",
            &[("session", &session), ("action", "cancel")],
        )
        .await;
    assert_eq!(status, 303);
    let landing = location.unwrap();
    assert_eq!(parse(&landing).status.code(), "A");
    assert_eq!(verify_return(&h, &landing).await, "Success");
    let (status, _, _) = h
        .post_form(
            "/cobranded-ui/actions/signin",
            &[("session", &session), ("action", "cancel")],
        )
        .await;
    assert_eq!(status, 409, "a finished session cannot be used again");
    let (_, _, page) = h.get(&url).await;
    let session = session_of(&page);
    h.post_form(
        "/cobranded-ui/actions/signin",
        &[
            ("session", &session),
            ("email", "buyer@sandbox.test"),
            ("password", "sandbox"),
            ("action", "signin"),
        ],
    )
    .await;
    let (status, location, _) = h
        .post_form(
            "/cobranded-ui/actions/confirm",
            &[("session", &session), ("action", "cancel")],
        )
        .await;
    assert_eq!(status, 303);
    assert_eq!(parse(&location.unwrap()).status.code(), "A");
    let (status, _, _) = h
        .post_form(
            "/cobranded-ui/actions/confirm",
            &[
                ("session", "0123456789abcdef0123456789abcdef"),
                ("action", "confirm"),
            ],
        )
        .await;
    assert_eq!(status, 404);
    h.sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn caller_errors_return_ce_or_an_error_page() {
    let h = Harness::start(20, None).await;
    let base = [
        ("callerKey", KEY),
        ("pipelineName", "SingleUse"),
        ("returnURL", RETURN),
        ("callerReference", "order-ce"),
        ("signatureMethod", "HmacSHA256"),
        ("signatureVersion", "2"),
        ("version", "2009-01-09"),
    ];
    for (name, value) in [
        ("transactionAmount", "1.234"),
        ("transactionAmount", "5."),
        ("currencyCode", "EUR"),
        ("colour", "blue"),
    ] {
        let mut pairs = base.to_vec();
        pairs.push((name, value));
        if name != "transactionAmount" {
            pairs.push(("transactionAmount", "1.00"));
        }
        let (status, location, page) = h.get(&raw_url(&h, &pairs)).await;
        assert_eq!(status, 303, "{name}={value}: {page}");
        let landing = location.unwrap();
        let parsed = parse(&landing);
        assert_eq!(parsed.status.code(), "CE", "{name}={value}");
        assert!(
            parsed.error_message.as_deref().unwrap().contains(name),
            "{:?}",
            parsed.error_message
        );
        assert_eq!(parsed.caller_reference.unwrap().as_str(), "order-ce");
        assert_eq!(verify_return(&h, &landing).await, "Success");
    }
    // Missing required parameter.
    let (status, location, _) = h.get(&raw_url(&h, &base)).await;
    assert_eq!(status, 303);
    assert_eq!(parse(&location.unwrap()).status.code(), "CE");
    // Untrustworthy requests never redirect.
    let good = url_for(&h, &single_use("order-page", "1.00"));
    let (status, location, page) = h
        .get(&good.replace("transactionAmount=1.00", "transactionAmount=9.00"))
        .await;
    assert_eq!((status, location), (403, None));
    assert!(page.contains("signature"), "{page}");
    let (status, _, _) = h.get(&good.replace(KEY, "AKIAUNKNOWNKEY000000")).await;
    assert_eq!(status, 400);
    let unsigned: String = good
        .split('&')
        .filter(|p| !p.starts_with("signature="))
        .collect::<Vec<_>>()
        .join("&");
    assert_eq!(h.get(&unsigned).await.0, 400);
    let (status, _, _) = h.get(&format!("{good}&callerReference=again")).await;
    assert_eq!(status, 400, "duplicate names are refused");
    // A case variant beside the documented name is signed but ignored: the request still lacks
    // its amount, and that is what the return says.
    let mut api_names = base.to_vec();
    api_names.push(("SignatureMethod", "HmacSHA1"));
    let (status, location, _) = h.get(&raw_url(&h, &api_names)).await;
    assert_eq!(status, 303);
    let ignored = parse(&location.unwrap());
    assert_eq!(ignored.status.code(), "CE");
    assert!(
        ignored
            .error_message
            .as_deref()
            .unwrap_or_default()
            .contains("transactionAmount"),
        "{:?}",
        ignored.error_message
    );
    // Signed for the host without its port (clients written for port 443): accepted, an
    // emulator tolerance. Signed for another port: refused, naming both strings to sign.
    let endpoint = Endpoint::parse(&h.sandbox.cbui_url()).unwrap();
    let mut complete: Vec<(String, String)> = base.iter().map(|(n, v)| ((*n).into(), (*v).into())).collect();
    complete.push(("transactionAmount".into(), "1.00".into()));
    let signed_for = |host: &str| {
        let signed_endpoint = Endpoint::parse(&format!("http://{host}/cobranded-ui/actions/start")).unwrap();
        sign_pairs(
            &SecretKey::new(SECRET).unwrap(),
            SignatureMethod::HmacSha256,
            HttpMethod::Get,
            &signed_endpoint,
            &complete,
            "signature",
        )
        .url
        .replace(signed_endpoint.without_query(), endpoint.without_query())
    };
    assert_eq!(h.get(&signed_for("127.0.0.1")).await.0, 200);
    let (status, _, page) = h.get(&signed_for("127.0.0.1:1")).await;
    assert_eq!(status, 403);
    let port = endpoint.signed_host();
    assert!(
        page.contains(&format!("&quot;GET\\n{port}\\n/cobranded-ui/actions/start\\n")),
        "{page}"
    );
    assert!(
        page.contains("&quot;GET\\n127.0.0.1\\n/cobranded-ui/actions/start\\n"),
        "{page}"
    );
    // HmacSHA1-signed start URLs work.
    let mut sha1 = single_use("order-sha1", "1.00");
    sha1.push(("signatureMethod", "HmacSHA1".into()));
    assert_eq!(h.get(&url_for(&h, &sha1)).await.0, 200);
    h.sandbox.stop().await;
}
