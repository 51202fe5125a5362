// The Expo test (scripts/test-hermes): the example app examples/expo, exported by Metro itself.
//   1. installs flagcore-wasm into the example's node_modules from `npm pack` (what a user gets
//      from the registry: the package.json "files" and "exports" as published), or from the
//      tarball FLAGCORE_WASM_TARBALL names (scripts/test-dist: dist/'s);
//   2. `expo export --platform android`: the bundle must be Hermes bytecode (.hbc) and hold the
//      Hermes build (pkg/hermes, the wasm2js module), not the WASM build;
//   3. `expo export --platform web`: the bundle must hold the WASM build (pkg/sync) and not
//      the Hermes build;
//   4. opens the web export in headless Chromium and compares the answers the app renders
//      with the Rust core's (examples/evaluate.rs).
// Expects scripts/build-wasm's package and an installed examples/expo/node_modules.
import { execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { dirname, extname, join, normalize, relative } from "node:path";
import { deepStrictEqual, ok } from "node:assert/strict";
import { chromium } from "playwright-core";
import { checker } from "../browser/harness.mjs";
import { repoRoot, rustAnswers } from "../support.mjs";

const app = join(repoRoot, "examples", "expo");
const pkgDir = join(repoRoot, "flagcore-wasm");
const work = join(repoRoot, "target", "expo-test");
const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium";
const { check, ...checks } = checker(20);

const files = (dir) =>
  readdirSync(dir, { recursive: true })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile());

// Strings that only one build contains: the start of the embedded .wasm (base64) for the
// WASM build, and a message of the Hermes build's UTF-8 fallback (js/utf8.js).
const wasmMarker = readFileSync(join(pkgDir, "pkg", "sync", "flagcore_wasm_bytes.js"), "utf8").match(/"([A-Za-z0-9+/]{64})/)[1];
const hermesMarker = "this TextDecoder only decodes UTF-8";

// --- 1. install the package as published --------------------------------------------------
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const tarball =
  process.env.FLAGCORE_WASM_TARBALL ??
  join(work, execFileSync("npm", ["pack", "--silent", "--pack-destination", work], { cwd: pkgDir, encoding: "utf8" }).trim().split("\n").pop());
const installed = join(app, "node_modules", "flagcore-wasm");
rmSync(installed, { recursive: true, force: true });
mkdirSync(installed, { recursive: true });
execFileSync("tar", ["xzf", tarball, "-C", installed, "--strip-components=1"]);
console.log(`installed ${tarball} (${statSync(tarball).size} bytes) into examples/expo/node_modules`);

const expoExport = (platform) => {
  const out = join(work, platform);
  const start = Date.now();
  execFileSync("npx", ["expo", "export", "--platform", platform, "--output-dir", out, "--source-maps"], {
    cwd: app,
    env: { ...process.env, EXPO_OFFLINE: "1", CI: "1", EXPO_NO_TELEMETRY: "1" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  console.log(`expo export --platform ${platform}: ${((Date.now() - start) / 1000).toFixed(1)} s`);
  return files(out);
};
const sourcesOf = (maps) => maps.flatMap((m) => JSON.parse(readFileSync(m, "utf8")).sources ?? []);
const fromPackage = (sources, build) => sources.filter((s) => s.includes(`flagcore-wasm/pkg/${build}/`));

// --- 2. android -------------------------------------------------------------------------------
const android = expoExport("android");
const hbc = android.filter((f) => f.endsWith(".hbc"));
check("android: the bundle is Hermes bytecode", () => {
  ok(hbc.length === 1, `expected one .hbc, got ${android.map((f) => relative(work, f)).join(", ")}`);
  // A Hermes bytecode file starts with the magic number 0x1F1903C103BC1FC6 (little-endian).
  deepStrictEqual(readFileSync(hbc[0]).readBigUInt64LE(0), 0x1f1903c103bc1fc6n);
});
check("android: Metro picked the Hermes build (pkg/hermes), not the WASM build", () => {
  const sources = sourcesOf(android.filter((f) => f.endsWith(".map")));
  ok(fromPackage(sources, "hermes").some((s) => s.endsWith("flagcore_wasm_bg.wasm.js")), "the wasm2js module is not in the source map");
  deepStrictEqual([...fromPackage(sources, "sync"), ...fromPackage(sources, "web"), ...fromPackage(sources, "plans")], []);
  const bytes = readFileSync(hbc[0]);
  ok(bytes.includes(hermesMarker), "the Hermes build's strings are not in the bytecode");
  ok(!bytes.includes(wasmMarker), "the embedded .wasm (base64) is in the bytecode");
  console.log(`     ${relative(work, hbc[0])}: ${bytes.length} bytes`);
});

// --- 3. web -----------------------------------------------------------------------------------
const web = expoExport("web");
const webJs = web.filter((f) => f.endsWith(".js"));
check("web: Metro picked the WASM build (pkg/sync), not the Hermes build", () => {
  const sources = sourcesOf(web.filter((f) => f.endsWith(".map")));
  ok(fromPackage(sources, "sync").some((s) => s.endsWith("flagcore_wasm_bytes.js")), "the embedded-bytes module is not in the source map");
  deepStrictEqual(fromPackage(sources, "hermes"), []);
  const text = webJs.map((f) => readFileSync(f, "utf8")).join("\n");
  ok(text.includes(wasmMarker), "the embedded .wasm (base64) is not in the bundle");
  ok(!text.includes(hermesMarker), "the Hermes build is in the web bundle");
});

// --- 4. the web export in Chromium, against the Rust core ------------------------------------
const site = join(work, "web");
const types = { ".html": "text/html", ".js": "text/javascript", ".json": "application/json", ".css": "text/css" };
const server = createServer((req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
  let file = join(site, path);
  if (!file.startsWith(site) || !existsSync(file) || statSync(file).isDirectory()) file = join(site, "index.html");
  res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox"] });
try {
  const page = await browser.newPage();
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  const answersText = await page.locator('[data-testid="answers"]').textContent({ timeout: 30000 });
  const engine = await page.locator('[data-testid="engine"]').textContent();
  const { users, answers } = JSON.parse(answersText);
  const expected = rustAnswers(users);
  check(`web (Chromium, "${engine}"): ${users.length} users × ${Object.keys(expected[0]).length} flags equal the Rust core`, () => {
    ok(engine.includes("WebAssembly"), engine);
    deepStrictEqual(answers, expected);
  });
  await page.screenshot({ path: join(work, "expo-web.png") });
  check("web: no errors on the page", () => deepStrictEqual(pageErrors, []));
} finally {
  await browser.close();
  server.close();
}

console.log(checks.failures ? `expo: ${checks.failures} checks failed` : "expo: all checks passed");
process.exit(checks.failures ? 1 : 0);
