// Hand-written types for the npm package `flagcore-wasm` (the config format is documented
// in docs/config.md of the flagcore repository; these types follow it field by field).

/** A JSON value. */
// These types compile under any \`lib\` from ES2022 on, with or without DOM and @types/node
// (scripts/test-dist checks \`lib: ["es2022"]\` with skipLibCheck false): Symbol.dispose is
// declared here as @types/node declares it, for a \`lib\` without esnext.disposable (the
// runtime uses Symbol.dispose, or Symbol.for("Symbol.dispose") where the engine lacks it).
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

// ---------------------------------------------------------------------------------------
// Config (schema version 1)
// ---------------------------------------------------------------------------------------

/** A flagcore config document. */
export interface FlagConfig {
  /** The config's JSON Schema, for editors (`schema/flagcore.schema.json`); ignored. */
  $schema?: string;
  /** The format version; this build reads `1`. */
  schemaVersion: 1;
  /** The bucketing algorithm (default 1). Changing it re-buckets everyone. */
  hashVersion?: 1;
  description?: string;
  metadata?: Json;
  /** Reusable audiences, by name. */
  segments?: Record<string, Segment>;
  /** Mutually exclusive experiments, by name: the flags of one layer take disjoint ranges of its bucket. */
  layers?: Record<string, Layer>;
  /** The flags, by key, in the order "evaluate all" reports them. */
  flags: Record<string, Flag>;
}

/** The type of a flag's variants (inferred from the first variant when absent). */
export type FlagType = "boolean" | "string" | "number" | "json";

/** A feature flag. */
export interface Flag {
  description?: string;
  type?: FlagType;
  /** Variant name → value. Boolean flags may omit it: `{ on: true, off: false }`. */
  variants?: Record<string, Json>;
  /** The config's kill switch: `false` serves `offVariant` to everyone (reason `OFF`). */
  enabled: boolean;
  /** Served when the flag is off, a prerequisite fails or evaluation fails. Required unless a variant is named `off`. */
  offVariant?: string;
  /** Other flags that must serve one of the given variants. */
  prerequisites?: Prerequisite[];
  /** Bucketing salt (default: the flag key). */
  salt?: string;
  /** The context attribute users are bucketed by (default `key`; in a layer, the layer's). */
  bucketBy?: string;
  /** The flag's part of a layer: no user is in it and in another flag of the layer. */
  layer?: FlagLayer;
  /** Ordered targeting rules: the first that matches and applies decides. */
  rules?: Rule[];
  /** What is served when no rule decides. */
  default: Serve;
  tags?: string[];
  metadata?: Json;
}

/** A layer (mutually exclusive experiments): its flags bucket by `bucket(layer name, bucketBy value)`. */
export interface Layer {
  description?: string;
  /** The attribute the layer's flags bucket by (default `key`). */
  bucketBy?: string;
  metadata?: Json;
}

/**
 * A flag's range of a layer, `[start, end]` in percent of the layer (0..100, at most 3
 * decimals, `start <= end`; ranges of one layer must not overlap). Outside it the flag
 * serves its `offVariant` (reason `DEFAULT`, `bucket` = the layer bucket), before
 * prerequisites and rules; inside, it evaluates as without a layer.
 */
export interface FlagLayer {
  /** A key of the config's `layers`. */
  name: string;
  range: [number, number];
}

/** Another flag must serve `variant` (or one of `variants`). */
export type Prerequisite =
  | { flag: string; variant: string }
  | { flag: string; variants: string[] };

/** A targeting rule: all conditions must hold. */
export interface Rule {
  /** Unique within the flag; reported as `ruleId`. */
  id?: string;
  description?: string;
  conditions: Condition[];
  serve: Serve;
}

/** One weighted share of a split (weights are percentages with at most 3 decimals, summing to 100). */
export interface SplitShare {
  variant: string;
  weight: number;
}

/** A fixed variant, a weighted split, or time stages of those. */
export type Serve =
  | { variant: string; description?: string }
  | { split: SplitShare[]; description?: string }
  | { stages: Stage[]; description?: string };

/** One stage of a time-staged rollout: active from `from` (RFC 3339 or Unix ms) on. */
export type Stage =
  | { from?: string | number; variant: string; description?: string }
  | { from?: string | number; split: SplitShare[]; description?: string };

