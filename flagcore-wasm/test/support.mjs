// Shared by the Node tests and the Chromium test: the example config, a deterministic list
// of users, and the Rust core's answers for them (computed by examples/evaluate.rs, never
// by hand).
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const examplePath = join(repoRoot, "examples", "speech-migration.json");
export const exampleText = readFileSync(examplePath, "utf8");
export const workDir = join(repoRoot, "target", "wasm-test");

const ms = (iso) => Date.parse(iso);
/** One time per stage of the speechmatics-direct rollout, and before/at the boundaries. */
export const times = [
  ms("2026-11-23T12:00:00Z"), // week 1: 5%
  ms("2026-11-30T08:59:59.999Z"),
  ms("2026-11-30T09:00:00Z"), // week 2: 25%
  ms("2026-12-08T00:00:00Z"), // week 3: 75%
  ms("2026-12-14T09:00:00Z"), // week 4: 100%
];

/** A deterministic list of `{ context, at }` covering every rule, segment and stage. */
export function makeUsers(count = 400) {
  const versions = ["2.2.9", "2.3.0", "2.4.1", "1.9", "3.0.0-beta.1", "v2.3", "latest", null];
  const platforms = ["ios-web", "android-web", "desktop-web", null];
  const users = [];
  for (let i = 0; i < count; i++) {
    const context = { key: `user-${i}` };
    const version = versions[i % versions.length];
    if (version !== null) context.appVersion = version;
    const platform = platforms[(i >> 3) % platforms.length];
    if (platform !== null) context.platform = platform;
    if (i % 7 === 0) context.email = `person${i}@company.example`;
    else if (i % 5 === 0) context.email = `person${i}@gmail.example`;
    if (i % 11 === 0) context.seats = i;
    if (i % 13 === 0) context.beta = i % 2 === 0;
    users.push({ context, at: times[i % times.length] });
  }
  for (const key of ["user-qa-001", "user-qa-003", "user-pm-ana", "user-eng-li"]) {
    users.push({ context: { key, appVersion: "2.4.0" }, at: times[0] });
    users.push({ context: { key, appVersion: "2.0.0" }, at: times[3] });
  }
  users.push({ context: { appVersion: "2.4.0" }, at: times[1] }); // no key: TARGETING_KEY_MISSING
  users.push({ context: { key: "" }, at: times[1] }); // empty key counts as none
  users.push({ context: { key: "user-no-time" }, at: null }); // staged rollout without a time
  users.push({ context: { key: "ünïcödé-🚀", platform: "android-web" }, at: times[2] });
  return users;
}

let cargoBuilt = false;

/** The Rust core's answers (flag key → EvaluationDetails) for each user of `users`. */
export function rustAnswers(users, configPath = examplePath) {
  mkdirSync(workDir, { recursive: true });
  const usersPath = join(workDir, `users-${process.pid}-${Date.now()}.json`);
  writeFileSync(usersPath, JSON.stringify(users));
  const args = ["run", "-q", "-p", "flagcore-wasm", "--example", "evaluate", "--", configPath, usersPath];
  const out = execFileSync("cargo", args, {
    cwd: repoRoot,
    encoding: "utf8",
    maxBuffer: 1 << 28,
    stdio: ["ignore", "pipe", cargoBuilt ? "ignore" : "inherit"],
  });
  cargoBuilt = true;
  return JSON.parse(out);
}

// A config whose bytes are not UTF-8 (0xc3 0x28 at byte 10, line 2, column 9), and the problem
// every binding reports for it (the C and Python tests assert the same).
export const NOT_UTF8 = new Uint8Array([...new TextEncoder().encode('{\n  "a": "'), 0xc3, 0x28, ...new TextEncoder().encode('"}')]);
export const NOT_UTF8_PROBLEM = {
  severity: "error",
  code: "invalid_utf8",
  path: "$",
  message: "byte 10 (line 2, column 9) is not UTF-8: a config must be UTF-8 text",
};
