// The `web` build (for those who serve the .wasm themselves) gives the same answers as the
// default embedded-bytes build, after init() or initSync().
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as sync from "flagcore-wasm";
import init, * as web from "flagcore-wasm/web";
import { exampleText, makeUsers } from "./support.mjs";

const wasmPath = createRequire(import.meta.url).resolve("flagcore-wasm/web/flagcore_wasm_bg.wasm");

test("web build: init() from bytes, same answers as the sync build", async () => {
  assert.throws(() => new web.FlagStore(exampleText), "using the web build before init() fails");
  await init({ module_or_path: readFileSync(wasmPath) });
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

test("the embedded-bytes builds (sync, plans) have no import.meta (Metro rejects it) and no separate .wasm", () => {
  for (const build of ["sync", "plans"]) {
    const dir = new URL(`../pkg/${build}/`, import.meta.url);
    for (const file of ["index.js", "init.js", "flagcore.js", "flagcore_wasm.js", "flagcore_wasm_bytes.js", "version.js"]) {
      assert.ok(!readFileSync(new URL(file, dir), "utf8").includes("import.meta"), `${build}/${file}`);
    }
  }
});
