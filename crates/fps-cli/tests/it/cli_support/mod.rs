//! Checks shared by the test crates that run the `fps-checkout` binary.

use std::process::Output;

/// The binary refused its input as a usage error: exit status 2, nothing on stdout, one line on
/// stderr that mentions `mentions` and never the secret key `secret`.
#[track_caller]
pub fn assert_usage_error(output: &Output, mentions: &str, secret: &str) {
    assert_eq!(output.status.code(), Some(2), "exit status: {output:?}");
    assert!(output.stdout.is_empty(), "nothing on stdout: {output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.trim_end().lines().count(), 1, "one line: {stderr}");
    assert!(
        stderr.contains(mentions),
        "{stderr:?} should mention {mentions:?}"
    );
    assert!(!stderr.contains(secret), "the secret key leaked: {stderr}");
}
