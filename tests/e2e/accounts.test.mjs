// The emulator's Amazon-side account pages end to end through the demo in headless Chromium
// (issue 19): the CBUI pages leave nothing in the browser's console (the icon answers); the buyer
// signs in at the sandbox's /account, sees the payment made through the demo shop with its
// history and fees, cancels the reserved payment there, and the shop's admin API shows the order
// cancelled (FPS's IPN).
//   FPS_BIN (default target/debug/fps-checkout), PKG_DIR (default pkg), SCREENSHOTS (default
//   tests/e2e/screenshots) can be set.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { startDemo, cbui, shots } from "./demo-harness.mjs";

let demo, sandbox;
before(async () => {
  demo = await startDemo();
  sandbox = demo.info.sandboxUrl.replace(/\/$/, "");
});
after(async () => {
  await demo?.stop();
});

/** Everything a page leaves for the console: errors, and failed answers from the sandbox. */
function watch(page) {
  const problems = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console: ${m.text()}`); });
  page.on("response", (r) => {
    if (r.url().startsWith(sandbox) && r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
  });
  return problems;
}

test("the sandbox's icon answers, so its pages leave nothing in the console", async () => {
  const response = await fetch(`${sandbox}/favicon.ico`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "image/x-icon");
  assert.match(response.headers.get("cache-control"), /max-age=\d+/);
  const page = await demo.browser.newPage();
  const problems = watch(page);
  await page.goto(`${sandbox}/account`);
  await page.getByRole("heading", { name: "Sign in to your account" }).waitFor();
  // The browser asks for the icon on its own (outside the page's CSP); open it as a page too.
  const icon = await page.goto(`${sandbox}/favicon.ico`);
  assert.equal(icon.status(), 200);
  assert.equal(icon.headers()["content-type"], "image/x-icon");
  assert.deepEqual(problems, []);
  await page.close();
});

test("the buyer cancels a reserved payment on the account pages and the shop hears of it", async () => {
  const page = await demo.browser.newPage();
  // Watched from the shop through the CBUI pages to the account pages: nothing for the console.
  const problems = watch(page);

  // A reserved order through the demo shop, over the CBUI pages.
  await page.goto(demo.info.shopUrl);
  await page.click('li[data-sku="TENT-2P"] button.buy');
  const pay = page.locator('li[data-sku="TENT-2P"] .fps-checkout[data-state="ready"] button');
  await pay.waitFor({ timeout: 20000 });
  const reference = await page.locator('li[data-sku="TENT-2P"] [data-order-reference]').getAttribute("data-order-reference");
  await pay.click();
  const outcome = await cbui(page, "buyer@sandbox.test");
  assert.equal(outcome.state, "success", outcome.text);
  const order = await demo.orderReaches(reference, "reserved");
  assert.ok(order.transactionId, JSON.stringify(order));

  // Amazon's side: the buyer signs in and sees the reservation, its history and fees.
  await page.goto(`${sandbox}/account`);
  await page.fill("#email", "buyer@sandbox.test");
  await page.fill("#password", "sandbox");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Test Buyer" }).waitFor();
  const row = page.locator(`#transactions tr[data-transaction="${order.transactionId}"]`);
  await row.waitFor();
  assert.equal(await row.getAttribute("data-status"), "Reserved");
  const text = await row.innerText();
  assert.match(text, /Reserve/);
  assert.match(text, /\$189\.00/);
  assert.match(text, /Pending \(PendingNetworkResponse, \$189\.00\)/);
  assert.match(text, /Reserved \(Success, \$189\.00\)/);
  assert.match(text, /FPS \$5\.78/); // 2.9 % + $0.30 of the card payment
  assert.ok(await page.locator("#tokens tr[data-token]").count() >= 1);
  await page.screenshot({ path: path.join(shots, "sandbox-account-reserved.png"), fullPage: true });

  // Cancel it there: the page confirms, FPS notifies the shop, the admin API shows it cancelled.
  await row.getByRole("button", { name: "Cancel payment" }).click();
  await page.locator('.notice[role="status"]').waitFor();
  assert.match(await page.locator(".notice").innerText(), /payment was cancelled/);
  assert.equal(await row.getAttribute("data-status"), "Cancelled");
  assert.equal(await row.getByRole("button", { name: "Cancel payment" }).count(), 0);
  await page.screenshot({ path: path.join(shots, "sandbox-account-cancelled.png"), fullPage: true });
  const cancelled = await demo.orderReaches(reference, "cancelled");
  assert.equal(cancelled.transactionStatus, "Cancelled");

  // The shop's admin page shows it too.
  await page.goto(demo.info.adminUrl);
  await page.locator(`tr[data-reference="${reference}"] .badge[data-status="cancelled"]`).waitFor({ timeout: 20000 });
  assert.deepEqual(problems, []);
  await page.close();
});
