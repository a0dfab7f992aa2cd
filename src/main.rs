//! The `fps-checkout` command line; all of it lives in the library's `cli` module.

fn main() {
    std::process::exit(fps_checkout::run_cli());
}
