//! The browser module in a real headless browser (wasm-bindgen-test; Chromium and Firefox, run by
//! scripts/test-web). The signing and verify endpoints are tests/support/web_server.py on 127.0.0.1,
//! whose address scripts/test-web passes at build time in `FPS_TEST_SERVER`.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::wasm_bindgen_test_configure;

wasm_bindgen_test_configure!(run_in_browser);

mod api;
mod button;
mod errors;
mod guard;
mod hostile;
mod return_page;
mod support;
