// flagcore-wasm against JS/WASM flag engines in Node, one process, equivalent configs:
//   1-bool-on, 2-rollout-25, 3-split-70-30, 6-evaluate-all-100.
// Writes target/bench-results/js.json (see /work/notes/common.md). Run: scripts/bench-js.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { FlagStore } from "flagcore-wasm";
import { GrowthBookClient } from "@growthbook/growthbook";
import { FlagdCore } from "@openfeature/flagd-core";
import { FliptClient } from "@flipt-io/flipt-client-js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const USERS = Array.from({ length: 4096 }, (_, i) => `user-${i * 7919}`);
const quick = process.env.BENCH_QUICK === "1";

/** Median ns per call over several timed batches of `fn(i)`. */
function measure(fn, calls = quick ? 20_000 : 200_000, batches = quick ? 3 : 7) {
  for (let i = 0; i < calls / 4; i++) fn(i); // warm up (JIT)
  const samples = [];
  for (let b = 0; b < batches; b++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) fn(i);
    samples.push(Number(process.hrtime.bigint() - t) / calls);
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1];
}

// --- the configs -------------------------------------------------------------------------
const split = (on, off, a = "on", b = "off") => ({ split: [{ variant: a, weight: on }, { variant: b, weight: off }] });
const flagcoreConfig = {
  schemaVersion: 1,
  flags: {
    "bool-on": { enabled: true, default: { variant: "on" } },
    "rollout-25": { enabled: true, default: split(25, 75) },
    "split-70-30": { type: "string", variants: { control: "modal", treatment: "speechmatics" }, enabled: true, offVariant: "control", default: split(70, 30, "control", "treatment") },
    ...Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`many-${i}`, { enabled: true, default: split(i, 100 - i) }])),
  },
};
const many = Array.from({ length: 100 }, (_, i) => `many-${i}`);

const gbFeatures = {
  "bool-on": { defaultValue: true },
  "rollout-25": { defaultValue: false, rules: [{ force: true, coverage: 0.25, hashAttribute: "id" }] },
  "split-70-30": { defaultValue: "modal", rules: [{ variations: ["modal", "speechmatics"], weights: [0.7, 0.3], key: "split-70-30", hashAttribute: "id" }] },
  ...Object.fromEntries(many.map((k, i) => [k, { defaultValue: false, rules: [{ force: true, coverage: i / 100, hashAttribute: "id" }] }])),
};

const flagdFraction = (key, on) => ({ fractional: [{ cat: [{ var: "$flagd.flagKey" }, { var: "targetingKey" }] }, ["on", on], ["off", 100 - on]] });
const flagdConfig = {
  flags: {
    "bool-on": { state: "ENABLED", variants: { on: true, off: false }, defaultVariant: "on" },
    "rollout-25": { state: "ENABLED", variants: { on: true, off: false }, defaultVariant: "off", targeting: flagdFraction("rollout-25", 25) },
    "split-70-30": { state: "ENABLED", variants: { control: "modal", treatment: "speechmatics" }, defaultVariant: "control", targeting: { fractional: [["control", 70], ["treatment", 30]] } },
    ...Object.fromEntries(many.map((k, i) => [k, { state: "ENABLED", variants: { on: true, off: false }, defaultVariant: "off", targeting: flagdFraction(k, i) }])),
  },
};

const fliptAll = [{ key: "all", matchType: "ALL_MATCH_TYPE", constraints: [] }];
const fliptBool = (key, pct) => ({
  key, name: key, description: "", enabled: true, type: "BOOLEAN_FLAG_TYPE",
  rules: [], rollouts: pct === 100 ? [] : [{ type: "THRESHOLD_ROLLOUT_TYPE", rank: 1, threshold: { percentage: pct, value: true } }],
  defaultVariant: null,
});
const fliptSnapshot = {
  namespace: { key: "default" },
  flags: [
    { ...fliptBool("bool-on", 100), rollouts: [{ type: "SEGMENT_ROLLOUT_TYPE", rank: 1, segment: { segmentOperator: "OR_SEGMENT_OPERATOR", segments: fliptAll, value: true } }] },
    fliptBool("rollout-25", 25),
    {
      key: "split-70-30", name: "split-70-30", description: "", enabled: true, type: "VARIANT_FLAG_TYPE", rollouts: [], defaultVariant: null,
      rules: [{ id: "r1", rank: 1, segmentOperator: "OR_SEGMENT_OPERATOR", segments: fliptAll,
        distributions: [
          { ruleId: "r1", rollout: 70, variantKey: "control", variantAttachment: "" },
          { ruleId: "r1", rollout: 30, variantKey: "treatment", variantAttachment: "" },
        ] }],
    },
    ...many.map((k, i) => fliptBool(k, i)),
  ],
};

