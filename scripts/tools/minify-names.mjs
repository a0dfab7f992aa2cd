// Shortens the names a wasm module and its wasm-bindgen glue use for each other, for both shipped
// targets of scripts/pkg.
//
// wasm-bindgen names every import `__wbg_<method>_<16 hex digits>` under the module
// "./<name>_bg.js", and its closure shims are exported under names of up to 300 bytes. The hex
// digits do not compress. binaryen's `--minify-imports-and-exports-and-modules` renames them all
// (a, b, ..., Aa, ...) and prints the old -> new map; this script applies the same map to the glue.
//
// - web target (one glue file): the keys of the imports object, the import module's name (binaryen
//   renames it to "a": the glue passes the imports object itself) and every `wasm.<export>` use.
// - bundler target (`--bundler BG.js`): the bundler links the wasm's imports to the exports of
//   BG.js by name, so the import module keeps its path (written back into the module's import
//   section) and each `export function <import>(` of BG.js is renamed; every `wasm.<export>` use
//   in BG.js and in the entry GLUE.js (which calls the start function) is renamed.
//
// It fails with one line, leaving every file as it was, if any name of the map is not found where
// the glue is expected to use it: a wasm-bindgen upgrade that changes the glue's shape stops the
// build instead of shipping a broken pair. The names in MODULE.wasm.d.ts (the wasm's exports, as
// wasm-pack writes them) are renamed too, where that file exists.
//
// usage: node minify-names.mjs WASM_OPT MODULE.wasm GLUE.js [--bundler BG.js] [wasm-opt features...]
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync, renameSync, rmSync } from "node:fs";
import { basename } from "node:path";

const args = process.argv.slice(2);
const [wasmOpt, wasmPath, gluePath] = args;
const bgPath = args[3] === "--bundler" ? args[4] : undefined;
const features = args.slice(bgPath === undefined ? 3 : 5);
if (!wasmOpt || !wasmPath || !gluePath || (args[3] === "--bundler" && !bgPath)) {
  console.error(
    "usage: node minify-names.mjs WASM_OPT MODULE.wasm GLUE.js [--bundler BG.js] [features...]",
  );
  process.exit(2);
}

const tmp = `${wasmPath}.min`;
const fail = (why) => {
  rmSync(tmp, { force: true });
  console.error(
    `minify-names: ${why} (${[gluePath, bgPath].filter(Boolean).join(", ")}); ` +
      "wasm-bindgen's glue is not the shape this script knows",
  );
  process.exit(1);
};
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const count = (text, re) => (text.match(new RegExp(re.source, "gm")) ?? []).length;

const map = JSON.parse(
  execFileSync(
    wasmOpt,
    [...features, "--minify-imports-and-exports-and-modules", wasmPath, "-o", tmp],
    { encoding: "utf8", maxBuffer: 1 << 24 },
  ),
);

// The one import module wasm-bindgen emits; binaryen renames it (to "a").
const modules = new Set(map.imports.map(([module]) => module));
if (modules.size !== 1) fail(`expected one import module, found ${[...modules].join(", ")}`);
const [oldModule] = modules;

let glue = readFileSync(gluePath, "utf8");
let bg = bgPath === undefined ? undefined : readFileSync(bgPath, "utf8");
let wasmBytes;

if (bgPath === undefined) {
  // Web: the imports object's key for the module, then one key per import:
  // `        NAME: function(...`.
  const newModule = readImportModule(readFileSync(tmp));
  const moduleKey = new RegExp(`^(\\s*)${escape(JSON.stringify(oldModule))}(: import0,)$`, "m");
  if (!moduleKey.test(glue)) fail(`import module ${oldModule} not found`);
  glue = glue.replace(moduleKey, (_, indent, rest) => indent + JSON.stringify(newModule) + rest);
  for (const [, oldName, newName] of map.imports) {
    const key = new RegExp(`^(\\s+)${escape(oldName)}(: function\\()`, "m");
    if (!key.test(glue)) fail(`import ${oldName} not found`);
    glue = glue.replace(key, (_, indent, rest) => indent + newName + rest);
  }
} else {
  // Bundler: the entry imports the wasm and BG.js by path, and the wasm imports from BG.js.
  if (oldModule !== `./${basename(bgPath)}`) fail(`import module ${oldModule} is not ./${basename(bgPath)}`);
  const entryImports = new RegExp(`^import \\* as wasm from ${escape(JSON.stringify(`./${basename(wasmPath)}`))};$`, "m");
  if (!entryImports.test(glue)) fail(`the entry does not import ./${basename(wasmPath)} as wasm`);
  wasmBytes = setImportModule(readFileSync(tmp), oldModule);
  if (readImportModule(wasmBytes) !== oldModule) fail("the import module was not written back");
  const topLevel = new Set(
    [...bg.matchAll(/^(?:export )?(?:async )?(?:function\*?|class|const|let|var) ([\w$]+)/gm)].map((m) => m[1]),
  );
  for (const [, oldName, newName] of map.imports) {
    const decl = new RegExp(`^export function ${escape(oldName)}\\(`, "m");
    if (count(bg, decl) !== 1) fail(`import ${oldName} is not one \`export function\` of BG.js`);
    // Only the declaration may name it: the glue never calls its own imports.
    if (count(bg, new RegExp(`\\b${escape(oldName)}\\b`)) !== 1) fail(`import ${oldName} is used inside BG.js`);
    if (!isPlainIdentifier(newName) || topLevel.has(newName)) fail(`short name ${newName} is taken or not an identifier`);
    topLevel.add(newName);
    bg = bg.replace(decl, () => `export function ${newName}(`);
  }
}

