//! fps-checkout: Amazon FPS Co-Branded UI checkout.
//!
//! The module map. Every `cfg(target_arch = "wasm32")` gate of the crate lives here and nowhere
//! deeper: the pure [`core`] builds everywhere; the signer and the CLI support are native only, so
//! no HMAC code or secret handling is ever compiled into the browser module. The browser module
//! (`browser`) and its JS exports (`wasm`) exist only in the wasm32 build.
//!
//! The wasm32 build (but for its unit tests) is `no_std` (`core` + `alloc`): with the default `std` feature it still links
//! std (the wasm tests need it); without it (`scripts/pkg`) the module brings its own panic handler
//! and allocator, and std's panic and formatting machinery never reaches the browser.

#![cfg_attr(all(target_arch = "wasm32", not(test)), no_std)]

extern crate alloc;

#[cfg(all(target_arch = "wasm32", feature = "std", not(test)))]
extern crate std;

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

/// The runtime of the `no_std` wasm build: what std would otherwise provide.
#[cfg(all(target_arch = "wasm32", not(feature = "std"), not(test)))]
mod bare_runtime {
    /// A panic traps at once, as std's abort does on wasm32; no message is formatted. The module
    /// never panics on input (every input error is a `Result`), so this is a bug trap only.
    #[panic_handler]
    fn panic(_info: &::core::panic::PanicInfo<'_>) -> ! {
        ::core::arch::wasm32::unreachable()
    }

    /// dlmalloc, the allocator std itself uses on wasm32.
    #[global_allocator]
    static ALLOCATOR: dlmalloc::GlobalDlmalloc = dlmalloc::GlobalDlmalloc;
}

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
