// What the OpenFeature providers of flagcore-wasm share (./openfeature.js for
// @openfeature/web-sdk, ./openfeature-server.js for @openfeature/server-sdk): the mapping of
// contexts, reasons, error codes and metadata (the same as the Rust crate
// flagcore-openfeature and the Python module flagcore.openfeature; README "OpenFeature"),
// config changes as events, and the exposure hook. No SDK import here: reasons, error
// codes and event names are OpenFeature's standard strings. Every answer is the core's.
import { FlagStore, FlagcoreConfigError, FlagcoreContextError } from "./index.js";

/** The provider's name (OpenFeature metadata; OpenTelemetry's `feature_flag.provider.name`). */
export const PROVIDER_NAME = "flagcore";
/** The custom OpenFeature reason of an evaluation decided by a store override (kill or forced variant). */
export const OVERRIDE_REASON = "OVERRIDE";

const EVENTS = {
  ready: "PROVIDER_READY",
  error: "PROVIDER_ERROR",
  changed: "PROVIDER_CONFIGURATION_CHANGED",
};

class ContextRefused extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

function kind(v) {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  return typeof v === "object" ? "an object" : `a ${typeof v}`;
}

/**
 * An OpenFeature evaluation context as a flagcore context: `targetingKey` is the key (an
 * attribute `key` is the key when there is no targetingKey, else ignored); strings, numbers,
 * booleans, Dates (RFC 3339 text) and arrays of strings and numbers (list attributes) stay;
 * null/undefined are absent. Nested objects and other arrays are refused (INVALID_CONTEXT);
 * a number JSON cannot
 * carry (NaN, ±Infinity) or a bigint is PARSE_ERROR.
 */
export function toFlagcoreContext(ctx) {
  const out = {};
  if (ctx === undefined || ctx === null) return out;
  let key = ctx.targetingKey;
  if (key === undefined || key === null) key = ctx.key;
  if (key !== undefined && key !== null) {
    if (typeof key !== "string") throw new ContextRefused("INVALID_CONTEXT", `targetingKey must be a string, got ${kind(key)}`);
    out.key = key;
  }
  for (const name in ctx) {
    if (name === "targetingKey" || name === "key" || !Object.hasOwn(ctx, name)) continue;
    const value = ctx[name];
    switch (typeof value) {
      case "string":
      case "boolean":
      case "undefined":
        out[name] = value;
        break;
      case "number":
        if (!Number.isFinite(value)) throw new ContextRefused("PARSE_ERROR", `context attribute "${name}" is ${value}, which JSON cannot carry`);
        out[name] = value;
        break;
      case "bigint":
        throw new ContextRefused("PARSE_ERROR", `context attribute "${name}" is a bigint, which JSON cannot carry`);
      default:
        if (value === null || value instanceof Date) {
          out[name] = value;
          break;
        }
        if (Array.isArray(value) && value.every((v) => typeof v === "string" || typeof v === "number")) {
          out[name] = value; // a list attribute (the store checks its length)
          break;
        }
        throw new ContextRefused(
          "INVALID_CONTEXT",
          `context attribute "${name}" is ${kind(value)}; flagcore attributes are strings, numbers, booleans, dates or lists of strings and numbers (flatten it)`,
        );
    }
  }
  return out;
}

/** The OpenFeature reason of a flagcore reason (`isStatic`: the flag can serve only one variant). */
export function openFeatureReason(reason, isStatic) {
  switch (reason) {
    case "OFF":
    case "PREREQUISITE_FAILED":
      return "DISABLED";
    case "DEFAULT":
      return isStatic ? "STATIC" : "DEFAULT";
    case "OVERRIDE":
      return OVERRIDE_REASON;
    default:
      return reason; // TARGETING_MATCH, SPLIT, ERROR
  }
}

// ---- what the provider knows of each config: static flags, variant order, dependencies.

function isIndex(name) {
  return /^(0|[1-9][0-9]*)$/.test(name) && Number(name) < 4294967295;
}

function segmentsOf(flag) {
  const out = new Set();
  const visit = (conditions) => {
    for (const c of conditions ?? []) {
      if (c && c.op === "inSegment") for (const s of [].concat(c.values ?? c.value ?? [])) out.add(s);
    }
  };
  for (const rule of flag.rules ?? []) visit(rule.conditions);
  return out;
}

const TYPES = { bool: "boolean", boolean: "boolean", string: "string", number: "number", json: "object", object: "object" };

/** The flag's type in OpenFeature's words (declared, or the first variant's). */
function flagType(flag) {
  if (typeof flag.type === "string") return TYPES[flag.type];
  const first = Object.values(flag.variants ?? { on: true })[0];
  return typeof first === "boolean" || typeof first === "string" || typeof first === "number" ? typeof first : "object";
}

