// The admin page's dashboard (issue 19) in headless Chromium: takings per day as an inline SVG
// chart (the strict CSP allows no other), orders by state, and what needs the admin now, drawn from
// a paid order, a reserved one, a declined one and a pending refund request.
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

/** The buyer checks out `sku` as `email`; returns the reference, the outcome and the order page link. */
async function checkout(page, sku, email = "buyer@sandbox.test") {
  await page.goto(demo.info.shopUrl);
  await page.click(`li[data-sku="${sku}"] button.buy`);
  const pay = page.locator(`li[data-sku="${sku}"] .fps-checkout[data-state="ready"] button`);
  await pay.waitFor({ timeout: 20000 });
  const reference = await page.locator(`li[data-sku="${sku}"] [data-order-reference]`).getAttribute("data-order-reference");
  await pay.click();
  const outcome = await cbui(page, email);
  const link = await page.locator("#order-link a").getAttribute("href");
  return { reference, outcome, link };
}

test("the admin page opens with takings per day, orders by state and what needs attention", async () => {
  const page = await demo.browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));

  const mug = await checkout(page, "MUG-ENAMEL");
  await demo.orderReaches(mug.reference, "paid");
  const ebook = await checkout(page, "EBOOK-RUST");
  await demo.orderReaches(ebook.reference, "paid");
  const tent = await checkout(page, "TENT-2P");
  await demo.orderReaches(tent.reference, "reserved");
  const map = await checkout(page, "MAP-TRAIL");
  await demo.orderReaches(map.reference, "failed");
  // The buyer of the e-book asks for part of it back.
  await page.goto(ebook.link);
  await page.locator("#refund-form").waitFor();
  await page.fill("#refund-amount", "4.99");
  await page.fill("#refund-reason", "The PDF has no table of contents.");
  await page.getByRole("button", { name: "Ask for a refund" }).click();
  await page.locator('#refund-request-status[data-status="pending"]').waitFor();

  // From here on, the shop's own pages only: nothing for the console to report (the CSP allows
  // the inline SVG).
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await page.goto(demo.info.adminUrl);
  const dashboard = page.locator("#dashboard");
  await dashboard.waitFor({ timeout: 20000 });
  // Takings: 14 days, today's bar the two paid orders (12.50 + 9.99), nothing refunded yet.
  const chart = page.locator('#takings-chart svg[role="img"]');
  assert.match(await chart.getAttribute("aria-label"), /last 14 days: \$22\.49 in all/);
  assert.equal(await page.locator("#takings-chart rect.bar").count(), 14);
  const today = new Date().toISOString().slice(0, 10);
  assert.equal(await page.locator(`#takings-chart rect[data-day="${today}"]`).getAttribute("data-cents"), "2249");
  assert.equal(await page.locator("#takings-total").innerText(), "$22.49");
  // Orders by state.
  const count = (state) => page.locator(`#states li[data-state="${state}"] .count`).innerText();
  assert.equal(await count("paid"), "2");
  assert.equal(await count("reserved"), "1");
  assert.equal(await count("failed"), "1");
  // What needs the admin now: the request, the declined payment, the tent to ship.
  const now = await page.locator("#now").innerText();
  assert.match(now, /1 refund request to answer/);
  assert.match(now, /1 order flagged/);
  assert.match(now, /1 reserved order to ship/);
  await page.screenshot({ path: path.join(shots, "admin-dashboard.png"), fullPage: true });
  await dashboard.screenshot({ path: path.join(shots, "admin-dashboard-tiles.png") });

  // Once the request is approved and the tent shipped, they no longer need anyone.
  await page.locator(`#requests tr[data-reference="${ebook.reference}"]`)
    .getByRole("button", { name: `Approve the refund of order ${ebook.reference}` }).click();
  await page.locator(`#requests tr[data-reference="${ebook.reference}"]`).waitFor({ state: "detached" });
  await page.locator(`#orders tr[data-reference="${tent.reference}"]`)
    .getByRole("button", { name: `Mark shipped: settle order ${tent.reference}` }).click();
  await demo.orderReaches(tent.reference, "paid");
  await page.reload();
  await page.locator("#states li").first().waitFor();
  const after = await page.locator("#now").innerText();
  assert.doesNotMatch(after, /refund request|to ship/);
  assert.match(await page.locator("#takings-total").innerText(), /^\$206\.50$/);
  assert.deepEqual(errors, []);
  await page.close();
});
