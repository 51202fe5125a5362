// The fleet test (issue 16; scripts/test-fleet builds what it needs and runs this).
//
// One config server on 127.0.0.1 (server.mjs: ETags, a control endpoint) and, polling it
// every second: a Rust service (flagcore-source/examples/service.rs), two Python agents
// (agent.py, flagcore.source) and a page in headless Chromium (page.js,
// flagcore-wasm/source). Each prints one JSON line per source event and one every 200 ms
// with what it serves. Then:
//   1. publish a config that kills speechmatics-direct: every process serves it within
//      interval + 1 s; the slowest delay is reported;
//   2. publish an invalid config: every process reports the refusal with its problems and
//      keeps serving the last good config;
//   3. stop the server: every process keeps serving and reports stale; start it again:
//      they recover without a restart;
//   4. restart one Python agent while the server is down: it serves its on-disk copy;
//   5. publish 100 configs in 10 s: no process ever serves an older config than it served
//      before (revisions and configs only move forward), and memory stays flat.
// Every wait has a deadline; the whole run is bounded (TOTAL_MS). Nothing listens or
// connects outside 127.0.0.1.
//
// Usage: node tests/fleet/fleet.mjs <service binary> <python>
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { createRequire } from "node:module";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..");
const wasmDir = join(repo, "flagcore-wasm");
const require = createRequire(join(wasmDir, "package.json"));
const esbuild = require("esbuild");
const { chromium } = require("playwright-core");

const [serviceBin, python] = process.argv.slice(2);
if (!python) {
  console.error("usage: fleet.mjs <service binary> <python>");
  process.exit(2);
}
const INTERVAL_MS = 1000;
const STALE_AFTER_MS = 3000; // as the three programs configure it
const TOTAL_MS = 170_000;
const PROCS = ["rust", "agent-a", "agent-b", "browser"];

const work = mkdtempSync(join(tmpdir(), "flagcore-fleet-"));
const children = new Set();
let browser = null;
let failures = 0;

function log(msg) {
  console.log(`fleet: ${msg}`);
}
function check(ok, label) {
  console.log(`${ok ? "ok  " : "FAIL"} ${label}`);
  if (!ok) failures++;
  return ok;
}

async function cleanup() {
  for (const c of children) c.kill("SIGKILL");
  await browser?.close().catch(() => {});
  rmSync(work, { recursive: true, force: true });
}
const guard = setTimeout(async () => {
  console.log(`FAIL the fleet test took longer than ${TOTAL_MS / 1000} s`);
  await cleanup();
  process.exit(1);
}, TOTAL_MS);

// --- configs ---------------------------------------------------------------------------------
const example = JSON.parse(readFileSync(join(repo, "examples", "speech-migration.json"), "utf8"));
delete example.$schema;
function config(seq, { kill = false } = {}) {
  const c = structuredClone(example);
  c.flags["speechmatics-direct"].enabled = !kill;
  c.flags["fleet-seq"] = { type: "number", enabled: true, variants: { v: seq }, offVariant: "v", default: { variant: "v" } };
  return JSON.stringify(c, null, 1);
}
const invalid = (() => {
  const c = JSON.parse(config(99, { kill: false }));
  c.flags["speechmatics-direct"].enabled = "no";
  c.flags["speech-backend-ab"].default.split[0].weight = 71;
  return JSON.stringify(c);
})();

// --- what the processes say ------------------------------------------------------------------
const lines = []; // every JSON line, in arrival order
const waiters = new Set();
function record(line) {
  // The Rust service prints events as the source reports them; the others, problems as paths.
  if (line.event?.problems) line.event.problems = line.event.problems.map((p) => (typeof p === "string" ? p : p.path));
  if (line.event && !line.event.changed) line.event.changed = [];
  lines.push(line);
  for (const w of waiters) w();
}
function follow(name, stream) {
  createInterface({ input: stream }).on("line", (text) => {
    try {
      const line = JSON.parse(text);
      if (line.proc) record(line);
    } catch {
      console.log(`[${name}] ${text}`);
    }
  });
}
/** Waits until `pred()` is true (re-checked on every line and every 100 ms); false after `ms`. */
function waitFor(pred, ms) {
  return new Promise((resolve) => {
    if (pred()) return resolve(true);
    const done = (v) => {
      waiters.delete(w);
      clearInterval(poll);
      clearTimeout(timer);
      resolve(v);
    };
    const w = () => pred() && done(true);
    const poll = setInterval(w, 100);
    const timer = setTimeout(() => done(pred()), ms);
    waiters.add(w);
  });
}
const since = (i, proc) => lines.slice(i).filter((l) => l.proc === proc);
const latest = (proc) => lines.findLast((l) => l.proc === proc && l.kind !== "closed");

