// The public API of the npm package `flagcore-wasm`: a thin layer over the wasm-bindgen
// bindings (./flagcore_wasm.js) that turns plain-object contexts into calls on the engine's
// reusable context, parses structured results, and rethrows failures as Error subclasses.
// Every decision is the Rust core's. Types: flagcore.d.ts. Docs: README.md.
// Named imports, not \`import * as\`: Metro (Expo) compiles a namespace import into an interop
// helper in the bundle (issue 18).
import {
  Engine,
  bucket as wasmBucket,
  maxContextAttributes as wasmMaxContextAttributes,
  maxListItems as wasmMaxListItems,
  memoryBytes as wasmMemory,
  __flagcore_memory,
  __flagcore_unready,
} from "./flagcore_wasm.js";

export { version } from "./version.js";

/** Base class of every error this package throws. */
export class FlagcoreError extends Error {
  constructor(message, code) {
    super(message);
    this.name = new.target.name;
    /** A stable code from the one table every flagcore binding shares (see `FailureCode` in flagcore.d.ts). */
    this.code = code;
  }
}

/** A config was refused. `problems` lists every problem with its JSON path. */
export class FlagcoreConfigError extends FlagcoreError {
  constructor(message, problems) {
    super(message, "INVALID_CONFIG");
    /** @type {{severity: "error" | "warning", code: string, path: string, message: string}[]} */
    this.problems = problems;
  }
}

/** A context could not be used (not an object, a non-string key, a nested value). */
export class FlagcoreContextError extends FlagcoreError {
  constructor(message) {
    super(message, "INVALID_CONTEXT");
  }
}

/** A store operation failed: rollback without history, override of an unknown flag or variant, use after free(). */
export class FlagcoreStoreError extends FlagcoreError {}

/** A rollout-plan decision could not be made or applied (`code`: PLANS_NOT_INCLUDED outside the `flagcore-wasm/plans` entry, NO_PLAN, UNKNOWN_FLAG, MISSING_TIME, UNKNOWN_STAGE, STAGE_OUT_OF_RANGE, INVALID_OBSERVATION, INVALID_PLAN_INPUT, or a store code such as OVERRIDDEN). */
export class FlagcorePlanError extends FlagcoreError {}

function rethrow(e) {
  if (typeof e === "string" && e.startsWith("{")) {
    const failure = JSON.parse(e);
    if (failure.kind === "config") throw new FlagcoreConfigError(failure.message, failure.problems);
    if (failure.kind === "plan") throw new FlagcorePlanError(failure.message, failure.code);
    throw new FlagcoreStoreError(failure.message, failure.code);
  }
  throw e;
}

/** Throws NOT_INITIALIZED when the build's WASM is not instantiated (`flagcore-wasm/web` before `init()`). */
function loaded() {
  const why = __flagcore_unready(); // the build's own text: see tools/assemble.mjs
  if (why) throw new FlagcoreError(why, "NOT_INITIALIZED");
}

// The engine reads a config as UTF-8 bytes: a Uint8Array goes as given, so bytes that are not
// UTF-8 get the core's `invalid_utf8` problem (offset, line and column) as in every binding,
// not a decoder's replacement characters.
const encoder = new TextEncoder();
function configBytes(config) {
  if (config instanceof Uint8Array) return config;
  if (typeof config === "string") return encoder.encode(config);
  if (config !== null && typeof config === "object") return encoder.encode(JSON.stringify(config));
  throw new FlagcoreConfigError("config must be JSON text or an object", [
    { severity: "error", code: "wrong_type", path: "$", message: `expected JSON text or an object, got ${describe(config)}` },
  ]);
}

function describe(v) {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}

let maxAttributes = 0;

/** The result object of the row starting at `rows[i]` (src/output.rs, `evaluation_row`). */
function result(rows, i) {
  return {
    flagKey: rows[i],
    value: rows[i + 1],
    variant: rows[i + 2],
    reason: rows[i + 3],
    errorCode: rows[i + 4],
    ruleIndex: rows[i + 5],
    ruleId: rows[i + 6],
    bucket: rows[i + 7],
    prerequisite: rows[i + 8],
  };
}

// evaluateAll's answer: WORDS numbers a flag in the WASM memory (src/output.rs,
// `evaluation_words`); strings as address and length.
const WORDS = 19;
const decoder = new TextDecoder();
let memoryWords = new Uint32Array(0);
let memoryBytes = memoryWords;
const reasonNames = [];
const errorNames = [];

function words() {
  const buffer = __flagcore_memory().buffer;
  if (memoryWords.buffer !== buffer) {
    memoryWords = new Uint32Array(buffer);
    memoryBytes = new Uint8Array(buffer);
  }
  return memoryWords;
}

