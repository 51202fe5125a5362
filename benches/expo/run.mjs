// JS as users run it: flagcore-wasm in an Expo web export (Metro with babel-preset-expo,
// Expo SDK 56), timed in headless Chromium. Two copies of the package side by side in one
// page: this tree's (`new`) and the same build with the base commit's wrapper js/flagcore.js
// (`base`; FLAGCORE_BENCH_BASE, default: the merge base with main). Each is timed bundled
// (what the app runs, after Metro's Babel transform) and untranspiled (pkg/sync's modules
// loaded as they are, in the same page), by the same loop (bench.js). The new copy is also
// timed bundled by esbuild as a Vite 5 production build bundles it (esbuild, minified,
// target es2020 + chrome87: what Vite's default `build.target` lowers to). Also reports the
// gzipped size of the exported JS.
//
//   node benches/expo/run.mjs [--quick]      (scripts/bench runs it in full mode only)
//
// Expects flagcore-wasm/pkg (scripts/build-wasm), examples/expo/node_modules (installed here
// when missing, as scripts/test-hermes does) and /usr/bin/chromium (CHROMIUM overrides).
// Writes target/bench-results/expo-web.json.
import { execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { createRequire } from "node:module";
import { exportWeb, stageApp } from "./stage.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "..", "..");
const QUICK = process.argv.includes("--quick") || process.env.BENCH_MODE === "quick";
const stage = join(ROOT, "target", "expo-bench");
const app = join(stage, "app");
const example = join(ROOT, "examples", "expo");
const pkg = join(ROOT, "flagcore-wasm", "pkg");
const sh = (cmd, args, opts = {}) => execFileSync(cmd, args, { cwd: ROOT, encoding: "utf8", ...opts }).trim();
const log = (m) => console.error(`bench-expo: ${m}`);

// --- the example's node_modules (the same Expo SDK), installed once -------------------------
const stamp = join(example, "node_modules", ".flagcore-lock-sha256");
const want = sh("sha256sum", [join(example, "package-lock.json")]).split(" ")[0];
if (!existsSync(stamp) || readFileSync(stamp, "utf8").trim() !== want) {
  log("installing examples/expo/node_modules (npm ci)");
  execFileSync("npm", ["ci", "--legacy-peer-deps", "--no-audit", "--no-fund"], { cwd: example, stdio: "inherit" });
  writeFileSync(stamp, `${want}\n`);
}

// --- the staging app -------------------------------------------------------------------------
stageApp(stage, app, example, ["App.js", "bench.js", "index.js", "app.json", "package.json"].map((f) => join(HERE, f)));
const base = process.env.FLAGCORE_BENCH_BASE ?? sh("git", ["merge-base", "HEAD", "main"]);
const baseWrapper = sh("git", ["show", `${base}:flagcore-wasm/js/flagcore.js`]) + "\n";
function install(name, wrapper) {
  const dir = join(app, "node_modules", name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(ROOT, "flagcore-wasm", "package.json"), "utf8"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ ...manifest, name }, null, 2));
  cpSync(pkg, join(dir, "pkg"), { recursive: true });
  if (wrapper) writeFileSync(join(dir, "pkg", "sync", "flagcore.js"), wrapper);
  return join(dir, "pkg", "sync");
}
const newSync = install("flagcore-wasm");
const baseSync = install("flagcore-wasm-base", baseWrapper);

// --- expo export --platform web --------------------------------------------------------------
const dist = join(stage, "dist");
let start = Date.now();
const jsFiles = exportWeb(app, dist);
log(`expo export --platform web: ${((Date.now() - start) / 1000).toFixed(1)} s`);
const bundleGz = jsFiles.reduce((n, f) => n + gzipSync(readFileSync(join(dist, f)), { level: 9 }).length, 0);

// --- esbuild, as a Vite production build bundles the package ---------------------------------
const esbuildDir = join(stage, "esbuild");
mkdirSync(esbuildDir, { recursive: true });
writeFileSync(join(app, "esbuild-entry.js"), 'export { FlagStore } from "flagcore-wasm";\n');
start = Date.now();
await createRequire(join(ROOT, "flagcore-wasm", "package.json"))("esbuild").build({
  entryPoints: [join(app, "esbuild-entry.js")],
  outfile: join(esbuildDir, "bundle.js"),
  bundle: true,
  format: "esm",
  minify: true,
  target: ["es2020", "chrome87"],
  logLevel: "warning",
});
log(`esbuild bundle: ${((Date.now() - start) / 1000).toFixed(1)} s`);

// --- Chromium ------------------------------------------------------------------------------
const routes = { "/untranspiled/new/": newSync, "/untranspiled/base/": baseSync, "/bench/": HERE, "/esbuild/": esbuildDir };
const types = { ".html": "text/html", ".js": "text/javascript", ".json": "application/json", ".css": "text/css" };
const server = createServer((req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
  const prefix = Object.keys(routes).find((p) => path.startsWith(p));
  const root = prefix ? routes[prefix] : dist;
  let file = join(root, prefix ? path.slice(prefix.length) : path);
  if (!file.startsWith(root) || !existsSync(file) || statSync(file).isDirectory()) file = join(dist, "index.html");
  res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const require = createRequire(join(ROOT, "flagcore-wasm", "package.json"));
const { chromium } = require("playwright-core");
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox"] });
let results;
let browserVersion;
try {
  browserVersion = browser.version();
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  start = Date.now();
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.locator('[data-testid="ready"]').waitFor({ timeout: 60000 });
  log(`page ready in ${Date.now() - start} ms`);
  if (errors.length) throw new Error(`page errors: ${errors.join("; ")}`);
  results = await page.evaluate(async (opts) => {
    const bundled = globalThis.flagcoreBenchStores;
    const [un, ub, eb, { run }] = await Promise.all([
      import("/untranspiled/new/index.js"),
      import("/untranspiled/base/index.js"),
      import("/esbuild/bundle.js"),
      import("/bench/bench.js"),
    ]);
    return run(
      {
        "bundled base": bundled.base,
        "bundled new": bundled.new,
        "untranspiled base": ub.FlagStore,
        "untranspiled new": un.FlagStore,
        "esbuild new": eb.FlagStore,
      },
      opts,
    );
  }, QUICK ? { calls: 200, batches: 2 } : { calls: 100_000, batches: 9 });
} finally {
  await browser.close();
  server.close();
}
delete results.sink;

const rows = Object.entries(results).map(([scenario, t]) => ({ scenario, ...t }));
const out = {
  harness: "expo-web",
  mode: QUICK ? "quick" : "full",
  base,
  chromium: browserVersion,
  expo_web_bundle_js_gzip_bytes: bundleGz,
  note: "ns per call (evaluateAll: per call of 100 flags), median of batch means; the bundle holds both copies of the package",
  rows,
};
mkdirSync(join(ROOT, "target", "bench-results"), { recursive: true });
writeFileSync(join(ROOT, "target", "bench-results", "expo-web.json"), JSON.stringify(out, null, 2) + "\n");
console.log(`Expo web export in Chromium ${browserVersion} (base ${base.slice(0, 10)}); ns per call`);
console.log(["scenario", "bundled base", "bundled new", "untranspiled base", "untranspiled new", "esbuild new", "new: bundled/untranspiled", "new: esbuild/untranspiled"].join(" | "));
for (const r of rows) {
  const ratio = (x) => (x / r["untranspiled new"]).toFixed(2);
  console.log([r.scenario, r["bundled base"], r["bundled new"], r["untranspiled base"], r["untranspiled new"], r["esbuild new"], ratio(r["bundled new"]), ratio(r["esbuild new"])].join(" | "));
}
