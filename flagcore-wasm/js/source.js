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
  // Internal state lives in ordinary properties with a leading underscore, not in `#private`
  // fields: Babel (Metro's preset, which Expo web apps run) compiles `#private` into helper
  // calls per access (issue 18; FlagStore in flagcore.js does the same). They are not part
  // of the API (the TypeScript types leave them out); all are assigned in the constructor.
  constructor(url, options = {}) {
    this._listeners = new Map();
    this._status = { ready: false, revision: null, origin: null, lastSuccess: null, lastError: null, failures: 0, stale: false, refused: null };
    this._etag = null;
    this._lastModified = null;
    this._lastText = null;
    this._lastRefused = null;
    this._timer = null;
    this._staleTimer = null;
    this._failingSince = null;
    this._started = Date.now();
    this._inflight = null;
    this._abort = null;
    this._closed = false;
    this._delivered = false;
    this._readyWaiters = [];
    this._onVisibility = () => this._visibilityChanged();
    this._url = String(url);
    this._opts = {
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
    this._store = options.store ?? null;
    if (this._store) Object.assign(this._status, { ready: true, revision: this._store.revision, origin: "store" });
    if (options.onEvent) this.on("*", options.onEvent);
    this._doc = options.document === undefined ? globalThis.document : options.document;
    if (this._doc?.addEventListener) this._doc.addEventListener("visibilitychange", this._onVisibility);
    // Subscribers added right after construction still see `ready` from the stored copy.
    queueMicrotask(() => {
      if (this._closed) return;
      if (!this._store) this._loadStored();
      if (!this._hidden()) this._poll();
    });
  }

  /** The FlagStore kept up to date, or null while no config serves yet. */
  get store() {
    return this._store;
  }

  /** A copy of the source's state now. */
  get status() {
    return structuredClone(this._status);
  }

  /** Resolves with the store once a config serves; rejects after `timeout` ms (default: never) with the reason. */
  ready(timeout) {
    if (this._store) return Promise.resolve(this._store);
    return new Promise((resolve, reject) => {
      const waiter = { resolve, timer: null };
      if (timeout != null) {
        waiter.timer = setTimeout(() => {
          this._readyWaiters = this._readyWaiters.filter((w) => w !== waiter);
          const s = this._status;
          const why = s.refused ? `its config was refused: ${s.refused.map((p) => `${p.path}: ${p.message}`).join("; ")}` : s.lastError ?? "no answer yet";
          reject(new Error(`flagcore source: no config serves after ${timeout} ms (${why})`));
        }, timeout);
      }
      this._readyWaiters.push(waiter);
    });
  }

  /** Calls `fn(event)` for events of `type` ("ready", "updated", "refused", "stale", "recovered", or "*" for all). Returns a function that unsubscribes. */
  on(type, fn) {
    if (type !== "*" && !EVENT_TYPES.includes(type)) throw new TypeError(`unknown source event ${type}`);
    if (!this._listeners.has(type)) this._listeners.set(type, new Set());
    this._listeners.get(type).add(fn);
    return () => this._listeners.get(type)?.delete(fn);
  }

  /** Checks now instead of at the next interval; resolves when that check is done. */
  refresh() {
    if (this._closed) return Promise.resolve();
    return this._poll();
  }

  /** Stops polling (aborting a request in flight) and stops listening to the page. Idempotent; the store keeps serving. */
  close() {
    if (this._closed) return;
    this._closed = true;
    clearTimeout(this._timer);
    clearTimeout(this._staleTimer);
    this._abort?.abort();
    this._doc?.removeEventListener?.("visibilitychange", this._onVisibility);
  }

  _hidden() {
    return this._doc?.visibilityState === "hidden";
  }

  _visibilityChanged() {
    if (this._closed) return;
    if (this._hidden()) {
      clearTimeout(this._timer); // paused: no requests from a hidden page
      this._timer = null;
    } else {
      this._poll();
    }
  }

  _emit(event) {
    for (const type of [event.type, "*"]) {
      for (const fn of this._listeners.get(type) ?? []) {
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

  _loadStored() {
    const storage = this._opts.storage;
    if (!storage) return;
    let text = null;
    try {
      text = storage.getItem(this._opts.storageKey);
    } catch {
      return;
    }
    if (typeof text !== "string") return;
    try {
      this._install(new FlagStore(text), text, "cache");
    } catch {
      // A stored copy that no longer validates is ignored.
    }
  }

  _install(store, text, origin) {
    this._store = store;
    this._lastText = text;
    Object.assign(this._status, { ready: true, revision: store.revision, origin });
    for (const w of this._readyWaiters) {
      clearTimeout(w.timer);
      w.resolve(store);
    }
    this._readyWaiters = [];
    this._emit({ type: "ready", revision: store.revision, origin });
  }

  _save(text) {
    try {
      this._opts.storage?.setItem(this._opts.storageKey, text);
    } catch {
      // Storage full or denied: the source works without its copy.
    }
  }

  _poll() {
    if (this._inflight) return this._inflight;
    clearTimeout(this._timer);
    this._timer = null;
    this._inflight = this._attempt().finally(() => {
      this._inflight = null;
    });
    return this._inflight;
  }

  async _attempt() {
    let delay;
    try {
      const text = await this._fetch();
      if (this._closed) return;
      this._succeeded();
      if (text !== null) this._apply(text);
      delay = this._opts.interval;
    } catch (e) {
      if (this._closed) return;
      this._failed(e);
      const backoff = this._opts.interval * 2 ** Math.min(this._status.failures - 1, 20);
      delay = Math.min(backoff, Math.max(this._opts.maxBackoff, this._opts.interval));
    }
    if (!this._closed && !this._hidden()) {
      const spread = (Math.random() * 2 - 1) * this._opts.jitter;
      this._timer = setTimeout(() => this._poll(), Math.max(0, delay * (1 + spread)));
    }
  }

  /** The body, or null when not modified. */
  async _fetch() {
    const headers = { ...this._opts.headers };
    if (this._etag) headers["If-None-Match"] = this._etag;
    if (this._lastModified) headers["If-Modified-Since"] = this._lastModified;
    const abort = (this._abort = new AbortController());
    const timer = setTimeout(() => abort.abort(), this._opts.timeout);
    try {
      const response = await this._opts.fetch(this._url, { headers, signal: abort.signal, cache: "no-store" });
      if (response.status === 304) return null;
      if (!response.ok) throw new Error(`GET ${this._url}: HTTP ${response.status}`);
      const text = await response.text();
      this._etag = response.headers.get("etag");
      this._lastModified = response.headers.get("last-modified");
      return text;
    } catch (e) {
      if (abort.signal.aborted && !this._closed) throw new Error(`GET ${this._url}: no answer within ${this._opts.timeout} ms`);
      throw e instanceof Error && e.message.startsWith("GET ") ? e : new Error(`GET ${this._url}: ${e?.message ?? e}`);
    } finally {
      clearTimeout(timer);
    }
  }

  _apply(text) {
    if (text === this._lastText) {
      if (!this._delivered) {
        this._delivered = true;
        this._status.origin = "source";
      }
      return;
    }
    if (text === this._lastRefused) return;
    try {
      if (!this._store) {
        const store = new FlagStore(text);
        this._save(text);
        this._delivered = true;
        this._install(store, text, "source");
        return;
      }
      // `update`: another way in to the same store (an OpenFeature provider's update, which
      // also emits PROVIDER_CONFIGURATION_CHANGED); it validates and throws the same errors.
      const { revision, warnings } = this._opts.update ? this._opts.update(text) : this._store.update(text);
      const changed = changedFlags(this._lastText, text);
      this._save(text);
      this._lastText = text;
      this._lastRefused = null;
      this._delivered = true;
      Object.assign(this._status, { revision, origin: "source", refused: null });
      this._emit({ type: "updated", revision, changed, warnings: warnings ?? [] });
    } catch (e) {
      if (!Array.isArray(e?.problems)) throw e;
      this._lastRefused = text;
      const errors = e.problems.filter((p) => p.severity === "error").length;
      this._status.refused = e.problems;
      this._emit({
        type: "refused",
        message: `config refused (${errors} problem(s)); the last good config keeps serving: ${e.message}`,
        problems: e.problems,
      });
    }
  }

  _succeeded() {
    const wasStale = this._status.stale;
    this._failingSince = null;
    clearTimeout(this._staleTimer);
    this._staleTimer = null;
    Object.assign(this._status, { stale: false, failures: 0, lastError: null, lastSuccess: Date.now() });
    if (wasStale) this._emit({ type: "recovered", revision: this._store?.revision ?? null });
  }

  _failed(e) {
    this._status.failures += 1;
    this._status.lastError = e?.message ?? String(e);
    if (this._failingSince === null) {
      this._failingSince = Date.now();
      const from = this._status.lastSuccess === null ? this._started : this._failingSince;
      const markStale = () => {
        if (this._closed || this._failingSince === null || this._status.stale) return;
        this._status.stale = true;
        this._emit({ type: "stale", lastSuccess: this._status.lastSuccess, error: this._status.lastError });
      };
      this._staleTimer = setTimeout(markStale, Math.max(0, from + this._opts.staleAfter - Date.now()));
    }
  }
}