function textAt(at, len) {
  return at === 0 ? null : decoder.decode(memoryBytes.subarray(at, at + len));
}

function cachedText(cache, i, at, len) {
  const hit = cache[i];
  if (hit !== undefined && hit.at === at) return hit.text;
  return (cache[i] = { at, text: textAt(at, len) }).text;
}

/** Kept in `cache[i]` while read from `at`; JSON objects as text, parsed per call (a fresh copy). */
function cachedValue(cache, i, at, len) {
  let hit = cache[i];
  if (hit === undefined || hit.at !== at) {
    const text = textAt(at, len);
    const value = JSON.parse(text);
    hit = cache[i] = { at, text: value !== null && typeof value === "object" ? text : null, value };
  }
  return hit.text === null ? hit.value : JSON.parse(hit.text);
}

/**
 * Whether the attributes of `ctx` are exactly those recorded in `sent` (same names in the
 * same order, identical values). A `Date` never counts as the same (it is mutable), and
 * 0 and -0 differ.
 */
function sameAttributes(ctx, sent) {
  let i = 1;
  for (const name in ctx) {
    if (name === "key" || !Object.hasOwn(ctx, name)) continue;
    const value = ctx[name];
    if (value === undefined || value === null) continue;
    if (sent[i] !== name || typeof value === "object") return false;
    const was = sent[i + 1];
    if (was !== value || (value === 0 && 1 / value !== 1 / was)) return false;
    i += 2;
  }
  return i === sent.length;
}

let maxListItems = 0;

/** The results of `n` rows from word `r`; `flags` keeps the strings of one revision. */
function allRows(flags, w, r, n) {
  const all = {};
  for (let i = 0; i < n; i++, r += WORDS) {
    let flag = flags[i];
    if (flag === undefined || flag.at !== w[r]) {
      flag = flags[i] = { at: w[r], key: textAt(w[r], w[r + 1]), variants: [], values: [], ruleIds: [] };
    }
    const v = w[r + 2] - 1;
    const reason = w[r + 7];
    const error = w[r + 10];
    const rule = w[r + 13] - 1;
    const bucket = w[r + 16] - 1;
    all[flag.key] = {
      flagKey: flag.key,
      value: w[r + 5] === 0 ? null : cachedValue(flag.values, v, w[r + 5], w[r + 6]),
      variant: v < 0 ? null : cachedText(flag.variants, v, w[r + 3], w[r + 4]),
      reason: (reasonNames[reason] ??= textAt(w[r + 8], w[r + 9])),
      errorCode: error === 0 ? null : (errorNames[error] ??= textAt(w[r + 11], w[r + 12])),
      ruleIndex: rule < 0 ? null : rule,
      ruleId: w[r + 14] === 0 ? null : cachedText(flag.ruleIds, rule, w[r + 14], w[r + 15]),
      bucket: bucket < 0 ? null : bucket,
      prerequisite: textAt(w[r + 17], w[r + 18]),
    };
  }
  return all;
}

/** The most flag keys a FlagStore gives engine ids (see `_id`): bounds the memory of keys seen. */
const MAX_IDS = 4096;

/** Sends an array attribute (strings and numbers, at most `maxListItems()`) to the engine. */
function writeList(engine, name, list) {
  if (list.length > (maxListItems ||= wasmMaxListItems())) {
    throw new FlagcoreContextError(
      `context attribute "${name}" is an array of ${list.length} items, more than the limit of ${maxListItems}`,
    );
  }
  for (const item of list) {
    if (typeof item !== "string" && typeof item !== "number") {
      throw new FlagcoreContextError(
        `context attribute "${name}" is an array holding ${describe(item)}; arrays hold strings and numbers`,
      );
    }
  }
  for (const item of list) {
    if (typeof item === "string") engine.listString(item);
    else engine.listNumber(item);
  }
  engine.setList(name);
}

/**
 * A live flag store: one compiled config (plus history for rollback, and overrides).
 * Contexts are plain objects: `{ key: "user-1", email: "...", appVersion: "2.4.0" }`.
 * Call `free()` (or `using store = ...`) when done; otherwise the garbage collector frees
 * it (wasm-bindgen registers every engine with a FinalizationRegistry).
 */
export class FlagStore {
  // Internal state lives in ordinary properties with a leading underscore, not in `#private`
  // fields: Babel (Metro's preset, which Expo web apps run) compiles `#private` into helper
  // calls per access, which made the cheap calls (isEnabled, variant) 1.2-1.7x slower in an
  // Expo web export (issue 18; BENCHMARKS.md, "JS as users run it"). They are not part of the API (the TypeScript types leave them out) and
  // may change in any release. All are assigned in the constructor, so every store has one
  // shape.

