// minify-names.mjs on a small module with glue of wasm-bindgen 0.2.130's two shapes (web and
// bundler): the shortened pair still links and computes the same, and a glue of another shape
// stops it with one line on stderr, leaving every file as it was. scripts/pkg runs it first.
// Run: node --test scripts/tools/minify-names.test.mjs (after npm ci in scripts/tools).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = fileURLToPath(new URL(".", import.meta.url));
const SCRIPT = join(HERE, "minify-names.mjs");
const WASM_OPT = join(HERE, "node_modules", ".bin", "wasm-opt");
const WASM_AS = join(HERE, "node_modules", ".bin", "wasm-as");
const work = mkdtempSync(join(tmpdir(), "minify-names-"));
after(() => rmSync(work, { recursive: true, force: true }));

// Two imports with wasm-bindgen's hashed names, a long closure-shim-like export, the start
// function: add_one(x) = world(hello(x)) = (x + 1) * 10.
const WAT = `(module
  (import "./t_bg.js" "__wbg_hello_0123456789abcdef" (func $h (param i32) (result i32)))
  (import "./t_bg.js" "__wbg_world_fedcba9876543210" (func $w (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "add_one") (param i32) (result i32) (call $w (call $h (local.get 0))))
  (func (export "__wbindgen_start"))
)`;

const WEB_GLUE = `let wasm;
export function addOne(x) {
    return wasm.add_one(x);
}
function __wbg_get_imports() {
    const import0 = {
        __proto__: null,
        __wbg_hello_0123456789abcdef: function(arg0) {
            return arg0 + 1;
        },
        __wbg_world_fedcba9876543210: function(arg0) {
            return arg0 * 10;
        },
    };
    return {
        __proto__: null,
        "./t_bg.js": import0,
    };
}
export function initSync(bytes) {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), __wbg_get_imports());
    wasm = instance.exports;
    wasm.__wbindgen_start();
}
`;

const BUNDLER_ENTRY = `import * as wasm from "./t_bg.wasm";
import { __wbg_set_wasm } from "./t_bg.js";

__wbg_set_wasm(wasm);
wasm.__wbindgen_start();
export {
    addOne
} from "./t_bg.js";
`;

const BUNDLER_BG = `export function addOne(x) {
    return wasm.add_one(x);
}
export function __wbg_hello_0123456789abcdef(arg0) {
    return arg0 + 1;
}
export function __wbg_world_fedcba9876543210(arg0) {
    return arg0 * 10;
}
let wasm;
export function __wbg_set_wasm(val) {
    wasm = val;
}
`;

const WASM_DTS = `export const memory: WebAssembly.Memory;
export const add_one: (a: number) => number;
export const __wbindgen_start: () => void;
`;

/** A fresh folder with the module, its d.ts and the given glue files. */
function lay(name, files) {
  const dir = join(work, name);
  const wat = join(work, `${name}.wat`);
  writeFileSync(wat, WAT);
  mkdirSync(dir, { recursive: true });
  const as = spawnSync(WASM_AS, [wat, "-o", join(dir, "t_bg.wasm")], { encoding: "utf8" });
  assert.equal(as.status, 0, as.stderr);
  writeFileSync(join(dir, "t_bg.wasm.d.ts"), WASM_DTS);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

const snapshot = (dir) =>
  Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f)).toString("base64")]));

const minify = (dir, bundler) =>
  spawnSync(
    "node",
    [SCRIPT, WASM_OPT, join(dir, "t_bg.wasm"), join(dir, "t.js"), ...(bundler ? ["--bundler", join(dir, "t_bg.js")] : [])],
    { encoding: "utf8" },
  );

/** Runs `code` as an ES module in `dir` (wasm modules importable) and returns its stdout. */
function runIn(dir, code) {
  const run = spawnSync("node", ["--no-warnings", "--experimental-wasm-modules", "--input-type=module", "-e", code], {
    cwd: dir,
    encoding: "utf8",
  });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout.trim();
}

/** Asserts a failed run: exit 1, one line naming the problem, nothing changed. */
function assertRefused(dir, bundler, why) {
  const before = snapshot(dir);
  const run = minify(dir, bundler);
  assert.equal(run.status, 1, run.stderr);
  const lines = run.stderr.trim().split("\n");
  assert.equal(lines.length, 1, run.stderr);
  assert.match(lines[0], why);
  assert.deepEqual(snapshot(dir), before, "no file changed");
}

