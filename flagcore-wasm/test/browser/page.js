// The browser test page, bundled by esbuild exactly as an app would import the package:
// `flagcore-wasm` (embedded bytes, no init) and `flagcore-wasm/web` (fetches the .wasm).
import { FlagStore, bucket, version, FlagcoreConfigError } from "flagcore-wasm";
import initWeb, * as web from "flagcore-wasm/web";

function evaluateUsers(Store, config, users) {
  const store = new Store(config);
  try {
    return users.map(({ context, at }) => store.evaluateAll(context, { at }));
  } finally {
    store.free();
  }
}

window.flagcoreTest = {
  version,
  /** Evaluates every flag for every user with both builds. */
  async evaluate({ config, users }) {
    const sync = evaluateUsers(FlagStore, config, users);
    await initWeb(); // fetches flagcore_wasm_bg.wasm next to the bundle
    const webAnswers = evaluateUsers(web.FlagStore, config, users);
    let configError = null;
    try {
      new FlagStore('{"schemaVersion": 1, "flags": {"a": {"enabled": "yes"}}}');
    } catch (e) {
      configError = { isError: e instanceof Error, isConfigError: e instanceof FlagcoreConfigError, paths: e.problems.map((p) => p.path) };
    }
    return { sync, web: webAnswers, configError, userAgent: navigator.userAgent };
  },
  /** Replays evaluation vector groups (tests/vectors/README.md); one answer per case. */
  replayGroups(groups) {
    return groups.map(({ config, overrides, cases }) => {
      const store = new FlagStore(config);
      try {
        for (const o of overrides) store.setOverride(o.flag, o.kill ? { kill: true } : { variant: o.variant });
        return cases.map((c) => {
          // `at: null` evaluates without a time (the noTime cases); absent `at` means now.
          const opts = { at: c.noTime ? null : c.at };
          try {
            switch (c.call) {
              case "evaluate":
                return { result: store.evaluate(c.flag, c.context, opts), isEnabled: store.isEnabled(c.flag, c.context, opts) };
              case "evaluateAll":
                return { result: store.evaluateAll(c.context, opts) };
              case "getBoolean":
                return { result: store.getBoolean(c.flag, c.context, c.default, opts) };
              case "getString":
                return { result: store.getString(c.flag, c.context, c.default, opts) };
              case "getNumber":
                return { result: store.getNumber(c.flag, c.context, c.default, opts) };
              case "getJson":
                return { result: store.getJson(c.flag, c.context, c.default, opts) };
              default:
                return { error: `unknown call ${c.call}` };
            }
          } catch (e) {
            return { error: `${e.name}: ${e.message}` };
          }
        });
      } finally {
        store.free();
      }
    });
  },
  /** Replays validation vectors: does the config load, and with which problems. */
  replayValidation(cases) {
    return cases.map(({ config }) => {
      try {
        const store = new FlagStore(config);
        const warnings = store.warnings;
        store.free();
        return { valid: true, warnings };
      } catch (e) {
        if (e instanceof FlagcoreConfigError) return { valid: false, problems: e.problems };
        return { error: `${e.name}: ${e.message}` };
      }
    });
  },
  /** Replays bucketing vectors: [{ salt, value }] → bucket. */
  replayBuckets(cases) {
    return cases.map(({ salt, value }) => bucket(salt, value));
  },
};
document.getElementById("status").textContent = "ready";
document.body.dataset.ready = "true";
