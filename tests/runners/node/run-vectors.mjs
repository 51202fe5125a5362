#!/usr/bin/env node
// Replays tests/vectors/ through the npm package flagcore-wasm in Node.
//
//   node tests/runners/node/run-vectors.mjs [--without-webassembly] [VECTORS_DIR]
//
// Imports the package from FLAGCORE_WASM_PKG (default: flagcore-wasm/pkg/sync/index.js, the
// package's "." export, built by scripts/build-wasm). --without-webassembly deletes
// globalThis.WebAssembly before the import, as on Hermes: with FLAGCORE_WASM_PKG set to
// pkg/hermes/index.js it replays the Hermes build. Prints
// "node: N vectors replayed, M mismatches" (and any skipped cases) and exits 1 on any
// mismatch. The replay itself is replay.mjs; the format is described in tests/vectors/README.md.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { replay, summary } from "./replay.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "..", "..", "..");
const args = process.argv.slice(2);
const withoutWasm = args.includes("--without-webassembly");
const dir = args.find((a) => !a.startsWith("--")) ?? join(repo, "tests", "vectors");
const pkg = process.env.FLAGCORE_WASM_PKG ?? join(repo, "flagcore-wasm", "pkg", "sync", "index.js");
if (withoutWasm) delete globalThis.WebAssembly;
const api = await import(pathToFileURL(pkg).href);

const files = readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
if (files.length === 0) {
  console.error(`node: no vectors in ${dir}`);
  process.exit(1);
}
const result = replay(api, files.map((f) => [f, JSON.parse(readFileSync(join(dir, f), "utf8"))]));
for (const m of result.mismatches.slice(0, 30)) console.log(`  mismatch: ${m}`);
console.log(summary(withoutWasm ? "node (no WebAssembly)" : "node", result));
process.exit(result.mismatches.length ? 1 : 0);
