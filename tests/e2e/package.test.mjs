// The built npm package (pkg/, from scripts/pkg): no signing code or secret inside the wasm, the
// package.json fields npm and bundlers need, SRI hashes that match, and an SSR-safe import.
// Run with: node --test tests/e2e/package.test.mjs (after scripts/pkg).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const pkg = fileURLToPath(new URL("../../pkg/", import.meta.url));
// Both modules (one per kind of page), each as shipped for the script tag and for bundlers.
const modules = ["web/fps_checkout_bg.wasm", "web/fps_return_bg.wasm", "bundler/fps_checkout_bg.wasm", "bundler/fps_return_bg.wasm"]
  .map((file) => [file, readFileSync(pkg + file)]);
const returnWasm = readFileSync(pkg + "web/fps_return_bg.wasm");
const manifest = JSON.parse(readFileSync(pkg + "package.json", "utf8"));

const le32 = (n) => Buffer.from(new Uint32Array([n]).buffer);
const be32 = (n) => Buffer.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);

test("no wasm holds SHA-1/SHA-256 (so no HMAC) code", () => {
  const constants = {
    "SHA-256 K[0]": 0x428a2f98, "SHA-256 K[1]": 0x71374491, "SHA-256 H0": 0x6a09e667,
    "SHA-1 K0": 0x5a827999, "SHA-1 K1": 0x6ed9eba1, "SHA-1 H0": 0x67452301,
  };
  for (const [file, wasm] of modules) {
    for (const [name, value] of Object.entries(constants)) {
      assert.equal(wasm.indexOf(le32(value)), -1, `${file}: ${name} found (little-endian)`);
      assert.equal(wasm.indexOf(be32(value)), -1, `${file}: ${name} found (big-endian)`);
    }
    // Make sure the scan itself works: the same check finds a constant planted in a copy.
    assert.notEqual(Buffer.concat([wasm, le32(0x428a2f98)]).indexOf(le32(0x428a2f98)), -1);
  }
});

test("no wasm holds secret-looking strings", () => {
  for (const [file, wasm] of modules) assertNoSecrets(file, wasm.toString("latin1"));
});

