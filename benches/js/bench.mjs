// JS benchmark: flagcore-wasm against GrowthBook, Flipt (client-side evaluation, WASM) and
// flagd-core (OpenFeature's in-process flagd evaluator), in one Node process, with
// equivalent configs per engine.
//
// Scenarios (ids as in every flagcore bench):
//   1-bool-on            a boolean flag that is on for everyone
//   2-rollout-25         a boolean flag on for 25% of users (bucketed by user id)
//   3-split-70-30        a string flag, 70% control / 30% treatment
//   6-evaluate-all-100   every flag of a 100-flag config (25% rollouts) for one user
//
// Before timing, every engine's answers are checked over 4,000 users (everyone on; 25% ± 3;
// 30% ± 3 treatment; 100 answers with some on), so the comparison is honest. Timing: a
// warm-up, then several batches of many calls; the median of the batch means (ns per call)
// is reported. Contexts are built once and reused. Writes target/bench-results/js.json.
//
//   node benches/js/bench.mjs [--quick]      (or BENCH_MODE=quick)
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { arch, platform, versions } from "node:process";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "..", "..");
const OUT = join(ROOT, "target", "bench-results", "js.json");
const USER = "user-42";
const NOW = 1_795_435_200_000;
const USERS = 4000;
const QUICK = process.argv.includes("--quick") || process.env.BENCH_MODE === "quick";
// Calls per batch and batches; evaluate-all scenarios use calls / 100.
const CALLS = QUICK ? 200 : 200_000;
const BATCHES = QUICK ? 2 : 9;
const FLAGS100 = Array.from({ length: 100 }, (_, i) => `flag-${String(i).padStart(3, "0")}`);

let sink = 0; // keeps results alive so the JIT cannot drop the calls

/** Median over `BATCHES` batches of the mean ns per call of `fn`, after a warm-up. */
function measure(fn, calls = CALLS) {
  const warm = QUICK ? calls : Math.max(calls, 20_000);
  for (let i = 0; i < warm; i++) sink ^= fn() ? 1 : 0;
  const samples = [];
  for (let b = 0; b < BATCHES; b++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) sink ^= fn() ? 1 : 0;
    samples.push(Number(process.hrtime.bigint() - t0) / calls);
  }
  samples.sort((a, b) => a - b);
  const m = samples.length >> 1;
  const med = samples.length % 2 ? samples[m] : (samples[m - 1] + samples[m]) / 2;
  return Math.round(med * 10) / 10;
}

function check(cond, what) {
  if (!cond) throw new Error(`wrong answers: ${what}`);
}

/** Checks the answers of one engine over USERS users: on(u), rollout(u), treatment(u), all100(u). */
function checkAnswers(engine, { on, rollout, treatment, all100 }) {
  let nOn = 0;
  let nRollout = 0;
  let nTreat = 0;
  for (let i = 0; i < USERS; i++) {
    const u = `user-${i}`;
    if (on(u)) nOn++;
    if (rollout(u)) nRollout++;
    const t = treatment(u);
    check(t === "control" || t === "treatment", `${engine}: split-70-30 served ${t}`);
    if (t === "treatment") nTreat++;
  }
  const pct = (n) => (100 * n) / USERS;
  check(nOn === USERS, `${engine}: bool-on is on for ${nOn}/${USERS}`);
  check(Math.abs(pct(nRollout) - 25) <= 3, `${engine}: rollout-25 gives ${pct(nRollout)}%`);
  check(Math.abs(pct(nTreat) - 30) <= 3, `${engine}: split-70-30 gives ${pct(nTreat)}% treatment`);
  let allOn = 0;
  for (let i = 0; i < 200; i++) {
    const got = all100(`user-${i}`);
    check(got.length === 100, `${engine}: evaluate-all gave ${got.length} answers`);
    allOn += got.filter((v) => v === true).length;
  }
  check(Math.abs(allOn / 200 - 25) <= 3, `${engine}: evaluate-all has ${allOn / 200} of 100 on`);
  return `checked over ${USERS} users: rollout ${pct(nRollout)}%, treatment ${pct(nTreat)}%`;
}

// ---------------------------------------------------------------------------------------
// Configs: one scenario, four engines
// ---------------------------------------------------------------------------------------

