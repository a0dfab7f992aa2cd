//! The other pipelines: prepaid and postpaid instruments install spendable tokens, EditToken,
//! Recipient and MultiUse, and the shipping address shown or collected and returned.

use super::{parse, raw_url, single_use, url_for, verify_return, RETURN};
use crate::sandbox_support::*;
use fps_core::canonical::{decode_query, PlusIs};

/// The landing query's value of `name`.
fn landing_value(landing: &str, name: &str) -> Option<String> {
    let query = landing.split_once('?')?.1;
    decode_query(query, PlusIs::Space)
        .ok()?
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prepaid_and_postpaid_pipelines_install_their_tokens_and_instruments() {
    let h = Harness::start(20, None).await;
    let prepaid = raw_url(
        &h,
        &[
            ("callerKey", KEY),
            ("pipelineName", "SetupPrepaid"),
            ("returnURL", RETURN),
            ("callerReferenceSender", "prepaid-s-1"),
            ("callerReferenceFunding", "prepaid-f-1"),
            ("fundingAmount", "10.00"),
            ("signatureMethod", "HmacSHA256"),
            ("signatureVersion", "2"),
            ("version", "2009-01-09"),
        ],
    );
    let landing = h.approve(&prepaid, "buyer@sandbox.test", "CC").await;
    assert_eq!(parse(&landing).status.code(), "SC");
    assert_eq!(
        landing_value(&landing, "callerReference").as_deref(),
        Some("prepaid-s-1")
    );
    assert_eq!(verify_return(&h, &landing).await, "Success");
    let ids: Vec<String> = ["fundingTokenID", "prepaidSenderTokenID", "prepaidInstrumentID"]
        .iter()
        .map(|n| landing_value(&landing, n).unwrap_or_else(|| panic!("{n} in {landing}")))
        .collect();
    for id in &ids {
        assert!(
            id.len() == 64 && id.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()),
            "{id}"
        );
    }
    // The prepaid sender token spends only what FundPrepaid put in: nothing yet
    // (the whole flow is in sandbox_prepaid).
    let spend = h.pay("Pay", &ids[1], "prepaid-pay-1", "6.00").await;
    assert_eq!(spend.error_code(), "InsufficientBalance");

    let postpaid = raw_url(
        &h,
        &[
            ("callerKey", KEY),
            ("pipelineName", "SetupPostpaid"),
            ("returnURL", RETURN),
            ("callerReferenceSender", "postpaid-s-1"),
            ("callerReferenceSettlement", "postpaid-t-1"),
            ("creditLimit", "20.00"),
            ("globalAmountLimit", "50.00"),
            ("signatureMethod", "HmacSHA256"),
            ("signatureVersion", "2"),
            ("version", "2009-01-09"),
        ],
    );
    let landing = h.approve(&postpaid, "buyer@sandbox.test", "CC").await;
    assert_eq!(parse(&landing).status.code(), "SC");
    assert_eq!(verify_return(&h, &landing).await, "Success");
    let credit = landing_value(&landing, "creditSenderTokenID").expect("creditSenderTokenID");
    assert!(landing_value(&landing, "settlementTokenID").is_some());
    assert!(landing_value(&landing, "creditInstrumentID").is_some());
    let within = h.pay("Pay", &credit, "postpaid-pay-1", "20.00").await;
    assert_eq!(within.status, 200, "{}", within.body);
    let over = h.pay("Pay", &credit, "postpaid-pay-2", "0.01").await;
    assert_eq!(over.status, 400, "the credit limit is spent: {}", over.body);

    // Still validated: the credit limit above the global limit is a caller error.
    let bad = raw_url(
        &h,
        &[
            ("callerKey", KEY),
            ("pipelineName", "SetupPostpaid"),
            ("returnURL", RETURN),
            ("callerReferenceSender", "postpaid-s-2"),
            ("callerReferenceSettlement", "postpaid-t-2"),
            ("creditLimit", "60.00"),
            ("globalAmountLimit", "50.00"),
            ("signatureMethod", "HmacSHA256"),
            ("signatureVersion", "2"),
            ("version", "2009-01-09"),
        ],
    );
    let (status, location, _) = h.get(&bad).await;
    assert_eq!(status, 303);
    assert_eq!(parse(&location.unwrap()).status.code(), "CE");
    h.sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edit_token_recipient_and_multi_use_pipelines() {
    let h = Harness::start(20, None).await;
    let token = h.single_use_token("order-e", "5.00", "ABT", false).await;
    for name in ["tokenId", "tokenID"] {
        let edit = raw_url(
            &h,
            &[
                ("callerKey", KEY),
                ("pipelineName", "EditToken"),
                ("returnURL", RETURN),
                ("callerReference", "edit-1"),
                (name, &token),
                ("paymentMethod", "CC"),
                ("signatureMethod", "HmacSHA256"),
                ("signatureVersion", "2"),
                ("version", "2009-01-09"),
            ],
        );
        let landing = h.approve(&edit, "buyer@sandbox.test", "CC").await;
        let parsed = parse(&landing);
        assert_eq!(parsed.status.code(), "SU", "{name}");
        assert_eq!(parsed.token_id.unwrap().as_str(), token);
        assert_eq!(verify_return(&h, &landing).await, "Success");
    }
    // The edited token is now a card: Reserve accepts it.
    let reply = h.pay("Reserve", &token, "after-edit", "5.00").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let unknown = h.cbui_url(
        KEY,
        &[
            ("pipelineName", "EditToken"),
            ("returnURL", RETURN),
            ("callerReference", "edit-2"),
            ("tokenId", &"Z".repeat(64)),
        ],
    );
    let (status, location, _) = h.get(&unknown).await;
    assert_eq!(status, 303);
    assert_eq!(parse(&location.unwrap()).status.code(), "CE");

    // Recipient: only business accounts may sign in.
    let recipient = h.cbui_url(
        KEY,
        &[
            ("pipelineName", "Recipient"),
            ("returnURL", RETURN),
            ("callerReference", "rcp-1"),
            ("recipientPaysFee", "True"),
        ],
    );
    let (_, _, page) = h.get(&recipient).await;
    let session = session_of(&page);
    let (status, _, page) = h
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
    assert_eq!(status, 200);
    assert!(page.contains("business"), "{page}");
    let landing = h.approve(&recipient, SELLER_EMAIL, "ABT").await;
    let parsed = parse(&landing);
    assert_eq!(parsed.status.code(), "SR");
    assert!(parsed.refund_token_id.is_some());
    assert_eq!(verify_return(&h, &landing).await, "Success");
    let info = h
        .call(&[("Action", "GetTokenByCaller"), ("CallerReference", "rcp-1")])
        .await;
    assert_eq!(info.tag("TokenType").unwrap(), "Unrestricted");

    // Recurring shows its period; MultiUse its cap.
    let recurring = h.cbui_url(
        KEY,
        &[
            ("pipelineName", "Recurring"),
            ("returnURL", RETURN),
            ("callerReference", "rec-1"),
            ("transactionAmount", "9.99"),
            ("recurringPeriod", "1 Month"),
        ],
    );
    let (_, _, page) = h.get(&recurring).await;
    assert!(page.contains("$9.99 every 1 Month"), "{page}");
    let landing = h.approve(&recurring, "buyer@sandbox.test", "ACH").await;
    assert_eq!(parse(&landing).status.code(), "SB");
    h.sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shipping_address_is_shown_or_collected_and_returned() {
    let h = Harness::start(20, None).await;
    // An address in the request is shown on the confirm page.
    let mut shown = single_use("order-addr-1", "4.00");
    shown.push(("addressName", "Ada Lovelace".into()));
    shown.push(("addressLine1", "12 Analytical Row".into()));
    shown.push(("city", "London".into()));
    let (_, _, page) = h.get(&url_for(&h, &shown)).await;
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
        page.contains("Ada Lovelace<br>12 Analytical Row<br>London"),
        "{page}"
    );
    assert!(!page.contains("name=\"addressLine1\""));

    // collectShippingAddress=True: the page collects one and the return carries it, signed.
    let mut collect = single_use("order-addr-2", "4.00");
    collect.push(("collectShippingAddress", "True".into()));
    let (_, _, page) = h.get(&url_for(&h, &collect)).await;
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
        page.contains("name=\"addressLine1\"") && page.contains("value=\"Test Buyer\""),
        "{page}"
    );
    let form = |line1: &'static str| {
        let session = session.clone();
        let h = &h;
        async move {
            h.post_form(
                "/cobranded-ui/actions/confirm",
                &[
                    ("session", &session),
                    ("paymentMethod", "ABT"),
                    ("action", "confirm"),
                    ("addressName", "Grace Hopper"),
                    ("addressLine1", line1),
                    ("addressLine2", ""),
                    ("city", "Arlington"),
                    ("state", "VA"),
                    ("zip", "22201"),
                    ("country", "US"),
                    ("phoneNumber", "+1 555 0100"),
                ],
            )
            .await
        }
    };
    let (status, _, page) = form("  ").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("role=\"alert\"") && page.contains("value=\"Grace Hopper\""),
        "{page}"
    );
    let (status, location, _) = form("1 Navy Yard & Pier").await;
    assert_eq!(status, 303);
    let landing = location.unwrap();
    let parsed = parse(&landing);
    assert_eq!(parsed.status.code(), "SA");
    assert_eq!(parsed.get("addressName"), Some("Grace Hopper"));
    assert_eq!(parsed.get("addressLine1"), Some("1 Navy Yard & Pier"));
    assert_eq!(parsed.get("addressLine2"), None, "empty fields are left out");
    assert_eq!(parsed.get("zip"), Some("22201"));
    assert_eq!(parsed.get("phoneNumber"), Some("+1 555 0100"));
    assert_eq!(verify_return(&h, &landing).await, "Success");
    h.sandbox.stop().await;
}
