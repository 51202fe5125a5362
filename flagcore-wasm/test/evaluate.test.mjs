// Correctness on the shipped example: the package gives the Rust core's answers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { FlagStore, bucket, version } from "flagcore-wasm";
import { exampleText, makeUsers, rustAnswers, repoRoot, times } from "./support.mjs";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const users = makeUsers();
const expected = rustAnswers(users);
const example = JSON.parse(exampleText);

test("evaluateAll equals the Rust core for every user (text and object configs)", () => {
  for (const config of [exampleText, example, new TextEncoder().encode(exampleText)]) {
    const store = new FlagStore(config);
    users.forEach(({ context, at }, i) => {
      assert.deepEqual(store.evaluateAll(context, { at }), expected[i], `user ${i} ${JSON.stringify(context)}`);
    });
    store.free();
  }
});

test("every single-flag call agrees with evaluate() and with the Rust core", () => {
  const store = new FlagStore(exampleText);
  let splits = 0;
  users.forEach(({ context, at }, i) => {
    for (const [flag, want] of Object.entries(expected[i])) {
      const opts = { at };
      assert.deepEqual(store.evaluate(flag, context, opts), want);
      assert.equal(store.variant(flag, context, opts), want.variant);
      const ok = want.reason !== "ERROR";
      assert.equal(store.isEnabled(flag, context, opts), ok && want.value === true);
      assert.equal(store.getBoolean(flag, context, false, opts), ok && typeof want.value === "boolean" ? want.value : false);
      assert.equal(store.getString(flag, context, "dflt", opts), ok && typeof want.value === "string" ? want.value : "dflt");
      assert.equal(store.getNumber(flag, context, -1, opts), ok && typeof want.value === "number" ? want.value : -1);
      assert.deepEqual(store.getJson(flag, context, "d", opts), "d"); // no json flags in the example
      if (want.bucket !== null) {
        splits++;
        assert.equal(want.bucket, bucket(flag, context.key));
      }
    }
  });
  assert.ok(splits > 300, `only ${splits} split decisions`);
});

test("the example's audiences behave as documented", () => {
  const store = new FlagStore(exampleText);
  const at = times[0];
  assert.equal(store.isEnabled("speechmatics-direct", { key: "user-qa-001" }, { at }), true);
  assert.deepEqual(
    { ...store.evaluate("speechmatics-direct", { key: "user-qa-001", appVersion: "2.2.0" }, { at }), value: undefined },
    { flagKey: "speechmatics-direct", value: undefined, variant: "off", reason: "TARGETING_MATCH", errorCode: null, ruleIndex: 0, ruleId: "legacy-app-never", bucket: null, prerequisite: null },
  );
  assert.equal(store.getNumber("transcription-chunk-ms", { key: "u", platform: "ios-web" }, 0), 100);
  assert.equal(store.getString("speech-backend-ab", { key: "u", appVersion: "2.0.0" }, "?"), "modal");
  const missing = store.evaluate("no-such-flag", { key: "u" });
  assert.equal(missing.reason, "ERROR");
  assert.equal(missing.errorCode, "FLAG_NOT_FOUND");
  assert.equal(missing.value, null);
  assert.equal(store.variant("no-such-flag", { key: "u" }), null);
  assert.equal(store.getString("transcription-chunk-ms", { key: "u" }, "d"), "d"); // type mismatch
  // at: null means no time: the staged rollout cannot decide.
  assert.equal(store.evaluate("speechmatics-direct", { key: "u" }, { at: null }).errorCode, "INVALID_CONTEXT");
  // The default is now: the week-4 stage serves everyone from 2026-12-14 on.
  const now = store.evaluate("speechmatics-direct", { key: "u" });
  assert.equal(now.variant, Date.now() >= Date.parse("2026-12-14T09:00:00Z") ? "on" : now.variant);
  assert.notEqual(now.reason, "ERROR");
  // A Date works as `at`, and as an attribute (passed as RFC 3339 text).
  assert.deepEqual(store.evaluate("speechmatics-direct", { key: "u" }, { at: new Date(times[4]) }).variant, "on");
  // Keys reach the core unchanged; the week-1 canary is about 5% of users.
  let on = 0;
  for (let i = 0; i < 20000; i++) if (store.isEnabled("speechmatics-direct", { key: `k${i}`, appVersion: "2.4.0" }, { at })) on++;
  assert.ok(on > 800 && on < 1200, `${on} of 20000 in a 5% canary`);
  store.free();
});

test("bucket() is the core's hash and version matches Cargo and package.json", () => {
  const b = bucket("speech-backend-ab", "user-42");
  assert.ok(Number.isInteger(b) && b >= 0 && b < 100000);
  assert.equal(bucket("speech-backend-ab", "user-42"), b);
  assert.notEqual(bucket("ab", "c"), bucket("a", "bc"));
  const cargo = readFileSync(join(repoRoot, "Cargo.toml"), "utf8");
  const cargoVersion = /\[workspace\.package\][^[]*?version = "([^"]+)"/s.exec(cargo)[1];
  const pkg = JSON.parse(readFileSync(join(repoRoot, "flagcore-wasm", "package.json"), "utf8"));
  assert.equal(version, cargoVersion);
  assert.equal(pkg.version, cargoVersion);
});

test("contains with 100,000 needles, with and without ignoreCase (issue 13)", () => {
  // Before the core's automaton the .wasm tried the needles one by one: about 26 ms an
  // evaluation. Now the cost follows the attribute's length, not the number of needles.
  const needles = Array.from({ length: 100_000 }, (_, i) => `Mac OS ${i}`);
  needles.push("Mac OS X) AppleWebKit");
  const rule = (ignoreCase) => ({
    conditions: [{ attribute: "ua", op: "contains", values: ignoreCase ? needles.map((n) => n.toUpperCase()) : needles, ignoreCase }],
    serve: { variant: "on" },
  });
  const flag = (ignoreCase) => ({ enabled: true, rules: [rule(ignoreCase)], default: { variant: "off" } });
  const store = new FlagStore({ schemaVersion: 1, flags: { plain: flag(false), folded: flag(true) } });
  const ua = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15";
  const other = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Mac OS ";
  for (const f of ["plain", "folded"]) {
    assert.equal(store.isEnabled(f, { key: "u", ua }), true);
    assert.equal(store.isEnabled(f, { key: "u", ua: other }), false);
    assert.equal(store.isEnabled(f, { key: "u", ua: "mac os 99999" }), f === "folded");
  }
  // The cost (one pass of the attribute, however many needles) is checked by counting the
  // automaton's steps in the core (needles.rs, cost_follows_the_text_not_the_needles) and
  // measured in BENCHMARKS.md, not timed here.
  store.free();
});
