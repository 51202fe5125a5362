// flagcore-wasm/openfeature/server: the @openfeature/server-sdk provider.
import type { EvaluationContext, JsonValue, Provider, ResolutionDetails, OpenFeatureEventEmitter } from "@openfeature/server-sdk";
import type { ConfigSource, FlagcoreProviderBase, FlagcoreProviderOptions } from "./openfeature-common.js";
export * from "./openfeature-common.js";

export declare class FlagcoreServerProvider extends FlagcoreProviderBase implements Provider {
  readonly runsOn: "server";
  readonly events: OpenFeatureEventEmitter;
  readonly hooks: [];
  constructor(config: ConfigSource | Promise<ConfigSource>, options?: FlagcoreProviderOptions);
  resolveBooleanEvaluation(flagKey: string, defaultValue: boolean, context: EvaluationContext): Promise<ResolutionDetails<boolean>>;
  resolveStringEvaluation(flagKey: string, defaultValue: string, context: EvaluationContext): Promise<ResolutionDetails<string>>;
  resolveNumberEvaluation(flagKey: string, defaultValue: number, context: EvaluationContext): Promise<ResolutionDetails<number>>;
  resolveObjectEvaluation<T extends JsonValue>(flagKey: string, defaultValue: T, context: EvaluationContext): Promise<ResolutionDetails<T>>;
}
export { FlagcoreServerProvider as FlagcoreProvider };