/** The operators a condition can use. */
export type Operator =
  | "equals" | "in" | "notIn"
  | "startsWith" | "endsWith" | "contains"
  | "lt" | "lte" | "gt" | "gte"
  | "semverEq" | "semverLt" | "semverLte" | "semverGt" | "semverGte"
  | "before" | "after"
  | "exists"
  | "inSegment"
  | "anyOf" | "allOf" | "noneOf"
  | "sizeEq" | "sizeLt" | "sizeLte" | "sizeGt" | "sizeGte"
  | "matches"
  | "inCidr"
  | "strLt" | "strLte" | "strGt" | "strGte"
  | "isType";

/** A condition on one context attribute (`key` is the targeting key), or segment membership. */
export interface Condition {
  /** The attribute tested (not used by `inSegment`). */
  attribute?: string;
  op: Operator;
  /** One operand. */
  value?: string | number | boolean;
  /** Several operands. */
  values?: (string | number | boolean)[];
  /** Invert the answer (a missing attribute, or one the operator cannot compare, still never matches, except for `exists`). */
  negate?: boolean;
  /** Compare strings ignoring case (Unicode lowercase, per character): `equals`, `in`, `notIn`, `anyOf`, `allOf`, `noneOf`, `startsWith`, `endsWith`, `contains`. */
  ignoreCase?: boolean;
}

/** A reusable audience: explicit keys, exclusions, and rules. */
export interface Segment {
  description?: string;
  /** The attribute matched against `keys` and `excluded` (default `key`). */
  attribute?: string;
  keys?: string[];
  excluded?: string[];
  rules?: { conditions: Condition[]; description?: string }[];
}

// ---------------------------------------------------------------------------------------
// Contexts and results
// ---------------------------------------------------------------------------------------

/** Who a flag is evaluated for: a targeting key plus attributes. `null` / `undefined` attributes are skipped; a `Date` is passed as its RFC 3339 text; arrays hold strings and numbers (at most 1,024: `groups`, `roles`, `tags`). */
export interface EvaluationContext {
  /** The targeting key (the user ID); splits need it unless the flag sets `bucketBy`. */
  key?: string | null;
  [attribute: string]: string | number | boolean | Date | readonly (string | number)[] | null | undefined;
}

/** Options of one evaluation. */
export interface EvaluationOptions {
  /** The evaluation time (Unix ms or a Date) for time-staged rollouts. Default: now. `null`: no time (staged rollouts then report `INVALID_CONTEXT`). */
  at?: number | Date | null;
}

/** Why a flag served what it served. */
export type Reason =
  | "OFF"
  | "TARGETING_MATCH"
  | "SPLIT"
  | "DEFAULT"
  | "PREREQUISITE_FAILED"
  | "OVERRIDE"
  | "ERROR";

/** Why an evaluation failed (reason `ERROR`). */
export type ErrorCode = "FLAG_NOT_FOUND" | "TYPE_MISMATCH" | "TARGETING_KEY_MISSING" | "INVALID_CONTEXT";

/** The full answer for one flag and one context. Absent fields are `null`. */
export interface EvaluationResult {
  flagKey: string;
  /** The value served (`null` only for an unknown flag). */
  value: Json;
  /** The variant served (`null` only for an unknown flag). */
  variant: string | null;
  reason: Reason;
  errorCode: ErrorCode | null;
  /** The index of the matching rule (reason `TARGETING_MATCH`). */
  ruleIndex: number | null;
  /** The `id` of the matching rule. */
  ruleId: string | null;
  /** The user's bucket, 0..99999, when a split decided. */
  bucket: number | null;
  /** The prerequisite flag that failed (reason `PREREQUISITE_FAILED`). */
  prerequisite: string | null;
}

/** One problem of a config, located by a JSONPath such as `$.flags["a"].default.split[1].weight`. */
export interface Problem {
  severity: "error" | "warning";
  /** A stable snake_case code such as `weights_sum` or `unknown_field`. */
  code: string;
  path: string;
  message: string;
}

/** What an accepted update did. */
export interface UpdateResult {
  /** The revision now serving. */
  revision: number;
  /** Warnings about the new config (it loaded despite them). */
  warnings: Problem[];
}

/** A per-flag decision that survives config updates until cleared. */
export type Override = { kill: true } | { variant: string };

// ---------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------

