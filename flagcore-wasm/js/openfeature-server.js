// flagcore-wasm/openfeature/server: flagcore as an @openfeature/server-sdk provider (the
// dynamic-context paradigm: a context per call). Same mapping and events as the web
// provider (./openfeature.js). Types: openfeature-server.d.ts.
import { OpenFeatureEventEmitter } from "@openfeature/server-sdk";
import { FlagcoreProviderBase } from "./openfeature-common.js";

export { ExposureHook, OVERRIDE_REASON, PROVIDER_NAME, openFeatureReason, toFlagcoreContext } from "./openfeature-common.js";

/** An @openfeature/server-sdk provider answering from a flagcore config. */
export class FlagcoreServerProvider extends FlagcoreProviderBase {
  runsOn = "server";

  /** @param config JSON text, an object, UTF-8 bytes, or a Promise of one. @param options `{ now }`. */
  constructor(config, options) {
    super(new OpenFeatureEventEmitter(), config, options);
  }

  async resolveBooleanEvaluation(flagKey, defaultValue, context) {
    return this.resolve(flagKey, "boolean", defaultValue, context);
  }
  async resolveStringEvaluation(flagKey, defaultValue, context) {
    return this.resolve(flagKey, "string", defaultValue, context);
  }
  async resolveNumberEvaluation(flagKey, defaultValue, context) {
    return this.resolve(flagKey, "number", defaultValue, context);
  }
  async resolveObjectEvaluation(flagKey, defaultValue, context) {
    return this.resolve(flagKey, "object", defaultValue, context);
  }
}

export { FlagcoreServerProvider as FlagcoreProvider };