const flagcoreConfig = {
  schemaVersion: 1,
  flags: {
    "bool-on": { enabled: true, default: { variant: "on" } },
    "rollout-25": {
      enabled: true,
      default: { split: [{ variant: "on", weight: 25 }, { variant: "off", weight: 75 }] },
    },
    "split-70-30": {
      variants: { control: "control", treatment: "treatment" },
      enabled: true,
      offVariant: "control",
      default: { split: [{ variant: "control", weight: 70 }, { variant: "treatment", weight: 30 }] },
    },
  },
};
const flagcoreConfig100 = {
  schemaVersion: 1,
  flags: Object.fromEntries(
    FLAGS100.map((k) => [k, { enabled: true, default: { split: [{ variant: "on", weight: 25 }, { variant: "off", weight: 75 }] } }]),
  ),
};

const rollout25Gb = { defaultValue: false, rules: [{ force: true, coverage: 0.25, hashAttribute: "id" }] };
const growthbookFeatures = {
  "bool-on": { defaultValue: true },
  "rollout-25": rollout25Gb,
  "split-70-30": {
    defaultValue: "control",
    rules: [{ key: "split-70-30", variations: ["control", "treatment"], weights: [0.7, 0.3], coverage: 1, hashAttribute: "id" }],
  },
};
const growthbookFeatures100 = Object.fromEntries(FLAGS100.map((k) => [k, rollout25Gb]));

const stamp = "2026-01-01T00:00:00Z";
function fliptBoolean(key, pct) {
  // A boolean flag's `enabled` is its value when no rollout matches: false, so that the
  // threshold rollout alone decides who gets true.
  return {
    key, name: key, description: "", enabled: pct >= 100, type: "BOOLEAN_FLAG_TYPE",
    createdAt: stamp, updatedAt: stamp, rules: [],
    rollouts: [{ type: "THRESHOLD_ROLLOUT_TYPE", rank: 1, threshold: { percentage: pct, value: true } }],
  };
}
const fliptAll = { key: "all", name: "all", matchType: "ALL_MATCH_TYPE", constraints: [], createdAt: stamp, updatedAt: stamp };
const fliptSnapshot = {
  namespace: { key: "default" },
  flags: [
    fliptBoolean("bool-on", 100),
    fliptBoolean("rollout-25", 25),
    {
      key: "split-70-30", name: "split-70-30", description: "", enabled: true, type: "VARIANT_FLAG_TYPE",
      createdAt: stamp, updatedAt: stamp, rollouts: [],
      rules: [{
        id: "r1", rank: 1, segments: [fliptAll], segmentOperator: "OR_SEGMENT_OPERATOR",
        distributions: [
          { ruleId: "r1", rollout: 70, variantKey: "control", variantAttachment: "" },
          { ruleId: "r1", rollout: 30, variantKey: "treatment", variantAttachment: "" },
        ],
      }],
    },
  ],
};
const fliptSnapshot100 = { namespace: { key: "big" }, flags: FLAGS100.map((k) => fliptBoolean(k, 25)) };

const flagdRollout = {
  state: "ENABLED", variants: { on: true, off: false }, defaultVariant: "off",
  targeting: { fractional: [["on", 25], ["off", 75]] },
};
const flagdConfig = {
  flags: {
    "bool-on": { state: "ENABLED", variants: { on: true, off: false }, defaultVariant: "on" },
    "rollout-25": flagdRollout,
    "split-70-30": {
      state: "ENABLED", variants: { control: "control", treatment: "treatment" }, defaultVariant: "control",
      targeting: { fractional: [["control", 70], ["treatment", 30]] },
    },
  },
};
const flagdConfig100 = { flags: Object.fromEntries(FLAGS100.map((k) => [k, flagdRollout])) };

// ---------------------------------------------------------------------------------------
// Engines: each returns rows {scenario, engine, median_ns, allocs, note}
// ---------------------------------------------------------------------------------------

