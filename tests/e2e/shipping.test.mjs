// A product that ships, end to end through the demo in headless Chromium (issue 19, "Sender and
// order data"): the buyer buys the trail boots, the emulator's CBUI page asks for the shipping
// address, the buyer types one (with markup, which must show as text), pays from a bank account,
// and sees the address and the payment method on the order page; the admin page shows them too.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { startDemo, shots } from "./demo-harness.mjs";

let demo;
before(async () => {
  demo = await startDemo();
});
after(async () => {
  await demo?.stop();
});

test("the buyer of a product that ships gives an address on the CBUI page and both pages show it", async () => {
  const page = await demo.browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(demo.info.shopUrl);
  await page.click('li[data-sku="BOOTS-TRAIL"] button.buy');
  const pay = page.locator('li[data-sku="BOOTS-TRAIL"] .fps-checkout[data-state="ready"] button');
  await pay.waitFor({ timeout: 20000 });
  const reference = await page
    .locator('li[data-sku="BOOTS-TRAIL"] [data-order-reference]')
    .getAttribute("data-order-reference");
  await pay.click();

  // Amazon's side: sign in, then the confirm page collects the address.
  await page.waitForURL(/cobranded-ui/, { timeout: 20000 });
  await page.fill("#email", "buyer@sandbox.test");
  await page.fill("#password", "sandbox");
  await page.click('button[value="signin"]');
  await page.waitForSelector("#addressLine1");
  await page.fill("#addressName", "Ada <b>Lovelace</b>");
  await page.fill("#addressLine1", "12 Analytical Row");
  await page.fill("#city", "London");
  await page.fill("#state", "LDN");
  await page.fill("#zip", "N1 9GU");
  await page.fill("#country", "GB");
  await page.check('input[name="paymentMethod"][value="ACH"]');
  await page.screenshot({ path: path.join(shots, "shipping-cbui-address.png"), fullPage: true });
  await page.click('button[value="confirm"]');
  await page.waitForURL(/thank-you\.html/, { timeout: 20000 });
  const box = page.locator('[data-fps-return][data-state="success"], [data-fps-return][data-state="failure"]');
  await box.waitFor({ timeout: 20000 });
  assert.equal(await box.getAttribute("data-state"), "success", await box.innerText());
  await demo.orderReaches(reference, "paid");

  // The shopper's order page: the address as text, the payment method.
  const link = page.locator("#order-link a");
  await link.waitFor();
  await link.click();
  await page.locator('#order-badge[data-status="paid"]').waitFor({ timeout: 20000 });
  const shipTo = page.locator("#order-ship-to");
  await shipTo.waitFor();
  const address = await shipTo.innerText();
  assert.match(address, /Ada <b>Lovelace<\/b>/);
  assert.match(address, /12 Analytical Row/);
  assert.match(address, /London LDN N1 9GU/);
  assert.equal(await page.locator("#order-ship-to b").count(), 0, "typed markup stays text");
  assert.equal(await page.locator("#order-method").innerText(), "bank account");
  await page.screenshot({ path: path.join(shots, "shipping-order-page.png"), fullPage: true });

  // The admin page: the same address and method in the order's row.
  await page.goto(demo.info.adminUrl);
  const row = page.locator(`#orders tr[data-reference="${reference}"]`);
  await row.locator(".shipping-address").waitFor({ timeout: 20000 });
  assert.match(await row.locator(".shipping-address").innerText(), /Ada <b>Lovelace<\/b>/);
  assert.equal(await row.locator(".shipping-address b").count(), 0);
  assert.match(await row.locator(".payment-method").innerText(), /bank account/);
  await row.scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(shots, "shipping-admin.png"), fullPage: true });

  // The admin API keeps FPS's RequestId of the Pay.
  const order = await demo.order(reference);
  assert.ok(order.fpsRequests.some((r) => r.action === "Pay" && r.requestId), JSON.stringify(order.fpsRequests));
  assert.deepEqual(errors, []);
  await page.close();
});
