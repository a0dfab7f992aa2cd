// Shortens the names the wasm module and its wasm-bindgen glue (web target) use for each other.
//
// wasm-bindgen names every import `__wbg_<method>_<16 hex digits>` under the module
// "./fps_checkout_bg.js", and its closure shims are exported under names of up to 300 bytes. The
// hex digits do not compress, so these names cost about 2 KB of the gzipped module. binaryen's
// `--minify-imports-and-exports-and-modules` renames them all (a, b, ..., Aa, ...) and prints the
// old -> new map; this script applies the same map to the glue: the keys of the imports object,
// the import module's name, and every `wasm.<export>` use. It fails, leaving both files as they
// were, if any name of the map is not found where the glue is expected to use it: a wasm-bindgen
// upgrade that changes the glue's shape stops the build instead of shipping a broken pair.
//
// usage: node minify-names.mjs WASM_OPT MODULE.wasm GLUE.js [wasm-opt feature flags...]
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, renameSync } from "node:fs";

const [wasmOpt, wasmPath, gluePath, ...features] = process.argv.slice(2);
if (!wasmOpt || !wasmPath || !gluePath) {
  console.error("usage: node minify-names.mjs WASM_OPT MODULE.wasm GLUE.js [features...]");
  process.exit(2);
}

const tmp = `${wasmPath}.min`;
const map = JSON.parse(
  execFileSync(
    wasmOpt,
    [...features, "--minify-imports-and-exports-and-modules", wasmPath, "-o", tmp],
    { encoding: "utf8", maxBuffer: 1 << 24 },
  ),
);

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
let glue = readFileSync(gluePath, "utf8");
const fail = (why) => {
  console.error(`minify-names: ${why}; the glue's shape is not the one this script knows`);
  process.exit(1);
};

// The one import module wasm-bindgen emits; binaryen renames it (to "a").
const modules = new Set(map.imports.map(([module]) => module));
if (modules.size !== 1) fail(`expected one import module, found ${[...modules].join(", ")}`);
const [oldModule] = modules;
const newModule = readImportModule(tmp);
const moduleKey = new RegExp(`^(\\s*)${escape(JSON.stringify(oldModule))}(: import0,)$`, "m");
if (!moduleKey.test(glue)) fail(`import module ${oldModule} not found`);
glue = glue.replace(moduleKey, (_, indent, rest) => indent + JSON.stringify(newModule) + rest);

// Each import is one key of the imports object: `        NAME: function(...`.
for (const [, oldName, newName] of map.imports) {
  const key = new RegExp(`^(\\s+)${escape(oldName)}(: function\\()`, "m");
  if (!key.test(glue)) fail(`import ${oldName} not found`);
  glue = glue.replace(key, (_, indent, rest) => indent + newName + rest);
}

// Replacements are functions: a new name may be `$`, which a replacement string would read as
// a pattern.
// Each export is reached as `wasm.NAME`; a name the glue never uses is fine (the module's own).
for (const [oldName, newName] of map.exports) {
  glue = glue.replace(new RegExp(`\\bwasm\\.${escape(oldName)}\\b`, "g"), () => `wasm.${newName}`);
}
const leftover = glue.match(/\bwasm\.__wbindgen_\w+|\bwasm\.__wbg_\w+/);
if (leftover) fail(`${leftover[0]} is not in the export map`);

// The glue's own functions that call the closure shims are named after the shims' Rust paths
// (up to 300 characters each); they are local to the glue, so any unused name will do.
const shims = [...new Set(glue.match(/\bwasm_bindgen\w*__convert__closures\w*/g) ?? [])];
shims.forEach((name, i) => {
  if (glue.includes(`__wbg_closure_shim_${i}`)) fail(`__wbg_closure_shim_${i} is taken`);
  glue = glue.replace(new RegExp(`\\b${escape(name)}\\b`, "g"), () => `__wbg_closure_shim_${i}`);
});

writeFileSync(gluePath, glue);
renameSync(tmp, wasmPath);

/** The import module name binaryen chose, read from the module's import section. */
function readImportModule(path) {
  const bytes = readFileSync(path);
  const module = new WebAssembly.Module(bytes);
  const names = new Set(WebAssembly.Module.imports(module).map((i) => i.module));
  if (names.size !== 1) fail(`the minified module imports from ${names.size} modules`);
  return [...names][0];
}
