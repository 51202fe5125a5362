// Bundled for Chromium by browser.mjs: the golden vectors through @openfeature/web-sdk with
// the flagcore web provider, in the browser (the embedded-bytes build, as apps import it).
import { OpenFeature } from "@openfeature/web-sdk";
import { FlagcoreWebProvider } from "flagcore-wasm/openfeature";
import { replayOpenFeature, DEFAULTS } from "../../../tests/runners/node/openfeature-replay.mjs";

const method = { boolean: "getBooleanDetails", string: "getStringDetails", number: "getNumberDetails", object: "getObjectDetails" };
let groups = 0;

window.runVectors = (docs) =>
  replayOpenFeature(docs, async (text, overrides, clock) => {
    const provider = new FlagcoreWebProvider(text, { now: clock });
    for (const o of overrides) provider.setOverride(o.flag, o.kill ? { kill: true } : { variant: o.variant });
    const domain = `vectors-${++groups}`;
    await OpenFeature.setProviderAndWait(domain, provider);
    const client = OpenFeature.getClient(domain);
    return async (flag, type, ctx) => {
      await OpenFeature.setContext(domain, ctx).catch(() => {}); // a refused context: the evaluation says why
      return client[method[type]](flag, DEFAULTS[type]);
    };
  });
document.body.dataset.ready = "true";
