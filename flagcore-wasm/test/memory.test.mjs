// No growth of WASM memory across 1,000,000 evaluations (and store churn).
import { test } from "node:test";
import assert from "node:assert/strict";
import { FlagStore, wasmMemoryBytes } from "flagcore-wasm";
import { exampleText } from "./support.mjs";

const flags = ["speechmatics-direct", "modal-fallback", "speech-backend-ab", "transcription-chunk-ms", "live-captions-ui", "missing"];
const at = Date.parse("2026-12-01T00:00:00Z");

function run(store, n, offset) {
  let on = 0;
  for (let i = 0; i < n; i++) {
    const ctx = { key: `user-${offset + i}`, appVersion: i % 3 ? "2.4.0" : "2.2.0", platform: i % 2 ? "ios-web" : "desktop-web" };
    const flag = flags[i % flags.length];
    switch (i % 8) {
      case 0: if (store.evaluate(flag, ctx, { at }).variant === "on") on++; break;
      case 1: if (store.variant(flag, ctx, { at }) === "on") on++; break;
      case 2: if (store.getString(flag, ctx, "", { at }) === "speechmatics") on++; break;
      case 3: if (store.getNumber(flag, ctx, 0, { at }) === 100) on++; break;
      case 4: if (store.evaluateAll(ctx, { at })["speechmatics-direct"].value) on++; break;
      default: if (store.isEnabled(flag, ctx, { at })) on++;
    }
  }
  return on;
}

test("1,000,000 evaluations do not grow WASM memory", () => {
  const store = new FlagStore(exampleText);
  run(store, 20_000, 0); // warm up: the allocator reaches its working set
  const before = wasmMemoryBytes();
  assert.ok(before > 0);
  const on = run(store, 1_000_000, 20_000);
  assert.ok(on > 100_000, `${on}`);
  assert.equal(wasmMemoryBytes(), before, "WASM memory grew");
  store.free();
});

test("creating, updating and freeing stores does not grow WASM memory", () => {
  const churn = (n) => {
    for (let i = 0; i < n; i++) {
      const store = new FlagStore(exampleText);
      store.update(exampleText);
      store.isEnabled("speechmatics-direct", { key: `u${i}` });
      store.free();
    }
  };
  churn(200);
  const before = wasmMemoryBytes();
  churn(2000);
  assert.equal(wasmMemoryBytes(), before, "WASM memory grew");
});