async function benchFlagcore() {
  const { FlagStore, bucket, version } = await import("../../flagcore-wasm/pkg/sync/index.js");
  const store = new FlagStore(flagcoreConfig);
  const big = new FlagStore(flagcoreConfig100);
  const opts = { at: NOW };
  const checked = checkAnswers("flagcore-wasm", {
    on: (u) => store.isEnabled("bool-on", { key: u }, opts),
    rollout: (u) => store.isEnabled("rollout-25", { key: u }, opts),
    treatment: (u) => store.variant("split-70-30", { key: u }, opts),
    all100: (u) => Object.values(big.evaluateAll({ key: u }, opts)).map((r) => r.value),
  });
  const ctx = { key: USER };
  const E = "flagcore-wasm";
  const [boolOn, rollout25, split7030] = ["bool-on", "rollout-25", "split-70-30"].map((k) => store.flag(k));
  const base0 = `flagcore-wasm ${version}, prebuilt context object reused`;
  const base = `${base0}, {at} given`;
  const rows = [
    { scenario: "1-bool-on", engine: E, median_ns: measure(() => store.isEnabled("bool-on", ctx, opts)), note: `FlagStore.isEnabled; ${base}; ${checked}` },
    { scenario: "1-bool-on-at-now", engine: E, median_ns: measure(() => store.isEnabled("bool-on", ctx)), note: `FlagStore.isEnabled without {at} (reads the clock per call); ${base0}` },
    { scenario: "2-rollout-25", engine: E, median_ns: measure(() => store.isEnabled("rollout-25", ctx, opts)), note: `FlagStore.isEnabled; ${base}` },
    { scenario: "3-split-70-30", engine: E, median_ns: measure(() => store.variant("split-70-30", ctx, opts) === "treatment"), note: `FlagStore.variant; ${base}` },
    { scenario: "3-split-70-30-evaluate", engine: E, median_ns: measure(() => store.evaluate("split-70-30", ctx, opts).variant === "treatment"), note: `FlagStore.evaluate: full EvaluationResult object; ${base}` },
    { scenario: "6-evaluate-all-100", engine: E, median_ns: measure(() => big.evaluateAll(ctx, opts)["flag-000"].value, Math.max(CALLS / 100, 2)), note: `FlagStore.evaluateAll: one call returns 100 EvaluationResult objects (per call of 100 flags); ${base}` },
    { scenario: "1-bool-on-handle", engine: E, median_ns: measure(() => boolOn.isEnabled(ctx, opts)), note: `store.flag("bool-on").isEnabled: a Flag handle resolved once; ${base}` },
    { scenario: "2-rollout-25-handle", engine: E, median_ns: measure(() => rollout25.isEnabled(ctx, opts)), note: `store.flag("rollout-25").isEnabled; ${base}` },
    { scenario: "3-split-70-30-handle", engine: E, median_ns: measure(() => split7030.variant(ctx, opts) === "treatment"), note: `store.flag("split-70-30").variant; ${base}` },
  ];
  // For scale: one call across the JS/WASM boundary with two short strings, and the
  // JSON.parse of evaluateAll's answer as text (how it crossed the boundary before issue 18's rows).
  rows.push({ scenario: "0-wasm-call-baseline", engine: E, median_ns: measure(() => bucket("rollout-25", USER) < 25_000), note: `bucket(salt, key): one exported WASM call with two strings, no store; flagcore-wasm ${version}` });
  const allText = JSON.stringify(big.evaluateAll(ctx, opts));
  rows.push({ scenario: "6-evaluate-all-100-json-parse", engine: E, median_ns: measure(() => JSON.parse(allText)["flag-000"].value, Math.max(CALLS / 100, 2)), note: `for scale: JSON.parse of evaluateAll's 100 answers as one JSON object text (${allText.length} bytes); what evaluateAll cost when its answer crossed as JSON text; it now reads numbers from the WASM memory and keeps the strings per revision` });
  store.free();
  big.free();
  return rows;
}