test("web: imports, their module and the exports are shortened and the pair still works", () => {
  const dir = lay("web", { "t.js": WEB_GLUE });
  const run = minify(dir, false);
  assert.equal(run.status, 0, run.stderr);
  const glue = readFileSync(join(dir, "t.js"), "utf8");
  assert.doesNotMatch(glue, /__wbg_hello|__wbg_world|\.\/t_bg\.js|wasm\.add_one|wasm\.__wbindgen_start/);
  const wasm = new WebAssembly.Module(readFileSync(join(dir, "t_bg.wasm")));
  assert.deepEqual([...new Set(WebAssembly.Module.imports(wasm).map((i) => i.module))], ["a"]);
  assert.doesNotMatch(readFileSync(join(dir, "t_bg.wasm.d.ts"), "utf8"), /add_one|__wbindgen_start/);
  const out = runIn(dir, `import { initSync, addOne } from "./t.js"; import { readFileSync } from "node:fs";
    initSync(readFileSync("t_bg.wasm")); console.log(addOne(4));`);
  assert.equal(out, "50");
});

test("bundler: the wasm keeps importing from its _bg.js, whose exports are renamed, and links", () => {
  const dir = lay("bundler", { "t.js": BUNDLER_ENTRY, "t_bg.js": BUNDLER_BG });
  const run = minify(dir, true);
  assert.equal(run.status, 0, run.stderr);
  const bg = readFileSync(join(dir, "t_bg.js"), "utf8");
  assert.doesNotMatch(bg, /__wbg_hello|__wbg_world|wasm\.add_one/);
  assert.doesNotMatch(readFileSync(join(dir, "t.js"), "utf8"), /__wbindgen_start/);
  const wasm = new WebAssembly.Module(readFileSync(join(dir, "t_bg.wasm")));
  const imports = WebAssembly.Module.imports(wasm);
  assert.deepEqual([...new Set(imports.map((i) => i.module))], ["./t_bg.js"]);
  assert.ok(imports.every((i) => i.name.length <= 2), JSON.stringify(imports));
  assert.equal(runIn(dir, `import { addOne } from "./t.js"; console.log(addOne(4));`), "50");
});

test("web: a glue whose imports object has another shape is refused", () => {
  const changed = WEB_GLUE.replace(
    "__wbg_hello_0123456789abcdef: function(arg0) {",
    "__wbg_hello_0123456789abcdef(arg0) {",
  );
  assertRefused(lay("web-changed", { "t.js": changed }), false, /^minify-names: import __wbg_hello_\w+ not found/);
  const module = WEB_GLUE.replace('"./t_bg.js": import0,', '"./t_bg.js": { ...import0 },');
  assertRefused(lay("web-module", { "t.js": module }), false, /import module \.\/t_bg\.js not found/);
});

test("bundler: a _bg.js that declares an import another way, or calls it, is refused", () => {
  const declared = BUNDLER_BG.replace(
    "export function __wbg_world_fedcba9876543210(arg0) {",
    "export const __wbg_world_fedcba9876543210 = function(arg0) {",
  );
  assertRefused(
    lay("bundler-decl", { "t.js": BUNDLER_ENTRY, "t_bg.js": declared }),
    true,
    /import __wbg_world_\w+ is not one `export function`/,
  );
  const called = BUNDLER_BG.replace("return arg0 * 10;", "return __wbg_hello_0123456789abcdef(arg0) * 10;");
  assertRefused(lay("bundler-call", { "t.js": BUNDLER_ENTRY, "t_bg.js": called }), true, /is used inside BG\.js/);
  const entry = BUNDLER_ENTRY.replace('import * as wasm from "./t_bg.wasm";', 'import wasm from "./t_bg.wasm";');
  assertRefused(lay("bundler-entry", { "t.js": entry, "t_bg.js": BUNDLER_BG }), true, /does not import \.\/t_bg\.wasm/);
});

test("an export the glue reaches under a name the module does not export is refused", () => {
  const stale = BUNDLER_BG.replace("return wasm.add_one(x);", "return wasm.__wbindgen_add_one(x);");
  assertRefused(
    lay("bundler-export", { "t.js": BUNDLER_ENTRY, "t_bg.js": stale }),
    true,
    /wasm\.__wbindgen_add_one is not in the export map/,
  );
});
