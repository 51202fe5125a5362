// Types of `flagcore-wasm/source` (source.js).
import type { FlagStore } from "./index.js";

/** The global \`fetch\`'s type where the \`lib\` (DOM) or @types/node declares it; a function returning a Promise otherwise. */
export type FetchFunction = typeof globalThis extends { fetch: infer F } ? F : (input: string, init?: object) => Promise<unknown>;

/** One problem of a refused config, with its JSON path. */
export interface SourceProblem {
  severity: "error" | "warning";
  code: string;
  path: string;
  message: string;
}

/** What happened to a source: the same events, with the same fields, in every flagcore binding. */
export type SourceEvent =
  /** A config serves for the first time: from the stored copy (`origin: "cache"`) or the server. */
  | { type: "ready"; revision: number; origin: "cache" | "source" }
  /** A new config serves; `changed` lists the flags added, changed or removed. */
  | { type: "updated"; revision: number; changed: string[]; warnings: SourceProblem[] }
  /** A config did not validate: not loaded, the last good one serves on. Reported once per distinct config. */
  | { type: "refused"; message: string; problems: SourceProblem[] }
  /** The source has failed for `staleAfter` ms; the store keeps serving. `lastSuccess` in Unix ms. */
  | { type: "stale"; lastSuccess: number | null; error: string }
  /** The source answers again after it was stale. */
  | { type: "recovered"; revision: number | null };

export type SourceEventType = SourceEvent["type"];

/** A source's state at one moment. */
export interface SourceStatus {
  ready: boolean;
  revision: number | null;
  origin: "cache" | "source" | "store" | null;
  /** Unix ms of the last answer (a config or "not modified"). */
  lastSuccess: number | null;
  lastError: string | null;
  failures: number;
  stale: boolean;
  /** The problems of the last refused config, until a good one is accepted. */
  refused: SourceProblem[] | null;
}

export interface HttpSourceOptions {
  /** Between requests while the server answers, in ms (default 30000). */
  interval?: number;
  /** Spreads requests by up to this fraction of the interval either way (0 to 0.5; default 0.1). */
  jitter?: number;
  /** Per request, in ms (default 10000). */
  timeout?: number;
  /** While failing, the delay doubles from the interval up to this, in ms (default 120000). */
  maxBackoff?: number;
  /** Report `stale` after failing this long, in ms (default 120000). */
  staleAfter?: number;
  /** Sent with every request (an auth token). Cross-origin, the server must allow them and If-None-Match (CORS). */
  headers?: Record<string, string>;
  /** Update this store (it serves its own config until the server delivers) instead of creating one. */
  store?: FlagStore;
  /**
   * Apply a new config through this function instead of `store.update` (same result, same errors): an OpenFeature
   * provider's `update`, so that the provider emits PROVIDER_CONFIGURATION_CHANGED with the changed flags. Give `store`
   * too (the provider's `store`).
   */
  update?: (config: string) => { revision: number; warnings: SourceProblem[] };
  /** Keep the last good config here (`localStorage`, or anything with getItem/setItem) and serve it at start. */
  storage?: { getItem(key: string): string | null; setItem(key: string, value: string): void } | null;
  /** The storage key (default `flagcore:<url>`). */
  storageKey?: string;
  /** The fetch to use (default globalThis.fetch). */
  fetch?: FetchFunction;
  /** The page whose visibility pauses polling (default globalThis.document; null: never pause). */
  document?: { visibilityState: string; addEventListener: Function; removeEventListener: Function } | null;
  /** Called with every event. */
  onEvent?: (event: SourceEvent) => void;
}

/**
 * Polls `url` for the config with conditional requests (ETag / Last-Modified), an interval with jitter, a timeout
 * and exponential backoff, and keeps a FlagStore up to date. In a page it pauses while the page is hidden and checks
 * at once when it is shown again.
 *
 * ```js
 * import { HttpSource } from "flagcore-wasm/source";
 * const source = new HttpSource("/flags.json", { interval: 30_000, storage: localStorage });
 * source.on("updated", ({ changed }) => rerender(changed));
 * const store = await source.ready(5_000);
 * ```
 */
export declare class HttpSource {
  constructor(url: string, options?: HttpSourceOptions);
  /** The store kept up to date, or null while no config serves yet. */
  readonly store: FlagStore | null;
  /** A copy of the state now. */
  readonly status: SourceStatus;
  /** Resolves with the store once a config serves; rejects after `timeout` ms (default: never) with the reason. */
  ready(timeout?: number): Promise<FlagStore>;
  /** Subscribes to one event type, or "*" for all; returns the unsubscribe function. */
  on<T extends SourceEventType>(type: T, fn: (event: Extract<SourceEvent, { type: T }>) => void): () => void;
  on(type: "*", fn: (event: SourceEvent) => void): () => void;
  /** Checks now instead of at the next interval. */
  refresh(): Promise<void>;
  /** Stops polling (aborting a request in flight); the store keeps serving. Idempotent. */
  close(): void;
}