/** Base class of every error this package throws. */
/**
 * Every failure code, from the core's one table (flagcore/src/codes.rs): the same names in
 * C (`FLAGCORE_RESULT_*`), Python (`FlagcoreError.code`) and here. `tests/tests/codes.rs`
 * fails when this list and the table differ.
 */
export type FailureCode =
  | "NULL_ARGUMENT" | "INVALID_UTF8" | "INVALID_CONFIG" | "INVALID_CONTEXT" | "NO_HISTORY"
  | "UNKNOWN_FLAG" | "UNKNOWN_VARIANT" | "BUFFER_TOO_SMALL" | "PANIC" | "INVALID_ARGUMENT"
  | "NO_PLAN" | "INVALID_PLAN_INPUT" | "OVERRIDDEN" | "STALE_DECISION" | "MISSING_TIME"
  | "STAGE_OUT_OF_RANGE" | "UNKNOWN_STAGE" | "INVALID_OBSERVATION" | "FREED"
  | "PLANS_NOT_INCLUDED" | "NOT_INITIALIZED";

export class FlagcoreError extends Error {
  /** A stable code from the one table every flagcore binding shares. */
  readonly code: FailureCode;
}

/** A config was refused; `problems` has every problem with its JSON path. The store keeps its last good config. */
export class FlagcoreConfigError extends FlagcoreError {
  readonly code: "INVALID_CONFIG";
  readonly problems: Problem[];
}

/** A context could not be used: not an object, a non-string key, a nested value, too many attributes. */
export class FlagcoreContextError extends FlagcoreError {
  readonly code: "INVALID_CONTEXT";
}

/** A store operation failed: rollback without history, override of an unknown flag or variant, use after `free()`. */
export class FlagcoreStoreError extends FlagcoreError {
  readonly code: "NO_HISTORY" | "UNKNOWN_FLAG" | "UNKNOWN_VARIANT" | "INVALID_ARGUMENT" | "FREED";
}

/** A rollout-plan decision could not be made or applied (`PLANS_NOT_INCLUDED`: this entry leaves plans out; use `flagcore-wasm/plans`). */
export class FlagcorePlanError extends FlagcoreError {
  readonly code:
    | "PLANS_NOT_INCLUDED" | "NO_PLAN" | "UNKNOWN_FLAG" | "MISSING_TIME" | "UNKNOWN_STAGE" | "STAGE_OUT_OF_RANGE"
    | "INVALID_OBSERVATION" | "INVALID_PLAN_INPUT" | "OVERRIDDEN" | "STALE_DECISION" | "UNKNOWN_VARIANT"
    | "NO_HISTORY";
}

// ---------------------------------------------------------------------------------------
// Rollout plans (docs/rollouts.md)
// ---------------------------------------------------------------------------------------

/** One cohort's observation of a metric: a proportion (`count`, `failures`) or a latency summary (`count`, `p95`, `mean`, ...). */
export interface PlanObservation {
  count: number;
  failures?: number;
  [statistic: string]: number | undefined;
}

/** Metrics observed at one time (Unix ms), per cohort and metric name. */
export interface PlanSample {
  at: number;
  canary?: Record<string, PlanObservation>;
  control?: Record<string, PlanObservation>;
}

/** What `decidePlan` reads: when the current stage started, how many users are exposed, the samples. */
export interface PlanInput {
  stageStartedAt: number;
  exposed?: number;
  stage?: number;
  now?: number;
  samples?: PlanSample[];
}

/** The decision and why (see docs/rollouts.md for every field). */
export interface PlanOutcome {
  decision: "ADVANCE" | "HOLD" | "ROLL_BACK";
  stage: number;
  percentage: number;
  message: string;
  [detail: string]: unknown;
}

// ---------------------------------------------------------------------------------------
// The store
// ---------------------------------------------------------------------------------------

/**
 * A live flag store: a compiled config (with history for rollback) and overrides.
 *
 * ```ts
 * const store = new FlagStore(await (await fetch("/flags.json")).text());
 * if (store.isEnabled("speechmatics-direct", { key: userId, appVersion })) openSpeechmatics();
 * ```
 *
 * Free it with `free()` (or `using store = ...`) when done; otherwise the garbage collector does.
 */
