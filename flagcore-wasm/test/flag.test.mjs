// Flag handles (store.flag(key)): the by-key answers, across updates, rollbacks, overrides.
import { test } from "node:test";
import assert from "node:assert/strict";
import { FlagHandle, FlagStore, FlagcoreStoreError } from "flagcore-wasm";
import { exampleText } from "./support.mjs";

const at = Date.parse("2026-11-23T12:00:00Z");
const config = (flags) => ({
  schemaVersion: 1,
  flags: Object.fromEntries(
    Object.entries(flags).map(([k, spec]) => [
      k,
      Array.isArray(spec)
        ? { type: "string", variants: Object.fromEntries(spec.map((v) => [v, v.toUpperCase()])), enabled: true, offVariant: spec[0], default: { variant: spec[0] } }
        : { enabled: true, default: { variant: spec ? "on" : "off" } },
    ]),
  ),
});

test("a handle answers as the key does, for every flag of the example", () => {
  const store = new FlagStore(exampleText);
  const keys = [...Object.keys(JSON.parse(exampleText).flags), "nope"];
  const handles = keys.map((k) => store.flag(k));
  assert.ok(handles[0] instanceof FlagHandle);
  assert.deepEqual(handles.map((h) => h.key), keys);
  const variants = new Set();
  for (let u = 0; u < 300; u++) {
    const ctx = { key: `user-${u}`, appVersion: u % 2 ? "2.4.0" : "2.2.0" };
    const opts = { at: at + u * 86_400_000 };
    keys.forEach((k, i) => {
      assert.equal(handles[i].isEnabled(ctx, opts), store.isEnabled(k, ctx, opts), k);
      assert.equal(handles[i].variant(ctx, opts), store.variant(k, ctx, opts), k);
      assert.deepEqual(handles[i].evaluate(ctx, opts), store.evaluate(k, ctx, opts), k);
      variants.add(handles[i].variant(ctx, opts));
    });
  }
  assert.ok(variants.has(null) && variants.size >= 4);
  store.free();
  assert.throws(() => handles[0].isEnabled({ key: "u" }), FlagcoreStoreError);
});

test("a handle follows updates, rollbacks and overrides", () => {
  const store = new FlagStore(config({ a: true, b: ["x", "y"] }));
  const [a, b, c] = ["a", "b", "c"].map((k) => store.flag(k));
  const u = { key: "u" };
  assert.deepEqual([a.isEnabled(u), b.variant(u), c.isEnabled(u), c.variant(u)], [true, "x", false, null]);
  assert.equal(c.evaluate(u).errorCode, "FLAG_NOT_FOUND");
  store.update(config({ c: true, x: false, b: ["z", "x"] })); // c added, a removed, b moved
  assert.deepEqual([a.isEnabled(u), a.variant(u), b.variant(u), c.isEnabled(u)], [false, null, "z", true]);
  assert.equal(store.variant("b", u), "z");
  store.setOverride("b", { variant: "x" });
  assert.equal(b.variant(u), "x");
  assert.equal(b.evaluate(u).reason, "OVERRIDE");
  store.clearOverride("b");
  assert.equal(store.rollback(), 1);
  assert.deepEqual([a.isEnabled(u), b.variant(u), c.isEnabled(u)], [true, "x", false]);
  assert.throws(() => store.flag(42), TypeError);
  store.free();
});

test("by key, past the ids a store keeps, calls still answer", () => {
  const flags = {};
  for (let i = 0; i < 5000; i++) flags[`f${i}`] = i % 2 === 0;
  const store = new FlagStore(config(flags));
  const u = { key: "u" };
  for (let i = 0; i < 5000; i++) assert.equal(store.isEnabled(`f${i}`, u), i % 2 === 0, `f${i}`);
  assert.equal(store._ids.size, 4096);
  assert.equal(store.flag("f4999").isEnabled(u), false);
  assert.equal(store.flag("f4998").isEnabled(u), true);
  store.free();
});
