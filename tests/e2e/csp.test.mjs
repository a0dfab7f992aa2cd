// The script tag on a page served with a strict CSP, in headless Chromium (Playwright): the
// button renders and signs with no CSP violation, looks right (screenshot), and one click sends
// the shopper to CBUI with no request in between; back from CBUI, it is ready again.
// Run with: node --test tests/e2e/csp.test.mjs (after scripts/pkg).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { startShop, CSP } from "./shop-server.mjs";
import { launch } from "./browser.mjs";

const SHOTS = fileURLToPath(new URL("./screenshots/", import.meta.url));
let shop, browser;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  shop = await startShop();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await shop?.close();
});

test("the script tag works under a strict CSP and navigates once, at once", async () => {
  const page = await browser.newPage();
  const problems = [];
  page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
  page.on("pageerror", (e) => problems.push(String(e)));
  const wasmFetched = [];
  page.on("request", (r) => r.url().endsWith(".wasm") && wasmFetched.push(new URL(r.url()).pathname));
  const response = await page.goto(shop.origin + "/");
  assert.equal(response.headers()["content-security-policy"], CSP);

  const button = page.getByRole("button", { name: "Pay with Amazon" });
  await page.locator("#pay[data-state=ready]").waitFor();
  assert.equal(await button.isEnabled(), true);
  assert.equal(await button.getAttribute("aria-busy"), "false");
  assert.equal(await page.locator("[style]").count(), 0, "no inline styles");
  // The shipped stylesheet applied (gold theme), so the button is styled, not a bare default.
  const background = await button.evaluate((b) => getComputedStyle(b).backgroundColor);
  assert.equal(background, "rgb(255, 216, 20)");
  await page.locator("#pay").screenshot({ path: SHOTS + "csp-button.png" });
  await page.keyboard.press("Tab");
  assert.equal(await button.evaluate((b) => b === document.activeElement), true, "reachable by keyboard");
  await page.locator("main").screenshot({ path: SHOTS + "csp-button-focus.png" });

  assert.equal(shop.signRequests.length, 1, "signed ahead, once");
  assert.deepEqual(wasmFetched, ["/fps-checkout/web/fps_checkout_bg.wasm"], "only the button's module");
  const sign = JSON.parse(shop.signRequests[0].body);
  assert.equal(sign.params.transactionAmount, "12.34");
  assert.equal(sign.params.returnURL, shop.origin + "/");
  assert.equal(shop.signRequests[0].contentType, "application/json");

  const requestsAfterClick = [];
  page.on("request", (r) => requestsAfterClick.push(r.url()));
  await Promise.all([page.waitForURL(/\/cobranded-ui\/actions\/start\?/), page.keyboard.press("Enter")]);
  const cbuiRequests = requestsAfterClick.filter((u) => u.includes("/cobranded-ui/actions/start"));
  assert.equal(cbuiRequests.length, 1, "navigated exactly once");
  assert.equal(requestsAfterClick[0], cbuiRequests[0], "no request between click and navigation");
  assert.equal(shop.signRequests.length, 1, "no signing on click");
  const landed = new URL(page.url());
  assert.equal(landed.searchParams.get("transactionAmount"), "12.34");
  assert.equal(landed.searchParams.get("callerReference"), "order-42");
  assert.equal(landed.searchParams.get("signature"), "fAkE+sig/nature==");

  await page.goBack();
  await page.locator("#pay[data-state=ready]").waitFor();
  assert.equal(await page.getByRole("button", { name: "Pay with Amazon" }).isEnabled(), true);
  assert.deepEqual(problems, [], "no console errors and no CSP violations");
  await page.close();
});

test("a failing signing endpoint shows a short message and a working retry", async () => {
  const page = await browser.newPage();
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  await page.goto(shop.origin + "/broken.html");
  await page.locator("#pay[data-state=error]").waitFor();
  const retry = page.getByRole("button", { name: "Try again" });
  assert.equal(await retry.isEnabled(), true);
  assert.equal(await page.getByRole("status").textContent(), "The shop could not start this payment.");
  await page.locator("main").screenshot({ path: SHOTS + "csp-button-error.png" });
  await retry.click();
  await page.locator("#pay[data-state=error]").waitFor();
  assert.deepEqual(pageErrors, [], "nothing thrown into the page");
  await page.close();
});

