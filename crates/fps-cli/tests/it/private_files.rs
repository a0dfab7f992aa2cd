//! Audit finding 7 (issue 16): the demo's folder, its development keys and both SQLite
//! databases (the emulator's holds its RSA signing key) are owner-only, made so on first start
//! and tightened on a later start when they were left wider.
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};

use fps_cli::demo::{self, DemoArgs};
use fps_sandbox::store::Store;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

/// Widens a file's mode. SQLite's `-wal`/`-shm` side files may vanish at any moment after the
/// last connection closes (a checkpoint removes them): one that is gone needs no widening.
fn widen(path: &Path, mode: u32) {
    match std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && is_side_file(path) => {}
        other => other.unwrap_or_else(|e| panic!("chmod {}: {e}", path.display())),
    }
}

fn is_side_file(path: &Path) -> bool {
    let name = path.to_string_lossy();
    name.ends_with("-wal") || name.ends_with("-shm")
}

/// Checks a secret file is 0600 (a side file that vanished meanwhile has no mode to check).
fn assert_private(path: &Path) {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && is_side_file(path) => {}
        _ => assert_eq!(mode(path), 0o600, "{}", path.display()),
    }
}

fn args(dir: &Path, pkg: &Path) -> DemoArgs {
    DemoArgs {
        shop: "127.0.0.1:0".parse().expect("addr"),
        sandbox: "127.0.0.1:0".parse().expect("addr"),
        dir: dir.to_path_buf(),
        www: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../www"),
        pkg: pkg.to_path_buf(),
        pending_delay_ms: 200,
        ready_file: None,
        sender_description: "Trailhead Supply order".to_owned(),
        caller_description: None,
    }
}

/// The files holding secrets in the demo folder, with their side files when present.
fn secret_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = vec![dir.join("dev-keys.json")];
    for db in ["shop.sqlite", "fps-sandbox.sqlite"] {
        files.push(dir.join(db));
        for side in ["-wal", "-shm"] {
            let path = dir.join(format!("{db}{side}"));
            if path.exists() {
                files.push(path);
            }
        }
    }
    files
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_folder_and_its_secrets_are_owner_only() {
    let base = std::env::temp_dir().join(format!("fps-modes-{}", uuid::Uuid::new_v4().simple()));
    let pkg = base.join("pkg");
    std::fs::create_dir_all(&pkg).expect("pkg");
    let dir = base.join("fps-demo");

    let running = demo::start(&args(&dir, &pkg)).await.expect("the demo starts");
    assert_eq!(mode(&dir), 0o700, "{}", dir.display());
    for file in secret_files(&dir) {
        assert_private(&file);
    }
    running.stop().await;

    // Left wider (an older version, a copy, a umask of 022): tightened on the next start.
    widen(&dir, 0o755);
    for file in secret_files(&dir) {
        widen(&file, 0o644);
    }
    let running = demo::start(&args(&dir, &pkg))
        .await
        .expect("the demo starts again");
    assert_eq!(mode(&dir), 0o700);
    for file in secret_files(&dir) {
        assert_private(&file);
    }
    running.stop().await;
    let _ = std::fs::remove_dir_all(&base);
}

#[tokio::test]
async fn the_emulator_database_is_owner_only() {
    let base = std::env::temp_dir().join(format!("fps-store-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&base).expect("dir");
    let path = base.join("sandbox.sqlite");
    let store = Store::open(Some(&path)).await.expect("open");
    assert_eq!(mode(&path), 0o600);
    drop(store);
    widen(&path, 0o666);
    let _store = Store::open(Some(&path)).await.expect("open again");
    assert_eq!(mode(&path), 0o600);
    let wal = base.join("sandbox.sqlite-wal");
    if wal.exists() {
        assert_eq!(mode(&wal), 0o600);
    }
    let _ = std::fs::remove_dir_all(&base);
}
