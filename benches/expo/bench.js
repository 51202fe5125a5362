// The measurements of the Expo web benchmark (benches/expo/run.mjs). Plain ES module with no
// imports, loaded as it is into the page of the exported bench screen (App.js), so the
// bundled and the untranspiled copies of the package are timed by the same loop.

export const FLAGS100 = Array.from({ length: 100 }, (_, i) => `flag-${String(i).padStart(3, "0")}`);

// The configs of benches/js/bench.mjs (scenarios 1-bool-on ... 6-evaluate-all-100).
export const config = {
  schemaVersion: 1,
  flags: {
    "bool-on": { enabled: true, default: { variant: "on" } },
    "rollout-25": { enabled: true, default: { split: [{ variant: "on", weight: 25 }, { variant: "off", weight: 75 }] } },
    "split-70-30": {
      variants: { control: "control", treatment: "treatment" },
      enabled: true,
      offVariant: "control",
      default: { split: [{ variant: "control", weight: 70 }, { variant: "treatment", weight: 30 }] },
    },
  },
};
export const config100 = {
  schemaVersion: 1,
  flags: Object.fromEntries(
    FLAGS100.map((k) => [k, { enabled: true, default: { split: [{ variant: "on", weight: 25 }, { variant: "off", weight: 75 }] } }]),
  ),
};

let sink = 0;

/** Median over `batches` of the mean ns per call of `fn` (a warm-up first). */
function measure(fn, calls, batches) {
  for (let i = 0; i < calls; i++) sink ^= fn() ? 1 : 0;
  const samples = [];
  for (let b = 0; b < batches; b++) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) sink ^= fn() ? 1 : 0;
    samples.push(((performance.now() - t0) * 1e6) / calls);
  }
  samples.sort((a, b) => a - b);
  return Math.round(samples[samples.length >> 1] * 10) / 10;
}

/** Builds the scenarios' stores with `FlagStore` (one copy of the package); returns one timing function per scenario. */
export function scenarios(FlagStore) {
  const store = new FlagStore(config);
  const big = new FlagStore(config100);
  const ctx = { key: "user-42" };
  const opts = { at: 1_795_435_200_000 };
  // The answers must be right before they are timed.
  if (store.isEnabled("bool-on", ctx, opts) !== true) throw new Error("bool-on is off");
  if (Object.keys(big.evaluateAll(ctx, opts)).length !== 100) throw new Error("evaluateAll did not return 100 flags");
  return {
    "isEnabled (1-bool-on)": [() => store.isEnabled("bool-on", ctx, opts), 1],
    "isEnabled (2-rollout-25)": [() => store.isEnabled("rollout-25", ctx, opts), 1],
    "variant (3-split-70-30)": [() => store.variant("split-70-30", ctx, opts) === "treatment", 1],
    "evaluate (3-split-70-30)": [() => store.evaluate("split-70-30", ctx, opts).variant === "treatment", 1],
    "evaluateAll (6-evaluate-all-100)": [() => big.evaluateAll(ctx, opts)["flag-000"].value, 100],
  };
}

/**
 * Times every scenario for each of `stores` ({ label: FlagStore }), taking turns scenario by
 * scenario (so a slow moment of the machine hits every copy alike). Returns
 * { scenario: { label: ns per call } }.
 */
export function run(stores, { calls = 100_000, batches = 9 } = {}) {
  const built = Object.fromEntries(Object.entries(stores).map(([label, FlagStore]) => [label, scenarios(FlagStore)]));
  const out = {};
  for (const name of Object.keys(Object.values(built)[0])) {
    out[name] = {};
    for (const [label, s] of Object.entries(built)) {
      const [fn, per] = s[name];
      out[name][label] = measure(fn, Math.max(Math.round(calls / per), 2), batches);
    }
  }
  out.sink = sink;
  return out;
}
