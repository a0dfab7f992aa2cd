//! The real `fps-checkout` binary: `sign` and `cbui`, their outputs, and exit status 2 with one
//! line on stderr for bad input; the settings of `serve`, `sandbox` and `install-tokens` from
//! their environment variables and flags. Expected signatures come from the independent vectors.

use std::process::{Command, Output};

use fps_core::canonical::encode;
use serde::Deserialize;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

#[derive(Deserialize)]
struct Case {
    name: String,
    endpoint: String,
    params: Vec<(String, String)>,
    secret: String,
    string_to_sign: String,
    signature: String,
}

fn case(prefix: &str) -> Case {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/vectors/sigv2.json"
    ))
    .unwrap();
    let cases: Vec<Case> = serde_json::from_str(&text).unwrap();
    cases
        .into_iter()
        .find(|c| c.name.starts_with(prefix))
        .unwrap_or_else(|| panic!("no vector {prefix}"))
}

fn url_of(case: &Case) -> String {
    let query: Vec<String> = case
        .params
        .iter()
        .map(|(n, v)| format!("{}={}", encode(n), encode(v)))
        .collect();
    format!("{}?{}", case.endpoint, query.join("&"))
}

fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_fps-checkout"));
    command
        .args(args)
        .env_remove("FPS_SECRET_KEY")
        .env_remove("FPS_ACCESS_KEY_ID");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().expect("binary runs")
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone())
        .unwrap()
        .trim_end_matches('\n')
        .to_owned()
}

#[track_caller]
fn bad_input(output: &Output, mentions: &str) {
    crate::cli_support::assert_usage_error(output, mentions, SECRET);
}

#[test]
fn sign_prints_url_signature_and_string_to_sign() {
    let seed = case("FPS seed SingleUse");
    let url = url_of(&seed);
    let env = [("FPS_SECRET_KEY", seed.secret.as_str())];
    assert_eq!(
        stdout(&run(&["sign", "--print", "signature", &url], &env)),
        seed.signature
    );
    assert_eq!(
        stdout(&run(&["sign", "--print", "string-to-sign", &url], &env)),
        seed.string_to_sign
    );
    let signed = stdout(&run(&["sign", &url], &env));
    assert!(
        signed.ends_with(&format!("&signature={}", encode(&seed.signature))),
        "{signed}"
    );
    // Signing the signed URL again ignores the old signature and gives the same URL.
    assert_eq!(stdout(&run(&["sign", &signed], &env)), signed);
}

#[test]
fn sign_handles_query_api_urls_and_the_method_parameter() {
    for prefix in [
        "Query API Pay, HmacSHA1",
        "Query API GetTransactionStatus",
        "Query API on a non-default",
    ] {
        let api = case(prefix);
        let env = [("FPS_SECRET_KEY", api.secret.as_str())];
        let url = url_of(&api);
        assert_eq!(
            stdout(&run(&["sign", "--print", "signature", &url], &env)),
            api.signature,
            "{prefix}"
        );
        assert!(
            stdout(&run(&["sign", &url], &env)).contains("&Signature="),
            "{prefix}"
        );
    }
}

