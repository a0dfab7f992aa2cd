//! Runs the emulator as the `fps-checkout sandbox` subcommand does: from a ready configuration
//! (built by the command line, `crates/fps-cli/src/sandbox.rs`), until Ctrl-C.

use super::config::SandboxConfig;

/// Runs the emulator until Ctrl-C; returns the line to print on a clean stop.
pub fn run(config: SandboxConfig) -> Result<String, String> {
    let runtime = fps_wire::service::runtime().map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let running = super::start(config).await.map_err(|e| e.to_string())?;
        println!("FPS sandbox at {}", running.base_url());
        println!("  CBUI start URL: {}", running.cbui_url());
        println!("  Query API:      {}", running.api_url());
        println!("Test buyer: buyer@sandbox.test / sandbox. Ctrl-C stops.");
        tokio::signal::ctrl_c().await.map_err(|e| e.to_string())?;
        running.stop().await;
        Ok("FPS sandbox stopped".to_owned())
    })
}
