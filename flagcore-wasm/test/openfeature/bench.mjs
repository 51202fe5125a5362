// What the OpenFeature layer costs in JS (Node): the same flags through flagcore-wasm's own
// API, the provider's resolution (no SDK), the web SDK's client (static context, synchronous)
// and the server SDK's client (context per call, awaited); and, for scale, flagd's in-process
// evaluator (@openfeature/flagd-core, what flagd's in-process provider calls) on equivalent
// flags. Median of batch means, ns per call; contexts built once. Numbers: BENCHMARKS.md.
//
//   node flagcore-wasm/test/openfeature/bench.mjs [--quick]
import { OpenFeature as Web } from "@openfeature/web-sdk";
import { OpenFeature as Server } from "@openfeature/server-sdk";
import { FlagdCore } from "@openfeature/flagd-core";
import { FlagStore } from "flagcore-wasm";
import { FlagcoreWebProvider } from "flagcore-wasm/openfeature";
import { FlagcoreServerProvider } from "flagcore-wasm/openfeature/server";

const QUICK = process.argv.includes("--quick");
const CALLS = QUICK ? 200 : 100_000;
const BATCHES = QUICK ? 2 : 9;
const AT = 1_795_435_200_000;
let sink = 0;

function median(samples) {
  samples.sort((a, b) => a - b);
  const m = samples.length >> 1;
  return Math.round((samples.length % 2 ? samples[m] : (samples[m - 1] + samples[m]) / 2) * 10) / 10;
}
function measure(fn) {
  for (let i = 0; i < (QUICK ? CALLS : 20_000); i++) sink ^= fn() ? 1 : 0;
  const samples = [];
  for (let b = 0; b < BATCHES; b++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < CALLS; i++) sink ^= fn() ? 1 : 0;
    samples.push(Number(process.hrtime.bigint() - t0) / CALLS);
  }
  return median(samples);
}
async function measureAsync(fn) {
  for (let i = 0; i < (QUICK ? CALLS : 20_000); i++) sink ^= (await fn()) ? 1 : 0;
  const samples = [];
  for (let b = 0; b < BATCHES; b++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < CALLS; i++) sink ^= (await fn()) ? 1 : 0;
    samples.push(Number(process.hrtime.bigint() - t0) / CALLS);
  }
  return median(samples);
}

const config = {
  schemaVersion: 1,
  flags: {
    "bool-on": { enabled: true, default: { variant: "on" } },
    "split-70-30": {
      enabled: true, variants: { control: "modal", treatment: "speechmatics" }, offVariant: "control",
      default: { split: [{ variant: "control", weight: 70 }, { variant: "treatment", weight: 30 }] },
    },
  },
};
const flagd = {
  flags: {
    "bool-on": { state: "ENABLED", variants: { on: true, off: false }, defaultVariant: "on" },
    "split-70-30": {
      state: "ENABLED", variants: { control: "modal", treatment: "speechmatics" }, defaultVariant: "control",
      targeting: { fractional: [{ var: "targetingKey" }, ["control", 70], ["treatment", 30]] },
    },
  },
};

const now = () => AT;
const store = new FlagStore(config);
const web = new FlagcoreWebProvider(config, { now });
const server = new FlagcoreServerProvider(config, { now });
const ctx = { targetingKey: "user-42", country: "DE", appVersion: "2.4.0" };
const native = { key: "user-42", country: "DE", appVersion: "2.4.0" };
await Web.setContext("bench", ctx);
await Web.setProviderAndWait("bench", web);
await Server.setProviderAndWait("bench", server);
const webClient = Web.getClient("bench");
const serverClient = Server.getClient("bench");
const logger = { error() {}, warn() {}, info() {}, debug() {} };
const core = new FlagdCore(undefined, logger);
core.setConfigurations(JSON.stringify(flagd));

const rows = [];
for (const [flag, kind, def] of [["bool-on", "Boolean", false], ["split-70-30", "String", "control"]]) {
  const opts = { at: AT };
  // Same answers everywhere first.
  const answers = [
    store.evaluate(flag, native, opts).value,
    web.resolve(flag, kind.toLowerCase(), def, ctx).value,
    webClient[`get${kind}Value`](flag, def),
    await serverClient[`get${kind}Value`](flag, def, ctx),
  ];
  if (new Set(answers).size !== 1) throw new Error(`${flag}: answers differ: ${answers}`);
  rows.push([flag, "flagcore FlagStore.evaluate (own API, full result)", measure(() => store.evaluate(flag, native, opts).variant)]);
  rows.push([flag, `flagcore FlagStore.get${kind} (own API, value only)`, measure(() => store[`get${kind}`](flag, native, def, opts))]);
  rows.push([flag, "provider.resolve (mapping, no SDK)", measure(() => web.resolve(flag, kind.toLowerCase(), def, ctx).variant)]);
  rows.push([flag, `@openfeature/web-sdk client.get${kind}Details`, measure(() => webClient[`get${kind}Details`](flag, def).variant)]);
  rows.push([flag, `@openfeature/server-sdk await client.get${kind}Details`, await measureAsync(async () => (await serverClient[`get${kind}Details`](flag, def, ctx)).variant)]);
  rows.push([flag, "for scale: @openfeature/flagd-core resolve (in-process flagd, no SDK)", measure(() => core[`resolve${kind}Evaluation`](flag, def, ctx, logger).variant)]);
}
console.log(`node ${process.versions.node}${QUICK ? " (quick: not a measurement)" : ""}`);
for (const [flag, what, ns] of rows) console.log(`${flag.padEnd(12)} ${what.padEnd(72)} ${String(ns).padStart(9)} ns`);
if (sink === 42) console.log("");
