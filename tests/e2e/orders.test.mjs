// The shopper's side of an order end to end through the demo in headless Chromium (issue 8,
// items 3 to 5): the thank-you page links the order page (a secret link); the buyer cancels a
// reserved order there before it ships; an order whose settlement fails shows on the admin's
// "Needs attention" list, the buyer authorizes it again from the order page and it settles; the
// emulator's outbox shows the e-mails FPS would have sent.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { startDemo, cbui, shots } from "./demo-harness.mjs";

let demo;
before(async () => {
  demo = await startDemo();
});
after(async () => {
  await demo?.stop();
});

/** The buyer reserves the tent as `email`; returns the order reference and its order page link. */
async function reserveTent(page, email) {
  await page.goto(demo.info.shopUrl);
  await page.click('li[data-sku="TENT-2P"] button.buy');
  const pay = page.locator('li[data-sku="TENT-2P"] .fps-checkout[data-state="ready"] button');
  await pay.waitFor({ timeout: 20000 });
  const reference = await page.locator('li[data-sku="TENT-2P"] [data-order-reference]').getAttribute("data-order-reference");
  await pay.click();
  const outcome = await cbui(page, email);
  assert.equal(outcome.state, "success", outcome.text);
  const link = page.locator("#order-link a");
  await link.waitFor();
  const href = await link.getAttribute("href");
  assert.match(href, new RegExp(`/order\\.html#${reference}\\.[A-Za-z0-9_-]{43}$`));
  await demo.orderReaches(reference, "reserved");
  return { reference, href };
}

test("the buyer cancels a reserved order from the order page before it ships", async () => {
  const page = await demo.browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const { reference, href } = await reserveTent(page, "buyer@sandbox.test");
  await page.click("#order-link a");
  await page.waitForURL(href);
  const badge = page.locator("#order-badge");
  await page.locator('#order-badge[data-status="reserved"]').waitFor();
  assert.equal(await page.locator("#order-id").innerText(), reference);
  await page.screenshot({ path: path.join(shots, "order-page-reserved.png"), fullPage: true });
  await page.getByRole("button", { name: "Cancel order" }).click();
  await page.locator('#order-badge[data-status="cancelled"]').waitFor();
  assert.match(await page.locator("#order-status").innerText(), /Cancelled/);
  assert.equal(await page.getByRole("button", { name: "Cancel order" }).count(), 0);
  assert.equal((await demo.order(reference)).transactionStatus, "Cancelled");
  await page.screenshot({ path: path.join(shots, "order-page-cancelled.png"), fullPage: true });

  // The link without its key opens nothing.
  await page.goto(href.replace(/\.[A-Za-z0-9_-]{43}$/, ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
  await page.locator('#order-status[data-state="failure"]').waitFor();
  assert.match(await page.locator("#order-status").innerText(), /no order matches this link/);
  assert.equal(await badge.isVisible(), false);
  assert.deepEqual(errors, []);
  await page.close();
});

test("a failed settlement needs attention; the buyer authorizes again and it settles", async () => {
  const page = await demo.browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const { reference, href } = await reserveTent(page, "settle-declined@sandbox.test");

  // The admin settles when it ships; the card is declined at capture.
  await page.goto(demo.info.adminUrl);
  await page.locator(`tr[data-reference="${reference}"]`).getByRole("button", { name: `Settle order ${reference}` }).click();
  await demo.orderReaches(reference, "failed");
  await page.getByRole("button", { name: "Load orders" }).click();
  const flagged = page.locator(`#attention li[data-reference="${reference}"]`);
  await flagged.waitFor({ timeout: 20000 });
  assert.match(await flagged.innerText(), /could not settle/);
  await page.screenshot({ path: path.join(shots, "admin-needs-attention.png"), fullPage: true });

  // The buyer's order page offers a new authorization under a new callerReference.
  await page.goto(href);
  await page.locator('#order-badge[data-status="failed"]').waitFor();
  assert.match(await page.locator("#order-reason").innerText(), /could not settle/);
  await page.screenshot({ path: path.join(shots, "order-page-failed.png"), fullPage: true });
  await page.getByRole("button", { name: "Authorize again" }).click();
  const pay = page.locator('#order-actions .fps-checkout[data-state="ready"] button');
  await pay.waitFor({ timeout: 20000 });
  assert.equal((await pay.innerText()).trim(), "Authorize $189.00 with Amazon");
  await pay.click();
  const outcome = await cbui(page, "buyer@sandbox.test");
  assert.equal(outcome.state, "success", outcome.text);
  assert.ok(page.url().includes(`callerReference=${reference}-a2`), page.url());
  await demo.orderReaches(reference, "reserved");

  await page.goto(demo.info.adminUrl);
  await page.locator(`tr[data-reference="${reference}"]`).getByRole("button", { name: `Settle order ${reference}` }).click();
  await demo.orderReaches(reference, "paid");
  await page.getByRole("button", { name: "Load orders" }).click();
  await page.locator(`tr[data-reference="${reference}"] .badge[data-status="paid"]`).waitFor();
  assert.equal(await page.locator(`#attention li[data-reference="${reference}"]`).count(), 0);
  assert.equal((await demo.order(reference)).attempt, 2);

  // The emulator's outbox shows what FPS would have e-mailed the buyers.
  await page.goto(`${demo.info.sandboxUrl.replace(/\/$/, "")}/outbox`);
  const emails = page.locator("li.email");
  await emails.first().waitFor();
  const kinds = await emails.evaluateAll((items) => items.map((i) => i.dataset.kind));
  assert.ok(kinds.includes("settlement_failed"), kinds.join());
  assert.ok(kinds.includes("payment_succeeded"), kinds.join());
  await page.screenshot({ path: path.join(shots, "sandbox-outbox.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});
