// Replays tests/vectors/eval-*.json through @openfeature/server-sdk and @openfeature/web-sdk
// with the flagcore-wasm providers (flagcore-wasm/openfeature/server, flagcore-wasm/openfeature)
// in Node. Prints "node (OpenFeature <sdk>): N vectors replayed, M mismatches" and exits 1 on
// any mismatch (scripts/test-openfeature).
//
//   node flagcore-wasm/test/openfeature/vectors.mjs [VECTORS_DIR]
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as server from "@openfeature/server-sdk";
import * as web from "@openfeature/web-sdk";
import { FlagcoreServerProvider } from "flagcore-wasm/openfeature/server";
import { FlagcoreWebProvider } from "flagcore-wasm/openfeature";
import { repoRoot } from "../support.mjs";
import { replayOpenFeature, DEFAULTS } from "../../../tests/runners/node/openfeature-replay.mjs";

const dir = process.argv[2] ?? join(repoRoot, "tests", "vectors");
const docs = readdirSync(dir).filter((f) => /^eval-.*\.json$/.test(f)).sort().map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")));

const method = { boolean: "getBooleanDetails", string: "getStringDetails", number: "getNumberDetails", object: "getObjectDetails" };
let groups = 0;
const applyOverrides = (provider, overrides) => {
  for (const o of overrides) provider.setOverride(o.flag, o.kill ? { kill: true } : { variant: o.variant });
};

let failed = false;
for (const [label, open] of [
  ["server-sdk", async (text, overrides, clock) => {
    const provider = new FlagcoreServerProvider(text, { now: clock });
    applyOverrides(provider, overrides);
    const domain = `vectors-${++groups}`;
    await server.OpenFeature.setProviderAndWait(domain, provider);
    const client = server.OpenFeature.getClient(domain);
    return (flag, type, ctx) => client[method[type]](flag, DEFAULTS[type], ctx);
  }],
  ["web-sdk", async (text, overrides, clock) => {
    const provider = new FlagcoreWebProvider(text, { now: clock });
    applyOverrides(provider, overrides);
    const domain = `vectors-${++groups}`;
    await web.OpenFeature.setProviderAndWait(domain, provider);
    const client = web.OpenFeature.getClient(domain);
    // The static-context paradigm: the context is set, then flags are read synchronously.
    return async (flag, type, ctx) => {
      await web.OpenFeature.setContext(domain, ctx).catch(() => {}); // a refused context: the evaluation says why
      return client[method[type]](flag, DEFAULTS[type]);
    };
  }],
]) {
  const { replayed, skipped, mismatches } = await replayOpenFeature(docs, open);
  console.log(`node (OpenFeature ${label}): ${replayed} vectors replayed, ${mismatches.length} mismatches${skipped ? `, ${skipped} skipped` : ""}`);
  for (const m of mismatches.slice(0, 20)) console.log(`  ${m}`);
  if (mismatches.length) failed = true;
}
process.exit(failed ? 1 : 0);
