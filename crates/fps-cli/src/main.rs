//! The `fps-checkout` command line; all of it lives in the `fps_cli` library.

/// mimalloc rather than glibc's malloc: the servers allocate and free small buffers on every
/// request from several threads, where glibc's arenas cost a fifth of the CPU time of
/// `POST /fps/sign` (BENCHMARKS.md, "Merchant backend benchmark").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(fps_cli::run_cli());
}