// --- the engines ---------------------------------------------------------------------------
const results = [];
const record = (scenario, engine, ns, note = "") => {
  results.push({ scenario, engine, median_ns: Math.round(ns * 10) / 10, allocs: null, note });
  console.log(`${scenario.padEnd(20)} ${engine.padEnd(28)} ${ns.toFixed(1).padStart(9)} ns/call ${note}`);
};
const user = (i) => USERS[i & 4095];

const store = new FlagStore(flagcoreConfig);
const fc = "flagcore-wasm";
record("1-bool-on", fc, measure((i) => store.isEnabled("bool-on", { key: user(i) })), "isEnabled, context { key }");
record("2-rollout-25", fc, measure((i) => store.isEnabled("rollout-25", { key: user(i) })), "isEnabled");
record("3-split-70-30", fc, measure((i) => store.getString("split-70-30", { key: user(i) }, "modal")), "getString");
record("6-evaluate-all-100", fc, measure((i) => store.evaluateAll({ key: user(i) }), quick ? 2000 : 20000), "evaluateAll (103 flags, full results)");
record("3-split-70-30-evaluate", fc, measure((i) => store.evaluate("split-70-30", { key: user(i) })), "evaluate (full result object)");

const gb = new GrowthBookClient();
await gb.init({ payload: { features: gbFeatures } });
const gbName = "@growthbook/growthbook (JS)";
record("1-bool-on", gbName, measure((i) => gb.isOn("bool-on", { attributes: { id: user(i) } })), "GrowthBookClient.isOn");
record("2-rollout-25", gbName, measure((i) => gb.isOn("rollout-25", { attributes: { id: user(i) } })), "coverage 0.25");
record("3-split-70-30", gbName, measure((i) => gb.getFeatureValue("split-70-30", "modal", { attributes: { id: user(i) } })), "experiment rule 70/30");
record("6-evaluate-all-100", gbName, measure((i) => { const ctx = { attributes: { id: user(i) } }; for (const k of many) gb.isOn(k, ctx); }, quick ? 2000 : 20000), "isOn over 100 flags (no evaluate-all API)");

const flagd = new FlagdCore();
flagd.setConfigurations(JSON.stringify(flagdConfig));
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const fdName = "@openfeature/flagd-core (JS)";
record("1-bool-on", fdName, measure((i) => flagd.resolveBooleanEvaluation("bool-on", false, { targetingKey: user(i) }, quiet).value), "resolveBooleanEvaluation");
record("2-rollout-25", fdName, measure((i) => flagd.resolveBooleanEvaluation("rollout-25", false, { targetingKey: user(i) }, quiet).value), "fractional 25/75");
record("3-split-70-30", fdName, measure((i) => flagd.resolveStringEvaluation("split-70-30", "modal", { targetingKey: user(i) }, quiet).value), "fractional 70/30");
record("6-evaluate-all-100", fdName, measure((i) => flagd.resolveAll({ targetingKey: user(i) }, quiet), quick ? 2000 : 20000), "resolveAll (103 flags)");

try {
  const body = JSON.stringify(fliptSnapshot);
  const flipt = await FliptClient.init({ namespace: "default", fetcher: async () => new Response(body, { status: 200, headers: { etag: "1" } }) });
  const ffName = "@flipt-io/flipt-client-js (WASM)";
  const probe = flipt.evaluateVariant({ flagKey: "split-70-30", entityId: "user-1", context: {} });
  if (!probe || !["control", "treatment"].includes(probe.variantKey)) throw new Error(`unexpected probe ${JSON.stringify(probe)}`);
  record("1-bool-on", ffName, measure((i) => flipt.evaluateBoolean({ flagKey: "bool-on", entityId: user(i), context: {} }).enabled), "evaluateBoolean");
  record("2-rollout-25", ffName, measure((i) => flipt.evaluateBoolean({ flagKey: "rollout-25", entityId: user(i), context: {} }).enabled), "threshold rollout 25%");
  record("3-split-70-30", ffName, measure((i) => flipt.evaluateVariant({ flagKey: "split-70-30", entityId: user(i), context: {} }).variantKey), "evaluateVariant 70/30");
  const batch = (id) => many.map((flagKey) => ({ flagKey, entityId: id, context: {} }));
  record("6-evaluate-all-100", ffName, measure((i) => flipt.evaluateBatch(batch(user(i))), quick ? 500 : 5000), "evaluateBatch (100 flags)");
  flipt.close();
} catch (e) {
  console.log(`flipt-client-js: not measured: ${e.message}`);
  results.push({ scenario: "1-bool-on", engine: "@flipt-io/flipt-client-js (WASM)", median_ns: null, allocs: null, note: `not measured: ${e.message}` });
}

const out = join(root, "target", "bench-results");
mkdirSync(out, { recursive: true });
writeFileSync(join(out, "js.json"), JSON.stringify(results, null, 2) + "\n");
console.log(`wrote ${join(out, "js.json")}`);
store.free();
