// The config source of the npm package (`flagcore-wasm/source`): polls a URL with `fetch`
// and keeps a FlagStore up to date. The same behaviour and events as the Rust and Python
// sources (flagcore-source): conditional requests (ETag / Last-Modified), an interval with
// jitter, a timeout, exponential backoff, ready / updated / refused / stale / recovered.
// In a page it pauses while the page is hidden and checks at once when it is shown again.
// Validation is the core's (FlagStore.update): this file only moves text and reports.
import { FlagStore } from "./index.js";

const EVENT_TYPES = ["ready", "updated", "refused", "stale", "recovered"];

/** The keys of the flags added, changed or removed; every flag when something outside `flags` changed. */
function changedFlags(oldText, newText) {
  let oldDoc = null;
  let newDoc;
  try {
    newDoc = JSON.parse(newText);
    oldDoc = oldText == null ? null : JSON.parse(oldText);
  } catch {
    return [];
  }
  const newFlags = newDoc?.flags ?? {};
  if (oldDoc == null) return Object.keys(newFlags);
  const oldFlags = oldDoc.flags ?? {};
  const shared = (doc) =>
    JSON.stringify(Object.entries(doc).filter(([k]) => !["flags", "description", "$schema"].includes(k)).sort(([a], [b]) => (a < b ? -1 : 1)));
  const everything = shared(oldDoc) !== shared(newDoc);
  const changed = Object.keys(newFlags).filter(
    (k) => everything || !(k in oldFlags) || JSON.stringify(oldFlags[k]) !== JSON.stringify(newFlags[k]),
  );
  for (const k of Object.keys(oldFlags)) if (!(k in newFlags)) changed.push(k);
  return changed;
}

/**
 * Polls `url` for the config and keeps a FlagStore up to date. See source.d.ts.
 */
export class HttpSource {
  #url;
  #opts;
  #store;
  #listeners = new Map();
  #status = { ready: false, revision: null, origin: null, lastSuccess: null, lastError: null, failures: 0, stale: false, refused: null };
  #etag = null;
  #lastModified = null;
  #lastText = null;
  #lastRefused = null;
  #timer = null;
  #staleTimer = null;
  #failingSince = null;
  #started = Date.now();
  #inflight = null;
  #abort = null;
  #closed = false;
  #delivered = false;
  #readyWaiters = [];
  #doc;
  #onVisibility = () => this.#visibilityChanged();

