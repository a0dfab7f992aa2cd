// Shared by the demo's end-to-end tests: starts `fps-checkout demo` on free loopback ports (state
// in a fresh folder), launches Chromium, and offers the steps the tests repeat (admin view of an
// order, waiting for a state, a shopper at the sandbox's CBUI pages).
//   FPS_BIN (default target/debug/fps-checkout), PKG_DIR (default pkg), SCREENSHOTS (default
//   tests/e2e/screenshots) can be set.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { launch } from "./browser.mjs";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const shots = process.env.SCREENSHOTS ?? path.join(root, "tests/e2e/screenshots");

/** Polls `check` every 200 ms until it returns something truthy; fails after `ms`. */
export async function waitFor(check, what, ms = 20000) {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Starts the demo and a browser; `stop()` ends both and removes the state folder. */
export async function startDemo({ pendingDelayMs = 300 } = {}) {
  const bin = process.env.FPS_BIN ?? path.join(root, "target/debug/fps-checkout");
  const state = fs.mkdtempSync(path.join(os.tmpdir(), "fps-e2e-"));
  fs.mkdirSync(shots, { recursive: true });
  const ready = path.join(state, "ready.json");
  const demo = spawn(bin, [
    "demo", "--shop", "127.0.0.1:0", "--sandbox", "127.0.0.1:0", "--dir", state,
    "--www", path.join(root, "www"), "--pkg", process.env.PKG_DIR ?? path.join(root, "pkg"),
    "--pending-delay-ms", String(pendingDelayMs), "--ready-file", ready,
  ], { stdio: ["ignore", "ignore", "inherit"] });
  const info = await waitFor(() => fs.existsSync(ready) && JSON.parse(fs.readFileSync(ready, "utf8")), "the demo");
  const browser = await launch();

  demo.on("exit", (code) => { if (code) console.error(`demo exited with ${code}`); });

  /** The admin API's view of an order (refreshed from FPS by the backend). */
  async function order(reference) {
    const response = await fetch(`${info.shopUrl}api/orders/${encodeURIComponent(reference)}`, {
      headers: { Authorization: `Bearer ${info.adminToken}` },
    });
    assert.equal(response.status, 200, `GET order ${reference}`);
    const body = await response.json();
    return body.order ?? body;
  }

  /** Waits until the order is `status`; returns it, or fails with the order as last seen. */
  async function orderReaches(reference, status) {
    let last;
    return waitFor(async () => {
      last = await order(reference);
      return last.status === status && last;
    }, `order ${reference} to be ${status}`).catch((error) => {
      throw new Error(`${error.message}; last seen: ${JSON.stringify(last)}`);
    });
  }

  /** Ctrl-C must stop everything: SIGINT, then the demo has 10 s to exit on its own (else it is
   * killed). Returns whether it exited on its own. */
  async function stop() {
    await browser.close();
    let clean = true;
    if (demo.exitCode === null) {
      const exited = new Promise((resolve) => demo.once("exit", () => resolve(true)));
      demo.kill("SIGINT");
      clean = await Promise.race([exited, new Promise((r) => setTimeout(() => r(false), 10000))]);
      if (!clean) demo.kill("SIGKILL");
    }
    fs.rmSync(state, { recursive: true, force: true });
    return clean;
  }

  return { info, browser, order, orderReaches, stop };
}

/** The shopper at the sandbox's CBUI pages: signs in as `email`, confirms, and waits for the
 * thank-you page's verdict. Returns its state (success or failure) and text. */
export async function cbui(page, email) {
  await page.waitForURL(/cobranded-ui/, { timeout: 20000 });
  await page.fill("#email", email);
  await page.fill("#password", "sandbox");
  await page.click('button[value="signin"]');
  await page.waitForSelector('button[value="confirm"]');
  await page.click('button[value="confirm"]');
  await page.waitForURL(/thank-you\.html/, { timeout: 20000 });
  const box = page.locator('[data-fps-return][data-state="success"], [data-fps-return][data-state="failure"]');
  await box.waitFor({ timeout: 20000 });
  return { state: await box.getAttribute("data-state"), text: await box.innerText() };
}
