// The package as a bundler user imports it: the SSR-safe entry, the stylesheet, mount().
import { mount } from "fps-checkout";
import "fps-checkout/fps-checkout.css";

mount("#pay", {
  signEndpoint: "/fps/sign",
  callerKey: "AKIAIOSFODNN7EXAMPLE",
  amount: "9.99",
  callerReference: "vite-1",
  reason: "Assam, 500 g",
  environment: `${location.origin}/cobranded-ui/actions/start`,
  theme: "dark",
  onReady: () => {
    document.body.dataset.ready = "true";
  },
  onError: (error) => {
    document.body.dataset.error = error.code;
  },
}).catch((error) => {
  document.body.dataset.error = error.code ?? "LOAD_FAILED";
});
