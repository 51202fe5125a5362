// The Chromium test (scripts/test-wasm runs it after the Node tests):
//   1. bundles this page and examples/web with esbuild, importing `flagcore-wasm` as an app
//      does (no bundler configuration beyond resolving the package);
//   2. serves them on 127.0.0.1 and drives headless Chromium with playwright-core;
//   3. checks every flag for every user of support.mjs against the Rust core's answers
//      (examples/evaluate.rs), with both builds;
//   4. replays tests/vectors/ (evaluation and bucketing) in the browser when they exist;
//   5. screenshot-tests the example page (target/wasm-test/example-page.png).
import { mkdirSync, readFileSync, rmSync, copyFileSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { deepStrictEqual } from "node:assert/strict";
import * as esbuild from "esbuild";
import { checker, launchChromium, serveSite } from "./harness.mjs";
import { exampleText, makeUsers, repoRoot, rustAnswers, workDir } from "../support.mjs";
import { evaluationMismatch, loadVectors, validationMismatch } from "./vectors.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const pkgDir = join(repoRoot, "flagcore-wasm");
const site = join(workDir, "site");
const { check, ...checks } = checker();

// --- 1. bundle -----------------------------------------------------------------------------
rmSync(site, { recursive: true, force: true });
mkdirSync(join(site, "example"), { recursive: true });
// Resolve `flagcore-wasm` as an installed package (through its package.json "exports"), the
// way an app's node_modules would.
const modules = join(workDir, "node_modules");
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
    nodePaths: [modules],
    logLevel: "warning",
  });
await bundle(join(here, "page.js"), join(site, "page.js"));
await bundle(join(repoRoot, "examples", "web", "main.js"), join(site, "example", "main.js"));
copyFileSync(join(here, "page.html"), join(site, "index.html"));
copyFileSync(join(repoRoot, "examples", "web", "index.html"), join(site, "example", "index.html"));
copyFileSync(join(repoRoot, "examples", "speech-migration.json"), join(site, "example", "speech-migration.json"));
// The web build fetches its .wasm next to the module that imports it (here: the bundle).
copyFileSync(join(pkgDir, "pkg", "web", "flagcore_wasm_bg.wasm"), join(site, "flagcore_wasm_bg.wasm"));

// --- 2. serve ------------------------------------------------------------------------------
const { base, close: closeServer } = await serveSite(site);

