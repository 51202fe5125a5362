// Replays golden vectors (tests/vectors/, format in tests/vectors/README.md) through an
// implementation of the flagcore-wasm API. Shared by the Node runner (run-vectors.mjs) and
// the Hermes runner (tests/runners/hermes/), so it touches no file system and no Node API:
// the caller passes the package's exports and the parsed vector files.
//
//   replay({ FlagStore, FlagcoreConfigError, bucket }, [[fileName, parsedJson], ...])
//     -> { replayed, skipped: [[why, count], ...], mismatches: [text, ...] }
//   summary(label, result) -> "label: N vectors replayed, M mismatches[; K skipped (why)]"

/** JSON equality (numbers are doubles in JS already). */
function same(a, b) {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  const ka = Object.keys(a), kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && same(a[k], b[k]));
}

const FIELDS = ["flagKey", "value", "variant", "reason", "errorCode", "ruleIndex", "ruleId", "bucket", "prerequisite"];
const details = (e) => Object.fromEntries(FIELDS.map((f) => [f, e[f] === undefined ? null : e[f]]));
const strip = (ps) => ps.map((p) => ({ code: p.code, path: p.path }));

export function replay({ FlagStore, FlagcoreConfigError, bucket }, files) {
  let replayed = 0;
  const skipped = new Map();
  const mismatches = [];
  const skip = (why) => skipped.set(why, (skipped.get(why) ?? 0) + 1);
  const check = (id, expected, actual) => {
    if (!same(expected, actual)) mismatches.push(`${id}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  };

  function buckets(name, doc) {
    doc.cases.forEach(([salt, value, expected], i) => {
      replayed++;
      const got = bucket(salt, value);
      if (got !== expected) mismatches.push(`${name}[${i}]: bucket(${JSON.stringify(salt)}, ${JSON.stringify(value)}) expected ${expected}, got ${got}`);
    });
  }

  function evaluations(name, doc) {
    for (const group of doc.groups) {
      const store = new FlagStore(group.config);
      for (const o of group.overrides) store.setOverride(o.flag, o.kill ? { kill: true } : { variant: o.variant });
      const handles = new Map(); // one store.flag per flag: later cases reuse its resolution
      for (const c of group.cases) {
        replayed++;
        // `at: null` asks for no evaluation time (the noTime cases); absent means "now".
        const opts = c.noTime ? { at: null } : c.at !== undefined ? { at: c.at } : undefined;
        const { id, flag, context: ctx, expect } = c;
        try {
          switch (c.call) {
            case "evaluate": {
              check(id, expect, details(store.evaluate(flag, ctx, opts)));
              const enabled = expect.reason !== "ERROR" && expect.value === true;
              check(`${id} (isEnabled)`, enabled, store.isEnabled(flag, ctx, opts));
              check(`${id} (variant)`, expect.variant, store.variant(flag, ctx, opts));
              if (!handles.has(flag)) handles.set(flag, store.flag(flag));
              const handle = handles.get(flag);
              check(`${id} (handle evaluate)`, expect, details(handle.evaluate(ctx, opts)));
              check(`${id} (handle isEnabled)`, enabled, handle.isEnabled(ctx, opts));
              check(`${id} (handle variant)`, expect.variant, handle.variant(ctx, opts));
              break;
            }
            case "evaluateAll": {
              const got = store.evaluateAll(ctx, opts);
              const want = Object.fromEntries(expect.map((e) => [e.flagKey, e]));
              check(id, want, Object.fromEntries(Object.entries(got).map(([k, v]) => [k, details(v)])));
              break;
            }
            case "getBoolean": check(id, expect.value, store.getBoolean(flag, ctx, c.default, opts)); break;
            case "getString": check(id, expect.value, store.getString(flag, ctx, c.default, opts)); break;
            case "getNumber": check(id, expect.value, store.getNumber(flag, ctx, c.default, opts)); break;
            case "getJson": check(id, expect.value, store.getJson(flag, ctx, c.default, opts)); break;
            default: mismatches.push(`${id}: unknown call ${c.call}`);
          }
        } catch (e) {
          mismatches.push(`${id}: threw ${e?.name}: ${e?.message}`);
        }
      }
      store.free();
    }
  }

  function validations(name, doc) {
    for (const c of doc.cases) {
      if (c.maxBytes !== undefined) {
        skip("need a byte limit");
        continue;
      }
      replayed++;
      const expected = { valid: c.valid, problems: strip([...c.errors, ...c.warnings]) };
      let actual;
      const store = new FlagStore('{"schemaVersion": 1, "flags": {}}');
      try {
        const result = store.update(c.config);
        actual = { valid: true, problems: strip(result.warnings) };
      } catch (e) {
        if (!(e instanceof FlagcoreConfigError)) throw e;
        actual = { valid: false, problems: strip(e.problems) };
      }
      store.free();
      if (!c.valid) {
        // A refused config refuses a new store the same way.
        try {
          new FlagStore(c.config).free();
          check(`${c.id} (new FlagStore)`, expected, { valid: true, problems: [] });
        } catch (e) {
          if (!(e instanceof FlagcoreConfigError)) throw e;
          check(`${c.id} (new FlagStore)`, expected, { valid: false, problems: strip(e.problems) });
        }
      }
      check(c.id, expected, actual);
    }
  }

  for (const [f, doc] of files) {
    const before = replayed + [...skipped.values()].reduce((a, b) => a + b, 0);
    if (doc.format === "flagcore-vectors/bucket/1") buckets(f, doc);
    else if (doc.format === "flagcore-vectors/evaluation/1") evaluations(f, doc);
    else if (doc.format === "flagcore-vectors/validation/1") validations(f, doc);
    else {
      mismatches.push(`${f}: unknown format ${doc.format}`);
      continue;
    }
    const counted = replayed + [...skipped.values()].reduce((a, b) => a + b, 0) - before;
    if (counted !== doc.count) mismatches.push(`${f}: ${counted} cases, but count says ${doc.count}`);
  }
  return { replayed, skipped: [...skipped.entries()], mismatches };
}

export function summary(label, { replayed, skipped, mismatches }) {
  const skips = skipped.map(([why, n]) => `${n} skipped (${why})`).join(", ");
  return `${label}: ${replayed} vectors replayed, ${mismatches.length} mismatches${skips ? `; ${skips}` : ""}`;
}