  /** @param config JSON text, a parsed config object, or UTF-8 bytes. Throws FlagcoreConfigError. */
  constructor(config) {
    loaded();
    const bytes = configBytes(config);
    /** @internal The wasm-bindgen engine; undefined once freed. */
    this._engine = undefined;
    /**
     * @internal What the engine's context holds: `[key, name, value, name, value, ...]` as
     * last written, or null when unknown. An evaluation with an equal context (the same
     * object reused, or an equal one) skips rewriting it: one WASM call per evaluation.
     */
    this._sent = null;
    /** @internal The array _write fills next (two arrays take turns, so a new context allocates none). */
    this._spare = [];
    /**
     * @internal Each flag's variant names, as `variant` met them: the engine answers with a
     * position, so no string leaves WASM per call. Emptied whenever the config may have changed.
     */
    this._names = new Map();
    /**
     * @internal Flag keys and the engine's ids for them (`flagId`): a call by key passes a
     * number to WASM instead of the key's UTF-8 (at most MAX_IDS keys; then by key).
     */
    this._ids = new Map();
    /** @internal evaluateAll's `{ revision, flags }` (see allRows). */
    this._all = null;
    try {
      this._engine = new Engine(bytes);
    } catch (e) {
      rethrow(e);
    }
  }

  /** Checks `ctx` and `opts`, brings the engine's context up to date; returns the time to pass. */
  _use(ctx, opts) {
    const engine = this._engine;
    if (engine === undefined) throw new FlagcoreStoreError("this FlagStore has been freed", "FREED");
    if (ctx === null || typeof ctx !== "object" || Array.isArray(ctx)) {
      throw new FlagcoreContextError(`context must be an object like { key: "user-1" }, got ${describe(ctx)}`);
    }
    let at = opts === undefined ? undefined : opts.at;
    if (at === undefined) at = Date.now();
    else if (at === null) at = NaN;
    else if (at instanceof Date) at = at.getTime();
    else if (typeof at !== "number") throw new FlagcoreContextError(`opts.at must be Unix milliseconds or a Date, got ${describe(at)}`);
    let key = ctx.key;
    if (key === null) key = undefined;
    else if (key !== undefined && typeof key !== "string") {
      throw new FlagcoreContextError(`context key must be a string, got ${describe(key)}`);
    }
    const sent = this._sent;
    if (sent !== null && sent[0] === key && sameAttributes(ctx, sent)) return at;
    this._write(engine, ctx, key);
    return at;
  }

  /** Rewrites the engine's context from `ctx` (validating every attribute). */
  _write(engine, ctx, key) {
    const old = this._sent;
    this._sent = null; // unknown until written in full: a bad attribute throws half way
    engine.resetContext(key);
    const sent = this._spare;
    sent.length = 0;
    sent.push(key);
    for (const name in ctx) {
      if (name === "key" || !Object.hasOwn(ctx, name)) continue;
      const value = ctx[name];
      switch (typeof value) {
        case "string":
          engine.setString(name, value);
          break;
        case "number":
          engine.setNumber(name, value);
          break;
        case "boolean":
          engine.setBool(name, value);
          break;
        case "undefined":
          continue;
        default:
          if (value === null) continue;
          if (value instanceof Date) {
            engine.setString(name, value.toISOString());
            break;
          }
          if (Array.isArray(value)) {
            writeList(engine, name, value);
            break;
          }
          throw new FlagcoreContextError(
            `context attribute "${name}" is ${describe(value)}; attributes are strings, numbers, booleans or arrays of strings and numbers`,
          );
      }
      sent.push(name, value);
      if (sent.length > 2 * (maxAttributes ||= wasmMaxContextAttributes()) + 1) {
        throw new FlagcoreContextError(`context has more than ${maxAttributes} attributes`);
      }
    }
    this._spare = old ?? [];
    this._sent = sent;
  }

  /** The engine's id for `flag` (made on first use), or -1 past MAX_IDS keys unless `always`. */
  _id(flag, always) {
    let id = this._ids.get(flag);
    if (id !== undefined) return id;
    if (typeof flag !== "string") return -1;
    const full = this._ids.size >= MAX_IDS;
    if (full && !always) return -1;
    id = this._engineOrThrow().flagId(flag);
    if (!full) this._ids.set(flag, id);
    return id;
  }

