//! The real `fps-checkout install-tokens` binary against the emulator: it installs and prints
//! both token ids, and refuses bad configuration with exit status 2.

use std::process::Command;

use super::*;

fn install_tokens(env: &[(&str, &str)], args: &[&str]) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_fps-checkout"));
    command
        .arg("install-tokens")
        .args(args)
        .env_remove("FPS_SECRET_KEY")
        .env_remove("FPS_SECRET_KEY_FILE")
        .env_remove("FPS_ACCESS_KEY_ID")
        .env_remove("FPS_ENDPOINT")
        .env_remove("FPS_TIMEOUT_SECS");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().expect("binary runs")
}

#[track_caller]
fn one_line_exit_2(output: &std::process::Output, mentions: &str) {
    crate::cli_support::assert_usage_error(output, mentions, SECRET);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn install_tokens_command_installs_and_prints_both_ids() {
    let h = Harness::start(20, None).await;
    let api = h.sandbox.api_url();
    let env = [
        ("FPS_ENDPOINT", api.as_str()),
        ("FPS_ACCESS_KEY_ID", KEY),
        ("FPS_SECRET_KEY", SECRET),
    ];
    let run = |args: &'static [&'static str]| {
        let env: Vec<(String, String)> = env.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect();
        tokio::task::spawn_blocking(move || {
            let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            install_tokens(&env, args)
        })
    };
    let output = run(&[]).await.unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    let caller = lines[0].strip_prefix("CallerTokenId=").unwrap().to_owned();
    let recipient = lines[1].strip_prefix("RecipientTokenId=").unwrap().to_owned();
    assert_eq!((caller.len(), recipient.len()), (64, 64));
    assert_ne!(caller, recipient);

    // The tokens are the emulator's, named by the fixed references, and they pay.
    let by_reference = h
        .call(&[
            ("Action", "GetTokenByCaller"),
            ("CallerReference", "fps-checkout-caller"),
        ])
        .await;
    assert_eq!(by_reference.tag("TokenId").unwrap(), caller);
    let sender = h.single_use_token("cli-sender", "0.10", "ABT", false).await;
    let paid = old_pay(&h, &caller, &recipient, &sender, "cli-pay", "0.10").await;
    assert_eq!(paid.tag("TransactionStatus").unwrap(), "Success", "{}", paid.body);

    // Run again: nothing new, the same ids. Another prefix: new tokens.
    let again = run(&[]).await.unwrap();
    assert_eq!(String::from_utf8(again.stdout).unwrap(), text);
    let other = run(&["--reference-prefix", "second"]).await.unwrap();
    let other_text = String::from_utf8(other.stdout).unwrap();
    assert!(!other_text.contains(&caller), "{other_text}");

    // A wrong secret: FPS's refusal, on one line, exit 2.
    let wrong = tokio::task::spawn_blocking({
        let api = api.clone();
        move || {
            install_tokens(
                &[
                    ("FPS_ENDPOINT", &api),
                    ("FPS_ACCESS_KEY_ID", KEY),
                    ("FPS_SECRET_KEY", "not the secret"),
                ],
                &[],
            )
        }
    })
    .await
    .unwrap();
    one_line_exit_2(&wrong, "SignatureDoesNotMatch");
    h.sandbox.stop().await;
}

#[test]
fn install_tokens_command_refuses_bad_configuration_with_exit_2() {
    let base = [
        ("FPS_ENDPOINT", "http://127.0.0.1:9/"),
        ("FPS_ACCESS_KEY_ID", KEY),
        ("FPS_SECRET_KEY", SECRET),
    ];
    let without =
        |name: &str| -> Vec<(&str, &str)> { base.iter().copied().filter(|(k, _)| *k != name).collect() };
    one_line_exit_2(
        &install_tokens(&without("FPS_ACCESS_KEY_ID"), &[]),
        "FPS_ACCESS_KEY_ID",
    );
    one_line_exit_2(&install_tokens(&without("FPS_SECRET_KEY"), &[]), "FPS_SECRET_KEY");
    let mut bad_endpoint = without("FPS_ENDPOINT");
    bad_endpoint.push(("FPS_ENDPOINT", "staging"));
    one_line_exit_2(&install_tokens(&bad_endpoint, &[]), "FPS_ENDPOINT");
    let mut bad_timeout = base.to_vec();
    bad_timeout.push(("FPS_TIMEOUT_SECS", "soon"));
    one_line_exit_2(&install_tokens(&bad_timeout, &[]), "FPS_TIMEOUT_SECS");
    one_line_exit_2(
        &install_tokens(
            &without("FPS_SECRET_KEY"),
            &["--secret-file", "/nonexistent/secret"],
        ),
        "FPS_SECRET_KEY_FILE",
    );
    one_line_exit_2(
        &install_tokens(&base, &["--reference-prefix", &"x".repeat(200)]),
        "--reference-prefix",
    );
    // Nothing listens on port 9: a transport failure, named, on one line.
    one_line_exit_2(&install_tokens(&base, &[]), "installing the caller token");
}
