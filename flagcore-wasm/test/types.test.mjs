// The hand-written TypeScript types typecheck real usage and reject mistakes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

function tsc(config) {
  const bin = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  const project = fileURLToPath(new URL(`./types/${config}`, import.meta.url));
  try {
    execFileSync(process.execPath, [bin, "-p", project], { encoding: "utf8" });
  } catch (e) {
    assert.fail(`tsc failed:\n${e.stdout}${e.stderr}`);
  }
}

test("tsc --noEmit accepts the usage file (and every @ts-expect-error is an error)", () => tsc("tsconfig.json"));

test("the Hermes entry has the same types, resolved as in an Expo app (bundler, react-native condition)", () =>
  tsc("tsconfig.hermes.json"));
