// The package ships the config's JSON Schema as `flagcore-wasm/schema.json`, so an editor can
// point at node_modules (VS Code `json.schemas`, or "$schema" in a config) without the repo.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

test("flagcore-wasm/schema.json is the repository's schema", () => {
  const path = require.resolve("flagcore-wasm/schema.json");
  const shipped = readFileSync(path, "utf8");
  const repo = readFileSync(new URL("../../schema/flagcore.schema.json", import.meta.url), "utf8");
  assert.equal(shipped, repo);
  assert.equal(JSON.parse(shipped).$schema, "https://json-schema.org/draft/2020-12/schema");
});
