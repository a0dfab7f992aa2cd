// fps-checkout for bundlers and SSR: importing this file touches no browser global. The package
// holds two wasm modules, one per kind of page: the button's (mount) and the return page's
// (parseReturn, completeReturn). Each is fetched and compiled on first use, or by an explicit
// `load()` / `loadReturnPage()`, so a product page never downloads the return page's code and a
// thank-you page never downloads the button's wasm. The button's glue is imported statically
// (product pages, the common case, get it with the page's bundle); the return page's glue by a
// dynamic import, which bundlers split into a chunk of its own.
import initCheckout, * as checkout from "./web/fps_checkout.js";

let returnGlue;
/** The return page's glue, imported once; a failed import may be retried. */
function returnPage() {
  returnGlue ??= import("./web/fps_return.js").catch((error) => {
    returnGlue = undefined;
    throw error;
  });
  return returnGlue;
}

/** A loader that instantiates a module once; a failed load (offline, blocked) may be retried. */
function loader(init) {
  let loading;
  return (moduleOrPath) => {
    loading ??= init(moduleOrPath === undefined ? undefined : { module_or_path: moduleOrPath }).catch((error) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}

/** Loads the button's wasm module once (default: the file beside this package's glue). */
export const load = loader(initCheckout);

/** Loads the return page's wasm module once (default: the file beside this package's glue). */
export const loadReturnPage = loader(async (options) => (await returnPage()).default(options));

/** Renders a Pay Now button into an element (or a CSS selector) and signs it ahead. */
export async function mount(target, options) {
  await load();
  return checkout.mount(target, options);
}

/** Mounts every [data-fps-checkout] and renders every [data-fps-return] of the page, loading only
 * the modules those elements need; resolves with the number of buttons mounted. */
export async function autoMount() {
  if (typeof document === "undefined") return 0;
  let mounted = 0;
  if (document.querySelector("[data-fps-checkout]")) {
    await load();
    mounted = checkout.autoMount();
  }
  if (document.querySelector("[data-fps-return]")) {
    await loadReturnPage();
    (await returnPage()).autoMount();
  }
  return mounted;
}

/** Parses a CBUI return query (default: location.search). */
export async function parseReturn(search) {
  await loadReturnPage();
  return (await returnPage()).parseReturn(search);
}

/** Forwards the raw return query to the merchant's verify endpoint; resolves with its verdict. */
export async function completeReturn(options) {
  await loadReturnPage();
  return (await returnPage()).completeReturn(options);
}
