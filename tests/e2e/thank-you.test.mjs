// The thank-you page follows a payment that is still being processed (issue 19): with the
// emulator holding card payments Pending for 6 seconds, the page says so, then, without a reload,
// says what happened once FPS completes the payment; and it tells a reserved order (the card is
// authorized, charged when it ships) apart from a charged one.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { startDemo, shots } from "./demo-harness.mjs";

let demo;
before(async () => {
  demo = await startDemo({ pendingDelayMs: 6000 });
});
after(async () => {
  await demo?.stop();
});

/** The buyer checks out `sku` and lands on the thank-you page; returns the order reference. */
async function checkout(page, sku) {
  await page.goto(demo.info.shopUrl);
  await page.click(`li[data-sku="${sku}"] button.buy`);
  const pay = page.locator(`li[data-sku="${sku}"] .fps-checkout[data-state="ready"] button`);
  await pay.waitFor({ timeout: 20000 });
  const reference = await page.locator(`li[data-sku="${sku}"] [data-order-reference]`).getAttribute("data-order-reference");
  await pay.click();
  // The buyer pays by card (the choice FPS keeps Pending while the card network answers).
  await page.waitForURL(/cobranded-ui/, { timeout: 20000 });
  await page.fill("#email", "buyer@sandbox.test");
  await page.fill("#password", "sandbox");
  await page.click('button[value="signin"]');
  await page.waitForSelector('button[value="confirm"]');
  const card = page.locator('input[name="paymentMethod"][value="CC"]');
  if (await card.count()) await card.check();
  await page.click('button[value="confirm"]');
  await page.waitForURL(/thank-you\.html/, { timeout: 20000 });
  return reference;
}

for (const [sku, status, kind, words, shot] of [
  ["MUG-ENAMEL", "paid", "charged", /your payment of \$12\.50 is complete/, "thank-you-followed-paid.png"],
  ["TENT-2P", "reserved", "authorized", /your card is authorized for \$189\.00; you are charged when your order ships/, "thank-you-followed-reserved.png"],
]) {
  test(`a pending payment is followed to ${status} on the thank-you page`, async () => {
    const page = await demo.browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("response", (r) => r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`));
    const reference = await checkout(page, sku);
    const outcome = page.locator("#outcome");
    // Still Pending at FPS: the page says it is being processed, and keeps asking.
    await page.locator('#outcome[data-payment-kind="processing"]').waitFor({ timeout: 5000 });
    assert.equal((await demo.order(reference)).status, "pending");
    assert.match(await outcome.innerText(), /being processed/);
    await page.screenshot({ path: path.join(shots, "thank-you-processing.png"), fullPage: true });
    await page.evaluate(() => { window.notReloaded = true; });
    // Completed at FPS: the page tells which it is, without a reload.
    await page.locator(`#outcome[data-order-status="${status}"]`).waitFor({ timeout: 25000 });
    assert.equal(await page.evaluate(() => window.notReloaded), true);
    assert.equal(await outcome.getAttribute("data-payment-kind"), kind);
    assert.equal(await outcome.getAttribute("data-state"), "success");
    assert.match(await outcome.innerText(), words);
    assert.equal((await demo.order(reference)).status, status);
    await page.screenshot({ path: path.join(shots, shot), fullPage: true });
    assert.deepEqual(errors, []);
    await page.close();
  });
}
