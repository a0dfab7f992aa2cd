// End to end through the whole demo in headless Chromium: the example shop, the Pay Now button,
// the sandbox's CBUI pages, the thank-you page, the backend and the admin page. Starts the real
// `fps-checkout demo` on free loopback ports with a fresh state folder.
//   FPS_BIN (default target/debug/fps-checkout), PKG_DIR (default pkg), SCREENSHOTS (default
//   tests/e2e/screenshots) can be set.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { startDemo, shots } from "./demo-harness.mjs";

let demo, info, browser, order, orderReaches;

before(async () => {
  demo = await startDemo();
  ({ info, browser, order, orderReaches } = demo);
});

after(async () => {
  if (demo) assert.ok(await demo.stop(), "the demo exits on SIGINT");
});

/** Opens the shop, buys `sku`, and returns the page with a ready Pay Now button and the order's reference. */
async function buy(sku) {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("response", (r) => r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`));
  await page.goto(info.shopUrl);
  await page.click(`li[data-sku="${sku}"] button.buy`);
  const container = page.locator(`li[data-sku="${sku}"] .fps-checkout[data-state="ready"]`);
  await container.waitFor({ timeout: 20000 });
  const reference = await page.locator(`li[data-sku="${sku}"] [data-order-reference]`).getAttribute("data-order-reference");
  return { page, reference, errors, button: container.locator("button") };
}

async function signIn(page, email = "buyer@sandbox.test") {
  await page.waitForURL(/cobranded-ui/, { timeout: 20000 });
  await page.fill("#email", email);
  await page.fill("#password", "sandbox");
  await page.click('button[value="signin"]');
  await page.waitForSelector('button[value="confirm"]');
}

async function outcome(page) {
  await page.waitForURL(/thank-you\.html/, { timeout: 20000 });
  const box = page.locator('[data-fps-return][data-state="success"], [data-fps-return][data-state="failure"]');
  await box.waitFor({ timeout: 20000 });
  return { state: await box.getAttribute("data-state"), text: await box.innerText() };
}

test("pay: shop -> Pay Now -> CBUI sign-in and confirm -> thank-you success -> order paid", async () => {
  const { page, reference, errors, button } = await buy("MUG-ENAMEL");
  await page.screenshot({ path: path.join(shots, "shop-ready.png") });
  await button.click();
  await signIn(page);
  await page.screenshot({ path: path.join(shots, "cbui-confirm.png") });
  await page.click('button[value="confirm"]');
  const result = await outcome(page);
  assert.equal(result.state, "success", result.text);
  await page.screenshot({ path: path.join(shots, "thank-you-paid.png") });
  const paid = await orderReaches(reference, "paid");
  assert.equal(paid.amount, "12.50");
  assert.match(paid.transactionId, /^[A-Z0-9]{35}$/);
  assert.deepEqual(errors, []);
  await page.close();
});

test("reserve, then settle from the admin page", async () => {
  const { page, reference, button } = await buy("TENT-2P");
  await button.click();
  await signIn(page);
  await page.click('button[value="confirm"]');
  const result = await outcome(page);
  assert.equal(result.state, "success", result.text);
  await orderReaches(reference, "reserved");

  await page.goto(info.adminUrl);
  const row = page.locator(`tr[data-reference="${reference}"]`);
  await row.waitFor();
  await row.getByRole("button", { name: `Settle order ${reference}` }).click();
  const paid = await orderReaches(reference, "paid");
  assert.equal(paid.settledAmount, "189.00");
  await page.click("#load");
  await row.locator('.badge[data-status="paid"]').waitFor();
  await page.screenshot({ path: path.join(shots, "admin-settled.png"), fullPage: true });
  await page.close();
});

test("reserve, settle, then refund from the admin page", async () => {
  const { page, reference, button } = await buy("TENT-2P");
  await button.click();
  await signIn(page);
  await page.click('button[value="confirm"]');
  await outcome(page);
  await orderReaches(reference, "reserved");
  await page.goto(info.adminUrl);
  const row = page.locator(`tr[data-reference="${reference}"]`);
  await row.getByRole("button", { name: `Settle order ${reference}` }).click();
  await orderReaches(reference, "paid");
  await page.click("#load");
  await row.getByRole("button", { name: `Refund order ${reference}` }).click();
  const refunded = await orderReaches(reference, "refunded");
  assert.equal(refunded.refundedAmount, "189.00");
  assert.equal(refunded.refunds.length, 1);
  assert.equal(refunded.refunds[0].status, "Success");
  await page.click("#load");
  await row.locator('.badge[data-status="refunded"]').waitFor();
  await page.screenshot({ path: path.join(shots, "admin-refunded.png"), fullPage: true });
  await page.close();
});

test("cancelled at the CBUI (status A): thank-you says so, nothing charged", async () => {
  const { page, reference, button } = await buy("EBOOK-RUST");
  await button.click();
  await page.waitForURL(/cobranded-ui/);
  await page.click('button[value="cancel"]');
  const result = await outcome(page);
  assert.equal(result.state, "failure");
  assert.match(result.text, /cancel/i);
  await page.screenshot({ path: path.join(shots, "thank-you-cancelled.png") });
  const stored = await order(reference);
  assert.equal(stored.transactionId, null);
  await page.close();
});

test("declined payment: the order ends failed with the reason recorded", async () => {
  const { page, reference, button } = await buy("MAP-TRAIL");
  await button.click();
  await signIn(page);
  await page.click('button[value="confirm"]');
  await outcome(page);
  const failed = await orderReaches(reference, "failed");
  assert.ok(failed.lastError || failed.transactionStatus, "a reason is recorded");
  await page.goto(info.adminUrl);
  await page.locator(`tr[data-reference="${reference}"] .badge[data-status="failed"]`).waitFor();
  await page.screenshot({ path: path.join(shots, "admin-declined.png"), fullPage: true });
  await page.close();
});

test("back from the CBUI page: the button is ready again and pays", async () => {
  const { page, reference, button } = await buy("MUG-ENAMEL");
  await button.click();
  await page.waitForURL(/cobranded-ui/);
  await page.goBack();
  // Restored from the back/forward cache, the button is ready again; if the browser reloaded the
  // page instead, the shopper starts again from "Buy". Either way they can pay.
  const ready = page.locator(`li[data-sku="MUG-ENAMEL"] .fps-checkout[data-state="ready"] button`);
  const buyAgain = page.locator(`li[data-sku="MUG-ENAMEL"] button.buy`);
  await ready.or(buyAgain).waitFor({ timeout: 20000 });
  let paying = reference;
  if (!(await ready.isVisible())) {
    await buyAgain.click();
    await ready.waitFor({ timeout: 20000 });
    paying = await page.locator(`li[data-sku="MUG-ENAMEL"] [data-order-reference]`).getAttribute("data-order-reference");
  }
  await page.screenshot({ path: path.join(shots, "shop-back.png") });
  await ready.click();
  await signIn(page);
  await page.click('button[value="confirm"]');
  assert.equal((await outcome(page)).state, "success");
  await orderReaches(paying, "paid");
  await page.close();
});
