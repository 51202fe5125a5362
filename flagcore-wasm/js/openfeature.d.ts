// flagcore-wasm/openfeature: the @openfeature/web-sdk provider.
import type { EvaluationContext, JsonValue, Provider, ResolutionDetails, OpenFeatureEventEmitter } from "@openfeature/web-sdk";
import type { ConfigSource, FlagcoreProviderBase, FlagcoreProviderOptions } from "./openfeature-common.js";
export * from "./openfeature-common.js";

export declare class FlagcoreWebProvider extends FlagcoreProviderBase implements Provider {
  readonly runsOn: "client";
  readonly events: OpenFeatureEventEmitter;
  readonly hooks: [];
  constructor(config: ConfigSource | Promise<ConfigSource>, options?: FlagcoreProviderOptions);
  onContextChange(oldContext: EvaluationContext, newContext: EvaluationContext): Promise<void>;
  resolveBooleanEvaluation(flagKey: string, defaultValue: boolean, context: EvaluationContext): ResolutionDetails<boolean>;
  resolveStringEvaluation(flagKey: string, defaultValue: string, context: EvaluationContext): ResolutionDetails<string>;
  resolveNumberEvaluation(flagKey: string, defaultValue: number, context: EvaluationContext): ResolutionDetails<number>;
  resolveObjectEvaluation<T extends JsonValue>(flagKey: string, defaultValue: T, context: EvaluationContext): ResolutionDetails<T>;
}
export { FlagcoreWebProvider as FlagcoreProvider };