#[test]
fn sign_reads_the_secret_from_a_file() {
    let seed = case("FPS seed SingleUse");
    // Unique per test, not per process: every integration test shares this process.
    let dir = std::env::temp_dir().join(format!("fps-cli-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("secret");
    std::fs::write(&file, format!("{}\n", seed.secret)).unwrap();
    let out = run(
        &[
            "sign",
            "--print",
            "signature",
            "--secret-file",
            file.to_str().unwrap(),
            &url_of(&seed),
        ],
        &[],
    );
    assert_eq!(stdout(&out), seed.signature);
    let missing = dir.join("absent");
    bad_input(
        &run(
            &["sign", "--secret-file", missing.to_str().unwrap(), &url_of(&seed)],
            &[],
        ),
        "secret file",
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn sign_refuses_bad_input_with_exit_2() {
    let env = [("FPS_SECRET_KEY", SECRET)];
    let good = "https://fps.sandbox.amazonaws.com/?Action=Pay";
    bad_input(&run(&["sign", good], &[]), "FPS_SECRET_KEY");
    bad_input(
        &run(&["sign", good], &[("FPS_SECRET_KEY", "  ")]),
        "FPS_SECRET_KEY",
    );
    bad_input(&run(&["sign", "not a url"], &env), "URL");
    bad_input(&run(&["sign", "ftp://example.com/?a=1"], &env), "http");
    bad_input(
        &run(&["sign", "https://example.com/?a=%zz"], &env),
        "percent-encoding",
    );
    bad_input(&run(&["sign", "https://example.com/?a=%FF"], &env), "UTF-8");
    bad_input(
        &run(&["sign", "https://example.com/?a=1&a=2"], &env),
        "more than once",
    );
    bad_input(
        &run(&["sign", "https://example.com/?SignatureMethod=HmacMD5"], &env),
        "HmacMD5",
    );
    // There is no way to pass the secret in argv.
    let argv_secret = run(&["sign", "--secret", SECRET, good], &[]);
    assert_eq!(argv_secret.status.code(), Some(2));
}

#[test]
fn cbui_builds_and_signs_a_typed_request() {
    let seed = case("FPS seed SingleUse");
    let get = |name: &str| {
        seed.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    let params: Vec<String> = [
        "callerReference",
        "transactionAmount",
        "currencyCode",
        "paymentMethod",
        "paymentReason",
        "returnURL",
    ]
    .iter()
    .map(|name| format!("{name}={}", get(name)))
    .collect();
    let mut args = vec![
        "cbui",
        "--pipeline",
        "SingleUse",
        "--endpoint",
        "sandbox",
        "--print",
        "signature",
    ];
    for param in &params {
        args.extend(["--param", param.as_str()]);
    }
    let env = [
        ("FPS_SECRET_KEY", seed.secret.as_str()),
        ("FPS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
    ];
    assert_eq!(stdout(&run(&args, &env)), seed.signature);
    args[6] = "url";
    let url = stdout(&run(&args, &env));
    assert!(url.starts_with("https://authorize.payments-sandbox.amazon.com/cobranded-ui/actions/start?"));
    // The printed URL verifies with `sign`: same signature.
    let resigned = stdout(&run(&["sign", "--print", "signature", &url], &env));
    assert_eq!(resigned, seed.signature);
}

#[test]
fn cbui_refuses_bad_input_with_exit_2() {
    let env = [
        ("FPS_SECRET_KEY", SECRET),
        ("FPS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
    ];
    let base = [
        "cbui",
        "--param",
        "callerReference=r1",
        "--param",
        "returnURL=https://shop.example/t",
    ];
    fn with<'a>(base: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
        base.iter().chain(extra).copied().collect()
    }
    bad_input(&run(&with(&base, &[]), &env), "transactionAmount");
    bad_input(
        &run(&with(&base, &["--param", "transactionAmount=1,000.00"]), &env),
        "transactionAmount",
    );
    bad_input(
        &run(
            &with(
                &base,
                &["--param", "transactionAmount=1", "--param", "colour=red"],
            ),
            &env,
        ),
        "colour",
    );
    bad_input(
        &run(&with(&base, &["--param", "transactionAmount"]), &env),
        "name=value",
    );
    bad_input(
        &run(
            &with(
                &base,
                &["--param", "transactionAmount=1", "--param", "callerKey=X"],
            ),
            &env,
        ),
        "callerKey",
    );
    bad_input(
        &run(
            &with(&base, &["--param", "transactionAmount=1", "--pipeline", "Bogus"]),
            &env,
        ),
        "pipelineName",
    );
    bad_input(
        &run(
            &with(&base, &["--param", "transactionAmount=1", "--endpoint", "moon"]),
            &env,
        ),
        "URL",
    );
    bad_input(
        &run(
            &with(&base, &["--param", "transactionAmount=1"]),
            &[("FPS_SECRET_KEY", SECRET)],
        ),
        "FPS_ACCESS_KEY_ID",
    );
    let ok = run(
        &with(
            &base,
            &[
                "--param",
                "transactionAmount=1",
                "--endpoint",
                "http://127.0.0.1:8123/cobranded-ui/actions/start",
            ],
        ),
        &env,
    );
    assert!(stdout(&ok).starts_with("http://127.0.0.1:8123/cobranded-ui/actions/start?"));
}

/// Runs the binary with exactly `env` as its environment (nothing inherited).
fn run_clean(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fps-checkout"))
        // From the repository's root, as the README runs it: the default catalog is there.
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .args(args)
        .env_clear()
        .envs(env.iter().copied())
        .output()
        .expect("binary runs")
}

/// `serve`'s required settings, valid, with a database it cannot open: a setting that passes by
/// mistake ends in a `DATABASE_URL` error rather than a server that never stops.
const SERVE_ENV: [(&str, &str); 6] = [
    ("FPS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
    ("FPS_SECRET_KEY", SECRET),
    ("FPS_RETURN_URLS", "https://shop.example/thanks"),
    ("FPS_ADMIN_TOKEN", "admin-token-0123456789"),
    ("FPS_LISTEN", "127.0.0.1:0"),
    ("DATABASE_URL", "sqlite:/nonexistent-fps-dir/shop.db"),
];

fn serve_env(change: &[(&'static str, &'static str)], remove: &str) -> Vec<(&'static str, &'static str)> {
    let mut env: Vec<_> = SERVE_ENV.iter().copied().filter(|(k, _)| *k != remove).collect();
    env.retain(|(k, _)| !change.iter().any(|(c, _)| c == k));
    env.extend_from_slice(change);
    env
}

/// Variables changed, the one removed (`""`: none), and what the error line names.
type SettingCase = (
    &'static [(&'static str, &'static str)],
    &'static str,
    &'static str,
);

#[test]
fn serve_names_each_bad_setting_from_the_environment_in_one_line() {
    let cases: [SettingCase; 7] = [
        (&[("FPS_LISTEN", "nowhere")], "", "FPS_LISTEN"),
        (&[], "FPS_ADMIN_TOKEN", "FPS_ADMIN_TOKEN"),
        (&[], "FPS_SECRET_KEY", "FPS_SECRET_KEY"),
        (
            &[("FPS_SECRET_KEY_FILE", "/nonexistent-fps-dir/key")],
            "",
            "FPS_SECRET_KEY_FILE",
        ),
        (&[("FPS_TIMEOUT_SECS", "ten")], "", "FPS_TIMEOUT_SECS"),
        (&[("FPS_MAX_IN_FLIGHT", "0")], "", "FPS_MAX_IN_FLIGHT"),
        (&[], "", "DATABASE_URL"),
    ];
    for (change, remove, mentions) in cases {
        bad_input(&run_clean(&["serve"], &serve_env(change, remove)), mentions);
    }
}

#[test]
fn serve_flags_win_over_their_environment_variables() {
    let env = serve_env(&[("FPS_LISTEN", "127.0.0.1:0")], "");
    let output = run_clean(&["serve", "--listen", "flag-value"], &env);
    bad_input(&output, "\"flag-value\"");
    // Secrets have no flag.
    let output = run_clean(&["serve", "--admin-token", "admin-token-0123456789"], &env);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn help_lists_each_setting_with_its_variable_and_never_its_value() {
    let env = [
        ("FPS_ACCESS_KEY_ID", "AKIAHELPVALUE0000001"),
        ("DATABASE_URL", "postgres://user:help-password@db/shop"),
        ("FPS_SECRET_KEY", SECRET),
        ("FPS_SANDBOX_LISTEN", "127.0.0.1:4242"),
    ];
    // Help is printed as clap renders it, to standard error.
    let help = |args: &[&str]| {
        let output = run_clean(args, &env);
        assert!(output.status.success(), "{output:?}");
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    let serve = help(&["serve", "--help"]);
    for name in [
        "FPS_LISTEN",
        "DATABASE_URL",
        "FPS_CATALOG",
        "FPS_CBUI_ENDPOINT",
        "FPS_RETURN_URLS",
        "FPS_IPN_URL",
        "FPS_CORS_ORIGINS",
        "FPS_MAX_IN_FLIGHT",
        "FPS_RECONCILE_INTERVAL_SECS",
        "FPS_ENDPOINT",
        "FPS_ACCESS_KEY_ID",
        "FPS_SECRET_KEY_FILE",
        "FPS_TIMEOUT_SECS",
        "FPS_SECRET_KEY",
        "FPS_ADMIN_TOKEN",
    ] {
        assert!(serve.contains(name), "serve --help lacks {name}: {serve}");
    }
    let sandbox = help(&["sandbox", "--help"]);
    assert!(sandbox.contains("FPS_SANDBOX_LISTEN") && sandbox.contains("FPS_SANDBOX_FAULT_TOKEN"));
    for help in [&serve, &sandbox] {
        for value in ["AKIAHELPVALUE", "help-password", SECRET, "4242"] {
            assert!(!help.contains(value), "--help shows {value}: {help}");
        }
    }
}

#[test]
fn sandbox_and_install_tokens_read_the_same_settings() {
    let key = ("FPS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE");
    let secret = ("FPS_SECRET_KEY", SECRET);
    bad_input(
        &run_clean(&["sandbox"], &[key, secret, ("FPS_SANDBOX_LISTEN", "nowhere")]),
        "FPS_SANDBOX_LISTEN",
    );
    bad_input(&run_clean(&["sandbox"], &[secret]), "FPS_ACCESS_KEY_ID");
    bad_input(
        &run_clean(
            &["sandbox", "--secret-file", "/nonexistent-fps-dir/key"],
            &[key, secret],
        ),
        "FPS_SECRET_KEY_FILE",
    );
    bad_input(
        &run_clean(&["install-tokens"], &[key, secret, ("FPS_TIMEOUT_SECS", "0")]),
        "FPS_TIMEOUT_SECS",
    );
    bad_input(&run_clean(&["install-tokens"], &[secret]), "FPS_ACCESS_KEY_ID");
}
