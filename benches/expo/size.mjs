// What the default entry adds to an app bundle (issue 18: at most 70,000 bytes): the example
// app examples/expo exported for web by Metro (Expo SDK 56), twice in one staging folder:
//   with:    flagcore-wasm installed from `npm pack` (the package as published);
//   without: flagcore-wasm replaced by a stub package of the same exports' names (`FlagStore`
//            whose evaluateAll answers {}, `version`), so the app, its config and React stay.
// Each export's JS files are gzipped by GNU gzip -9 (`gzip -9c FILE`, as the figures in
// flagcore-wasm/README.md were measured; Node's zlib at level 9 gives about 650 bytes more on
// the embedded payload) and summed (each file's name, a fixed-length hash, is in its gzip
// header both times).
//
// Read the figure to about ±250 bytes: the base64 string of the .wasm (84 KB) shares GNU
// gzip's 32 K-symbol blocks with the code around it, so shifting where those blocks fall
// moves the total by up to that much with no change in the package (issue 18: a change that
// shrank the package's code by 190 bytes gzipped alone added 251 to this export, and saved
// 190-235 with any of nine amounts of other code before it).
//
//   node benches/expo/size.mjs          prints "adds N bytes (W with, O without)"
//   node benches/expo/size.mjs --with   only the export with the package
//
// Expects scripts/build-wasm's package and an installed examples/expo/node_modules (hard-
// linked into the staging folder, target/expo-size). Writes target/bench-results/expo-size.json.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { exportWeb, stageApp } from "./stage.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const example = join(ROOT, "examples", "expo");
const stage = join(ROOT, "target", "expo-size");
const app = join(stage, "app");
const log = (m) => console.error(`expo-size: ${m}`);

stageApp(stage, app, example, ["App.js", "index.js", "app.json", "package.json", "metro.config.js"].map((f) => join(example, f)));
// App.js imports "../speech-migration.json": the same layout one folder up.
copyFileSync(join(ROOT, "examples", "speech-migration.json"), join(stage, "speech-migration.json"));
const installed = join(app, "node_modules", "flagcore-wasm");

function exportGzipped(name) {
  const out = join(stage, name);
  const start = Date.now();
  const js = exportWeb(app, out, { clear: true });
  const gz = js.reduce((n, f) => n + execFileSync("gzip", ["-9c", join(out, f)], { maxBuffer: 1 << 28 }).length, 0);
  const raw = js.reduce((n, f) => n + statSync(join(out, f)).size, 0);
  log(`${name}: ${js.length} JS files, ${raw} bytes, ${gz} gzipped (${((Date.now() - start) / 1000).toFixed(1)} s)`);
  return gz;
}

// --- with: the package as published -------------------------------------------------------
const tarball = execFileSync("npm", ["pack", "--silent", "--pack-destination", stage], { cwd: join(ROOT, "flagcore-wasm"), encoding: "utf8" })
  .trim()
  .split("\n")
  .pop();
rmSync(installed, { recursive: true, force: true }); // a hard-linked copy: unlink, never write through
mkdirSync(installed, { recursive: true });
execFileSync("tar", ["xzf", join(stage, tarball), "-C", installed, "--strip-components=1"]);
const withPkg = exportGzipped("with");

// --with: only the export with the package (its total; the export without it changes only
// with the example app or its node_modules).
if (process.argv.includes("--with")) {
  console.log(`the Expo web export with flagcore-wasm: ${withPkg} bytes gzipped`);
  process.exit(0);
}

// --- without: a stub of the same names -----------------------------------------------------
rmSync(installed, { recursive: true, force: true });
mkdirSync(installed, { recursive: true });
writeFileSync(join(installed, "package.json"), JSON.stringify({ name: "flagcore-wasm", version: "0.0.0", main: "index.js" }));
writeFileSync(join(installed, "index.js"), "exports.version = '';\nexports.FlagStore = class FlagStore { evaluateAll() { return {}; } };\n");
const without = exportGzipped("without");

const added = withPkg - without;
mkdirSync(join(ROOT, "target", "bench-results"), { recursive: true });
writeFileSync(join(ROOT, "target", "bench-results", "expo-size.json"), JSON.stringify({ with: withPkg, without, added }, null, 2) + "\n");
console.log(`flagcore-wasm adds ${added} bytes gzipped to the Expo web export (${withPkg} with, ${without} without)`);
