//! `fps-checkout sandbox` as a process: starts from a JSON configuration on 127.0.0.1, prints
//! its URLs, serves the certificate and the Query API, keeps its state file; bad input exits 2.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn temp_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("fps-sandbox-cli-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sandbox_subcommand_serves_from_a_config_file() {
    let dir = temp_dir();
    let config = dir.join("sandbox.json");
    let db = dir.join("state.sqlite");
    std::fs::write(
        &config,
        r#"{"callers":[{"access_key_id":"AKIACLITEST000000001","secret_key":"cli-secret","name":"CLI Shop"}],
            "listen":"127.0.0.1:0","pending_delay_ms":10}"#,
    )
    .unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_fps-checkout"))
        .args(["sandbox", "--config"])
        .arg(&config)
        .arg("--db")
        .arg(&db)
        .env_remove("FPS_SECRET_KEY")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut child = Killed(child);
    let stdout = child.0.stdout.take().unwrap();
    let first = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        line
    })
    .await
    .unwrap();
    let base = first
        .trim()
        .strip_prefix("FPS sandbox at ")
        .unwrap_or_else(|| panic!("{first:?}"))
        .to_owned();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    let pem = reqwest::get(format!("{base}/certs/090909/PKICert.pem"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
    let unsigned = reqwest::get(format!(
        "{base}/?Action=GetTransactionStatus&Version=2010-08-28&TransactionId=X"
    ))
    .await
    .unwrap();
    assert_eq!(unsigned.status().as_u16(), 400);
    assert!(unsigned
        .text()
        .await
        .unwrap()
        .contains("<Code>InvalidParams</Code>"));
    assert!(db.exists(), "state lives in the --db file");
    drop(child);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sandbox_subcommand_refuses_bad_configuration() {
    let dir = temp_dir();
    let config = dir.join("bad.json");
    std::fs::write(
        &config,
        r#"{"callers":[{"access_key_id":"A","secret_key":"s"}],"listen":"0.0.0.0:8090"}"#,
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_fps-checkout"))
        .args(["sandbox", "--config"])
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("loopback"));
    let output = Command::new(env!("CARGO_BIN_EXE_fps-checkout"))
        .arg("sandbox")
        .env_remove("FPS_ACCESS_KEY_ID")
        .env_remove("FPS_SECRET_KEY")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}