/** The parts of a config the provider reads: per flag its JSON, static-ness, variant names, segments, prerequisites. */
function describe(configText) {
  const config = JSON.parse(configText);
  const flags = new Map();
  for (const [key, flag] of Object.entries(config.flags ?? {})) {
    const names = Object.keys(flag.variants ?? { on: true, off: false });
    flags.set(key, {
      json: JSON.stringify(flag),
      type: flagType(flag),
      static: !(flag.rules?.length) && !(flag.prerequisites?.length) && flag.default != null && "variant" in flag.default,
      // Object.keys puts integer-like names first: then the order is not the config's.
      variants: names.some(isIndex) ? null : names,
      segments: segmentsOf(flag),
      prerequisites: (flag.prerequisites ?? []).map((p) => p.flag),
    });
  }
  const segments = new Map(Object.entries(config.segments ?? {}).map(([k, s]) => [k, JSON.stringify(s)]));
  const { flags: _f, segments: _s, $schema: _d, description: _e, ...rest } = config;
  return { flags, segments, rest: JSON.stringify(rest) };
}

/** The keys of flags that `a` → `b` may change the answers of (`b`'s flags first, in config order). */
function changedFlags(a, b) {
  if (a === undefined || b === undefined) return undefined; // unknown: every flag may have changed
  const all = [...new Set([...b.flags.keys(), ...a.flags.keys()])];
  if (a.rest !== b.rest) return all;
  const segments = new Set();
  for (const k of new Set([...a.segments.keys(), ...b.segments.keys()])) {
    if (a.segments.get(k) !== b.segments.get(k)) segments.add(k);
  }
  const changed = new Set();
  for (const k of all) {
    const x = a.flags.get(k);
    const y = b.flags.get(k);
    if (x === undefined || y === undefined || x.json !== y.json || [...y.segments].some((s) => segments.has(s))) changed.add(k);
  }
  return dependents(b, changed, all);
}

/** `changed` plus every flag that requires one of them (transitively), in the order of `all`. */
function dependents(config, changed, all) {
  for (let grew = true; grew; ) {
    grew = false;
    for (const [k, f] of config.flags) {
      if (!changed.has(k) && f.prerequisites.some((p) => changed.has(p))) {
        changed.add(k);
        grew = true;
      }
    }
  }
  return all.filter((k) => changed.has(k));
}

/** The config as text, for `describe`: only for a config the store accepted, so bytes are UTF-8. */
function configText(config) {
  if (typeof config === "string") return config;
  if (config instanceof Uint8Array) return new TextDecoder().decode(config);
  return JSON.stringify(config);
}

/** How many configs' descriptions are kept for rollback (the store keeps 16 by default). */
const KEPT = 64;

/**
 * The provider logic both SDK flavours share. `events` is the SDK's OpenFeatureEventEmitter.
 * Change the config through the provider (update / rollback / setOverride / clearOverride)
 * so that it can emit events; `store` is the FlagStore for flagcore's own (faster) API.
 */
export class FlagcoreProviderBase {
  metadata = Object.freeze({ name: PROVIDER_NAME });
  hooks = [];
  // Internal state lives in ordinary properties with a leading underscore, not in `#private`
  // fields: Babel (Metro's preset, which Expo web apps run) compiles `#private` into helper
  // calls per access (issue 18; FlagStore in flagcore.js does the same). They are not part
  // of the API (the TypeScript types leave them out); all are assigned in the constructor.

  /**
   * @param config the flagcore config: JSON text, an object, UTF-8 bytes, or a Promise of one
   *   (fetched before READY; a refused one makes initialization fail: ERROR).
   * @param options `now`: a function returning the evaluation time (Unix ms, a Date, or null
   *   for none) for each evaluation; default: the current time.
   */
  constructor(events, config, options = {}) {
    /** @internal @type {FlagStore | undefined} */
    this._store = undefined;
    /** @internal A config still being fetched (a Promise). */
    this._pending = undefined;
    /** @internal revision -> described config, for the changed keys of a rollback. */
    this._configs = new Map();
    /** @internal */
    this._refused = false;
    this.events = events;
    /** @internal */
    this._now = options.now;
    if (config !== null && typeof config === "object" && typeof config.then === "function") this._pending = config;
    else this._load(config);
  }

  _load(config) {
    // The store reads the config as given (bytes that are not UTF-8: invalid_utf8).
    this._store = new FlagStore(config);
    this._remember(this._store.revision, configText(config));
  }

  _remember(revision, text) {
    this._configs.set(revision, describe(text));
    if (this._configs.size > KEPT) this._configs.delete(this._configs.keys().next().value);
  }

  /** Loads a pending config; the SDK emits READY when this resolves and ERROR when it throws. */
  async initialize() {
    if (this._pending === undefined) return;
    const pending = this._pending;
    /** @internal A config still being fetched. */
    this._pending = undefined;
    this._load(await pending);
  }

  /** The FlagStore answering (undefined until a pending config has loaded). */
  get store() {
    return this._store;
  }

  async onClose() {
    this._store?.free();
    this._store = undefined;
  }

  _emitChange(before, after, flagsChanged) {
    if (this._refused) {
      this._refused = false;
      this.events.emit(EVENTS.ready, { message: "an accepted config serves again" });
    }
    const details = { message: `flagcore revision ${after}` };
    if (flagsChanged !== undefined) details.flagsChanged = flagsChanged;
    details.metadata = { revisionBefore: before, revision: after };
    this.events.emit(EVENTS.changed, details);
  }

