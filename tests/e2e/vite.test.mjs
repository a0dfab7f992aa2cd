// `npm pack` of pkg/ installs into a fresh copy of the Vite app (tests/e2e/vite-app), which
// imports it, builds with Vite, and, served under the strict CSP, renders a working button that
// navigates to CBUI (Playwright, headless Chromium). Run: node --test tests/e2e/vite.test.mjs
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startShop } from "./shop-server.mjs";
import { launch } from "./browser.mjs";

const HERE = fileURLToPath(new URL(".", import.meta.url));
const PKG = fileURLToPath(new URL("../../pkg/", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "fps-vite-"));
after(() => rmSync(work, { recursive: true, force: true }));

const npm = (args, cwd) => execFileSync("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], { cwd, stdio: "pipe" }).toString();

test("the packed package installs into a fresh Vite app, builds and renders a working button", async () => {
  const tarball = join(work, npm(["pack", PKG, "--pack-destination", work], HERE).trim().split("\n").pop());
  const app = join(work, "app");
  cpSync(join(HERE, "vite-app"), app, { recursive: true, filter: (src) => !src.includes("node_modules") && !src.includes("dist") });
  npm(["ci"], app);
  npm(["install", "--no-save", tarball], app);
  execFileSync("npx", ["vite", "build"], { cwd: app, stdio: "pipe" });
  const assets = readdirSync(join(app, "dist", "assets"));
  assert.ok(assets.some((f) => f.endsWith(".wasm")), "Vite emitted the wasm as an asset");

  const shop = await startShop({ root: join(app, "dist") + "/", index: "index.html" });
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const problems = [];
    page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
    page.on("pageerror", (e) => problems.push(String(e)));
    const fetched = [];
    page.on("request", (r) => fetched.push(new URL(r.url()).pathname));
    await page.goto(shop.origin + "/");
    await page.locator("body[data-ready=true]").waitFor();
    const button = page.getByRole("button", { name: "Pay with Amazon" });
    assert.equal(await button.isEnabled(), true);
    assert.equal(await button.evaluate((b) => getComputedStyle(b).backgroundColor), "rgb(35, 47, 62)", "dark theme CSS bundled");
    mkdirSync(join(HERE, "screenshots"), { recursive: true });
    await page.locator("main").screenshot({ path: join(HERE, "screenshots", "vite-button.png") });
    assert.equal(JSON.parse(shop.signRequests[0].body).params.transactionAmount, "9.99");
    await Promise.all([page.waitForURL(/\/cobranded-ui\/actions\/start\?/), button.click()]);
    assert.equal(new URL(page.url()).searchParams.get("callerReference"), "vite-1");
    assert.deepEqual(problems, []);
    // Only the button's code: the return page's glue is a chunk of its own, its wasm never fetched.
    assert.ok(fetched.some((p) => /fps_checkout_bg[^/]*\.wasm$/.test(p)), `the button's wasm: ${fetched}`);
    assert.deepEqual(fetched.filter((p) => /fps_return/.test(p)), [], "nothing of the return page's module");
    assert.ok(assets.some((f) => /^fps_return[^/]*\.js$/.test(f)), `the return page's glue is a chunk of its own: ${assets}`);
    assert.ok(assets.some((f) => /^fps_return[^/]*\.wasm$/.test(f)), `the return page's wasm is in the build: ${assets}`);
  } finally {
    await browser.close();
    await shop.close();
  }
});