function assertNoSecrets(file, text) {
  assert.doesNotMatch(text, /AKIA[0-9A-Z]{16}/, `${file}: an AWS access key id`);
  // An AWS secret access key: 40 characters of [A-Za-z0-9+/] mixing digits and both cases.
  const candidates = text.match(/(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{40}(?![A-Za-z0-9+/])/g) ?? [];
  const secretLike = candidates.filter((c) => /\d/.test(c) && /[A-Z]/.test(c) && /[a-z]/.test(c));
  assert.deepEqual(secretLike, [], `${file}: a 40-char secret key`);
  assert.doesNotMatch(text, /secret/i, file);
  assert.doesNotMatch(text, /BEGIN [A-Z ]*PRIVATE KEY/, file);
}

test("package.json has what npm and bundlers need", () => {
  for (const field of ["name", "version", "exports", "types", "sideEffects", "files", "license"]) {
    assert.ok(manifest[field], `missing ${field}`);
  }
  const cargo = readFileSync(new URL("../../Cargo.toml", import.meta.url), "utf8");
  assert.equal(manifest.version, /^version = "(.*)"/m.exec(cargo)[1]);
  for (const file of manifest.files) {
    assert.ok(readFileSync(pkg + file).length > 0, `${file} is shipped`);
  }
  for (const types of ["web/fps_checkout.d.ts", "web/fps_return.d.ts"]) {
    assert.match(readFileSync(pkg + types, "utf8"), /export interface CheckoutOptions/, types);
  }
  // Each module exports only what its pages use.
  assert.match(readFileSync(pkg + "web/fps_checkout.d.ts", "utf8"), /export function mount\(/);
  assert.doesNotMatch(readFileSync(pkg + "web/fps_checkout.d.ts", "utf8"), /export function parseReturn\(/);
  assert.match(readFileSync(pkg + "web/fps_return.d.ts", "utf8"), /export function completeReturn\(/);
  assert.doesNotMatch(readFileSync(pkg + "web/fps_return.d.ts", "utf8"), /export function mount\(/);
});

test("integrity.json holds a matching sha384 for every shipped file", () => {
  const integrity = JSON.parse(readFileSync(pkg + "integrity.json", "utf8"));
  for (const file of manifest.files.filter((f) => f !== "integrity.json")) {
    const digest = createHash("sha384").update(readFileSync(pkg + file)).digest("base64");
    assert.equal(integrity[file], `sha384-${digest}`, file);
  }
});

test("importing is SSR-safe and the return parser works in Node", async () => {
  for (const name of ["window", "document", "location"]) {
    Object.defineProperty(globalThis, name, {
      configurable: true,
      get() {
        throw new Error(`${name} touched on import`);
      },
    });
  }
  const api = await import(pkg + "index.js");
  assert.equal(typeof api.mount, "function");
  await api.loadReturnPage(returnWasm);
  const parsed = await api.parseReturn("status=SA&callerReference=order-1&tokenID=ABC123DEF456GHI789");
  assert.equal(parsed.statusCode, "SA");
  assert.equal(parsed.isSuccess, true);
  assert.equal(parsed.callerReference, "order-1");
  await assert.rejects(api.parseReturn("status=ZZ"), (error) => error.code === "INVALID_RETURN");
  for (const name of ["window", "document", "location"]) delete globalThis[name];
});

test("autoMount loads only the module the page's elements need", () => {
  // In a fresh Node process, with a stand-in document holding only a [data-fps-return]: the
  // return page's module is loaded (here from its bytes) and the button's is never fetched,
  // which in Node, from its default file URL, would reject.
  const script = `
    import { readFileSync } from "node:fs";
    globalThis.document = { querySelector: (selector) => (selector === "[data-fps-return]" ? {} : null) };
    const api = await import(${JSON.stringify(pkg + "index.js")});
    await api.loadReturnPage(readFileSync(${JSON.stringify(pkg + "web/fps_return_bg.wasm")}));
    const mounted = await api.autoMount();
    if (mounted !== 0) throw new Error("mounted " + mounted);
    globalThis.document = { querySelector: (selector) => (selector === "[data-fps-checkout]" ? {} : null) };
    let failed = false;
    await api.autoMount().catch(() => { failed = true; });
    if (!failed) throw new Error("the button's module was not asked for");
  `;
  execFileSync(process.execPath, ["--input-type=module", "-e", script], { stdio: "pipe" });
});

test("a failed wasm load can be retried", () => {
  // In a fresh Node process: the glue keeps the first successful instance for good.
  const script = `
    import { readFileSync } from "node:fs";
    const api = await import(${JSON.stringify(pkg + "index.js")});
    let failed = false;
    await api.loadReturnPage(new Uint8Array([0, 1, 2, 3])).catch(() => { failed = true; });
    if (!failed) throw new Error("a broken module loaded");
    await api.loadReturnPage(readFileSync(${JSON.stringify(pkg + "web/fps_return_bg.wasm")}));
    const parsed = await api.parseReturn("status=A");
    if (parsed.statusCode !== "A") throw new Error("no parse after the retry");
  `;
  execFileSync(process.execPath, ["--input-type=module", "-e", script], { stdio: "pipe" });
});

test("the npm tarball holds no secret, no key and no signing code", () => {
  // `npm pack` exactly as publishing would, into a temporary directory; then every file in it.
  const dir = mkdtempSync(join(tmpdir(), "fps-pack-"));
  try {
    const out = execFileSync("npm", ["pack", "--json", "--pack-destination", dir, pkg], { encoding: "utf8" });
    const [{ filename, files }] = JSON.parse(out);
    assert.ok(files.length > 0, "files in the tarball");
    execFileSync("tar", ["-xzf", join(dir, filename), "-C", dir]);
    // The secrets every test and the demo configure, and secret-looking shapes.
    const known = [
      "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "test-admin-token-0123456789",
      "test-fps-own-signing-key", "very-secret-key-material",
    ];
    for (const { path } of files) {
      const text = readFileSync(join(dir, "package", path)).toString("latin1");
      for (const secret of known) assert.equal(text.indexOf(secret), -1, `${path} holds ${secret}`);
      assert.doesNotMatch(text, /BEGIN [A-Z ]*PRIVATE KEY/, path);
      assert.doesNotMatch(text, /FPS_SECRET_KEY|FPS_ADMIN_TOKEN/, path);
      if (path.endsWith(".wasm")) assert.doesNotMatch(text, /secret/i, path);
    }
    const names = files.map((f) => f.path);
    assert.ok(!names.some((n) => /\.(rs|toml|env|pem|key|db|sqlite)$/.test(n)), `unexpected files: ${names}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the JS glue refuses wrong types in parseReturn with a clear error", async () => {
  const api = await import(pkg + "index.js");
  await api.loadReturnPage(returnWasm);
  for (const bad of ["", "status=ZZ", "status=SC&status=SA", "%", "status=SC&x=%C3%28", "a".repeat(20000)]) {
    await assert.rejects(api.parseReturn(bad), (e) => e.code === "INVALID_RETURN", JSON.stringify(bad).slice(0, 40));
  }
  for (const bad of [42, {}, ["status=A"], true, Symbol("s")]) {
    // wasm-bindgen's glue takes strings only: anything else is refused before the module runs.
    await assert.rejects(api.parseReturn(bad), (e) => e instanceof Error, String(typeof bad));
  }
});
