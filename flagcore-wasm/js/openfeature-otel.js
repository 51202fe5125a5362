// flagcore-wasm/openfeature/otel: an OpenFeature hook (web or server SDK) recording every
// evaluation as an OpenTelemetry event `feature_flag.evaluation` on the active span, with the
// feature-flag semantic conventions' attributes. Needs @opentelemetry/api.
import { trace } from "@opentelemetry/api";

/** The event name, from the OpenTelemetry feature-flag semantic conventions. */
export const EVALUATION_EVENT = "feature_flag.evaluation";

/**
 * Adds `feature_flag.evaluation` to the active span (or `options.span()`'s) after every
 * evaluation: `feature_flag.key`, `feature_flag.provider.name`, `feature_flag.result.variant`,
 * `feature_flag.result.reason` (lower case, as the conventions spell reasons),
 * `feature_flag.context.id` (the targeting key) and, on an error, `error.type` (the error
 * code in lower case, `flag_not_found`).
 */
export class OpenTelemetryHook {
  // `_span`, `_record`: not `#private` (Babel compiles those into helper calls per access;
  // issue 18); not part of the API.
  constructor(options = {}) {
    this._span = options.span ?? (() => trace.getActiveSpan());
  }
  _record(hookContext, attributes) {
    const span = this._span();
    if (span === undefined) return;
    attributes["feature_flag.key"] = hookContext.flagKey;
    attributes["feature_flag.provider.name"] = hookContext.providerMetadata?.name;
    const key = hookContext.context?.targetingKey;
    if (typeof key === "string") attributes["feature_flag.context.id"] = key;
    span.addEvent(EVALUATION_EVENT, attributes);
  }
  after(hookContext, details) {
    const attributes = { "feature_flag.result.reason": String(details.reason ?? "unknown").toLowerCase() };
    if (details.variant !== undefined) attributes["feature_flag.result.variant"] = details.variant;
    this._record(hookContext, attributes);
  }
  error(hookContext, err) {
    this._record(hookContext, { "feature_flag.result.reason": "error", "error.type": String(err?.code ?? "GENERAL").toLowerCase() });
  }
}
