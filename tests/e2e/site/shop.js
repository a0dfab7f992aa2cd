// Points the button at this test server's fake CBUI (the environment attribute must be absolute)
// and marks when it is ready, for the benchmark. A page script, allowed by script-src 'self'.
const pay = document.getElementById("pay");
pay.setAttribute("data-environment", `${location.origin}/cobranded-ui/actions/start`);
pay.addEventListener("fps-checkout:ready", () => {
  performance.mark("fps-checkout:ready");
  document.documentElement.dataset.readyAt = String(performance.now());
});
