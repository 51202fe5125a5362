// The wrapper skips rewriting the engine's context when the next call's context is equal
// to the last one written (js/flagcore.js, #sent). These tests make that shortcut fail if
// it ever serves a stale context: one object mutated in place into every user, objects
// alternating, attributes reordered or removed, Dates mutated, 0 and -0, a failed write.
import { test } from "node:test";
import assert from "node:assert/strict";
import { FlagStore, FlagcoreContextError, wasmMemoryBytes } from "flagcore-wasm";
import { exampleText, makeUsers, rustAnswers } from "./support.mjs";

const users = makeUsers();
const expected = rustAnswers(users);

/** Makes `target` hold exactly the members of `source` (in `source`'s order). */
function become(target, source) {
  for (const name of Object.keys(target)) delete target[name];
  Object.assign(target, source);
}

test("one context object mutated in place into every user gets the Rust core's answers", () => {
  const store = new FlagStore(exampleText);
  const ctx = {};
  users.forEach(({ context, at }, i) => {
    become(ctx, context);
    for (const [flag, want] of Object.entries(expected[i])) {
      assert.equal(store.isEnabled(flag, ctx, { at }), want.reason !== "ERROR" && want.value === true, `user ${i} ${flag}`);
      assert.equal(store.variant(flag, ctx, { at }), want.variant, `user ${i} ${flag}`);
    }
    assert.deepEqual(store.evaluateAll(ctx, { at }), expected[i], `user ${i}`);
  });
  store.free();
});

test("alternating contexts, equal copies and single-attribute changes are never stale", () => {
  const store = new FlagStore(exampleText);
  const n = 60;
  for (let i = 0; i < n; i++) {
    const j = (i * 7 + 3) % users.length;
    const a = users[i];
    const b = users[j];
    // a, b, a again, an equal copy of b, then a with one attribute changed to b's value.
    assert.deepEqual(store.evaluateAll(a.context, { at: a.at }), expected[i]);
    assert.deepEqual(store.evaluateAll(b.context, { at: b.at }), expected[j]);
    assert.deepEqual(store.evaluateAll(a.context, { at: a.at }), expected[i]);
    assert.deepEqual(store.evaluateAll({ ...b.context }, { at: b.at }), expected[j]);
  }
  // The same attributes in another order, one attribute removed, a null / undefined member.
  const base = { key: "user-qa-001", appVersion: "2.4.0", platform: "ios-web" };
  const fresh = new FlagStore(exampleText);
  const at = Date.parse("2026-11-23T12:00:00Z");
  const variants = [
    base,
    { platform: "ios-web", key: "user-qa-001", appVersion: "2.4.0" },
    { key: "user-qa-001", appVersion: "2.4.0" },
    { key: "user-qa-001", appVersion: "2.2.0", platform: "ios-web" },
    { key: "user-qa-001", appVersion: null, platform: "ios-web", extra: undefined },
    { key: "user-qa-002", appVersion: "2.4.0", platform: "ios-web" },
    { appVersion: "2.4.0", platform: "ios-web" },
    { key: "", appVersion: "2.4.0", platform: "ios-web" },
    { key: null, appVersion: "2.4.0", platform: "ios-web" },
  ];
  for (let round = 0; round < 3; round++) {
    for (const ctx of variants) {
      const want = new FlagStore(exampleText).evaluateAll(ctx, { at }); // a store that never saw another context
      assert.deepEqual(store.evaluateAll(ctx, { at }), want, JSON.stringify(ctx));
      assert.deepEqual(fresh.evaluateAll(ctx, { at }), want, JSON.stringify(ctx));
    }
  }
  store.free();
  fresh.free();
});

test("mutated Dates and a context that failed half way are rewritten, not reused", () => {
  const config = {
    schemaVersion: 1,
    flags: {
      "after-launch": {
        enabled: true,
        rules: [{ conditions: [{ attribute: "signedUp", op: "after", value: "2026-01-01T00:00:00Z" }], serve: { variant: "on" } }],
        default: { variant: "off" },
      },
      "zero-seats": {
        enabled: true,
        rules: [{ conditions: [{ attribute: "seats", op: "lte", value: 0 }], serve: { variant: "on" } }],
        default: { variant: "off" },
      },
    },
  };
  const store = new FlagStore(config);
  const ctx = { key: "u", signedUp: new Date("2025-06-01T00:00:00Z") };
  assert.equal(store.isEnabled("after-launch", ctx), false);
  ctx.signedUp.setUTCFullYear(2027); // the same Date object, mutated
  assert.equal(store.isEnabled("after-launch", ctx), true);
  const seats = { key: "u", seats: 0 };
  assert.equal(store.isEnabled("zero-seats", seats), true);
  seats.seats = -0;
  assert.equal(store.isEnabled("zero-seats", seats), true);
  seats.seats = 1;
  assert.equal(store.isEnabled("zero-seats", seats), false);
  // The last attribute removed (the names before it unchanged), then added back.
  const trimmed = { key: "u", plan: "team", seats: 0 };
  assert.equal(store.isEnabled("zero-seats", trimmed), true);
  delete trimmed.seats;
  assert.equal(store.isEnabled("zero-seats", trimmed), false);
  trimmed.seats = 0;
  assert.equal(store.isEnabled("zero-seats", trimmed), true);
  // A context rejected half way (a nested value after a valid attribute) must not be
  // remembered as written; the next, valid, context is written in full.
  const good = { key: "u", seats: 0 };
  assert.equal(store.isEnabled("zero-seats", good), true);
  assert.throws(() => store.isEnabled("zero-seats", { key: "u", seats: 5, nested: { a: 1 } }), FlagcoreContextError);
  assert.equal(store.isEnabled("zero-seats", good), true);
  store.free();
});

test("a reused context: 1,000,000 isEnabled calls do not grow WASM memory", () => {
  const store = new FlagStore(exampleText);
  const ctx = { key: "user-42", appVersion: "2.4.0", platform: "ios-web" };
  const at = Date.parse("2026-12-01T00:00:00Z");
  let on = 0;
  for (let i = 0; i < 10_000; i++) if (store.isEnabled("speechmatics-direct", ctx, { at })) on++;
  const before = wasmMemoryBytes();
  for (let i = 0; i < 1_000_000; i++) {
    if (i % 1000 === 0) ctx.key = `user-${i}`; // now and then a new user
    if (store.isEnabled("speechmatics-direct", ctx, { at })) on++;
  }
  assert.equal(wasmMemoryBytes(), before, "WASM memory grew");
  assert.ok(on > 0);
  store.free();
});