test("the thank-you page forwards the raw return query and shows the verdict", async () => {
  const page = await browser.newPage();
  const problems = [];
  page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
  page.on("pageerror", (e) => problems.push(String(e)));
  const query =
    "status=SC&callerReference=order-42&tokenID=Z1LGRXR4HMDZBSFKXELA32KZASGWD8IHMHZCK4DETR784LDLD1GMFW4P3WT8VTGX" +
    "&expiry=10%2F2029&signatureMethod=RSA-SHA1&signatureVersion=2&signature=ab%2Bcd%0Aef%3D" +
    "&certificateUrl=https%3A%2F%2Ffps.sandbox.amazonaws.com%2Fcerts%2F090909%2FPKICert.pem";
  const wasmFetched = [];
  page.on("request", (r) => r.url().endsWith(".wasm") && wasmFetched.push(new URL(r.url()).pathname));
  await page.goto(`${shop.origin}/thanks.html?${query}`);
  const outcome = page.locator("[data-fps-return]");
  await page.locator("[data-fps-return][data-state=success]").waitFor();
  assert.equal(await outcome.textContent(), "Payment received. Thank you!");
  assert.equal(await outcome.getAttribute("role"), "status");
  assert.equal(shop.returnRequests.length, 1);
  assert.equal(shop.returnRequests[0].body, query, "byte for byte");
  assert.match(shop.returnRequests[0].contentType, /^text\/plain/);
  await page.locator("main").screenshot({ path: SHOTS + "csp-thanks.png" });
  assert.deepEqual(wasmFetched, ["/fps-checkout/web/fps_return_bg.wasm"], "only the return page's module");
  assert.deepEqual(problems, []);
  await page.close();
});

test("a real double click navigates to CBUI exactly once", async () => {
  const page = await browser.newPage();
  await page.goto(shop.origin + "/");
  await page.locator("#pay[data-state=ready]").waitFor();
  const before = shop.cbuiVisits.length;
  const cbuiRequests = [];
  page.on("request", (r) => r.url().includes("/cobranded-ui/") && cbuiRequests.push(r.url()));
  await Promise.all([
    page.waitForURL(/\/cobranded-ui\/actions\/start\?/),
    page.getByRole("button", { name: "Pay with Amazon" }).dblclick(),
  ]);
  await page.waitForLoadState("load");
  assert.equal(cbuiRequests.length, 1, "one navigation request");
  assert.equal(shop.cbuiVisits.length - before, 1, "one CBUI page load on the server");
  await page.close();
});

test("the published SRI hashes load the script tag under the CSP; a wrong hash is blocked", async () => {
  const integrity = JSON.parse(readFileSync(new URL("../../pkg/integrity.json", import.meta.url), "utf8"));
  const js = integrity["fps-checkout.js"];
  const css = integrity["fps-checkout.css"];
  assert.match(js, /^sha384-[A-Za-z0-9+/]{64}$/);
  assert.match(css, /^sha384-[A-Za-z0-9+/]{64}$/);
  const page = (jsHash) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>SRI</title>
<link rel="stylesheet" href="/fps-checkout/fps-checkout.css" integrity="${css}" crossorigin="anonymous"></head>
<body><main><div id="pay" data-fps-checkout data-sign-endpoint="/fps/sign" data-caller-key="AKIAIOSFODNN7EXAMPLE"
 data-amount="12.34" data-caller-reference="order-42" data-reason="Tea" data-environment="same-origin-cbui"></div></main>
<script type="module" src="/shop.js"></script>
<script type="module" src="/fps-checkout/fps-checkout.js" integrity="${jsHash}" crossorigin="anonymous"></script>
</body></html>`;
  // The wrong hash: the right one with its first character changed.
  const wrong = js.replace(/^sha384-(.)/, (_, c) => `sha384-${c === "A" ? "B" : "A"}`);
  for (const [name, hash, works] of [["sri-ok.html", js, true], ["sri-bad.html", wrong, false]]) {
    const tab = await browser.newPage();
    const errors = [];
    tab.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    await tab.route(`${shop.origin}/${name}`, (route) =>
      route.fulfill({ status: 200, contentType: "text/html; charset=utf-8", headers: { "Content-Security-Policy": CSP }, body: page(hash) }),
    );
    await tab.goto(`${shop.origin}/${name}`);
    if (works) {
      await tab.locator("#pay[data-state=ready]").waitFor();
      assert.deepEqual(errors, [], "no console errors with the published hashes");
      const background = await tab.getByRole("button", { name: "Pay with Amazon" }).evaluate((b) => getComputedStyle(b).backgroundColor);
      assert.equal(background, "rgb(255, 216, 20)", "the stylesheet passed its integrity check");
    } else {
      await tab.waitForTimeout(1000);
      assert.equal(await tab.locator("#pay button").count(), 0, "the script ran despite a wrong hash");
      assert.ok(errors.some((e) => /integrity/i.test(e)), `the browser names the integrity failure: ${errors}`);
    }
    await tab.close();
  }
});