// --- 3. the browser ------------------------------------------------------------------------
const { browser, close: closeBrowser } = await launchChromium("flagcore-chromium-", { viewport: { width: 1100, height: 560 } });
try {
  const page = browser.pages()[0] ?? (await browser.newPage());
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  page.on("console", (m) => m.type() === "error" && pageErrors.push(m.text()));

  await page.goto(`${base}/index.html`);
  await page.waitForSelector("body[data-ready=true]", { timeout: 30000 });
  const users = makeUsers();
  const exampleUsers = [
    { context: { key: "user-qa-001", appVersion: "2.4.0" }, at: Date.parse("2026-12-01T10:00:00Z") },
    { context: { key: "user-42", appVersion: "2.2.0", platform: "ios-web" }, at: Date.parse("2026-12-01T10:00:00Z") },
    { context: { key: "user-43", appVersion: "2.4.0", platform: "android-web" }, at: Date.parse("2026-12-08T10:00:00Z") },
  ];
  const expected = rustAnswers([...users, ...exampleUsers]);
  const got = await page.evaluate((data) => window.flagcoreTest.evaluate(data), { config: exampleText, users });
  const flagsPerUser = Object.keys(expected[0]).length;
  for (const [name, answers] of [["embedded-bytes build", got.sync], ["web build", got.web]]) {
    check(`${name}: ${users.length} users × ${flagsPerUser} flags equal the Rust core`, () => {
      const mismatches = [];
      users.forEach((u, i) => {
        try {
          deepStrictEqual(answers[i], expected[i]);
        } catch (e) {
          mismatches.push(`user ${i} ${JSON.stringify(u)}: ${e.message}`);
        }
      });
      if (mismatches.length) throw new Error(`${mismatches.length} mismatches\n${mismatches.slice(0, 3).join("\n")}`);
    });
  }
  check("a bad config throws a FlagcoreConfigError (an Error) with JSON paths in the browser", () => {
    deepStrictEqual(got.configError.isError && got.configError.isConfigError, true);
    if (!got.configError.paths.some((p) => p.startsWith("$.flags.a.enabled"))) throw new Error(JSON.stringify(got.configError));
  });

  // --- 4. golden vectors ---------------------------------------------------------------------
  const vectors = loadVectors(repoRoot);
  if (vectors === null) {
    console.log("skip tests/vectors/: not present (tests/vectors/README.md missing)");
  } else {
    const answers = await page.evaluate((g) => window.flagcoreTest.replayGroups(g), vectors.groups);
    let evalCases = 0;
    const evalBad = [];
    vectors.groups.forEach((g, i) =>
      g.cases.forEach((c, j) => {
        evalCases++;
        const why = evaluationMismatch(c, answers[i][j]);
        if (why) evalBad.push(`${c.id}: ${why}`);
      }),
    );
    check(`vectors: ${evalCases} evaluation cases (${vectors.groups.length} groups) replayed in Chromium, ${evalBad.length} mismatches`, () => {
      if (evalBad.length) throw new Error(evalBad.slice(0, 5).join("\n"));
    });
    const bucketResults = [];
    for (let i = 0; i < vectors.buckets.length; i += 10000) {
      const cases = vectors.buckets.slice(i, i + 10000).map(({ salt, value }) => ({ salt, value }));
      bucketResults.push(...(await page.evaluate((c) => window.flagcoreTest.replayBuckets(c), cases)));
    }
    const bucketBad = vectors.buckets.filter((v, i) => bucketResults[i] !== v.bucket);
    check(`vectors: ${vectors.buckets.length} bucketing cases replayed in Chromium, ${bucketBad.length} mismatches`, () => {
      if (bucketBad.length) throw new Error(`first: ${JSON.stringify(bucketBad[0])}`);
    });
    const limited = vectors.validation.filter((c) => c.maxBytes !== undefined);
    const validationCases = vectors.validation.filter((c) => c.maxBytes === undefined);
    const validationAnswers = await page.evaluate((c) => window.flagcoreTest.replayValidation(c), validationCases.map((c) => ({ config: c.config })));
    const validationBad = [];
    validationCases.forEach((c, i) => {
      const why = validationMismatch(c, validationAnswers[i]);
      if (why) validationBad.push(`${c.id}: ${why}`);
    });
    check(`vectors: ${validationCases.length} validation cases replayed in Chromium, ${validationBad.length} mismatches (${limited.length} skipped: the JS API has no byte-limit option)`, () => {
      if (validationBad.length) throw new Error(validationBad.slice(0, 5).join("\n"));
    });
  }

  // --- 5. the example page ------------------------------------------------------------------
  await page.goto(`${base}/example/index.html`);
  await page.waitForSelector("body[data-ready=true]", { timeout: 30000 });
  const exampleOffset = users.length;
  for (const [j, { context, at }] of exampleUsers.entries()) {
    await page.fill("#key", context.key);
    await page.fill("#appVersion", context.appVersion ?? "");
    await page.selectOption("#platform", context.platform ?? "");
    await page.fill("#at", new Date(at).toISOString().slice(0, 16));
    const rows = await page.$$eval("#results tr", (trs) =>
      trs.map((tr) => ({ flag: tr.dataset.flag, cells: [...tr.children].map((td) => td.textContent) })),
    );
    const want = expected[exampleOffset + j];
    check(`example page shows the Rust core's value, variant and reason for ${context.key}`, () => {
      deepStrictEqual(
        rows.map((r) => [r.flag, r.cells[1], r.cells[2], r.cells[3]]),
        Object.values(want).map((e) => [e.flagKey, JSON.stringify(e.value), e.variant, e.reason]),
      );
    });
  }
  mkdirSync(workDir, { recursive: true });
  const shot = join(workDir, "example-page.png");
  await page.fill("#key", "user-qa-001");
  await page.fill("#appVersion", "2.4.0");
  await page.selectOption("#platform", "ios-web");
  await page.fill("#at", "2026-12-01T10:00");
  await page.screenshot({ path: shot, fullPage: true });
  const png = readFileSync(shot);
  check(`example page screenshot (${shot}, ${png.length} bytes)`, () => {
    deepStrictEqual([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join(""), "PNG");
    if (png.length < 10000) throw new Error("screenshot is suspiciously small");
  });
  check("no errors in the browser console", () => deepStrictEqual(pageErrors, []));
  console.log(`browser: ${got.userAgent}`);
} finally {
  await closeBrowser();
  closeServer();
}
if (checks.failures) {
  console.log(`browser test: ${checks.failures} check(s) failed`);
  process.exit(1);
}
console.log("browser test: all checks passed");
