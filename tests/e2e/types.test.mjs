// The shipped TypeScript types (pkg/index.d.ts, the typescript_custom_section types of
// pkg/web/fps_checkout.d.ts) compile a typical use with `tsc --strict`, and reject what the API
// refuses (types/usage.ts has @ts-expect-error lines; tsc fails if they stop being errors).
// Run with: node --test tests/e2e/types.test.mjs (after scripts/pkg).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, symlinkSync } from "node:fs";
import { fileURLToPath } from "node:url";

const types = fileURLToPath(new URL("./types/", import.meta.url));
const pkg = fileURLToPath(new URL("../../pkg", import.meta.url));
const tsc = fileURLToPath(new URL("./node_modules/.bin/tsc", import.meta.url));

test("the package's types compile a typical use under --strict", () => {
  rmSync(types + "node_modules", { recursive: true, force: true });
  mkdirSync(types + "node_modules");
  symlinkSync(pkg, types + "node_modules/fps-checkout", "dir");
  try {
    execFileSync(tsc, ["-p", types + "tsconfig.json"], { stdio: "pipe" });
  } catch (error) {
    assert.fail(`tsc failed:\n${error.stdout}${error.stderr}`);
  } finally {
    rmSync(types + "node_modules", { recursive: true, force: true });
  }
});
