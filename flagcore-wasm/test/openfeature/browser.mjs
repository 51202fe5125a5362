// The OpenFeature Chromium test (scripts/test-openfeature):
//   1. bundles, with esbuild, the vector page (browser-page.js) and the React example
//      (examples/web-openfeature), importing flagcore-wasm/openfeature as an app does;
//   2. serves them on 127.0.0.1 and drives headless Chromium with playwright-core;
//   3. replays tests/vectors/eval-*.json through @openfeature/web-sdk in the browser: 0 mismatches;
//   4. the React page renders the Rust core's answers (examples/evaluate.rs) for several
//      users, re-renders after a config update and after a kill override, with no console errors.
import { mkdirSync, readFileSync, readdirSync, rmSync, copyFileSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { deepStrictEqual } from "node:assert/strict";
import * as esbuild from "esbuild";
import { checker, launchChromium, serveSite } from "../browser/harness.mjs";
import { exampleText, repoRoot, rustAnswers, workDir } from "../support.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const pkgDir = join(repoRoot, "flagcore-wasm");
const site = join(workDir, "openfeature-site");
const { check, ...checks } = checker();

// --- 1. bundle -----------------------------------------------------------------------------
rmSync(site, { recursive: true, force: true });
mkdirSync(join(site, "react"), { recursive: true });
const modules = join(workDir, "openfeature-node_modules");
rmSync(modules, { recursive: true, force: true });
mkdirSync(modules, { recursive: true });
symlinkSync(pkgDir, join(modules, "flagcore-wasm"), "dir");
const bundle = (entry, outfile) =>
  esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    jsx: "automatic",
    define: { "process.env.NODE_ENV": '"production"' },
    nodePaths: [modules, join(pkgDir, "node_modules")],
    logLevel: "warning",
  });
await bundle(join(here, "browser-page.js"), join(site, "page.js"));
await bundle(join(repoRoot, "examples", "web-openfeature", "main.jsx"), join(site, "react", "main.js"));
const page = '<!doctype html><meta charset="utf-8"><title>flagcore OpenFeature vectors</title><script type="module" src="page.js"></script>';
await import("node:fs").then((fs) => fs.writeFileSync(join(site, "index.html"), page));
copyFileSync(join(repoRoot, "examples", "web-openfeature", "index.html"), join(site, "react", "index.html"));
copyFileSync(join(repoRoot, "examples", "speech-migration.json"), join(site, "react", "speech-migration.json"));

// --- 2. serve ------------------------------------------------------------------------------
const { base, close: closeServer } = await serveSite(site);