async function benchGrowthbook() {
  const { GrowthBook } = await import("@growthbook/growthbook");
  const mk = (features, id) => new GrowthBook({ features, attributes: { id } });
  // Correctness: one instance per user (GrowthBook's browser-style API keeps attributes on
  // the instance); timing reuses one instance, as an app does for its current user.
  const checked = checkAnswers("growthbook", {
    on: (u) => mk(growthbookFeatures, u).isOn("bool-on"),
    rollout: (u) => mk(growthbookFeatures, u).isOn("rollout-25"),
    treatment: (u) => mk(growthbookFeatures, u).getFeatureValue("split-70-30", "control"),
    all100: (u) => { const g = mk(growthbookFeatures100, u); return FLAGS100.map((k) => g.isOn(k)); },
  });
  const gb = mk(growthbookFeatures, USER);
  const big = mk(growthbookFeatures100, USER);
  const E = "growthbook";
  const base = "@growthbook/growthbook 1.8.0, GrowthBook instance with attributes built once";
  return [
    { scenario: "1-bool-on", engine: E, median_ns: measure(() => gb.isOn("bool-on")), note: `isOn(key); ${base}; ${checked}` },
    { scenario: "2-rollout-25", engine: E, median_ns: measure(() => gb.isOn("rollout-25")), note: `isOn(key) of a force rule with coverage 0.25; ${base}` },
    { scenario: "3-split-70-30", engine: E, median_ns: measure(() => gb.getFeatureValue("split-70-30", "control") === "treatment"), note: `getFeatureValue of an experiment rule (no tracking callback); ${base}` },
    { scenario: "6-evaluate-all-100", engine: E, median_ns: measure(() => { let n = 0; for (const k of FLAGS100) if (big.isOn(k)) n++; return n; }, Math.max(CALLS / 100, 2)), note: `no evaluate-all in the API: 100 isOn calls (per call of 100 flags); ${base}` },
  ];
}

async function benchFlipt() {
  const { FliptClient } = await import("@flipt-io/flipt-client-js");
  // Offline: a custom fetcher serves the namespace's evaluation snapshot (what a Flipt
  // server returns); no auto-refresh, so evaluation never touches the network.
  const client = (doc) =>
    FliptClient.init({
      namespace: doc.namespace.key,
      fetcher: async () => new Response(JSON.stringify(doc), { status: 200, headers: { "content-type": "application/json" } }),
    });
  const c = await client(fliptSnapshot);
  const big = await client(fliptSnapshot100);
  const reqs100 = (u) => FLAGS100.map((flagKey) => ({ flagKey, entityId: u, context: {} }));
  const checked = checkAnswers("flipt", {
    on: (u) => c.evaluateBoolean({ flagKey: "bool-on", entityId: u, context: {} }).enabled,
    rollout: (u) => c.evaluateBoolean({ flagKey: "rollout-25", entityId: u, context: {} }).enabled,
    treatment: (u) => c.evaluateVariant({ flagKey: "split-70-30", entityId: u, context: {} }).variantKey,
    all100: (u) => big.evaluateBatch(reqs100(u)).responses.map((r) => r.booleanEvaluationResponse?.enabled),
  });
  const on = { flagKey: "bool-on", entityId: USER, context: {} };
  const ro = { flagKey: "rollout-25", entityId: USER, context: {} };
  const sp = { flagKey: "split-70-30", entityId: USER, context: {} };
  const all = reqs100(USER);
  const E = "flipt";
  const base = "@flipt-io/flipt-client-js 0.5.1 (Rust engine in WASM), snapshot from a local fetcher, request objects reused; JSON per call";
  const rows = [
    { scenario: "1-bool-on", engine: E, median_ns: measure(() => c.evaluateBoolean(on).enabled, Math.max(CALLS / 10, 2)), note: `evaluateBoolean; ${base}; ${checked}` },
    { scenario: "2-rollout-25", engine: E, median_ns: measure(() => c.evaluateBoolean(ro).enabled, Math.max(CALLS / 10, 2)), note: `evaluateBoolean of a threshold rollout; ${base}` },
    { scenario: "3-split-70-30", engine: E, median_ns: measure(() => c.evaluateVariant(sp).variantKey === "treatment", Math.max(CALLS / 10, 2)), note: `evaluateVariant; ${base}` },
    { scenario: "6-evaluate-all-100", engine: E, median_ns: measure(() => big.evaluateBatch(all).responses.length, Math.max(CALLS / 1000, 2)), note: `evaluateBatch of 100 requests (per call of 100 flags); ${base}` },
  ];
  c.close?.();
  big.close?.();
  return rows;
}

