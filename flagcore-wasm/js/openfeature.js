// flagcore-wasm/openfeature: flagcore as an @openfeature/web-sdk provider (the static-context
// paradigm: the SDK holds one context, set with OpenFeature.setContext, and calls the
// provider synchronously). Evaluation is cheap and synchronous, so every call asks the
// core: onContextChange only checks the new context. Events: READY (the SDK, once the
// config has loaded), CONFIGURATION_CHANGED with the changed flag keys on every
// update / rollback / override made through the provider, ERROR when a config is refused
// (the last good one keeps serving). Types: openfeature.d.ts. Mapping: README.
import { OpenFeatureEventEmitter } from "@openfeature/web-sdk";
import { FlagcoreProviderBase, toFlagcoreContext } from "./openfeature-common.js";

export { ExposureHook, OVERRIDE_REASON, PROVIDER_NAME, openFeatureReason, toFlagcoreContext } from "./openfeature-common.js";

/** An @openfeature/web-sdk provider answering from a flagcore config. */
export class FlagcoreWebProvider extends FlagcoreProviderBase {
  runsOn = "client";

  /** @param config JSON text, an object, UTF-8 bytes, or a Promise of one. @param options `{ now }`. */
  constructor(config, options) {
    super(new OpenFeatureEventEmitter(), config, options);
  }

  /** The SDK calls this when OpenFeature.setContext changes the context: a context flagcore refuses makes it fail. */
  async onContextChange(_oldContext, newContext) {
    toFlagcoreContext(newContext);
  }

  resolveBooleanEvaluation(flagKey, defaultValue, context) {
    return this.resolve(flagKey, "boolean", defaultValue, context);
  }
  resolveStringEvaluation(flagKey, defaultValue, context) {
    return this.resolve(flagKey, "string", defaultValue, context);
  }
  resolveNumberEvaluation(flagKey, defaultValue, context) {
    return this.resolve(flagKey, "number", defaultValue, context);
  }
  resolveObjectEvaluation(flagKey, defaultValue, context) {
    return this.resolve(flagKey, "object", defaultValue, context);
  }
}

export { FlagcoreWebProvider as FlagcoreProvider };
