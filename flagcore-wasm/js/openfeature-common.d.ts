// Types shared by flagcore-wasm/openfeature and flagcore-wasm/openfeature/server.
import type { FlagConfig, FlagStore, Override, UpdateResult } from "./flagcore.js";

/** The provider's name in OpenFeature metadata. */
export declare const PROVIDER_NAME: "flagcore";
/** The custom OpenFeature reason of an evaluation decided by a store override. */
export declare const OVERRIDE_REASON: "OVERRIDE";

/** A flagcore config: JSON text, an object, UTF-8 bytes. */
export type ConfigSource = string | FlagConfig | Uint8Array;

export interface FlagcoreProviderOptions {
  /** The evaluation time of each evaluation (Unix ms, a Date, or null for none). Default: now. */
  now?: () => number | Date | null;
}

/** The flag metadata of a flagcore resolution. */
export interface FlagcoreFlagMetadata {
  /** flagcore's own reason: OFF, TARGETING_MATCH, SPLIT, DEFAULT, PREREQUISITE_FAILED, OVERRIDE, ERROR. */
  flagcoreReason: string;
  ruleIndex?: number;
  ruleId?: string;
  /** 0..99999, when a split decided. */
  bucket?: number;
  variantIndex?: number;
  prerequisite?: string;
}

/** What the web and server providers share: config changes that emit events. */
export declare class FlagcoreProviderBase {
  readonly metadata: { readonly name: "flagcore" };
  /** The FlagStore answering (flagcore's own, faster API); undefined until a pending config loads. */
  readonly store: FlagStore | undefined;
  initialize(): Promise<void>;
  onClose(): Promise<void>;
  /** CONFIGURATION_CHANGED with the changed flag keys; a refused config emits ERROR and throws FlagcoreConfigError. */
  update(config: ConfigSource): UpdateResult;
  /** CONFIGURATION_CHANGED; returns the revision now serving. */
  rollback(): number;
  /** CONFIGURATION_CHANGED for the flag and the flags requiring it. */
  setOverride(flag: string, override: Override): void;
  clearOverride(flag: string): boolean;
}

export interface Exposure {
  flagKey: string;
  /** undefined when the caller's default served (an error). */
  variant: string | undefined;
  reason: string;
  targetingKey: string | undefined;
}

/** A hook calling `record` after every evaluation, errors included. */
export declare class ExposureHook {
  constructor(record: (exposure: Exposure) => void);
  finally(hookContext: unknown, details: unknown): void;
}

/** An OpenFeature context as a flagcore context; throws on nested values (INVALID_CONTEXT) and NaN/Infinity/bigint (PARSE_ERROR). */
export declare function toFlagcoreContext(context: Record<string, unknown> | undefined): Record<string, string | number | boolean | Date | null | undefined>;
/** flagcore's reason in OpenFeature's words. */
export declare function openFeatureReason(reason: string, isStatic: boolean): string;
