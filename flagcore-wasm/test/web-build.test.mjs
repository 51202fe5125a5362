// The `web` build (for those who serve the .wasm themselves) gives the same answers as the
// default embedded-bytes build, after init() or initSync().
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import * as sync from "flagcore-wasm";
import init, * as web from "flagcore-wasm/web";
import { examplePath, exampleText, makeUsers } from "./support.mjs";

const wasmPath = createRequire(import.meta.url).resolve("flagcore-wasm/web/flagcore_wasm_bg.wasm");

test("web build: before init() a FlagcoreError NOT_INITIALIZED says to call init(); in Node init() reads the .wasm", async () => {
  for (const call of [() => new web.FlagStore(exampleText), () => web.bucket("s", "v"), () => web.wasmMemoryBytes()]) {
    assert.throws(call, (e) => {
      assert.ok(e instanceof web.FlagcoreError, `${e}`);
      assert.equal(e.code, "NOT_INITIALIZED");
      assert.match(e.message, /call `await init\(\)`/);
      return true;
    });
  }
  await init(); // Node's fetch has no file: URLs: the entry reads flagcore_wasm_bg.wasm from disk
  const a = new sync.FlagStore(exampleText);
  const b = new web.FlagStore(exampleText);
  for (const { context, at } of makeUsers(100)) {
    assert.deepEqual(b.evaluateAll(context, { at }), a.evaluateAll(context, { at }));
  }
  assert.equal(web.bucket("s", "v"), sync.bucket("s", "v"));
  assert.equal(web.version, sync.version);
  a.free();
  b.free();
});

test("web build in Node: init() from a file: URL, a file: URL string, a path, bytes, a Promise, initSync", () => {
  // init() runs once per process: each form in a process of its own.
  const url = pathToFileURL(wasmPath).href;
  const forms = {
    "a file: URL": `{ module_or_path: new URL(${JSON.stringify(url)}) }`,
    "a file: URL string": `{ module_or_path: ${JSON.stringify(url)} }`,
    "a path": `{ module_or_path: ${JSON.stringify(wasmPath)} }`,
    "bytes": `{ module_or_path: readFileSync(${JSON.stringify(wasmPath)}) }`,
    "a Promise of bytes": `{ module_or_path: readFile(${JSON.stringify(wasmPath)}) }`,
    "initSync": null,
  };
  for (const [form, arg] of Object.entries(forms)) {
    const load = arg === null ? `initSync({ module: readFileSync(${JSON.stringify(wasmPath)}) })` : `await init(${arg})`;
    const out = execFileSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import init, { initSync, FlagStore, bucket } from "flagcore-wasm/web";
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
${load};
const store = new FlagStore(readFileSync(${JSON.stringify(examplePath)}, "utf8"));
console.log(store.variant("speech-backend-ab", { key: "user-42" }), bucket("s", "v"));`,
      ],
      { cwd: new URL(".", import.meta.url), encoding: "utf8" },
    );
    const want = new sync.FlagStore(exampleText);
    assert.equal(out.trim(), `${want.variant("speech-backend-ab", { key: "user-42" })} ${sync.bucket("s", "v")}`, form);
    want.free();
  }
});

test("the embedded-bytes builds (sync, plans) have no import.meta (Metro rejects it) and no separate .wasm", () => {
  for (const build of ["sync", "plans"]) {
    const dir = new URL(`../pkg/${build}/`, import.meta.url);
    for (const file of ["index.js", "init.js", "flagcore.js", "flagcore_wasm.js", "flagcore_wasm_bytes.js", "version.js"]) {
      assert.ok(!readFileSync(new URL(file, dir), "utf8").includes("import.meta"), `${build}/${file}`);
    }
  }
});
