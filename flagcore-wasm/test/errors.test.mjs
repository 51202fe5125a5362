// Bad input: configs, contexts, overrides, use after free. Every failure is an Error
// subclass; config errors carry every problem with its JSON path.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  FlagStore,
  FlagcoreError,
  FlagcoreConfigError,
  FlagcoreContextError,
  FlagcoreStoreError,
} from "flagcore-wasm";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { exampleText, NOT_UTF8, NOT_UTF8_PROBLEM } from "./support.mjs";

const broken = {
  schemaVersion: 1,
  flags: {
    a: { enabled: "yes", default: { variant: "on" } },
    b: { enabled: true, default: { split: [{ variant: "on", weight: 60 }, { variant: "off", weight: 30 }] } },
    c: { enabled: true, default: { variant: "missing" }, condtions: [] },
  },
};

function configError(fn) {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof FlagcoreConfigError, `${e}`);
    assert.ok(e instanceof FlagcoreError);
    assert.ok(e instanceof Error);
    assert.equal(e.name, "FlagcoreConfigError");
    assert.equal(e.code, "INVALID_CONFIG");
    assert.ok(typeof e.stack === "string");
    return e;
  }
  assert.fail("no error thrown");
}

test("a bad config throws FlagcoreConfigError with every problem and its JSON path", () => {
  const e = configError(() => new FlagStore(broken));
  const paths = e.problems.map((p) => p.path);
  for (const want of ["$.flags.a.enabled", "$.flags.b.default.split", "$.flags.c.default.variant", "$.flags.c.condtions"]) {
    assert.ok(paths.some((p) => p.startsWith(want)), `${want} not in ${JSON.stringify(paths)}`);
  }
  for (const p of e.problems) {
    assert.deepEqual(Object.keys(p), ["severity", "code", "path", "message"]);
    assert.match(p.code, /^[a-z_]+$/);
  }
  assert.ok(e.problems.some((p) => p.code === "weights_sum"));
  assert.ok(e.problems.some((p) => p.code === "unknown_field"));
  assert.match(e.message, /\$\.flags\.a\.enabled/);
});

test("syntax errors, wrong document types and non-JSON inputs", () => {
  const syntax = configError(() => new FlagStore('{"schemaVersion": 1, "flags": {'));
  assert.equal(syntax.problems[0].code, "json_syntax");
  assert.equal(syntax.problems[0].path, "$");
  assert.match(syntax.message, /line 1, column/);
  assert.equal(configError(() => new FlagStore("[]")).problems[0].path, "$");
  assert.equal(configError(() => new FlagStore(42)).problems[0].code, "wrong_type");
  assert.equal(configError(() => new FlagStore(null)).problems[0].code, "wrong_type");
  configError(() => new FlagStore({ schemaVersion: 99, flags: {} }));
});

test("bad contexts throw FlagcoreContextError", () => {
  const store = new FlagStore(exampleText);
  const bad = [null, undefined, "user-1", 7, ["user-1"], { key: 5 }, { key: "u", nested: { a: 1 } }, { key: "u", list: [true] }, { key: "u", list: [[1]] }, { key: "u", list: [null] }, { key: "u", list: Array(1025).fill("x") }, { key: "u", big: 1n }];
  for (const ctx of bad) {
    assert.throws(() => store.isEnabled("speechmatics-direct", ctx), (e) => e instanceof FlagcoreContextError && e.code === "INVALID_CONTEXT", `${String(ctx)}`);
  }
  assert.throws(() => store.evaluate("speechmatics-direct", { key: "u" }, { at: "tomorrow" }), FlagcoreContextError);
  const many = { key: "u" };
  for (let i = 0; i < 1100; i++) many[`a${i}`] = i;
  assert.throws(() => store.evaluateAll(many), /more than 1024 attributes/);
  // null and undefined attributes are skipped, like a missing attribute.
  assert.deepEqual(
    store.evaluate("transcription-chunk-ms", { key: "u", platform: null, email: undefined }),
    store.evaluate("transcription-chunk-ms", { key: "u" }),
  );
  // Arrays of strings and numbers are list attributes (issue 14).
  const lists = new FlagStore({ schemaVersion: 1, flags: { f: { enabled: true, rules: [{ conditions: [{ attribute: "groups", op: "anyOf", values: ["beta", 7] }] , serve: { variant: "on" } }], default: { variant: "off" } } } });
  assert.equal(lists.isEnabled("f", { key: "u", groups: ["x", "beta"] }), true);
  assert.equal(lists.isEnabled("f", { key: "u", groups: ["x", 7] }), true);
  assert.equal(lists.isEnabled("f", { key: "u", groups: [] }), false);
  const reused = { key: "u", groups: ["beta"] };
  assert.equal(lists.isEnabled("f", reused), true);
  reused.groups[0] = "gamma"; // changed in place: never served from a stale copy
  assert.equal(lists.isEnabled("f", reused), false);
  lists.free();
  // The store still works after refused contexts.
  assert.equal(store.getNumber("transcription-chunk-ms", { key: "u", platform: "ios-web" }, 0), 100);
  store.free();
});

test("overrides of unknown flags or variants, rollback without history, use after free", () => {
  const store = new FlagStore(exampleText);
  const storeError = (code) => (e) => e instanceof FlagcoreStoreError && e instanceof Error && e.code === code;
  assert.throws(() => store.setOverride("nope", { kill: true }), storeError("UNKNOWN_FLAG"));
  assert.throws(() => store.setOverride("speech-backend-ab", { variant: "nope" }), storeError("UNKNOWN_VARIANT"));
  assert.throws(() => store.setOverride("speech-backend-ab", {}), storeError("INVALID_ARGUMENT"));
  assert.throws(() => store.rollback(), storeError("NO_HISTORY"));
  store.free();
  store.free(); // idempotent
  assert.throws(() => store.isEnabled("speechmatics-direct", { key: "u" }), storeError("FREED"));
  assert.throws(() => store.revision, storeError("FREED"));
  assert.throws(() => store.update(exampleText), storeError("FREED"));
});

// Issue 13: bytes that are not UTF-8 are the core's `invalid_utf8` problem, with where they
// are, in every entry (as in C and Python: flagcore-ffi/tests/c, test_flagcore.py), never
// decoded into replacement characters.
test("a Uint8Array config that is not UTF-8: invalid_utf8 with offset, line and column, in every entry", async () => {
  const web = await import("flagcore-wasm/web");
  web.initSync({ module: readFileSync(createRequire(import.meta.url).resolve("flagcore-wasm/web/flagcore_wasm_bg.wasm")) });
  const plans = await import("flagcore-wasm/plans");
  for (const api of [{ FlagStore, FlagcoreConfigError }, web, plans]) {
    let e;
    assert.throws(() => new api.FlagStore(NOT_UTF8), (x) => (e = x) instanceof api.FlagcoreConfigError);
    assert.deepEqual(e.problems, [NOT_UTF8_PROBLEM]);
    const store = new api.FlagStore(new TextEncoder().encode(exampleText));
    assert.throws(() => store.update(NOT_UTF8), (x) => x.problems?.[0]?.code === "invalid_utf8");
    assert.equal(store.revision, 1, "the last good config keeps serving");
    // A Node Buffer is a Uint8Array too.
    assert.equal(store.update(Buffer.from(exampleText)).revision, 2);
    store.free();
  }
});
