// The marketplace end to end through the demo in headless Chromium: the admin invites the
// seller from the marketplace page, the seller registers on the seller page (Pay Now button on
// the Recipient pipeline, the sandbox's CBUI pages, status SR), a buyer reserves the seller's
// vase, the admin settles it, the marketplace page shows the split FPS reported, and the admin
// page shows the sale in the seller's account activity (GetAccountActivity) and the order's
// GetTransaction details.
//   FPS_BIN (default target/debug/fps-checkout), PKG_DIR (default pkg), SCREENSHOTS (default
//   tests/e2e/screenshots) can be set.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { startDemo, cbui, shots } from "./demo-harness.mjs";

let demo, info, browser, orderReaches;

before(async () => {
  demo = await startDemo();
  ({ info, browser, orderReaches } = demo);
});

after(async () => {
  await demo?.stop();
});

test("a seller registers, a buyer reserves the seller's vase, the admin settles, the split shows", async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const adminFragment = new URL(info.adminUrl).hash;

  // The admin invites the seller: a sign-up link with an unguessable reference.
  await page.goto(`${info.shopUrl}marketplace.html${adminFragment}`);
  const sellerRow = page.locator('#sellers tr[data-seller="riverbend"]');
  await sellerRow.getByRole("button", { name: "Invite" }).click();
  const link = sellerRow.locator("a.signup-link");
  await link.waitFor();
  const href = await link.getAttribute("href");
  assert.match(href, /^seller\.html#signup=sel-[0-9a-f]{32}$/);

  // The seller registers with the same Pay Now module, Recipient pipeline.
  await page.goto(new URL(href, info.shopUrl).href);
  const register = page.locator('#signup .fps-checkout[data-state="ready"] button');
  await register.waitFor({ timeout: 20000 });
  assert.equal((await register.innerText()).trim(), "Register with Amazon Payments");
  await page.screenshot({ path: path.join(shots, "seller-signup.png"), fullPage: true });
  await register.click();
  const registered = await cbui(page, "potter@sandbox.test");
  assert.equal(registered.state, "success", registered.text);
  assert.match(registered.text, /registered/i);
  await page.screenshot({ path: path.join(shots, "seller-registered.png") });

  // A buyer reserves the seller's vase by card.
  await page.goto(info.shopUrl);
  await page.click('li[data-sku="VASE-STONE"] button.buy');
  const pay = page.locator('li[data-sku="VASE-STONE"] .fps-checkout[data-state="ready"] button');
  await pay.waitFor({ timeout: 20000 });
  const reference = await page.locator('li[data-sku="VASE-STONE"] [data-order-reference]').getAttribute("data-order-reference");
  await pay.click();
  const bought = await cbui(page, "buyer@sandbox.test");
  assert.equal(bought.state, "success", bought.text);
  await orderReaches(reference, "reserved");

  // The admin settles it when it ships.
  await page.goto(info.adminUrl);
  const row = page.locator(`tr[data-reference="${reference}"]`);
  await row.getByRole("button", { name: `Settle order ${reference}` }).click();
  await orderReaches(reference, "paid");

  // The marketplace page shows what each got, as FPS's GetTransaction reported it.
  await page.goto(`${info.shopUrl}marketplace.html`);
  const split = page.locator(`#splits tr[data-reference="${reference}"]`);
  await split.waitFor({ timeout: 20000 });
  // $25.00 by card: FPS 2.9 % + $0.30 = $1.03; marketplace $0.25 + 5 % = $1.50; seller the rest.
  assert.equal(await split.locator(".seller-got").innerText(), "$22.47");
  assert.equal(await split.locator(".marketplace-got").innerText(), "$1.50");
  assert.match(await split.locator(".fps-got").innerText(), /^\$1\.03 \(fees paid by seller\)$/);
  await page.screenshot({ path: path.join(shots, "marketplace-split.png"), fullPage: true });

  // The admin page: the seller's sales from FPS's GetAccountActivity, with the fees each party
  // paid, then the shop's own activity, then GetTransaction of the order.
  await page.goto(info.adminUrl);
  await page.locator(`#orders tr[data-reference="${reference}"]`).waitFor();
  await page.locator('#activity-account option[value="riverbend"]').waitFor({ state: "attached" });
  const today = new Date().toISOString().slice(0, 10);
  await page.selectOption("#activity-account", "riverbend");
  await page.fill("#activity-from", today);
  await page.click("#activity-load");
  const sale = page.locator(`#activity tr[data-reference="${reference}"]`);
  await sale.waitFor({ timeout: 20000 });
  assert.equal(await page.locator("#activity tbody tr").count(), 1, "the seller's part only");
  assert.equal(await sale.locator(".amount").innerText(), "$25.00");
  assert.equal(await sale.locator(".fps-fees").innerText(), "$1.03");
  assert.equal(await sale.locator(".marketplace-fees").innerText(), "$1.50");
  // The seller paid the marketplace's $1.50 and FPS's $1.03; the buyer and the shop nothing.
  const parts = await sale.locator(".parts").innerText();
  assert.match(parts, /Recipient [^;]*: \$2\.53/, parts);
  assert.match(parts, /Sender [^;]*: \$0\.00/, parts);
  assert.match(parts, /Caller [^;]*: \$0\.00/, parts);
  await page.selectOption("#activity-account", "caller");
  await page.click("#activity-load");
  await page.locator("#activity-status", { hasText: "from GetAccountActivity" }).waitFor();
  assert.ok((await page.locator("#activity tbody tr").count()) >= 1);
  await page.selectOption("#activity-account", "riverbend");
  await page.click("#activity-load");
  await page.locator("#activity-status", { hasText: "1 transaction from" }).waitFor();
  await page.getByRole("button", { name: `Details of order ${reference}` }).click();
  await page.locator("#transaction-details dd", { hasText: "Settle by CC" }).waitFor({ timeout: 20000 });
  assert.match(await page.locator("#transaction-details").innerText(), /\$1\.03 paid by Recipient/);
  assert.ok((await page.locator("#transaction-history tbody tr").count()) >= 3, "Pending, Reserved, Pending, Success");
  await page.screenshot({ path: path.join(shots, "admin-activity.png"), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});