/** One flag of a FlagStore, resolved once: `store.flag(key)`. */
export class FlagHandle {
  private constructor();
  /** The flag's key. */
  readonly key: string;
  /** Whether the flag serves `true` (false on any error, for non-boolean flags, or when the config lacks it). */
  isEnabled(ctx: EvaluationContext, opts?: EvaluationOptions): boolean;
  /** The variant served (the off variant on an evaluation error), `null` when the config lacks the flag. */
  variant(ctx: EvaluationContext, opts?: EvaluationOptions): string | null;
  /** The full answer (as FlagStore.evaluate). */
  evaluate(ctx: EvaluationContext, opts?: EvaluationOptions): EvaluationResult;
}

export class FlagStore {
  /** Parses, validates and compiles a config (JSON text, an object, or UTF-8 bytes). Throws FlagcoreConfigError. */
  constructor(config: string | FlagConfig | Uint8Array);

  /** Whether `flag` serves `true` (false on any error or for non-boolean flags). */
  isEnabled(flag: string, ctx: EvaluationContext, opts?: EvaluationOptions): boolean;
  /** The variant served (the off variant on an evaluation error), `null` for an unknown flag. */
  variant(flag: string, ctx: EvaluationContext, opts?: EvaluationOptions): string | null;
  /** A boolean flag's value, or `defaultValue` on error or type mismatch. */
  getBoolean(flag: string, ctx: EvaluationContext, defaultValue: boolean, opts?: EvaluationOptions): boolean;
  /** A string flag's value, or `defaultValue` on error or type mismatch. */
  getString<D = string>(flag: string, ctx: EvaluationContext, defaultValue: D, opts?: EvaluationOptions): string | D;
  /** A number flag's value, or `defaultValue` on error or type mismatch. */
  getNumber<D = number>(flag: string, ctx: EvaluationContext, defaultValue: D, opts?: EvaluationOptions): number | D;
  /** A JSON flag's value (a fresh copy), or `defaultValue` on error or type mismatch. */
  getJson<T = Json>(flag: string, ctx: EvaluationContext, defaultValue: T, opts?: EvaluationOptions): T;
  /** The full answer for one flag. */
  evaluate(flag: string, ctx: EvaluationContext, opts?: EvaluationOptions): EvaluationResult;
  /** Every flag's answer for one context, keyed by flag, in config order. */
  evaluateAll(ctx: EvaluationContext, opts?: EvaluationOptions): Record<string, EvaluationResult>;
  /**
   * A handle on the flag `key`, resolved once, valid across update, rollback and
   * applyDecision (a flag added later is found; a removed one answers as an unknown flag
   * does by key) until the store is freed: `store.flag("checkout").isEnabled(ctx)`.
   */
  flag(key: string): FlagHandle;

  /** Swaps in a new config atomically. Throws FlagcoreConfigError; the last good config keeps serving. */
  update(config: string | FlagConfig | Uint8Array): UpdateResult;
  /** Goes back to the previous config; returns the revision now serving. Throws FlagcoreStoreError (NO_HISTORY). */
  rollback(): number;
  /** The revision serving now. */
  readonly revision: number;
  /** Warnings about the config serving now. */
  readonly warnings: Problem[];

  /** Forces a flag for everyone until cleared: `{ kill: true }` (its off variant) or `{ variant: "x" }`. */
  setOverride(flag: string, override: Override): void;
  /** Clears a flag's override; returns whether there was one. */
  clearOverride(flag: string): boolean;

  /** Decides the flag's rollout plan at `opts.at` (default now). Throws FlagcorePlanError. Only in the `flagcore-wasm/plans` entry (elsewhere it throws `PLANS_NOT_INCLUDED`). */
  decidePlan(flag: string, input: PlanInput | string, opts?: { at?: number | Date; stage?: number }): PlanOutcome;
  /** Applies a decision: ADVANCE → next stage (new revision), ROLL_BACK → kill override, HOLD → nothing. Returns the revision. Only in the `flagcore-wasm/plans` entry (elsewhere it throws `PLANS_NOT_INCLUDED`). */
  applyDecision(flag: string, outcome: PlanOutcome | string): number;

  /** Frees the store's WASM memory now; later calls throw FlagcoreStoreError (FREED). Idempotent. */
  free(): void;
  [Symbol.dispose](): void;
}

/** The bucket (0..99999) of `value` for a flag salted with `salt` (the flag key unless the config sets `salt`). */
export function bucket(salt: string, value: string): number;

/** The package version (equal to the Rust crate's). */
export const version: string;

/** The size of the WASM linear memory in bytes (diagnostics; flat under steady load). */
export function wasmMemoryBytes(): number;
