// Refunds and fulfilment on the demo's pages in headless Chromium (issue 19): the buyer asks for a
// refund on the order page; the admin declines it with a message the buyer then sees, or approves
// it (the backend issues the Refund); the admin refunds part of a payment with the amount field;
// "Mark shipped" settles a reserved order in one click. Every action through the real pages.
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

/** A page that records script errors and failed responses. */
async function watchedPage() {
  const page = await demo.browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("response", (r) => r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`));
  return { page, errors };
}

/** The buyer checks out `sku` as `email`; returns the order reference and its order page link. */
async function checkout(page, sku, email = "buyer@sandbox.test") {
  await page.goto(demo.info.shopUrl);
  await page.click(`li[data-sku="${sku}"] button.buy`);
  const pay = page.locator(`li[data-sku="${sku}"] .fps-checkout[data-state="ready"] button`);
  await pay.waitFor({ timeout: 20000 });
  const reference = await page.locator(`li[data-sku="${sku}"] [data-order-reference]`).getAttribute("data-order-reference");
  await pay.click();
  const outcome = await cbui(page, email);
  assert.equal(outcome.state, "success", outcome.text);
  const link = page.locator("#order-link a");
  await link.waitFor();
  return { reference, href: await link.getAttribute("href") };
}

/** The admin page, loaded (the demo's admin URL carries the token in its fragment). */
async function admin(page) {
  // The token stays in the tab's session after the first visit; a second visit reloads.
  if (new URL(page.url()).pathname.endsWith("/admin.html")) await page.reload();
  else await page.goto(demo.info.adminUrl);
  await page.locator("#orders tbody tr").first().waitFor({ timeout: 20000 });
}

/** The buyer fills the order page's refund form. */
async function askForRefund(page, amount, reason) {
  await page.locator("#refund-form").waitFor();
  await page.fill("#refund-amount", amount);
  await page.fill("#refund-reason", reason);
  await page.getByRole("button", { name: "Ask for a refund" }).click();
  await page.locator('#refund-request-status[data-status="pending"]').waitFor();
}

test("the buyer asks for a refund; the admin declines with a message, then approves a second one", async () => {
  const { page, errors } = await watchedPage();
  const { reference, href } = await checkout(page, "MUG-ENAMEL");
  await demo.orderReaches(reference, "paid");

  // The order page offers a refund of all or part; the buyer asks for part of it.
  await page.goto(href);
  await page.locator('#order-badge[data-status="paid"]').waitFor();
  assert.equal(await page.inputValue("#refund-amount"), "12.50");
  await askForRefund(page, "5.00", "The handle arrived loose.");
  assert.match(await page.locator("#refund-request-status").innerText(), /asked for a refund of \$5\.00/);
  assert.equal(await page.locator("#refund-form").isVisible(), false, "one pending request per order");
  await page.screenshot({ path: path.join(shots, "order-page-refund-pending.png"), fullPage: true });
  assert.equal((await demo.order(reference)).refundedAmount, "0.00", "nothing moves without the admin");

  // The admin sees it pending and declines it with a message.
  await admin(page);
  const row = page.locator(`#requests tr[data-reference="${reference}"]`);
  await row.waitFor();
  assert.match(await row.innerText(), /The handle arrived loose\./);
  assert.match(await page.locator("#now").innerText(), /1 refund request to answer/);
  await page.screenshot({ path: path.join(shots, "admin-refund-request.png"), fullPage: true });
  const message = "Tighten the screw with a coin; we will send a new one if it still wobbles.";
  await row.getByRole("textbox", { name: `Message to the shopper of order ${reference}` }).fill(message);
  await row.getByRole("button", { name: `Decline the refund of order ${reference}` }).click();
  await page.locator(`#requests tr[data-reference="${reference}"]`).waitFor({ state: "detached" });
  assert.equal(await page.locator("#requests-section").isVisible(), false);

  // The buyer sees the message, and may ask again.
  await page.goto(href);
  const status = page.locator('#refund-request-status[data-status="declined"]');
  await status.waitFor();
  assert.match(await status.innerText(), new RegExp(`declined your refund request of \\$5\\.00: ${message.replace(/\./g, "\\.")}`));
  await page.screenshot({ path: path.join(shots, "order-page-refund-declined.png"), fullPage: true });
  await askForRefund(page, "12.50", "It wobbles still.");

  // The admin approves: the backend refunds through FPS.
  await admin(page);
  const again = page.locator(`#requests tr[data-reference="${reference}"]`);
  await again.getByRole("button", { name: `Approve the refund of order ${reference}` }).click();
  await page.locator(`#requests tr[data-reference="${reference}"]`).waitFor({ state: "detached" });
  assert.match(await page.locator("#admin-status").innerText(), /Approving the refund request of .*: done/);
  const refunded = await demo.orderReaches(reference, "refunded");
  assert.equal(refunded.refundedAmount, "12.50");
  assert.deepEqual(refunded.refunds.map((r) => [r.amount, r.status]), [["12.50", "Success"]]);

  await page.goto(href);
  await page.locator('#order-badge[data-status="refunded"]').waitFor();
  assert.match(await page.locator("#refund-request-status").innerText(), /The shop refunded \$12\.50\./);
  assert.equal(await page.locator("#refund-form").isVisible(), false);
  await page.screenshot({ path: path.join(shots, "order-page-refunded.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test("the admin refunds part of a payment with the amount field, then the rest", async () => {
  const { page, errors } = await watchedPage();
  const { reference } = await checkout(page, "MUG-ENAMEL");
  await demo.orderReaches(reference, "paid");
  await admin(page);
  const row = page.locator(`#orders tr[data-reference="${reference}"]`);
  const amount = row.getByRole("textbox", { name: `Amount to refund of order ${reference}` });
  assert.equal(await amount.inputValue(), "12.50");
  await amount.fill("2.50");
  await row.getByRole("button", { name: `Refund order ${reference}` }).click();
  await page.locator(`#orders tr[data-reference="${reference}"]`).getByText("refunded $2.50").waitFor({ timeout: 20000 });
  const part = await demo.order(reference);
  assert.equal(part.status, "paid");
  assert.equal(part.refundedAmount, "2.50");
  // The field now offers what is left; more than that is refused and changes nothing.
  const left = page.locator(`#orders tr[data-reference="${reference}"]`).getByRole("textbox", { name: `Amount to refund of order ${reference}` });
  assert.equal(await left.inputValue(), "10.00");
  await left.fill("10.01");
  await page.locator(`#orders tr[data-reference="${reference}"]`).getByRole("button", { name: `Refund order ${reference}` }).click();
  await page.locator("#admin-status.error").waitFor();
  assert.match(await page.locator("#admin-status").innerText(), /AMOUNT_TOO_LARGE/);
  assert.equal((await demo.order(reference)).refundedAmount, "2.50");
  const conflict = errors.findIndex((e) => e.startsWith("409 "));
  assert.ok(conflict >= 0, errors.join());
  errors.splice(conflict, 1);
  await page.screenshot({ path: path.join(shots, "admin-partial-refund.png"), fullPage: true });
  await left.fill("10.00");
  await page.locator(`#orders tr[data-reference="${reference}"]`).getByRole("button", { name: `Refund order ${reference}` }).click();
  await page.locator(`#orders tr[data-reference="${reference}"]`).getByText("refunded $12.50").waitFor({ timeout: 20000 });
  assert.equal((await demo.orderReaches(reference, "refunded")).refundedAmount, "12.50");
  assert.deepEqual(errors, []);
  await page.close();
});

test("Mark shipped settles a reserved order in one click", async () => {
  const { page, errors } = await watchedPage();
  const { reference } = await checkout(page, "TENT-2P");
  await demo.orderReaches(reference, "reserved");
  await admin(page);
  assert.match(await page.locator("#now").innerText(), /reserved orders? to ship/);
  const row = page.locator(`#orders tr[data-reference="${reference}"]`);
  const ship = row.getByRole("button", { name: `Mark shipped: settle order ${reference}` });
  assert.equal((await ship.innerText()).trim(), "Mark shipped");
  await ship.click();
  await page.locator("#admin-status").getByText(`settle ${reference}:`).waitFor({ timeout: 20000 });
  const paid = await demo.orderReaches(reference, "paid");
  assert.equal(paid.settledAmount, "189.00");
  await admin(page);
  await page.locator(`#orders tr[data-reference="${reference}"] .badge[data-status="paid"]`).waitFor();
  assert.equal(await page.getByRole("button", { name: `Mark shipped: settle order ${reference}` }).count(), 0);
  await page.screenshot({ path: path.join(shots, "admin-marked-shipped.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});
