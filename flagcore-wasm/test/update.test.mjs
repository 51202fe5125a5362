// Live updates: atomic, validated (the last good config keeps serving), rollback, overrides.
import { test } from "node:test";
import assert from "node:assert/strict";
import { FlagStore, FlagcoreConfigError } from "flagcore-wasm";
import { exampleText } from "./support.mjs";

const ctx = { key: "user-7", appVersion: "2.4.0" };
const at = Date.parse("2026-11-23T12:00:00Z");

function withAbSplit(control, treatment) {
  const config = JSON.parse(exampleText);
  config.flags["speech-backend-ab"].default.split = [
    { variant: "control", weight: control },
    { variant: "treatment", weight: treatment },
  ];
  return config;
}

test("update swaps configs, refuses bad ones and keeps serving; rollback goes back", () => {
  const store = new FlagStore(exampleText);
  assert.equal(store.revision, 1);
  assert.deepEqual(store.warnings, []);
  const all = withAbSplit(0, 100);
  assert.deepEqual(store.update(all), { revision: 2, warnings: [] });
  assert.equal(store.variant("speech-backend-ab", ctx, { at }), "treatment");

  assert.throws(() => store.update(withAbSplit(50, 60)), (e) => {
    assert.ok(e instanceof FlagcoreConfigError);
    assert.deepEqual(e.problems.map((p) => [p.code, p.path]), [["weights_sum", '$.flags["speech-backend-ab"].default.split']]);
    return true;
  });
  assert.equal(store.revision, 2, "a refused update changes nothing");
  assert.equal(store.variant("speech-backend-ab", ctx, { at }), "treatment");

  assert.equal(store.update(withAbSplit(100, 0)).revision, 3);
  assert.equal(store.variant("speech-backend-ab", ctx, { at }), "control");
  assert.equal(store.rollback(), 2);
  assert.equal(store.revision, 2);
  assert.equal(store.variant("speech-backend-ab", ctx, { at }), "treatment");
  assert.equal(store.rollback(), 1);
  assert.equal(store.update(exampleText).revision, 4, "revisions are never reused");
  store.free();
});

test("an update's warnings are returned and kept", () => {
  const store = new FlagStore(exampleText);
  const config = JSON.parse(exampleText);
  config.segments.unused = { keys: ["x"] };
  const result = store.update(config);
  assert.equal(result.revision, 2);
  assert.ok(result.warnings.some((w) => w.severity === "warning" && w.code === "unused_segment" && w.path.includes("unused")), JSON.stringify(result.warnings));
  assert.deepEqual(store.warnings, result.warnings);
  store.free();
});

test("overrides take effect at once and survive updates until cleared", () => {
  const store = new FlagStore(exampleText);
  const qa = { key: "user-qa-001" };
  assert.equal(store.isEnabled("speechmatics-direct", qa, { at }), true);
  store.setOverride("speechmatics-direct", { kill: true });
  const killed = store.evaluate("speechmatics-direct", qa, { at });
  assert.equal(killed.reason, "OVERRIDE");
  assert.equal(killed.value, false);
  assert.equal(store.evaluate("modal-fallback", qa, { at }).reason, "PREREQUISITE_FAILED");
  store.update(exampleText);
  assert.equal(store.isEnabled("speechmatics-direct", qa, { at }), false, "override survives update");
  store.setOverride("live-captions-ui", { variant: "on" });
  assert.equal(store.isEnabled("live-captions-ui", qa), true);
  assert.equal(store.clearOverride("speechmatics-direct"), true);
  assert.equal(store.clearOverride("speechmatics-direct"), false);
  assert.equal(store.isEnabled("speechmatics-direct", qa, { at }), true);
  store.free();
});

test("variant names follow the config serving: renamed, reordered, removed, rolled back", () => {
  const flag = {
    enabled: true,
    variants: { a: "x", b: "y" },
    offVariant: "a",
    default: { variant: "b" },
  };
  const config = (f) => ({ schemaVersion: 1, flags: { f: f } });
  const store = new FlagStore(config(flag));
  assert.equal(store.variant("f", ctx, { at }), "b");
  // Same positions, other names: a cached name list would still say "b".
  store.update(config({ ...flag, variants: { c: "x", d: "y" }, offVariant: "c", default: { variant: "d" } }));
  assert.equal(store.variant("f", ctx, { at }), "d");
  // Reordered: the position of the served variant moves.
  store.update(config({ ...flag, variants: { d: "y", c: "x" }, offVariant: "c", default: { variant: "d" } }));
  assert.equal(store.variant("f", ctx, { at }), "d");
  store.setOverride("f", { variant: "c" });
  assert.equal(store.variant("f", ctx, { at }), "c");
  store.clearOverride("f");
  store.update({ schemaVersion: 1, flags: {} });
  assert.equal(store.variant("f", ctx, { at }), null);
  assert.equal(store.rollback(), 3);
  assert.equal(store.variant("f", ctx, { at }), "d");
  assert.equal(store.rollback(), 2);
  assert.equal(store.variant("f", ctx, { at }), "d");
  assert.equal(store.rollback(), 1);
  assert.equal(store.variant("f", ctx, { at }), "b");
  store.free();
  assert.throws(() => store.variant("f", ctx, { at }));
});

test("evaluateAll follows updates and rollbacks (its strings are kept per revision) and gives fresh JSON values", () => {
  const config = (key, value) => ({
    schemaVersion: 1,
    flags: { [key]: { enabled: true, variants: { a: value, "b-é": { n: [1] } }, offVariant: "a", default: { variant: "b-é" } } },
  });
  const store = new FlagStore(config("first", { n: [0] }));
  const one = store.evaluateAll({ key: "u" }, { at });
  assert.deepEqual(Object.keys(one), ["first"]);
  assert.deepEqual(one.first.value, { n: [1] });
  assert.equal(one.first.variant, "b-é");
  one.first.value.n.push(2); // the caller's copy: the next call must not see it
  assert.deepEqual(store.evaluateAll({ key: "u" }, { at }).first.value, { n: [1] });
  store.update(config("other", { m: 1 })); // the same lengths: the same addresses are possible
  assert.deepEqual(Object.keys(store.evaluateAll({ key: "u" }, { at })), ["other"]);
  store.setOverride("other", { variant: "a" });
  assert.deepEqual(store.evaluateAll({ key: "u" }, { at }).other, {
    flagKey: "other", value: { m: 1 }, variant: "a", reason: "OVERRIDE", errorCode: null, ruleIndex: null, ruleId: null, bucket: null, prerequisite: null,
  });
  store.rollback();
  assert.deepEqual(Object.keys(store.evaluateAll({ key: "u" }, { at })), ["first"]);
});