// Each export is reached as `wasm.NAME`; a name the glue never uses is fine (the module's own).
// Replacements are functions: a new name may be `$`, which a replacement string would read as
// a pattern.
const renameExports = (text) => {
  for (const [oldName, newName] of map.exports) {
    text = text.replace(new RegExp(`\\bwasm\\.${escape(oldName)}\\b`, "g"), () => `wasm.${newName}`);
  }
  const leftover = text.match(/\bwasm\.__wbindgen_\w+|\bwasm\.__wbg_\w+/);
  if (leftover) fail(`${leftover[0]} is not in the export map`);
  return text;
};
glue = renameExports(glue);
if (bg !== undefined) bg = renameExports(bg);

// The glue's own functions that call the closure shims are named after the shims' Rust paths
// (up to 300 characters each); they are local to the glue, so any unused name will do.
const renameShims = (text) => {
  const shims = [...new Set(text.match(/\bwasm_bindgen\w*__convert__closures\w*/g) ?? [])];
  shims.forEach((name, i) => {
    if (text.includes(`__wbg_closure_shim_${i}`)) fail(`__wbg_closure_shim_${i} is taken`);
    text = text.replace(new RegExp(`\\b${escape(name)}\\b`, "g"), () => `__wbg_closure_shim_${i}`);
  });
  return text;
};
glue = renameShims(glue);
if (bg !== undefined) bg = renameShims(bg);

// The wasm's type declarations, `export const NAME: ...;` per export.
const dtsPath = `${wasmPath}.d.ts`;
let dts = existsSync(dtsPath) ? readFileSync(dtsPath, "utf8") : undefined;
if (dts !== undefined) {
  for (const [oldName, newName] of map.exports) {
    dts = dts.replace(new RegExp(`^export const ${escape(oldName)}:`, "m"), () => `export const ${newName}:`);
  }
}

// Every check passed: write all or nothing.
writeFileSync(gluePath, glue);
if (bg !== undefined) writeFileSync(bgPath, bg);
if (dts !== undefined) writeFileSync(dtsPath, dts);
if (wasmBytes !== undefined) {
  writeFileSync(wasmPath, wasmBytes);
  rmSync(tmp);
} else {
  renameSync(tmp, wasmPath);
}

/** The import module name binaryen chose, read from the module's import section. */
function readImportModule(bytes) {
  const module = new WebAssembly.Module(bytes);
  const names = new Set(WebAssembly.Module.imports(module).map((i) => i.module));
  if (names.size !== 1) fail(`the minified module imports from ${names.size} modules`);
  return [...names][0];
}

/** Whether `name` can be declared as an exported function (an ASCII identifier, not a keyword). */
function isPlainIdentifier(name) {
  const reserved = new Set(
    ("break case catch class const continue debugger default delete do else enum export extends " +
      "false finally for function if import in instanceof let new null return static super switch " +
      "this throw true try typeof var void while with yield await implements interface package " +
      "private protected public arguments eval").split(" "),
  );
  return /^[A-Za-z_$][\w$]*$/.test(name) && !reserved.has(name);
}

/**
 * The module's bytes with every import's module name set to `module`: the import section is
 * rewritten (each entry must import a function, the only kind wasm-bindgen imports from its glue),
 * every other section is copied as it is.
 */
function setImportModule(bytes, module) {
  let pos = 8;
  const readU32 = () => {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (pos >= bytes.length || shift > 28) fail("the minified module is truncated");
      const byte = bytes[pos++];
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7;
    }
  };
  const u32 = (n) => {
    const out = [];
    do {
      let byte = n & 0x7f;
      n = Math.floor(n / 128);
      if (n !== 0) byte |= 0x80;
      out.push(byte);
    } while (n !== 0);
    return Buffer.from(out);
  };
  const name = (s) => {
    const b = Buffer.from(s, "utf8");
    return Buffer.concat([u32(b.length), b]);
  };
  const out = [bytes.subarray(0, 8)];
  let rewritten = 0;
  while (pos < bytes.length) {
    const start = pos;
    const id = bytes[pos++];
    const size = readU32();
    const end = pos + size;
    if (end > bytes.length) fail("the minified module is truncated");
    if (id !== 2) {
      out.push(bytes.subarray(start, end));
      pos = end;
      continue;
    }
    const entries = [];
    const n = readU32();
    for (let i = 0; i < n; i++) {
      const moduleLen = readU32(); // the old module name, skipped
      pos += moduleLen;
      const fieldLen = readU32();
      const field = bytes.subarray(pos, pos + fieldLen).toString("utf8");
      pos += fieldLen;
      const kind = bytes[pos++];
      if (kind !== 0) fail(`import ${field} is not a function`);
      entries.push(Buffer.concat([name(module), name(field), Buffer.from([0]), u32(readU32())]));
    }
    if (pos !== end) fail("the minified module's import section has trailing bytes");
    const content = Buffer.concat([u32(n), ...entries]);
    out.push(Buffer.from([2]), u32(content.length), content);
    rewritten += n;
  }
  if (rewritten !== map.imports.length) fail(`${rewritten} imports rewritten, ${map.imports.length} mapped`);
  return Buffer.concat(out);
}
