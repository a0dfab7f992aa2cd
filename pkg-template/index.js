// fps-checkout for bundlers and SSR: importing this file touches no browser global; the wasm
// module is fetched and compiled on first use (or by an explicit `load()`).
import init, * as wasm from "./web/fps_checkout.js";

let loading;

/** Loads the wasm module once (default: the file beside this package's glue). */
export function load(moduleOrPath) {
  loading ??= init(moduleOrPath === undefined ? undefined : { module_or_path: moduleOrPath }).catch((error) => {
    loading = undefined; // a failed load (offline, blocked) may be retried by the next call
    throw error;
  });
  return loading;
}

/** Renders a Pay Now button into an element (or a CSS selector) and signs it ahead. */
export async function mount(target, options) {
  await load();
  return wasm.mount(target, options);
}

/** Mounts every [data-fps-checkout] and renders every [data-fps-return] of the page. */
export async function autoMount() {
  await load();
  return wasm.autoMount();
}

/** Parses a CBUI return query (default: location.search). */
export async function parseReturn(search) {
  await load();
  return wasm.parseReturn(search);
}

/** Forwards the raw return query to the merchant's verify endpoint; resolves with its verdict. */
export async function completeReturn(options) {
  await load();
  return wasm.completeReturn(options);
}
