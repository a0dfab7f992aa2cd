//! fps-checkout: Amazon FPS Co-Branded UI checkout.
//!
//! The module map. Every `cfg(target_arch = "wasm32")` gate of the crate lives here and nowhere
//! deeper: the pure [`core`] builds everywhere; the signer and the CLI support are native only, so
//! no HMAC code or secret handling is ever compiled into the browser module. The browser module
//! (`browser`) and its JS exports (`wasm`) exist only in the wasm32 build.

pub mod core;

#[cfg(not(target_arch = "wasm32"))]
pub mod signer;

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;

#[cfg(not(target_arch = "wasm32"))]
pub mod fps;

#[cfg(not(target_arch = "wasm32"))]
pub mod merchant;

#[cfg(not(target_arch = "wasm32"))]
pub mod demo;

#[cfg(not(target_arch = "wasm32"))]
pub mod service;

#[cfg(target_arch = "wasm32")]
pub mod browser;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

/// Runs the `fps-checkout` command line on the process's arguments and environment and returns
/// its exit status. The wasm build has no command line and returns 2.
pub fn run_cli() -> i32 {
    #[cfg(not(target_arch = "wasm32"))]
    {
        // Unlocked handles: `serve`, `sandbox` and `demo` log to standard error from worker
        // threads while this call runs, and a lock held here would block the first such line
        // for ever (and with it every request on that worker).
        cli::main_with(
            std::env::args_os(),
            &cli::ProcessEnv,
            &mut std::io::stdout(),
            &mut std::io::stderr(),
        )
    }
    #[cfg(target_arch = "wasm32")]
    {
        2
    }
}

#[cfg(not(target_arch = "wasm32"))]
pub mod sandbox;
