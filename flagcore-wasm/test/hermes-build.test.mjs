// The Hermes build (pkg/hermes, the "react-native" condition; "flagcore-wasm/hermes") in
// Node with what Hermes may lack removed first: WebAssembly, TextEncoder, TextDecoder (so
// its pure-JS UTF-8 runs). Same answers as the Rust core and as the WASM build, also after
// its memory has grown (wasm2js grows into a new ArrayBuffer; the glue must follow it).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as wasmBuild from "flagcore-wasm";
import { exampleText, makeUsers, rustAnswers, NOT_UTF8, NOT_UTF8_PROBLEM } from "./support.mjs";

const users = makeUsers();
const expected = rustAnswers(users);
const native = { TextEncoder: globalThis.TextEncoder, TextDecoder: globalThis.TextDecoder };
delete globalThis.WebAssembly;
delete globalThis.TextEncoder;
delete globalThis.TextDecoder;
const hermes = await import("flagcore-wasm/hermes");

test("package.json: react-native and browser conditions, and the react-native field", () => {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  assert.equal(pkg.exports["."]["react-native"], "./pkg/hermes/index.js");
  assert.equal(pkg.exports["."].browser, "./pkg/sync/index.js");
  const order = Object.keys(pkg.exports["."]);
  assert.ok(order.indexOf("browser") < order.indexOf("react-native"), "browser first: web wins where both conditions are set");
  assert.equal(pkg["react-native"], "./pkg/hermes/index.js");
  assert.ok(pkg.files.includes("pkg/hermes/"));
});

test("same exports as the WASM build", () => {
  assert.deepEqual(Object.keys(hermes).sort(), Object.keys(wasmBuild).sort());
  assert.equal(hermes.version, wasmBuild.version);
});

test("evaluateAll equals the Rust core for every user (text, object and UTF-8 bytes configs)", () => {
  const bytes = new native.TextEncoder().encode(exampleText);
  for (const config of [exampleText, JSON.parse(exampleText), bytes]) {
    const store = new hermes.FlagStore(config);
    users.forEach(({ context, at }, i) => {
      assert.deepEqual(store.evaluateAll(context, { at }), expected[i], `user ${i} ${JSON.stringify(context)}`);
    });
    store.free();
  }
});

test("errors: the same classes, codes and problems as the WASM build", () => {
  const bad = '{"schemaVersion": 1, "flags": {"ünï": {"variants": {}, "default": "x"}}}';
  const thrown = (api) => {
    try {
      new api.FlagStore(bad);
    } catch (e) {
      return { ok: e instanceof api.FlagcoreConfigError && e instanceof api.FlagcoreError, code: e.code, problems: e.problems, message: e.message };
    }
    return null;
  };
  const got = thrown(hermes);
  assert.ok(got?.ok);
  assert.deepEqual(got, thrown(wasmBuild));
  const store = new hermes.FlagStore(exampleText);
  assert.throws(() => store.rollback(), (e) => e instanceof hermes.FlagcoreStoreError && e.code === "NO_HISTORY");
  store.free();
  assert.throws(() => store.isEnabled("x", { key: "u" }), (e) => e.code === "FREED");
});

test("a Uint8Array config that is not UTF-8: invalid_utf8 with where it is (issue 13), without TextDecoder", () => {
  let e;
  assert.throws(() => new hermes.FlagStore(NOT_UTF8), (x) => (e = x) instanceof hermes.FlagcoreConfigError);
  assert.deepEqual(e.problems, [NOT_UTF8_PROBLEM]);
  const store = new hermes.FlagStore(exampleText);
  assert.throws(() => store.update(NOT_UTF8), (x) => x.problems?.[0]?.code === "invalid_utf8");
  assert.equal(store.revision, 1);
  store.free();
});

test("memory growth: answers stay right after the wasm2js memory grows", () => {
  const before = hermes.wasmMemoryBytes();
  // The example with each flag copied 400 times under long keys grows the memory several times.
  const example = JSON.parse(exampleText);
  const big = { ...example, flags: { ...example.flags } }; // prerequisites name the originals
  for (let i = 0; i < 400; i++) {
    for (const [key, flag] of Object.entries(example.flags)) big.flags[`${key}-${i}-${"x".repeat(200)}`] = flag;
  }
  const a = new hermes.FlagStore(big);
  const b = new wasmBuild.FlagStore(big);
  assert.ok(hermes.wasmMemoryBytes() > before, `memory grew: ${before} -> ${hermes.wasmMemoryBytes()}`);
  for (let u = 0; u < 20; u++) {
    const ctx = { key: `user-${u}-ünïcödé-🚀`, appVersion: "2.4.0" };
    const at = Date.parse("2026-12-01T00:00:00Z");
    assert.deepEqual(a.evaluateAll(ctx, { at }), b.evaluateAll(ctx, { at }));
  }
  a.free();
  b.free();
  const store = new hermes.FlagStore(exampleText);
  users.forEach(({ context, at }, i) => assert.deepEqual(store.evaluateAll(context, { at }), expected[i]));
  store.free();
});