  /** Swaps in a new config: CONFIGURATION_CHANGED with the changed flag keys, or ERROR (rethrown) when it is refused; the last good config keeps serving. */
  update(config) {
    const store = this._live();
    const before = store.revision;
    let result;
    try {
      result = store.update(config);
    } catch (e) {
      if (e instanceof FlagcoreConfigError) {
        this._refused = true;
        this.events.emit(EVENTS.error, {
          message: `config refused, the last good config (revision ${before}) keeps serving: ${e.message}`,
          errorCode: "PARSE_ERROR",
          metadata: { revision: before, problems: e.problems.length },
        });
      }
      throw e;
    }
    const old = this._configs.get(before);
    this._remember(result.revision, configText(config));
    this._emitChange(before, result.revision, changedFlags(old, this._configs.get(result.revision)));
    return result;
  }

  /** Goes back to the previous config (CONFIGURATION_CHANGED); returns the revision now serving. */
  rollback() {
    const store = this._live();
    const before = store.revision;
    const revision = store.rollback();
    this._emitChange(before, revision, changedFlags(this._configs.get(before), this._configs.get(revision)));
    return revision;
  }

  /** Forces a flag (`{ kill: true }` or `{ variant }`): CONFIGURATION_CHANGED for it and the flags requiring it. */
  setOverride(flag, override) {
    const store = this._live();
    store.setOverride(flag, override);
    this._emitOverride(store, flag);
  }

  /** Clears a flag's override; returns whether there was one (CONFIGURATION_CHANGED if so). */
  clearOverride(flag) {
    const store = this._live();
    const had = store.clearOverride(flag);
    if (had) this._emitOverride(store, flag);
    return had;
  }

  _emitOverride(store, flag) {
    const config = this._configs.get(store.revision);
    const changed = config === undefined ? [flag] : dependents(config, new Set([flag]), [...config.flags.keys()]);
    this._emitChange(store.revision, store.revision, changed);
  }

  _live() {
    if (this._store === undefined) throw new FlagcoreContextError("the provider's config has not loaded yet (await the SDK's setProviderAndWait)");
    return this._store;
  }

  /** Resolves one flag as `type` ("boolean" | "string" | "number" | "object") for an OpenFeature context. */
  resolve(flagKey, type, defaultValue, context) {
    const store = this._store;
    if (store === undefined) return { value: defaultValue, reason: "ERROR", errorCode: "PROVIDER_NOT_READY" };
    let ctx;
    try {
      ctx = toFlagcoreContext(context);
    } catch (e) {
      if (e instanceof ContextRefused) return { value: defaultValue, reason: "ERROR", errorCode: e.code, errorMessage: e.message };
      throw e;
    }
    let e;
    try {
      e = store.evaluate(flagKey, ctx, this._now === undefined ? undefined : { at: this._now() });
    } catch (err) {
      if (err instanceof FlagcoreContextError) return { value: defaultValue, reason: "ERROR", errorCode: "INVALID_CONTEXT", errorMessage: err.message };
      throw err;
    }
    const config = this._configs.get(store.revision);
    const flag = config?.flags.get(flagKey);
    const flagMetadata = { flagcoreReason: e.reason };
    if (e.ruleIndex !== null) flagMetadata.ruleIndex = e.ruleIndex;
    if (e.ruleId !== null) flagMetadata.ruleId = e.ruleId;
    if (e.bucket !== null) flagMetadata.bucket = e.bucket;
    if (e.prerequisite !== null) flagMetadata.prerequisite = e.prerequisite;
    const variantIndex = flag?.variants?.indexOf(e.variant) ?? -1;
    if (variantIndex >= 0) flagMetadata.variantIndex = variantIndex;
    if (e.errorCode !== null) {
      return { value: defaultValue, reason: "ERROR", errorCode: e.errorCode, errorMessage: `flagcore: ${e.errorCode} for flag "${flagKey}"`, flagMetadata };
    }
    const got = flag?.type ?? (e.value === null || typeof e.value === "object" ? "object" : typeof e.value);
    if (got !== type) {
      return { value: defaultValue, reason: "ERROR", errorCode: "TYPE_MISMATCH", errorMessage: `flagcore: flag "${flagKey}" serves ${got}, not ${type}`, flagMetadata };
    }
    return { value: e.value, variant: e.variant, reason: openFeatureReason(e.reason, flag?.static === true), flagMetadata };
  }
}

/**
 * An OpenFeature hook calling `record({ flagKey, variant, reason, targetingKey })` after
 * every evaluation, errors included (`variant` undefined: the caller's default served).
 * Works with the web and the server SDK.
 */
export class ExposureHook {
  // `_record`: not `#private` (Babel compiles those into helper calls per access; issue 18).
  constructor(record) {
    this._record = record;
  }
  finally(hookContext, details) {
    this._record({
      flagKey: hookContext.flagKey,
      variant: details?.variant,
      reason: details?.reason ?? "UNKNOWN",
      targetingKey: hookContext.context?.targetingKey,
    });
  }
}
