// The script tag: <script type="module" src=".../fps-checkout.js"></script>
// Adds the shipped stylesheet (a same-origin file: fine under `style-src 'self'`), then mounts
// every [data-fps-checkout] and renders every [data-fps-return], loading only the wasm module
// those elements need (beside this file): the button's on product pages, the return page's on
// thank-you pages. No inline script is needed on the page; nothing here throws into it.
import initCheckout, { autoMount as mountButtons } from "./web/fps_checkout.js";

performance.mark("fps-checkout:start");
const here = import.meta.url;
const css = new URL("./fps-checkout.css", here).href;
if (!document.querySelector("link[data-fps-checkout-css]")) {
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = css;
  link.setAttribute("data-fps-checkout-css", "");
  document.head.append(link);
}

const domReady = new Promise((resolve) => {
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", resolve, { once: true });
  } else {
    resolve();
  }
});
const report = (error) => console.error("fps-checkout: the module could not load", error);

// The button's glue is imported statically (product pages, the common case, fetch it with this
// file); its wasm only where there is a button to mount.
domReady.then(() => {
  if (!document.querySelector("[data-fps-checkout]")) return;
  initCheckout({ module_or_path: new URL("./web/fps_checkout_bg.wasm", here) })
    .then(() => {
      performance.mark("fps-checkout:loaded");
      mountButtons();
    })
    .catch(report);
});

// The return page's glue and wasm only on pages with a [data-fps-return].
domReady.then(() => {
  if (!document.querySelector("[data-fps-return]")) return;
  import("./web/fps_return.js")
    .then(({ default: initReturn, autoMount: renderReturns }) =>
      initReturn({ module_or_path: new URL("./web/fps_return_bg.wasm", here) }).then(() => renderReturns()),
    )
    .catch(report);
});