// --- processes -------------------------------------------------------------------------------
function start(name, cmd, args, env = {}) {
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  children.add(child);
  child.on("exit", () => children.delete(child));
  follow(name, child.stdout);
  createInterface({ input: child.stderr }).on("line", (t) => console.log(`[${name}] ${t}`));
  return child;
}
function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
async function freePort() {
  const s = createServer();
  await new Promise((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

const site = join(work, "site");
mkdirSync(site);
const modules = join(work, "node_modules");
mkdirSync(modules);
symlinkSync(wasmDir, join(modules, "flagcore-wasm"), "dir");
await esbuild.build({
  entryPoints: [join(here, "page.js")],
  outfile: join(site, "page.js"),
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  nodePaths: [modules],
  logLevel: "warning",
});
copyFileSync(join(here, "page.html"), join(site, "index.html"));

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const url = `${base}/flags.json`;
const configFile = join(work, "serving.json");
let serving = config(1);
writeFileSync(configFile, serving);

async function startServer() {
  const child = start("server", process.execPath, [join(here, "server.mjs"), String(port), configFile, site]);
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${base}/control/stats`)).ok) return child;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error("the config server did not start");
}
async function publish(text) {
  serving = text;
  writeFileSync(configFile, text); // what a restarted server serves
  const res = await fetch(`${base}/control/config`, { method: "PUT", body: text });
  if (!res.ok) throw new Error(`publish: HTTP ${res.status}`);
}

try {
  let server = await startServer();
  const copies = { a: join(work, "agent-a.json"), b: join(work, "agent-b.json") };
  start("rust", serviceBin, [url, join(work, "rust.json")]);
  start("agent-a", python, [join(here, "agent.py"), "agent-a", url, copies.a]);
  let agentB = start("agent-b", python, [join(here, "agent.py"), "agent-b", url, copies.b]);
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox"] });
  const page = await browser.newPage();
  page.on("console", (msg) => {
    try {
      const line = JSON.parse(msg.text());
      if (line.proc) record(line);
    } catch {
      if (!msg.text().includes("404")) console.log(`[browser] ${msg.text()}`);
    }
  });
  page.on("pageerror", (e) => console.log(`[browser] page error: ${e.message}`));
  await page.goto(`${base}/page/index.html?url=/flags.json`);

  const serves = (proc, pred) => {
    const l = latest(proc);
    return l !== undefined && pred(l);
  };
  const allServe = (pred) => PROCS.every((p) => serves(p, pred));
  check(await waitFor(() => allServe((l) => l.on === true && l.seq === 1), 30_000), "all four processes serve config 1 (speechmatics-direct on)");

  // 1. the kill switch
  log("step 1: publish a config that kills speechmatics-direct");
  let mark = lines.length;
  const t0 = Date.now();
  await publish(config(2, { kill: true }));
  const killedAll = await waitFor(() => PROCS.every((p) => since(mark, p).some((l) => l.on === false)), INTERVAL_MS + 4000);
  const delays = Object.fromEntries(PROCS.map((p) => [p, since(mark, p).find((l) => l.on === false)?.t - t0]));
  const slowest = Math.max(...Object.values(delays).map((d) => (Number.isFinite(d) ? d : Infinity)));
  log(`kill delays (ms): ${PROCS.map((p) => `${p} ${delays[p]}`).join(", ")}; slowest ${slowest}`);
  check(killedAll && slowest <= INTERVAL_MS + 1000, `every process serves the kill within interval + 1 s (slowest ${slowest} ms)`);
  check(PROCS.every((p) => since(mark, p).some((l) => l.event?.type === "updated" && l.event.changed.includes("speechmatics-direct"))), "each reported updated with speechmatics-direct among the changed flags");

  // 2. an invalid config
  log("step 2: publish an invalid config");
  mark = lines.length;
  await publish(invalid);
  const refusedAll = await waitFor(() => PROCS.every((p) => since(mark, p).some((l) => l.event?.type === "refused")), INTERVAL_MS + 4000);
  check(refusedAll, "every process reports the refusal");
  for (const p of PROCS) {
    const r = since(mark, p).find((l) => l.event?.type === "refused");
    check(r && r.event.problems.some((path) => path.includes("speechmatics-direct")) && r.event.problems.some((path) => path.includes("split")), `${p}: the refusal lists the problems (${r?.event.problems.join(", ")})`);
  }
  await new Promise((r) => setTimeout(r, 1500));
  check(PROCS.every((p) => since(mark, p).every((l) => l.on === false && l.seq === 2)), "every process kept serving the last good config (2) throughout");

  // 3. the server stops
  log("step 3: stop the server");
  await publish(config(2, { kill: true })); // what the server will serve when it is back
  await new Promise((r) => setTimeout(r, 1500)); // everyone has polled the good config again (no change)
  mark = lines.length;
  const tStop = Date.now();
  await stop(server);
  const staleAll = await waitFor(() => PROCS.every((p) => since(mark, p).some((l) => l.event?.type === "stale")), STALE_AFTER_MS + 8000);
  const staleDelays = PROCS.map((p) => `${p} ${since(mark, p).find((l) => l.event?.type === "stale")?.t - tStop}`);
  log(`stale after (ms): ${staleDelays.join(", ")} (stale_after ${STALE_AFTER_MS})`);
  check(staleAll, "every process reports stale while the server is down");
  check(PROCS.every((p) => since(mark, p).every((l) => l.on === false && l.seq === 2)), "every process keeps serving config 2 while the server is down");

  // 4. an agent restarts while the server is down
  log("step 4: restart agent-b while the server is down");
  await stop(agentB);
  check(lines.findLast((l) => l.proc === "agent-b")?.kind === "closed", "agent-b closed its source and exited on SIGTERM");
  mark = lines.length;
  agentB = start("agent-b", python, [join(here, "agent.py"), "agent-b", url, copies.b]);
  const fromCopy = await waitFor(() => since(mark, "agent-b").some((l) => l.event?.type === "ready"), 15_000);
  const ready = since(mark, "agent-b").find((l) => l.event?.type === "ready");
  check(fromCopy && ready.event.origin === "cache" && ready.on === false && ready.seq === 2, `the restarted agent serves its on-disk copy (${JSON.stringify(ready?.event)}, on=${ready?.on}, seq=${ready?.seq})`);

  log("step 3 (cont.): start the server again");
  mark = lines.length;
  const wasStale = PROCS.filter((p) => latest(p)?.stale === true);
  server = await startServer();
  await publish(config(3, { kill: true }));
  const tBack = Date.now();
  const recovered = await waitFor(
    () => PROCS.every((p) => serves(p, (l) => l.seq === 3 && l.stale === false)) && wasStale.every((p) => since(mark, p).some((l) => l.event?.type === "recovered")),
    8000,
  );
  const backDelays = PROCS.map((p) => `${p} ${since(mark, p).find((l) => l.seq === 3)?.t - tBack}`);
  log(`serving config 3 after the restart (ms): ${backDelays.join(", ")}; reported recovered: ${wasStale.join(", ")}`);
  check(recovered, "every process recovers without a restart (stale ones report recovered) and serves config 3");

  // 5. 100 configs in 10 s
  log("step 5: publish 100 configs in 10 s");
  const memBefore = Object.fromEntries(PROCS.map((p) => [p, latest(p)?.rss]));
  mark = lines.length;
  const tBurst = Date.now();
  for (let seq = 4; seq < 104; seq++) {
    await publish(config(seq, { kill: true }));
    const next = tBurst + (seq - 3) * 100;
    await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now())));
  }
  log(`published 100 configs in ${Date.now() - tBurst} ms`);
  const caughtUp = await waitFor(() => allServe((l) => l.seq === 103), INTERVAL_MS + 4000);
  check(caughtUp, "every process serves the last config (103)");
  for (const p of PROCS) {
    const seen = since(mark, p).filter((l) => l.seq != null);
    let backwards = 0;
    for (let i = 1; i < seen.length; i++) {
      if (seen[i].seq < seen[i - 1].seq || seen[i].revision < seen[i - 1].revision) backwards++;
    }
    const distinct = new Set(seen.map((l) => l.seq)).size;
    check(backwards === 0, `${p}: configs and revisions only move forward (${seen.length} reports, ${distinct} configs seen, revision ${seen.at(-1)?.revision})`);
  }
  await new Promise((r) => setTimeout(r, 1000));
  for (const p of PROCS) {
    const before = memBefore[p];
    const after = latest(p)?.rss;
    const growth = after - before;
    // Flat: history is bounded (16 configs), so 100 configs must not grow memory by more
    // than a few MB (the example config is 5 KB).
    check(Number.isFinite(growth) && growth < 8 * 1024, `${p}: memory flat over 100 configs (${before} kB -> ${after} kB, ${growth >= 0 ? "+" : ""}${growth} kB)`);
  }
  const stats = await (await fetch(`${base}/control/stats`)).json();
  log(`server: ${stats.requests} requests since its restart, ${stats.notModified} answered 304 Not Modified`);
  check(stats.notModified > 0, "the sources make conditional requests (304s)");
} catch (e) {
  failures++;
  console.log(`FAIL ${e.stack ?? e}`);
} finally {
  clearTimeout(guard);
  await cleanup();
}
console.log(failures === 0 ? "fleet: all checks passed" : `fleet: ${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
