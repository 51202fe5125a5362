// flagcore-wasm/openfeature/otel: an OpenFeature hook recording OpenTelemetry events.
import type { Span } from "@opentelemetry/api";

export declare const EVALUATION_EVENT: "feature_flag.evaluation";

/** Adds a `feature_flag.evaluation` event (semantic-convention attributes) to the active span after every evaluation. */
export declare class OpenTelemetryHook {
  /** `span`: where to record (default: the active span of @opentelemetry/api). */
  constructor(options?: { span?: () => Span | undefined });
  after(hookContext: unknown, details: unknown): void;
  error(hookContext: unknown, err: unknown): void;
}