  /** The name of variant `i` of `flag` (the names of each flag are read once per config). */
  _name(flag, i) {
    let names = this._names.get(flag);
    if (names === undefined) {
      names = JSON.parse(this._engine.variantNames(flag));
      this._names.set(flag, names);
    }
    return names[i];
  }

  _plansEngine() {
    const engine = this._engineOrThrow();
    if (typeof engine.decidePlan !== "function") {
      throw new FlagcorePlanError(
        'rollout plans are not in this build: import FlagStore from "flagcore-wasm/plans" to decide and apply them',
        "PLANS_NOT_INCLUDED",
      );
    }
    return engine;
  }

  _engineOrThrow() {
    if (this._engine === undefined) throw new FlagcoreStoreError("this FlagStore has been freed", "FREED");
    return this._engine;
  }

  /** Whether `flag` serves `true` for `ctx` (false on any error or for non-boolean flags). */
  isEnabled(flag, ctx, opts) {
    const at = this._use(ctx, opts);
    const id = this._id(flag, false);
    return id < 0 ? this._engine.isEnabled(flag, at) : this._engine.isEnabledId(id, at);
  }

  /** The variant served (the off variant on an evaluation error), or null for an unknown flag. */
  variant(flag, ctx, opts) {
    const at = this._use(ctx, opts);
    const id = this._id(flag, false);
    const i = id < 0 ? this._engine.variantIndex(flag, at) : this._engine.variantIndexId(id, at);
    return i < 0 ? null : this._name(flag, i);
  }

  /**
   * A handle on the flag `key`, resolved once: `store.flag("checkout").isEnabled(ctx)`. It
   * stays valid across update, rollback and applyDecision (a flag added later is found, a
   * removed one answers as an unknown flag does by key), until the store is freed.
   */
  flag(key) {
    if (typeof key !== "string") throw new TypeError(`flag key must be a string, got ${describe(key)}`);
    return new FlagHandle(this, key, this._id(key, true));
  }

  /** A boolean flag's value, or `defaultValue` on error or type mismatch. */
  getBoolean(flag, ctx, defaultValue, opts) {
    const at = this._use(ctx, opts);
    return this._engine.getBoolean(flag, defaultValue === true, at);
  }

  /** A string flag's value, or `defaultValue` on error or type mismatch. */
  getString(flag, ctx, defaultValue, opts) {
    const at = this._use(ctx, opts);
    return this._engine.getString(flag, at) ?? defaultValue;
  }

  /** A number flag's value, or `defaultValue` on error or type mismatch. */
  getNumber(flag, ctx, defaultValue, opts) {
    const at = this._use(ctx, opts);
    return this._engine.getNumber(flag, at) ?? defaultValue;
  }

  /** A JSON flag's value (a fresh copy), or `defaultValue` on error or type mismatch. */
  getJson(flag, ctx, defaultValue, opts) {
    const at = this._use(ctx, opts);
    const text = this._engine.getJson(flag, at);
    return text === undefined ? defaultValue : JSON.parse(text);
  }

  /** The full answer: value, variant, reason, errorCode, ruleIndex, ruleId, bucket, prerequisite. */
  evaluate(flag, ctx, opts) {
    const at = this._use(ctx, opts);
    const id = this._id(flag, false);
    return result(JSON.parse(id < 0 ? this._engine.evaluate(flag, at) : this._engine.evaluateId(id, at)), 0);
  }

  /** Every flag's evaluation for one context, keyed by flag, in config order. */
  evaluateAll(ctx, opts) {
    const at = this._use(ctx, opts);
    const base = this._engine.evaluateAllRows(at) >>> 2;
    const w = words();
    const revision = w[base] + w[base + 1] * 4294967296;
    let table = this._all;
    if (table === null || table.revision !== revision) table = this._all = { revision, flags: [] };
    return allRows(table.flags, w, base + 3, w[base + 2]);
  }

  /** Swaps in a new config. Throws FlagcoreConfigError (the last good config keeps serving). */
  update(config) {
    const engine = this._engineOrThrow();
    const bytes = configBytes(config);
    try {
      const answer = JSON.parse(engine.update(bytes));
      this._names.clear();
      return answer;
    } catch (e) {
      return rethrow(e);
    }
  }

  /** Goes back to the previous config; returns the revision now serving. Throws FlagcoreStoreError without history. */
  rollback() {
    const engine = this._engineOrThrow();
    try {
      const revision = engine.rollback();
      this._names.clear();
      return revision;
    } catch (e) {
      return rethrow(e);
    }
  }

  /** The revision serving now (1 for the first config; updates take new numbers; rollback returns to an earlier one). */
  get revision() {
    return this._engineOrThrow().revision;
  }

