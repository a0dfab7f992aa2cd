//! The account pages over HTTP (`/account`): test accounts sign in with the sandbox password
//! (an HttpOnly, SameSite=Strict cookie), see balance, transactions with status history and fees,
//! and tokens, escaped under the no-script CSP; a buyer cancels its reserved payment and a token
//! there and the caller gets the IPN; a marketplace's seller gets an e-mail for each payment.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::sandbox_support::*;
use axum::extract::State;
use axum::routing::post;
use axum::Router;
use fps_core::canonical::{decode_query, PlusIs};
use fps_core::CbuiReturn;

/// A merchant's IPN endpoint that keeps every body.
async fn ipn_receiver() -> (String, Arc<Mutex<Vec<String>>>) {
    let log: Arc<Mutex<Vec<String>>> = Arc::default();
    async fn receive(State(log): State<Arc<Mutex<Vec<String>>>>, body: String) {
        log.lock().unwrap().push(body);
    }
    let app = Router::new().route("/ipn", post(receive)).with_state(log.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/ipn", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, log)
}

/// Waits (bounded) for an IPN whose fields include every pair of `want`.
async fn ipn_with(log: &Arc<Mutex<Vec<String>>>, want: &[(&str, &str)]) -> Vec<(String, String)> {
    for _ in 0..400 {
        let bodies = log.lock().unwrap().clone();
        for body in bodies {
            let fields = decode_query(&body, PlusIs::Space).unwrap();
            let has = |(n, v): &(&str, &str)| fields.iter().any(|(fn_, fv)| fn_ == n && fv == v);
            if want.iter().all(has) {
                return fields;
            }
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("no IPN with {want:?} in {:?}", log.lock().unwrap());
}

/// A page answer: status, Location, Set-Cookie, Content-Security-Policy, body.
struct Page {
    status: u16,
    location: Option<String>,
    cookie: Option<String>,
    csp: Option<String>,
    body: String,
}

async fn request(h: &Harness, path: &str, cookie: Option<&str>, form: Option<&[(&str, &str)]>) -> Page {
    let url = format!("{}{path}", h.sandbox.base_url());
    let mut builder = match form {
        Some(form) => {
            let body: Vec<String> = form
                .iter()
                .map(|(n, v)| format!("{}={}", fps_core::encode(n), fps_core::encode(v)))
                .collect();
            h.http
                .post(url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body.join("&"))
        }
        None => h.http.get(url),
    };
    if let Some(cookie) = cookie {
        builder = builder.header("cookie", cookie);
    }
    let response = builder.send().await.unwrap();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    Page {
        status: response.status().as_u16(),
        location: header("location"),
        cookie: header("set-cookie"),
        csp: header("content-security-policy"),
        body: response.text().await.unwrap(),
    }
}

/// Signs in as `email`; returns the `Cookie` header value.
async fn sign_in(h: &Harness, email: &str) -> String {
    let page = request(
        h,
        "/account/signin",
        None,
        Some(&[("email", email), ("password", "sandbox")]),
    )
    .await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(page.location.as_deref(), Some("/account"));
    let cookie = page.cookie.unwrap();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/account"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    cookie.split(';').next().unwrap().to_owned()
}

fn form_token(page: &str) -> String {
    let marker = "name=\"formToken\" value=\"";
    let start = page
        .find(marker)
        .unwrap_or_else(|| panic!("no form token in {page}"))
        + marker.len();
    page[start..start + 32].to_owned()
}

/// A token of `key`'s for the buyer with a payment reason.
async fn token_with_reason(
    h: &Harness,
    key: &str,
    reference: &str,
    amount: &str,
    method: &str,
    reserve: bool,
) -> String {
    let mut params = vec![
        ("pipelineName", "SingleUse"),
        ("returnURL", "https://shop.example/thanks"),
        ("callerReference", reference),
        ("transactionAmount", amount),
        ("paymentReason", "Tent <script>alert(1)</script>"),
    ];
    if reserve {
        params.push(("reserve", "True"));
    }
    let landing = h
        .approve(&h.cbui_url(key, &params), "buyer@sandbox.test", method)
        .await;
    let parsed = CbuiReturn::parse(landing.split_once('?').unwrap().1).unwrap();
    assert!(parsed.is_success(), "{landing}");
    parsed.token_id.unwrap().as_str().to_owned()
}

#[tokio::test]
async fn accounts_sign_in_and_see_balance_transactions_and_tokens() {
    let h = Harness::start(50, None).await;
    let token = token_with_reason(&h, KEY, "page-1", "10.00", "ABT", false).await;
    let paid = h.pay("Pay", &token, "page-1", "10.00").await;
    let id = paid
        .tag("TransactionId")
        .unwrap_or_else(|| panic!("{}", paid.body));

    // Signed out: the sign-in page; a wrong password signs nobody in.
    let page = request(&h, "/account", None, None).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Sign in to your account"), "{}", page.body);
    assert_eq!(page.csp.as_deref(), Some(fps_sandbox::cbui::pages::CSP));
    let wrong = request(
        &h,
        "/account/signin",
        None,
        Some(&[("email", "buyer@sandbox.test"), ("password", "nope")]),
    )
    .await;
    assert_eq!(wrong.status, 200);
    assert!(wrong.cookie.is_none());
    assert!(wrong.body.contains("role=\"alert\""), "{}", wrong.body);
    // A forged cookie is no sign-in.
    let forged = request(
        &h,
        "/account",
        Some("fps_sandbox_account=0123456789abcdef0123456789abcdef"),
        None,
    )
    .await;
    assert!(forged.body.contains("Sign in to your account"));

    // The buyer: paid $10.00 from its balance, the reason escaped, the history and FPS's fee shown.
    let buyer = sign_in(&h, "Buyer@Sandbox.test").await;
    let page = request(&h, "/account", Some(&buyer), None).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.csp.as_deref(), Some(fps_sandbox::cbui::pages::CSP));
    let body = &page.body;
    assert!(body.contains("<h1>Test Buyer</h1>"), "{body}");
    assert!(
        body.contains(&format!("data-transaction=\"{id}\" data-status=\"Success\"")),
        "{body}"
    );
    assert!(body.contains("data-minor=\"-1000\">-$10.00"), "{body}");
    assert!(body.contains("FPS $0.16"), "{body}");
    assert!(body.contains("Success (Success, $10.00)"), "{body}");
    assert!(
        body.contains("Tent &lt;script&gt;alert(1)&lt;/script&gt;"),
        "{body}"
    );
    assert!(!body.contains("<script>"), "{body}");
    assert!(body.contains(&format!("data-token=\"{token}\"")), "{body}");
    // A completed payment cannot be cancelled here (refunds are the merchant's).
    assert!(!body.contains("Cancel payment"), "{body}");

    // The caller's own account: $9.84 net, the same transaction.
    let shop = sign_in(&h, CALLER_EMAIL).await;
    let page = request(&h, "/account", Some(&shop), None).await;
    assert!(page.body.contains("data-minor=\"984\">$9.84"), "{}", page.body);
    assert!(page.body.contains(&id));

    // Signing out ends the sign-in for good.
    let token = form_token(&page.body);
    let out = request(
        &h,
        "/account/signout",
        Some(&shop),
        Some(&[("formToken", &token)]),
    )
    .await;
    assert_eq!(out.status, 303);
    assert!(out.cookie.unwrap().contains("Max-Age=0"));
    let after = request(&h, "/account", Some(&shop), None).await;
    assert!(after.body.contains("Sign in to your account"));
    h.sandbox.stop().await;
}

#[tokio::test]
async fn a_buyer_cancels_a_reserved_payment_and_a_token_and_the_caller_hears_by_ipn() {
    let (ipn_url, log) = ipn_receiver().await;
    let h = Harness::start(50, Some(ipn_url)).await;
    let token = token_with_reason(&h, KEY, "page-2", "25.00", "CC", true).await;
    let reserved = h.pay("Reserve", &token, "page-2", "25.00").await;
    let id = reserved
        .tag("TransactionId")
        .unwrap_or_else(|| panic!("{}", reserved.body));
    assert_eq!(h.settled_status(&id).await, "Reserved");

    // Another buyer cannot cancel it.
    let other = sign_in(&h, "balance-only@sandbox.test").await;
    let page = request(&h, "/account", Some(&other), None).await;
    let refused = request(
        &h,
        "/account/cancel-payment",
        Some(&other),
        Some(&[("formToken", &form_token(&page.body)), ("transaction", &id)]),
    )
    .await;
    assert_eq!(refused.status, 409);
    assert!(
        refused
            .body
            .contains("You made no payment with this transaction id."),
        "{}",
        refused.body
    );

    // The buyer sees it reserved with a Cancel button; the form needs its token.
    let buyer = sign_in(&h, "buyer@sandbox.test").await;
    let page = request(&h, "/account", Some(&buyer), None).await;
    assert!(
        page.body
            .contains(&format!("data-transaction=\"{id}\" data-status=\"Reserved\"")),
        "{}",
        page.body
    );
    assert!(page.body.contains("Cancel payment"));
    let forged = request(
        &h,
        "/account/cancel-payment",
        Some(&buyer),
        Some(&[("transaction", &id)]),
    )
    .await;
    assert_eq!(forged.status, 403);
    let stale = request(
        &h,
        "/account/cancel-payment",
        Some(&buyer),
        Some(&[("formToken", &form_token(&page.body)), ("transaction", &id)]),
    )
    .await;
    assert_eq!(stale.status, 303, "{}", stale.body);
    assert_eq!(stale.location.as_deref(), Some("/account?done=payment-cancelled"));
    let status = h
        .call(&[("Action", "GetTransactionStatus"), ("TransactionId", &id)])
        .await;
    assert_eq!(status.tag("TransactionStatus").as_deref(), Some("Cancelled"));
    assert_eq!(status.tag("StatusCode").as_deref(), Some("Canceled"));
    let ipn = ipn_with(
        &log,
        &[("transactionId", &id), ("transactionStatus", "CANCELLED")],
    )
    .await;
    assert!(
        ipn.iter().any(|(n, v)| n == "operation" && v == "RESERVE"),
        "{ipn:?}"
    );
    let page = request(&h, "/account?done=payment-cancelled", Some(&buyer), None).await;
    assert!(page.body.contains("The payment was cancelled."), "{}", page.body);
    assert!(page.body.contains("cancelled by the sender"), "{}", page.body);
    // Cancelled once: again is refused, and nothing moves.
    let again = request(
        &h,
        "/account/cancel-payment",
        Some(&buyer),
        Some(&[("formToken", &form_token(&page.body)), ("transaction", &id)]),
    )
    .await;
    assert_eq!(again.status, 409);

    // An unused authorization: cancelled, the caller told (TokenCancellation), no longer usable.
    let unused = token_with_reason(&h, KEY, "page-3", "5.00", "CC", false).await;
    let cancelled = request(
        &h,
        "/account/cancel-token",
        Some(&buyer),
        Some(&[("formToken", &form_token(&page.body)), ("token", &unused)]),
    )
    .await;
    assert_eq!(
        cancelled.location.as_deref(),
        Some("/account?done=token-cancelled")
    );
    let got = h
        .call(&[("Action", "GetTokenByCaller"), ("TokenId", &unused)])
        .await;
    assert_eq!(
        got.tag("TokenStatus").as_deref(),
        Some("Inactive"),
        "{}",
        got.body
    );
    ipn_with(
        &log,
        &[("notificationType", "TokenCancellation"), ("tokenId", &unused)],
    )
    .await;
    let pay = h.pay("Pay", &unused, "page-3", "5.00").await;
    assert_eq!(pay.error_code(), "TokenNotActive_Sender");
    h.sandbox.stop().await;
}

#[tokio::test]
async fn a_marketplace_seller_gets_an_email_for_each_payment_to_it() {
    let h = Harness::start(50, None).await;
    let landing = h
        .approve(
            &h.cbui_url(
                MARKET_KEY,
                &[
                    ("pipelineName", "Recipient"),
                    ("returnURL", "https://market.example/registered"),
                    ("callerReference", "seller-1"),
                    ("recipientPaysFee", "True"),
                ],
            ),
            SELLER_EMAIL,
            "ABT",
        )
        .await;
    let recipient = CbuiReturn::parse(landing.split_once('?').unwrap().1).unwrap();
    let recipient_token = recipient.token_id.unwrap().as_str().to_owned();
    let token = token_with_reason(&h, MARKET_KEY, "market-1", "10.00", "ABT", false).await;
    let paid = h
        .call_as(
            MARKET_KEY,
            &[
                ("Action", "Pay"),
                ("CallerReference", "market-1"),
                ("SenderTokenId", &token),
                ("RecipientTokenId", &recipient_token),
                ("TransactionAmount.Value", "10.00"),
                ("TransactionAmount.CurrencyCode", "USD"),
                ("MarketplaceFixedFee.Value", "1.00"),
                ("MarketplaceFixedFee.CurrencyCode", "USD"),
            ],
        )
        .await;
    let id = paid
        .tag("TransactionId")
        .unwrap_or_else(|| panic!("{}", paid.body));
    // A shop's own sale (no seller) sends none.
    let own = token_with_reason(&h, KEY, "own-1", "3.00", "ABT", false).await;
    h.pay("Pay", &own, "own-1", "3.00").await;

    let (status, _, outbox) = h.get(&format!("{}/outbox", h.sandbox.base_url())).await;
    assert_eq!(status, 200);
    let received = format!("data-kind=\"payment_received\" data-transaction=\"{id}\"");
    assert_eq!(
        outbox.matches("data-kind=\"payment_received\"").count(),
        1,
        "{outbox}"
    );
    let at = outbox.find(&received).unwrap_or_else(|| panic!("{outbox}"));
    let email = &outbox[at..];
    assert!(
        email.contains(&format!("<strong>To:</strong> {SELLER_EMAIL}")),
        "{email}"
    );
    // $10.00 less the marketplace's $1.00 and FPS's $0.16.
    assert!(email.contains("Fees: $1.16; $8.84 is added"), "{email}");

    // The seller's own account page shows the payment and the money.
    let seller = sign_in(&h, SELLER_EMAIL).await;
    let page = request(&h, "/account", Some(&seller), None).await;
    assert!(page.body.contains(&id), "{}", page.body);
    assert!(page.body.contains("data-minor=\"884\""), "{}", page.body);
    h.sandbox.stop().await;
}

#[tokio::test]
async fn pay_and_reserve_keep_their_descriptions_and_show_each_to_its_reader() {
    let h = Harness::start(50, None).await;
    let token = token_with_reason(&h, KEY, "desc-1", "7.00", "ABT", false).await;
    let paid = h
        .call(&[
            ("Action", "Pay"),
            ("CallerReference", "desc-1"),
            ("SenderTokenId", &token),
            ("TransactionAmount.Value", "7.00"),
            ("TransactionAmount.CurrencyCode", "USD"),
            ("SenderDescription", "Trailhead <b>order</b>"),
            ("CallerDescription", "Web shop order desc-1"),
        ])
        .await;
    let id = paid
        .tag("TransactionId")
        .unwrap_or_else(|| panic!("{}", paid.body));
    // GetTransaction gives both back (XML-escaped).
    let details = h
        .call(&[("Action", "GetTransaction"), ("TransactionId", &id)])
        .await;
    assert_eq!(
        details.tag("SenderDescription").as_deref(),
        Some("Trailhead &lt;b&gt;order&lt;/b&gt;"),
        "{}",
        details.body
    );
    assert_eq!(
        details.tag("CallerDescription").as_deref(),
        Some("Web shop order desc-1"),
        "{}",
        details.body
    );
    // Reserve keeps them too.
    let token = token_with_reason(&h, KEY, "desc-2", "9.00", "CC", true).await;
    let reserved = h
        .call(&[
            ("Action", "Reserve"),
            ("CallerReference", "desc-2"),
            ("SenderTokenId", &token),
            ("TransactionAmount.Value", "9.00"),
            ("TransactionAmount.CurrencyCode", "USD"),
            ("SenderDescription", "Trailhead tent"),
        ])
        .await;
    let reserve_id = reserved
        .tag("TransactionId")
        .unwrap_or_else(|| panic!("{}", reserved.body));
    let details = h
        .call(&[("Action", "GetTransaction"), ("TransactionId", &reserve_id)])
        .await;
    assert_eq!(
        details.tag("SenderDescription").as_deref(),
        Some("Trailhead tent"),
        "{}",
        details.body
    );
    // Longer than FPS takes: refused.
    let long = "x".repeat(161);
    let refused = h
        .call(&[
            ("Action", "Pay"),
            ("CallerReference", "desc-3"),
            ("SenderTokenId", &token),
            ("TransactionAmount.Value", "1.00"),
            ("TransactionAmount.CurrencyCode", "USD"),
            ("SenderDescription", &long),
        ])
        .await;
    assert_eq!(refused.status, 400, "{}", refused.body);

    // The buyer's account shows the sender description (escaped), the caller's its own.
    let buyer = sign_in(&h, "buyer@sandbox.test").await;
    let page = request(&h, "/account", Some(&buyer), None).await;
    assert!(
        page.body
            .contains("<span class=\"sender-description\">Trailhead &lt;b&gt;order&lt;/b&gt;</span>"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("Web shop order desc-1"), "{}", page.body);
    let shop = sign_in(&h, CALLER_EMAIL).await;
    let page = request(&h, "/account", Some(&shop), None).await;
    assert!(
        page.body
            .contains("<span class=\"caller-description\">Web shop order desc-1</span>"),
        "{}",
        page.body
    );
    h.sandbox.stop().await;
}