// --- 3. the browser ------------------------------------------------------------------------
const { browser, close: closeBrowser } = await launchChromium("flagcore-openfeature-chromium-");
try {
  const tab = browser.pages()[0] ?? (await browser.newPage());
  const errors = [];
  tab.on("pageerror", (e) => errors.push(e.message));
  tab.on("console", (m) => m.type() === "error" && errors.push(m.text()));

  // Vectors through the web SDK.
  await tab.goto(`${base}/index.html`);
  await tab.waitForSelector("body[data-ready=true]", { state: "attached", timeout: 30000 });
  const dir = join(repoRoot, "tests", "vectors");
  const docs = readdirSync(dir).filter((f) => /^eval-.*\.json$/.test(f)).sort().map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")));
  const result = await tab.evaluate((d) => window.runVectors(d), docs);
  console.log(`chromium (OpenFeature web-sdk): ${result.replayed} vectors replayed, ${result.mismatches.length} mismatches`);
  check("the golden vectors through @openfeature/web-sdk in Chromium", () => {
    if (result.mismatches.length || result.replayed < 2000) throw new Error(result.mismatches.slice(0, 10).join("\n"));
  });

  // The React example.
  const at = Date.parse("2026-12-08T10:00:00Z");
  const users = [
    { key: "user-1", appVersion: "2.4.0" },
    { key: "user-qa-001", appVersion: "2.4.0" },
    { key: "user-42", appVersion: "2.2.0", platform: "ios-web" },
    { key: "user-43", appVersion: "2.4.0", platform: "android-web" },
    { key: "user-77", appVersion: "2.4.1", email: "ana@company.example" },
    { key: "user-1000", appVersion: "3.0.0" },
  ];
  const expected = rustAnswers(users.map((context) => ({ context, at })));
  const defaults = { "speechmatics-direct": "false", "speech-backend-ab": "modal", "transcription-chunk-ms": "250", "live-captions-ui": "false" };
  const want = (answers) =>
    Object.fromEntries(Object.keys(defaults).map((f) => [f, answers[f].reason === "ERROR" ? defaults[f] : String(answers[f].value)]));
  const shown = () =>
    tab.evaluate(() => ({
      user: document.querySelector("dl")?.dataset.user,
      renders: window.flagcoreApp.renders(),
      flags: Object.fromEntries([...document.querySelectorAll("[data-flag]")].map((e) => [e.dataset.flag, e.textContent])),
    }));
  const waitFor = (predicate) => tab.waitForFunction(predicate, undefined, { timeout: 10000 });

  await tab.goto(`${base}/react/index.html?at=${at}&user=user-1`);
  await tab.waitForSelector("dd[data-flag]", { timeout: 30000 });
  const seen = [];
  for (const [i, user] of users.entries()) {
    const { key, ...rest } = user;
    await tab.evaluate((c) => window.flagcoreApp.setUser(c), { targetingKey: key, ...rest });
    await waitFor(`document.querySelector("dl")?.dataset.user === ${JSON.stringify(key)}`);
    seen.push([(await shown()).flags, want(expected[i])]);
  }
  check(`the React page renders the Rust core's answers for ${users.length} users`, () => {
    for (const [got, exp] of seen) deepStrictEqual(got, exp);
  });
  check("... and the users do not all get the same answers", () => {
    if (new Set(seen.map(([g]) => JSON.stringify(g))).size < 3) throw new Error(JSON.stringify(seen));
  });

  // A pushed config: the backend A/B moves everyone to treatment.
  const before = await shown();
  const config = JSON.parse(exampleText);
  config.flags["speech-backend-ab"].rules = [];
  config.flags["speech-backend-ab"].default = { variant: "treatment" };
  await tab.evaluate((c) => window.flagcoreApp.update(c), JSON.stringify(config));
  await waitFor(`document.querySelector('[data-flag="speech-backend-ab"]').textContent === "speechmatics"`);
  const updated = await shown();
  check("an update re-renders the component with the new answer", () => {
    deepStrictEqual(updated.flags["speech-backend-ab"], "speechmatics");
    if (!(updated.renders > before.renders)) throw new Error(`renders ${before.renders} -> ${updated.renders}`);
  });

  // An incident: kill speechmatics-direct (user-qa-001 gets it on from the internal-testers rule).
  await tab.evaluate(() => window.flagcoreApp.setUser({ targetingKey: "user-qa-001", appVersion: "2.4.0" }));
  await waitFor(`document.querySelector('[data-flag="speechmatics-direct"]').textContent === "true"`);
  await tab.evaluate(() => window.flagcoreApp.kill("speechmatics-direct"));
  await waitFor(`document.querySelector('[data-flag="speechmatics-direct"]').textContent === "false"`);
  check("a kill override re-renders the component: speechmatics-direct off", () => {});
  check("no errors in the browser console", () => deepStrictEqual(errors, []));
} catch (e) {
  checks.fail();
  console.log(`FAIL ${e.stack}`);
} finally {
  await closeBrowser();
  closeServer();
}
if (checks.failures) {
  console.log(`openfeature browser test: ${checks.failures} check(s) failed`);
  process.exit(1);
}
console.log("openfeature browser test: all checks passed");
