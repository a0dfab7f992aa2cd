//! Process set-up shared by the long-running commands (`serve`, `sandbox`, `demo`): logging to
//! standard error and the tokio runtime, so each command sets them up the same way.

use tracing_subscriber::EnvFilter;

/// Sends `tracing` output to standard error, filtered by `RUST_LOG` when it is set and valid,
/// else at `default_level` (`"info"`, `"warn"`, ...). A second call (tests that run several
/// commands in one process) keeps the first set-up.
pub fn init_logging(default_level: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// A multi-threaded tokio runtime with I/O and timers.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build()
}
