// The golden evaluation vectors through an OpenFeature client (web or server SDK) with the
// flagcore provider: every case's expected flagcore answer, mapped as the README's
// "OpenFeature" section documents, must come back from the client. No Node imports: the
// Chromium test bundles this file too. Used by run-openfeature-vectors.mjs (Node) and
// flagcore-wasm/test/openfeature/browser-page.js (Chromium).

/** JSON equality (numbers are doubles in JS already). */
function same(a, b) {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  const ka = Object.keys(a), kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && same(a[k], b[k]));
}

const TYPES = { bool: "boolean", boolean: "boolean", string: "string", number: "number", json: "object", object: "object" };

/** The flag's type as the config declares or implies it (undefined for an unknown flag). */
function flagType(config, flag) {
  const f = config.flags?.[flag];
  if (f === undefined) return undefined;
  if (typeof f.type === "string") return TYPES[f.type];
  const first = Object.values(f.variants ?? { on: true })[0];
  return ["boolean", "string", "number"].includes(typeof first) ? typeof first : "object";
}

/** `DEFAULT` is `STATIC` for a flag with no rules, no prerequisites and a fixed default. */
function isStatic(config, flag) {
  const f = config.flags?.[flag] ?? {};
  return !f.rules?.length && !f.prerequisites?.length && f.default != null && "variant" in f.default;
}

function mapped(config, flag, expect) {
  if (expect.reason === "ERROR") return { errorCode: expect.errorCode };
  const reason = { OFF: "DISABLED", PREREQUISITE_FAILED: "DISABLED", OVERRIDE: "OVERRIDE" }[expect.reason] ??
    (expect.reason === "DEFAULT" && isStatic(config, flag) ? "STATIC" : expect.reason);
  return {
    value: expect.value, variant: expect.variant, reason,
    ruleIndex: expect.ruleIndex, ruleId: expect.ruleId, bucket: expect.bucket, prerequisite: expect.prerequisite,
  };
}

function answer(d) {
  if (d.errorCode !== undefined) return { errorCode: d.errorCode };
  const m = d.flagMetadata ?? {};
  return {
    value: d.value, variant: d.variant ?? null, reason: d.reason,
    ruleIndex: m.ruleIndex ?? null, ruleId: m.ruleId ?? null, bucket: m.bucket ?? null, prerequisite: m.prerequisite ?? null,
  };
}

/** A vector context as an OpenFeature context: `key` → `targetingKey`. */
function openFeatureContext(ctx) {
  const { key, ...rest } = ctx;
  return key === undefined || key === null ? rest : { targetingKey: key, ...rest };
}

/**
 * Replays `docs` (parsed eval-*.json files). `open(configText, overrides, clock)` returns
 * `resolve(flag, type, context)` → OpenFeature evaluation details (possibly a Promise), and
 * registers a provider whose evaluation time is `clock()`. `noTime` cases are skipped (the JS
 * skin can pass no time, but the OpenFeature path always evaluates "now" or at the clock's
 * time; the clock passes null for them, so they are replayed when `replayNoTime`).
 */
export async function replayOpenFeature(docs, open, { replayNoTime = true } = {}) {
  let replayed = 0;
  let skipped = 0;
  const mismatches = [];
  for (const doc of docs) {
    for (const group of doc.groups) {
      const config = JSON.parse(group.config);
      let at = null;
      const resolve = await open(group.config, group.overrides, () => at);
      for (const c of group.cases) {
        if (c.noTime && !replayNoTime) {
          skipped++;
          continue;
        }
        at = c.at ?? null;
        const ctx = openFeatureContext(c.context);
        const checks =
          c.call === "evaluateAll" ? c.expect.map((e) => [e.flagKey, flagType(config, e.flagKey) ?? "boolean", e])
          : c.call === "evaluate" ? [[c.flag, flagType(config, c.flag) ?? "boolean", c.expect]]
          : [[c.flag, { getBoolean: "boolean", getString: "string", getNumber: "number", getJson: "object" }[c.call], c.expect]];
        replayed++;
        for (const [flag, type, expect] of checks) {
          const want = mapped(config, flag, expect);
          const got = answer(await resolve(flag, type, ctx));
          if (!same(want, got)) mismatches.push(`${c.id} (${flag} as ${type}): expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
        }
      }
    }
  }
  return { replayed, skipped, mismatches };
}

/** The default value a resolution of `type` passes (never what a flag serves in the vectors). */
export const DEFAULTS = { boolean: false, string: "\u0000default", number: -0.5, object: { "\u0000default": true } };