  constructor(url, options = {}) {
    this.#url = String(url);
    this.#opts = {
      interval: options.interval ?? 30_000,
      jitter: Math.min(Math.max(options.jitter ?? 0.1, 0), 0.5),
      timeout: options.timeout ?? 10_000,
      maxBackoff: options.maxBackoff ?? 120_000,
      staleAfter: options.staleAfter ?? 120_000,
      headers: { ...(options.headers ?? {}) },
      storage: options.storage ?? null,
      storageKey: options.storageKey ?? `flagcore:${url}`,
      fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
      update: options.update ?? null,
    };
    this.#store = options.store ?? null;
    if (this.#store) Object.assign(this.#status, { ready: true, revision: this.#store.revision, origin: "store" });
    if (options.onEvent) this.on("*", options.onEvent);
    this.#doc = options.document === undefined ? globalThis.document : options.document;
    if (this.#doc?.addEventListener) this.#doc.addEventListener("visibilitychange", this.#onVisibility);
    // Subscribers added right after construction still see `ready` from the stored copy.
    queueMicrotask(() => {
      if (this.#closed) return;
      if (!this.#store) this.#loadStored();
      if (!this.#hidden()) this.#poll();
    });
  }

  /** The FlagStore kept up to date, or null while no config serves yet. */
  get store() {
    return this.#store;
  }

  /** A copy of the source's state now. */
  get status() {
    return structuredClone(this.#status);
  }

  /** Resolves with the store once a config serves; rejects after `timeout` ms (default: never) with the reason. */
  ready(timeout) {
    if (this.#store) return Promise.resolve(this.#store);
    return new Promise((resolve, reject) => {
      const waiter = { resolve, timer: null };
      if (timeout != null) {
        waiter.timer = setTimeout(() => {
          this.#readyWaiters = this.#readyWaiters.filter((w) => w !== waiter);
          const s = this.#status;
          const why = s.refused ? `its config was refused: ${s.refused.map((p) => `${p.path}: ${p.message}`).join("; ")}` : s.lastError ?? "no answer yet";
          reject(new Error(`flagcore source: no config serves after ${timeout} ms (${why})`));
        }, timeout);
      }
      this.#readyWaiters.push(waiter);
    });
  }

  /** Calls `fn(event)` for events of `type` ("ready", "updated", "refused", "stale", "recovered", or "*" for all). Returns a function that unsubscribes. */
  on(type, fn) {
    if (type !== "*" && !EVENT_TYPES.includes(type)) throw new TypeError(`unknown source event ${type}`);
    if (!this.#listeners.has(type)) this.#listeners.set(type, new Set());
    this.#listeners.get(type).add(fn);
    return () => this.#listeners.get(type)?.delete(fn);
  }

  /** Checks now instead of at the next interval; resolves when that check is done. */
  refresh() {
    if (this.#closed) return Promise.resolve();
    return this.#poll();
  }

  /** Stops polling (aborting a request in flight) and stops listening to the page. Idempotent; the store keeps serving. */
  close() {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#staleTimer);
    this.#abort?.abort();
    this.#doc?.removeEventListener?.("visibilitychange", this.#onVisibility);
  }

  #hidden() {
    return this.#doc?.visibilityState === "hidden";
  }

  #visibilityChanged() {
    if (this.#closed) return;
    if (this.#hidden()) {
      clearTimeout(this.#timer); // paused: no requests from a hidden page
      this.#timer = null;
    } else {
      this.#poll();
    }
  }

  #emit(event) {
    for (const type of [event.type, "*"]) {
      for (const fn of this.#listeners.get(type) ?? []) {
        try {
          fn(event);
        } catch (e) {
          queueMicrotask(() => {
            throw e;
          });
        }
      }
    }
  }

  #loadStored() {
    const storage = this.#opts.storage;
    if (!storage) return;
    let text = null;
    try {
      text = storage.getItem(this.#opts.storageKey);
    } catch {
      return;
    }
    if (typeof text !== "string") return;
    try {
      this.#install(new FlagStore(text), text, "cache");
    } catch {
      // A stored copy that no longer validates is ignored.
    }
  }

  #install(store, text, origin) {
    this.#store = store;
    this.#lastText = text;
    Object.assign(this.#status, { ready: true, revision: store.revision, origin });
    for (const w of this.#readyWaiters) {
      clearTimeout(w.timer);
      w.resolve(store);
    }
    this.#readyWaiters = [];
    this.#emit({ type: "ready", revision: store.revision, origin });
  }

  #save(text) {
    try {
      this.#opts.storage?.setItem(this.#opts.storageKey, text);
    } catch {
      // Storage full or denied: the source works without its copy.
    }
  }

  #poll() {
    if (this.#inflight) return this.#inflight;
    clearTimeout(this.#timer);
    this.#timer = null;
    this.#inflight = this.#attempt().finally(() => {
      this.#inflight = null;
    });
    return this.#inflight;
  }

  async #attempt() {
    let delay;
    try {
      const text = await this.#fetch();
      if (this.#closed) return;
      this.#succeeded();
      if (text !== null) this.#apply(text);
      delay = this.#opts.interval;
    } catch (e) {
      if (this.#closed) return;
      this.#failed(e);
      const backoff = this.#opts.interval * 2 ** Math.min(this.#status.failures - 1, 20);
      delay = Math.min(backoff, Math.max(this.#opts.maxBackoff, this.#opts.interval));
    }
    if (!this.#closed && !this.#hidden()) {
      const spread = (Math.random() * 2 - 1) * this.#opts.jitter;
      this.#timer = setTimeout(() => this.#poll(), Math.max(0, delay * (1 + spread)));
    }
  }

  /** The body, or null when not modified. */
  async #fetch() {
    const headers = { ...this.#opts.headers };
    if (this.#etag) headers["If-None-Match"] = this.#etag;
    if (this.#lastModified) headers["If-Modified-Since"] = this.#lastModified;
    const abort = (this.#abort = new AbortController());
    const timer = setTimeout(() => abort.abort(), this.#opts.timeout);
    try {
      const response = await this.#opts.fetch(this.#url, { headers, signal: abort.signal, cache: "no-store" });
      if (response.status === 304) return null;
      if (!response.ok) throw new Error(`GET ${this.#url}: HTTP ${response.status}`);
      const text = await response.text();
      this.#etag = response.headers.get("etag");
      this.#lastModified = response.headers.get("last-modified");
      return text;
    } catch (e) {
      if (abort.signal.aborted && !this.#closed) throw new Error(`GET ${this.#url}: no answer within ${this.#opts.timeout} ms`);
      throw e instanceof Error && e.message.startsWith("GET ") ? e : new Error(`GET ${this.#url}: ${e?.message ?? e}`);
    } finally {
      clearTimeout(timer);
    }
  }

  #apply(text) {
    if (text === this.#lastText) {
      if (!this.#delivered) {
        this.#delivered = true;
        this.#status.origin = "source";
      }
      return;
    }
    if (text === this.#lastRefused) return;
    try {
      if (!this.#store) {
        const store = new FlagStore(text);
        this.#save(text);
        this.#delivered = true;
        this.#install(store, text, "source");
        return;
      }
      // `update`: another way in to the same store (an OpenFeature provider's update, which
      // also emits PROVIDER_CONFIGURATION_CHANGED); it validates and throws the same errors.
      const { revision, warnings } = this.#opts.update ? this.#opts.update(text) : this.#store.update(text);
      const changed = changedFlags(this.#lastText, text);
      this.#save(text);
      this.#lastText = text;
      this.#lastRefused = null;
      this.#delivered = true;
      Object.assign(this.#status, { revision, origin: "source", refused: null });
      this.#emit({ type: "updated", revision, changed, warnings: warnings ?? [] });
    } catch (e) {
      if (!Array.isArray(e?.problems)) throw e;
      this.#lastRefused = text;
      const errors = e.problems.filter((p) => p.severity === "error").length;
      this.#status.refused = e.problems;
      this.#emit({
        type: "refused",
        message: `config refused (${errors} problem(s)); the last good config keeps serving: ${e.message}`,
        problems: e.problems,
      });
    }
  }

  #succeeded() {
    const wasStale = this.#status.stale;
    this.#failingSince = null;
    clearTimeout(this.#staleTimer);
    this.#staleTimer = null;
    Object.assign(this.#status, { stale: false, failures: 0, lastError: null, lastSuccess: Date.now() });
    if (wasStale) this.#emit({ type: "recovered", revision: this.#store?.revision ?? null });
  }

  #failed(e) {
    this.#status.failures += 1;
    this.#status.lastError = e?.message ?? String(e);
    if (this.#failingSince === null) {
      this.#failingSince = Date.now();
      const from = this.#status.lastSuccess === null ? this.#started : this.#failingSince;
      const markStale = () => {
        if (this.#closed || this.#failingSince === null || this.#status.stale) return;
        this.#status.stale = true;
        this.#emit({ type: "stale", lastSuccess: this.#status.lastSuccess, error: this.#status.lastError });
      };
      this.#staleTimer = setTimeout(markStale, Math.max(0, from + this.#opts.staleAfter - Date.now()));
    }
  }
}