async function benchFlagd() {
  const { FlagdCore } = await import("@openfeature/flagd-core");
  const logger = { error() {}, warn() {}, info() {}, debug() {} };
  const core = new FlagdCore(undefined, logger);
  core.setConfigurations(JSON.stringify(flagdConfig));
  const big = new FlagdCore(undefined, logger);
  big.setConfigurations(JSON.stringify(flagdConfig100));
  const byKey = (res) => Object.fromEntries(res.map((d) => [d.flagKey, d.value]));
  const checked = checkAnswers("flagd", {
    on: (u) => core.resolveBooleanEvaluation("bool-on", false, { targetingKey: u }, logger).value,
    rollout: (u) => core.resolveBooleanEvaluation("rollout-25", false, { targetingKey: u }, logger).value,
    treatment: (u) => core.resolveStringEvaluation("split-70-30", "control", { targetingKey: u }, logger).value,
    all100: (u) => { const m = byKey(big.resolveAll({ targetingKey: u }, logger)); return FLAGS100.map((k) => m[k]); },
  });
  const ctx = { targetingKey: USER };
  const E = "flagd";
  const base = "@openfeature/flagd-core 4.0.1 (JSON Logic `fractional`), context object reused";
  return [
    { scenario: "1-bool-on", engine: E, median_ns: measure(() => core.resolveBooleanEvaluation("bool-on", false, ctx, logger).value), note: `FlagdCore.resolveBooleanEvaluation (no targeting); ${base}; ${checked}` },
    { scenario: "2-rollout-25", engine: E, median_ns: measure(() => core.resolveBooleanEvaluation("rollout-25", false, ctx, logger).value, Math.max(CALLS / 10, 2)), note: `FlagdCore.resolveBooleanEvaluation of a fractional 25/75 targeting; ${base}` },
    { scenario: "3-split-70-30", engine: E, median_ns: measure(() => core.resolveStringEvaluation("split-70-30", "control", ctx, logger).value === "treatment", Math.max(CALLS / 10, 2)), note: `FlagdCore.resolveStringEvaluation of a fractional 70/30 targeting; ${base}` },
    { scenario: "6-evaluate-all-100", engine: E, median_ns: measure(() => big.resolveAll(ctx, logger).length, Math.max(CALLS / 1000, 2)), note: `FlagdCore.resolveAll over 100 flags (per call of 100 flags); ${base}` },
  ];
}

const ENGINES = [
  ["flagcore-wasm", benchFlagcore],
  ["growthbook", benchGrowthbook],
  ["flipt", benchFlipt],
  ["flagd", benchFlagd],
];

async function main() {
  const only = process.argv.find((a) => a.startsWith("--only="))?.slice(7);
  const rows = [];
  for (const [name, run] of ENGINES) {
    if (only && only !== name) continue;
    let got;
    try {
      got = await run();
    } catch (e) {
      // flagcore must work; a peer that cannot run here is reported, not fatal. Wrong
      // answers are fatal for every engine: the numbers would not compare like with like.
      if (name === "flagcore-wasm" || String(e?.message).startsWith("wrong answers")) throw e;
      got = [{ scenario: "unavailable", engine: name, median_ns: null, note: `could not run: ${String(e?.message ?? e).split("\n")[0]}`.slice(0, 300) }];
    }
    for (const r of got) {
      r.allocs = null;
      rows.push({ scenario: r.scenario, engine: r.engine, median_ns: r.median_ns, allocs: null, note: r.note });
      const ns = r.median_ns === null ? "         -" : `${r.median_ns.toFixed(1).padStart(10)} ns`;
      console.log(`${r.scenario.padEnd(24)} ${r.engine.padEnd(14)} ${ns}  ${r.note}`);
    }
  }
  const fc = Object.fromEntries(rows.filter((r) => r.engine === "flagcore-wasm").map((r) => [r.scenario, r.median_ns]));
  const env = `node ${versions.node}, ${arch}, ${platform}${QUICK ? ", quick run (not a measurement)" : ""}`;
  for (const r of rows) {
    const ratio = r.engine !== "flagcore-wasm" && r.median_ns !== null && fc[r.scenario] ? `; ${(r.median_ns / fc[r.scenario]).toFixed(1)}x flagcore-wasm` : "";
    r.note = `${r.note}${ratio} [${env}]`;
  }
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, JSON.stringify(rows, null, 2) + "\n");
  console.log(`wrote target/bench-results/js.json (${rows.length} rows; sink ${sink & 1})`);
  if (!QUICK && fc["1-bool-on"] >= 500) console.log(`!! isEnabled target missed: ${fc["1-bool-on"]} ns >= 500 ns`);
}

await main();
