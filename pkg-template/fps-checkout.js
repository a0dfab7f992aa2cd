// The script tag: <script type="module" src=".../fps-checkout.js"></script>
// Adds the shipped stylesheet (a same-origin file: fine under `style-src 'self'`), loads the wasm
// beside this file, then mounts every [data-fps-checkout] and renders every [data-fps-return].
// No inline script is needed on the page; nothing here throws into it.
import init, { autoMount } from "./web/fps_checkout.js";

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

const mountAll = () => autoMount();
init({ module_or_path: new URL("./web/fps_checkout_bg.wasm", here) })
  .then(() => {
    performance.mark("fps-checkout:loaded");
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", mountAll, { once: true });
    } else {
      mountAll();
    }
  })
  .catch((error) => console.error("fps-checkout: the module could not load", error));
