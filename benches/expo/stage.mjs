// What benches/expo's harnesses (run.mjs, size.mjs) share: a staging app next to
// examples/expo with its node_modules, and Metro's web export of it.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";

/**
 * A fresh staging folder `stage` holding the app `app` (a folder inside it): each of
 * `files` (paths) copied into `app` under its own name, and `example`'s node_modules
 * hard-linked there (copied where links cannot be made).
 */
export function stageApp(stage, app, example, files) {
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(app, { recursive: true });
  for (const f of files) copyFileSync(f, join(app, f.split("/").pop()));
  try {
    execFileSync("cp", ["-al", join(example, "node_modules"), join(app, "node_modules")]); // hard links: instant
  } catch {
    execFileSync("cp", ["-a", join(example, "node_modules"), join(app, "node_modules")]);
  }
}

/**
 * `expo export --platform web` of `app` into `out`, offline (`clear`: without Metro's
 * cache). Returns the exported JS files, relative to `out`.
 */
export function exportWeb(app, out, { clear = false } = {}) {
  execFileSync("npx", ["expo", "export", "--platform", "web", ...(clear ? ["--clear"] : []), "--output-dir", out], {
    cwd: app,
    env: { ...process.env, EXPO_OFFLINE: "1", CI: "1", EXPO_NO_TELEMETRY: "1" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  return readdirSync(out, { recursive: true }).filter((f) => f.endsWith(".js"));
}
