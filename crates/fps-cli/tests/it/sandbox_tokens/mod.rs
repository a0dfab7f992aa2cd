//! Caller and recipient tokens (the One-Time Payment seed) against the real emulator over HTTP:
//! InstallPaymentInstruction (install, idempotency, refused instructions and types), the 2007 Pay
//! with `CallerTokenId`/`RecipientTokenId` beside the later versions, and the real
//! `fps-checkout install-tokens` binary.

use crate::sandbox_support::*;

const CALLER_GK: &str = "MyRole == 'Caller' orSay 'Role does not match';";
const RECIPIENT_GK: &str = "MyRole == 'Recipient' orSay 'Role does not match';";

async fn install(h: &Harness, instruction: &str, reference: &str, token_type: &str) -> Reply {
    h.call(&[
        ("Action", "InstallPaymentInstruction"),
        ("PaymentInstruction", instruction),
        ("CallerReference", reference),
        ("TokenType", token_type),
        ("TokenFriendlyName", "Test token"),
    ])
    .await
}

async fn installed(h: &Harness, instruction: &str, reference: &str) -> String {
    let reply = install(h, instruction, reference, "Unrestricted").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.tag("TokenId").unwrap()
}

/// The seed's Pay (API version 2007-01-08): caller, recipient and sender token.
async fn old_pay(
    h: &Harness,
    caller: &str,
    recipient: &str,
    sender: &str,
    reference: &str,
    amount: &str,
) -> Reply {
    h.call(&[
        ("Action", "Pay"),
        ("Version", "2007-01-08"),
        ("CallerTokenId", caller),
        ("RecipientTokenId", recipient),
        ("SenderTokenId", sender),
        ("CallerReference", reference),
        ("TransactionAmount.Value", amount),
        ("TransactionAmount.CurrencyCode", "USD"),
        ("ChargeFeeTo", "Recipient"),
        ("CallerDescription", "DigitalDownload web site"),
        ("SenderDescription", "John Customer of DigitalDownload"),
        (
            "MetaData",
            "Digital Content downloaded: Now and Forever - Richard Marx",
        ),
        ("SenderReference", "johndigitaldownload"),
        ("TransactionDate", &now_iso(0)),
    ])
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn install_payment_instruction_installs_once_per_caller_reference() {
    let h = Harness::start(20, None).await;
    let reply = install(&h, CALLER_GK, "caller-token-1", "Unrestricted").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(reply.body.contains(
        "<InstallPaymentInstructionResponse xmlns=\"http://fps.amazonaws.com/doc/2010-08-28/\"><InstallPaymentInstructionResult><TokenId>"
    ));
    let id = reply.tag("TokenId").unwrap();
    assert_eq!(id.len(), 64);
    assert!(id.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
    assert!(reply.tag("RequestId").unwrap().ends_with(":0"));

    // The same instruction under the same reference, later (another timestamp): the same token.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let again = install(&h, CALLER_GK, "caller-token-1", "Unrestricted").await;
    assert_eq!(again.tag("TokenId").unwrap(), id, "{}", again.body);
    // Another instruction, type or name under it: DuplicateRequest.
    assert_eq!(
        install(&h, RECIPIENT_GK, "caller-token-1", "Unrestricted")
            .await
            .error_code(),
        "DuplicateRequest"
    );
    assert_eq!(
        install(&h, CALLER_GK, "caller-token-1", "MultiUse")
            .await
            .error_code(),
        "DuplicateRequest"
    );
    // Another caller has its own references.
    let other = h
        .call_as(
            OTHER_KEY,
            &[
                ("Action", "InstallPaymentInstruction"),
                ("PaymentInstruction", CALLER_GK),
                ("CallerReference", "caller-token-1"),
                ("TokenType", "Unrestricted"),
                ("TokenFriendlyName", "Test token"),
            ],
        )
        .await;
    assert_ne!(other.tag("TokenId").unwrap(), id);

    // GetTokenByCaller reads it back by id and by reference.
    let token = h.call(&[("Action", "GetTokenByCaller"), ("TokenId", &id)]).await;
    assert_eq!(token.tag("FriendlyName").unwrap(), "Test token");
    assert_eq!(token.tag("TokenType").unwrap(), "Unrestricted");
    assert_eq!(token.tag("TokenStatus").unwrap(), "Active");
    let by_reference = h
        .call(&[
            ("Action", "GetTokenByCaller"),
            ("CallerReference", "caller-token-1"),
        ])
        .await;
    assert_eq!(by_reference.tag("TokenId").unwrap(), id);

    // The older API versions answer it too, in their own namespace.
    for version in ["2008-09-17", "2007-01-08"] {
        let old = h
            .call(&[
                ("Action", "InstallPaymentInstruction"),
                ("Version", version),
                ("PaymentInstruction", RECIPIENT_GK),
                ("CallerReference", &format!("recipient-{version}")),
                ("TokenType", "SingleUse"),
            ])
            .await;
        assert_eq!(old.status, 200, "{}", old.body);
        assert!(old
            .body
            .contains(&format!("xmlns=\"http://fps.amazonaws.com/doc/{version}/\"")));
    }
    h.sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn install_payment_instruction_refuses_bad_instructions_and_types() {
    let h = Harness::start(20, None).await;
    for bad in [
        "MyRole = 'Caller';",
        "MyRole == 'Owner' orSay 'x';",
        "Colour == 'red';",
        "MyRole == 'Caller' and PaymentMethod == 'CC';",
        "MyRole == 'Caller",
        ";",
    ] {
        let reply = install(&h, bad, "bad-instruction", "Unrestricted").await;
        assert_eq!(reply.error_code(), "InvalidParams", "{bad}: {}", reply.body);
        assert!(
            reply.tag("Message").unwrap().contains("PaymentInstruction"),
            "{}",
            reply.body
        );
    }
    for bad_type in ["Forever", "unrestricted", "Recipient", ""] {
        let reply = install(&h, CALLER_GK, "bad-type", bad_type).await;
        assert_eq!(reply.error_code(), "InvalidParams", "{bad_type}");
        assert!(
            reply.tag("Message").unwrap().contains("TokenType"),
            "{}",
            reply.body
        );
    }
    let missing = h
        .call(&[
            ("Action", "InstallPaymentInstruction"),
            ("PaymentInstruction", CALLER_GK),
            ("TokenType", "Unrestricted"),
        ])
        .await;
    assert_eq!(missing.error_code(), "InvalidParams");
    assert!(missing.tag("Message").unwrap().contains("CallerReference"));
    let unknown = h
        .call(&[
            ("Action", "InstallPaymentInstruction"),
            ("PaymentInstruction", CALLER_GK),
            ("CallerReference", "x"),
            ("TokenType", "Unrestricted"),
            ("RecipientTokenId", "X"),
        ])
        .await;
    assert_eq!(unknown.error_code(), "InvalidRequest");
    assert!(unknown.tag("Message").unwrap().contains("\":RecipientTokenId\""));
    // Nothing was installed under the refused references.
    let none = h
        .call(&[
            ("Action", "GetTokenByCaller"),
            ("CallerReference", "bad-instruction"),
        ])
        .await;
    assert_eq!(none.error_code(), "InvalidTokenId_Sender");
    h.sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seeds_pay_takes_caller_recipient_and_sender_tokens() {
    let h = Harness::start(20, None).await;
    let caller = installed(&h, CALLER_GK, "seed-caller").await;
    let recipient = installed(&h, RECIPIENT_GK, "seed-recipient").await;
    let sender = h.single_use_token("seed-sender", "0.10", "ABT", false).await;

    let reply = old_pay(&h, &caller, &recipient, &sender, "MP3DownloadId-AF12ES", "0.10").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(reply
        .body
        .contains("<PayResponse xmlns=\"http://fps.amazonaws.com/doc/2007-01-08/\"><PayResult>"));
    assert_eq!(reply.tag("TransactionStatus").unwrap(), "Success");
    let id = reply.tag("TransactionId").unwrap();
    let txn = h
        .call(&[("Action", "GetTransaction"), ("TransactionId", &id)])
        .await;
    assert_eq!(
        txn.tag("RecipientEmail").unwrap(),
        CALLER_EMAIL,
        "paid to the caller's own account"
    );
    assert_eq!(txn.tag("RecipientTokenId").unwrap(), recipient);
    assert_eq!(
        txn.tag("SenderDescription").unwrap(),
        "John Customer of DigitalDownload"
    );
    // The same CallerReference with other parameters.
    assert_eq!(
        old_pay(&h, &caller, &recipient, &sender, "MP3DownloadId-AF12ES", "0.09")
            .await
            .error_code(),
        "DuplicateRequest"
    );

    // The recipient token of InstallPaymentInstruction also names the caller in the later API.
    let sender2 = h.single_use_token("seed-sender-2", "2.00", "ABT", false).await;
    let later = h
        .call(&[
            ("Action", "Pay"),
            ("CallerReference", "later-version"),
            ("SenderTokenId", &sender2),
            ("RecipientTokenId", &recipient),
            ("TransactionAmount.Value", "2.00"),
            ("TransactionAmount.CurrencyCode", "USD"),
        ])
        .await;
    assert_eq!(
        later.tag("TransactionStatus").unwrap(),
        "Success",
        "{}",
        later.body
    );
    h.sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pay_refuses_tokens_in_the_wrong_role_unknown_or_cancelled() {
    let h = Harness::start(20, None).await;
    let caller = installed(&h, CALLER_GK, "role-caller").await;
    let recipient = installed(&h, RECIPIENT_GK, "role-recipient").await;
    let sender = h.single_use_token("role-sender", "5.00", "ABT", false).await;

    // Swapped: each token's instruction refuses the role it is presented in.
    let swapped = old_pay(&h, &recipient, &caller, &sender, "swap-1", "1.00").await;
    assert_eq!(swapped.error_code(), "TransactionDenied");
    let message = swapped.tag("Message").unwrap();
    assert!(message.contains("Role does not match"), "{message}");
    assert!(message.contains("caller token"), "{message}");
    let recipient_as_caller = old_pay(&h, &caller, &caller, &sender, "swap-2", "1.00").await;
    assert_eq!(recipient_as_caller.error_code(), "TransactionDenied");
    assert!(recipient_as_caller
        .tag("Message")
        .unwrap()
        .contains("recipient token"));
    // A caller or recipient token is no sender token.
    assert_eq!(
        old_pay(&h, &caller, &recipient, &caller, "swap-3", "1.00")
            .await
            .error_code(),
        "InvalidTokenId_Sender"
    );
    // Unknown tokens, a sender token as caller token, another caller's token.
    let unknown = "Z".repeat(64);
    assert_eq!(
        old_pay(&h, &unknown, &recipient, &sender, "unknown-1", "1.00")
            .await
            .error_code(),
        "InvalidTokenId_Caller"
    );
    assert_eq!(
        old_pay(&h, &caller, &unknown, &sender, "unknown-2", "1.00")
            .await
            .error_code(),
        "InvalidTokenId_Recipient"
    );
    assert_eq!(
        old_pay(&h, &sender, &recipient, &sender, "unknown-3", "1.00")
            .await
            .error_code(),
        "InvalidTokenId_Caller"
    );
    let foreign = h
        .call_as(
            OTHER_KEY,
            &[
                ("Action", "InstallPaymentInstruction"),
                ("PaymentInstruction", CALLER_GK),
                ("CallerReference", "foreign"),
                ("TokenType", "Unrestricted"),
            ],
        )
        .await
        .tag("TokenId")
        .unwrap();
    assert_eq!(
        old_pay(&h, &foreign, &recipient, &sender, "unknown-4", "1.00")
            .await
            .error_code(),
        "InvalidTokenId_Caller"
    );
    // The 2007 Pay needs all three tokens and ChargeFeeTo; the later ones take no caller token.
    let missing_recipient = h
        .call(&[
            ("Action", "Pay"),
            ("Version", "2007-01-08"),
            ("CallerTokenId", &caller),
            ("SenderTokenId", &sender),
            ("CallerReference", "missing-1"),
            ("TransactionAmount.Value", "1.00"),
            ("TransactionAmount.CurrencyCode", "USD"),
            ("ChargeFeeTo", "Recipient"),
        ])
        .await;
    assert_eq!(missing_recipient.error_code(), "InvalidParams");
    assert!(missing_recipient
        .tag("Message")
        .unwrap()
        .contains("RecipientTokenId"));
    let caller_token_later = h
        .call(&[
            ("Action", "Pay"),
            ("CallerTokenId", &caller),
            ("SenderTokenId", &sender),
            ("CallerReference", "later-1"),
            ("TransactionAmount.Value", "1.00"),
            ("TransactionAmount.CurrencyCode", "USD"),
        ])
        .await;
    assert_eq!(caller_token_later.error_code(), "InvalidParams");
    assert!(caller_token_later.tag("Message").unwrap().contains("2007-01-08"));
    let other_action = h
        .call(&[
            ("Action", "GetTransactionStatus"),
            ("Version", "2007-01-08"),
            ("TransactionId", "X"),
        ])
        .await;
    assert_eq!(other_action.error_code(), "InvalidParams");

    // None of the refused calls used the single-use sender token: it still pays, once.
    let ok = old_pay(&h, &caller, &recipient, &sender, "ok-1", "5.00").await;
    assert_eq!(ok.tag("TransactionStatus").unwrap(), "Success", "{}", ok.body);

    // A cancelled caller token is refused.
    let cancelled = h.call(&[("Action", "CancelToken"), ("TokenId", &caller)]).await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    let sender2 = h.single_use_token("role-sender-2", "1.00", "ABT", false).await;
    assert_eq!(
        old_pay(&h, &caller, &recipient, &sender2, "cancelled-1", "1.00")
            .await
            .error_code(),
        "TokenNotActive_Caller"
    );
    h.sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instructions_can_bound_method_and_amount_and_single_use_tokens_pay_once() {
    let h = Harness::start(20, None).await;
    let caller = installed(&h, CALLER_GK, "bound-caller").await;
    let bounded = installed(
        &h,
        "MyRole == 'Recipient'; PaymentMethod == 'ABT' orSay 'balance only'; \
         TransactionAmount <= 'USD 5.00' orSay 'at most five dollars';",
        "bound-recipient",
    )
    .await;
    let big = h.single_use_token("bound-s1", "6.00", "ABT", false).await;
    let too_much = old_pay(&h, &caller, &bounded, &big, "bound-1", "6.00").await;
    assert_eq!(too_much.error_code(), "TransactionDenied");
    assert!(too_much.tag("Message").unwrap().contains("at most five dollars"));
    let card = h.single_use_token("bound-s2", "2.00", "CC", false).await;
    let by_card = old_pay(&h, &caller, &bounded, &card, "bound-2", "2.00").await;
    assert!(by_card.tag("Message").unwrap().contains("balance only"));
    let fine = old_pay(&h, &caller, &bounded, &big, "bound-3", "5.00").await;
    assert_eq!(fine.tag("TransactionStatus").unwrap(), "Success", "{}", fine.body);

    let once = install(&h, CALLER_GK, "once-caller", "SingleUse")
        .await
        .tag("TokenId")
        .unwrap();
    let s1 = h.single_use_token("once-s1", "1.00", "ABT", false).await;
    let s2 = h.single_use_token("once-s2", "1.00", "ABT", false).await;
    assert_eq!(
        old_pay(&h, &once, &bounded, &s1, "once-1", "1.00")
            .await
            .tag("TransactionStatus")
            .unwrap(),
        "Success"
    );
    assert_eq!(
        old_pay(&h, &once, &bounded, &s2, "once-2", "1.00")
            .await
            .error_code(),
        "TokenUsageError"
    );
    h.sandbox.stop().await;
}

mod command;
