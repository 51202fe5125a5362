// The Hermes runner's entry: replays the golden vectors through `flagcore-wasm` resolved as
// Metro resolves it on iOS and Android (the "react-native" condition: the Hermes build).
// run.mjs bundles it, runs Metro's Babel preset over it and prepends the vectors as
// `globalThis.__flagcoreVectors`; the Hermes VM has no file system and prints with print().
import * as api from "flagcore-wasm";
import { replay, summary } from "../node/replay.mjs";

const loaded = Date.now();
const result = replay(api, globalThis.__flagcoreVectors);
for (const m of result.mismatches.slice(0, 30)) print(`  mismatch: ${m}`);
print(summary("hermes", result));
print(`hermes: ${(loaded - globalThis.__flagcoreStart) / 1000} s to load the program, ${(Date.now() - loaded) / 1000} s to replay`);

// The per-call cost (BENCHMARKS.md): isEnabled with a reused context, as in scripts/bench-js.
const store = new api.FlagStore(globalThis.__flagcoreExample);
const ctx = { key: "user-42", appVersion: "2.4.0", platform: "ios-web" };
const opts = { at: Date.parse("2026-11-30T09:00:00Z") };
const flags = Object.keys(store.evaluateAll(ctx, opts));
// __flagcoreBenchScale (default 1) multiplies the calls; 0 skips them (BENCHMARKS.md subtracts
// the VM's CPU time of a run at 0 from one at a higher scale: wall time moves with the load).
const scale = globalThis.__flagcoreBenchScale ?? 1;
for (const [name, calls] of [["isEnabled", 20000 * scale], ["evaluate", 5000 * scale]]) {
  if (calls === 0) continue;
  let n = 0;
  const start = Date.now();
  for (let i = 0; i < calls; i++) {
    const flag = flags[i % flags.length];
    if (name === "isEnabled" ? store.isEnabled(flag, ctx, opts) : store.evaluate(flag, ctx, opts).reason) n++;
  }
  const ns = ((Date.now() - start) * 1e6) / calls;
  print(`hermes: ${name} ${Math.round(ns)} ns per call (${calls} calls over ${flags.length} flags, ${n} truthy)`);
}
store.free();
if (result.mismatches.length) throw new Error(`${result.mismatches.length} mismatches`);
