// tests/vectors/ (the golden vectors every binding replays; format in tests/vectors/README.md),
// loaded for the browser test: what to send to the page, and how to check what comes back.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { deepStrictEqual } from "node:assert/strict";

/** Every vector file, or null when tests/vectors/README.md does not exist. */
export function loadVectors(repoRoot) {
  const dir = join(repoRoot, "tests", "vectors");
  if (!existsSync(join(dir, "README.md"))) return null;
  const buckets = [];
  const groups = [];
  const validation = [];
  for (const name of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
    const file = JSON.parse(readFileSync(join(dir, name), "utf8"));
    if (file.format === "flagcore-vectors/bucket/1") {
      for (const [salt, value, bucket] of file.cases) buckets.push({ salt, value, bucket });
    } else if (file.format === "flagcore-vectors/evaluation/1") {
      for (const g of file.groups) groups.push({ name: `${name}:${g.name}`, config: g.config, overrides: g.overrides ?? [], cases: g.cases });
    } else if (file.format === "flagcore-vectors/validation/1") {
      validation.push(...file.cases);
    } else {
      throw new Error(`${name}: unknown vector format ${file.format}`);
    }
  }
  return { buckets, groups, validation };
}

const same = (got, want) => {
  try {
    deepStrictEqual(got, want);
    return null;
  } catch (e) {
    return e.message.split("\n").slice(0, 12).join("\n");
  }
};

/** Why the page's answer `got` (from replayGroups) differs from the case, or null. */
export function evaluationMismatch(c, got) {
  if (got.error) return `threw ${got.error}`;
  switch (c.call) {
    case "evaluate": {
      const wantEnabled = c.expect.reason !== "ERROR" && c.expect.value === true;
      if (got.isEnabled !== wantEnabled) return `isEnabled ${got.isEnabled}, want ${wantEnabled}`;
      return same(got.result, c.expect);
    }
    case "evaluateAll":
      return same(Object.values(got.result), c.expect) ?? same(Object.keys(got.result), c.expect.map((e) => e.flagKey));
    case "getBoolean":
    case "getString":
    case "getNumber":
    case "getJson":
      return same(got.result, c.expect.value);
    default:
      return `unknown call ${c.call}`;
  }
}

/** Why the page's answer for a validation case differs, or null. */
export function validationMismatch(c, got) {
  if (got.error) return `threw ${got.error}`;
  const strip = (ps) => ps.map((p) => ({ code: p.code, path: p.path }));
  if (got.valid !== c.valid) return `valid ${got.valid}, want ${c.valid}: ${JSON.stringify(got.problems)}`;
  if (c.valid) return same(strip(got.warnings), strip(c.warnings));
  return same(strip(got.problems), strip([...c.errors, ...c.warnings]));
}