  /** Warnings about the config serving now (it loaded despite them). */
  get warnings() {
    return JSON.parse(this._engineOrThrow().warnings);
  }

  /** Forces a flag: `{ kill: true }` serves its off variant, `{ variant: "x" }` serves x; until clearOverride. */
  setOverride(flag, override) {
    const engine = this._engineOrThrow();
    try {
      if (override && override.kill === true) engine.setKill(flag);
      else if (override && typeof override.variant === "string") engine.setVariant(flag, override.variant);
      else throw new FlagcoreStoreError('override must be { kill: true } or { variant: "name" }', "INVALID_ARGUMENT");
    } catch (e) {
      rethrow(e);
    }
  }

  /**
   * Decides a flag's rollout plan (docs/rollouts.md): `input` is the plan input (an object or
   * JSON text: `{ stageStartedAt, exposed, samples: [...] }`); `opts.at` is the decision time
   * (a number of Unix ms or a Date; default: now), `opts.stage` the current stage index
   * (default: read from the config). Returns the outcome: `{ decision: "ADVANCE" | "HOLD" |
   * "ROLL_BACK", stage, percentage, message, ... }`. Throws FlagcorePlanError.
   */
  decidePlan(flag, input, opts = {}) {
    const engine = this._plansEngine();
    // plans build only { (tools/assemble.mjs cuts this from the builds without plans)
    let body = typeof input === "string" ? JSON.parse(input) : { ...input };
    if (opts.stage !== undefined) body.stage = opts.stage;
    const at = opts.at instanceof Date ? opts.at.getTime() : opts.at ?? (body.now === undefined ? Date.now() : NaN);
    try {
      return JSON.parse(engine.decidePlan(flag, JSON.stringify(body), at));
    } catch (e) {
      return rethrow(e);
    }
    // } plans build only
  }

  /** Applies a decision returned by decidePlan: ADVANCE moves to the next stage (a new revision), ROLL_BACK kills the flag, HOLD changes nothing. Returns the revision serving afterwards. */
  applyDecision(flag, outcome) {
    const engine = this._plansEngine();
    // plans build only { (tools/assemble.mjs cuts this from the builds without plans)
    try {
      const revision = engine.applyDecision(flag, typeof outcome === "string" ? outcome : JSON.stringify(outcome));
      this._names.clear();
      return revision;
    } catch (e) {
      return rethrow(e);
    }
    // } plans build only
  }

  /** Clears a flag's override; returns whether there was one. */
  clearOverride(flag) {
    return this._engineOrThrow().clearOverride(flag);
  }

  /** Frees the WASM memory of this store now. Using the store afterwards throws FlagcoreStoreError. Idempotent. */
  free() {
    const engine = this._engine;
    if (engine === undefined) return;
    this._engine = undefined;
    this._sent = null;
    this._names.clear();
    this._ids.clear();
    engine.free();
  }

  /** `using store = new FlagStore(config)` frees it at the end of the block. */
  [Symbol.dispose ?? Symbol.for("Symbol.dispose")]() {
    this.free();
  }
}

/**
 * One flag of a FlagStore, resolved once (`store.flag(key)`): the store's calls without
 * the key. Its state is in ordinary properties for the same reason as the store's.
 */
export class FlagHandle {
  constructor(store, key, id) {
    /** @internal */
    this._store = store;
    /** @internal The engine's id for the key. */
    this._id = id;
    /** The flag's key. */
    this.key = key;
  }

  /** Whether the flag serves `true` for `ctx` (false on any error, for non-boolean flags, or when the config lacks it). */
  isEnabled(ctx, opts) {
    const store = this._store;
    const at = store._use(ctx, opts);
    return store._engine.isEnabledId(this._id, at);
  }

  /** The variant served (the off variant on an evaluation error), or null when the config lacks the flag. */
  variant(ctx, opts) {
    const store = this._store;
    const at = store._use(ctx, opts);
    const i = store._engine.variantIndexId(this._id, at);
    return i < 0 ? null : store._name(this.key, i);
  }

  /** The full answer (as FlagStore.evaluate). */
  evaluate(ctx, opts) {
    const store = this._store;
    const at = store._use(ctx, opts);
    return result(JSON.parse(store._engine.evaluateId(this._id, at)), 0);
  }
}

/** The bucket (0..99999) of `value` for a flag salted with `salt` (the flag key unless the config sets `salt`). */
export function bucket(salt, value) {
  loaded();
  return wasmBucket(String(salt), String(value));
}

/** The size of the WASM linear memory in bytes (diagnostics; it should stay flat under load). */
export function wasmMemoryBytes() {
  loaded();
  return wasmMemory();
}
