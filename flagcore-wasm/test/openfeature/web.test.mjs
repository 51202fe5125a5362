// flagcore-wasm/openfeature through @openfeature/web-sdk (static context): registration,
// every value type, defaults on errors, reasons, metadata, events, hooks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { OpenFeature, ProviderEvents, ErrorCode, StandardResolutionReasons } from "@openfeature/web-sdk";
import { FlagStore } from "flagcore-wasm";
import { FlagcoreWebProvider, ExposureHook } from "flagcore-wasm/openfeature";
import { CONFIG, withStaticOff, BAD_CONFIG } from "./fixture.mjs";

let domains = 0;
async function setup(context = { targetingKey: "user-1" }, config = CONFIG) {
  const domain = `web-${++domains}`;
  const provider = new FlagcoreWebProvider(JSON.stringify(config));
  await OpenFeature.setContext(domain, context);
  await OpenFeature.setProviderAndWait(domain, provider);
  return { domain, provider, client: OpenFeature.getClient(domain) };
}

test("registration: READY, metadata, the client answers", async () => {
  const domain = "web-ready";
  const provider = new FlagcoreWebProvider(Promise.resolve(JSON.stringify(CONFIG)));
  let ready = 0;
  OpenFeature.getClient(domain).addHandler(ProviderEvents.Ready, () => ready++);
  await OpenFeature.setProviderAndWait(domain, provider);
  const client = OpenFeature.getClient(domain);
  assert.equal(ready, 1);
  assert.equal(client.metadata.providerMetadata.name, "flagcore");
  assert.equal(client.providerStatus, "READY");
  assert.equal(client.getBooleanValue("static-on", false), true);
});

test("a config that does not load: ERROR at initialization", async () => {
  const domain = "web-bad-init";
  const provider = new FlagcoreWebProvider(Promise.resolve(BAD_CONFIG));
  await assert.rejects(OpenFeature.setProviderAndWait(domain, provider));
  const client = OpenFeature.getClient(domain);
  assert.equal(client.getBooleanValue("static-on", true), true, "the default");
});

test("every value type", async () => {
  const { client } = await setup();
  assert.equal(client.getBooleanValue("static-on", false), true);
  assert.ok(["modal", "speechmatics"].includes(client.getStringValue("backend", "x")));
  assert.equal(client.getNumberValue("max-sessions", 0), 10);
  assert.deepEqual(client.getObjectValue("limits", {}), { rps: 10, burst: [1, 2] });
});

test("defaults and error codes", async () => {
  const { client, domain } = await setup();
  let d = client.getBooleanDetails("nope", true);
  assert.equal(d.value, true);
  assert.equal(d.reason, StandardResolutionReasons.ERROR);
  assert.equal(d.errorCode, ErrorCode.FLAG_NOT_FOUND);
  d = client.getBooleanDetails("backend", true);
  assert.equal(d.value, true);
  assert.equal(d.errorCode, ErrorCode.TYPE_MISMATCH);
  assert.equal(client.getNumberDetails("backend", 7).errorCode, ErrorCode.TYPE_MISMATCH);
  assert.equal(client.getObjectDetails("backend", {}).errorCode, ErrorCode.TYPE_MISMATCH);
  assert.equal(client.getStringDetails("limits", "x").errorCode, ErrorCode.TYPE_MISMATCH);

  await OpenFeature.setContext(domain, {}); // no targeting key: a split cannot bucket
  d = client.getStringDetails("backend", "fallback");
  assert.equal(d.value, "fallback");
  assert.equal(d.errorCode, ErrorCode.TARGETING_KEY_MISSING);

  await OpenFeature.setContext(domain, { targetingKey: "u", score: NaN }).catch(() => {});
  d = client.getBooleanDetails("static-on", false);
  assert.equal(d.value, false);
  assert.equal(d.errorCode, ErrorCode.PARSE_ERROR);

  await OpenFeature.setContext(domain, { targetingKey: "u", plan: { tier: "pro" } }).catch(() => {});
  assert.equal(client.getBooleanDetails("static-on", false).errorCode, ErrorCode.INVALID_CONTEXT);
});

test("reasons and metadata", async () => {
  const { client, domain, provider } = await setup();
  let d = client.getBooleanDetails("static-on", false);
  assert.equal(d.reason, "STATIC");
  assert.equal(d.variant, "on");
  assert.deepEqual(d.flagMetadata, { flagcoreReason: "DEFAULT", variantIndex: 0 });
  assert.equal(client.getBooleanDetails("ruled-default", true).reason, "DEFAULT");
  assert.equal(client.getBooleanDetails("off-flag", true).reason, "DISABLED");
  d = client.getBooleanDetails("needs-static", true);
  assert.equal(d.reason, "DISABLED");
  assert.equal(d.flagMetadata.prerequisite, "off-flag");
  assert.equal(d.flagMetadata.flagcoreReason, "PREREQUISITE_FAILED");

  d = client.getStringDetails("backend", "x");
  assert.equal(d.reason, "SPLIT");
  const native = new FlagStore(CONFIG).evaluate("backend", { key: "user-1" });
  assert.equal(d.flagMetadata.bucket, native.bucket);
  assert.equal(d.variant, native.variant);
  assert.equal(d.flagMetadata.variantIndex, ["control", "treatment"].indexOf(native.variant));

  await OpenFeature.setContext(domain, { targetingKey: "user-1", country: "DE", beta: true });
  d = client.getStringDetails("backend", "x");
  assert.equal(d.reason, "TARGETING_MATCH");
  assert.equal(d.flagMetadata.ruleId, "beta");
  assert.equal(d.flagMetadata.ruleIndex, 0);
  assert.equal(client.getBooleanDetails("ruled-default", false).reason, "TARGETING_MATCH");

  provider.setOverride("backend", { kill: true });
  d = client.getStringDetails("backend", "x");
  assert.equal(d.reason, "OVERRIDE");
  assert.equal(d.value, "modal");
});

test("events: CONFIGURATION_CHANGED with the changed keys on update, override, rollback; ERROR on a refused config", async () => {
  const { client, provider } = await setup();
  const events = [];
  for (const type of [ProviderEvents.ConfigurationChanged, ProviderEvents.Error, ProviderEvents.Ready]) {
    client.addHandler(type, (e) => events.push([type, e.flagsChanged ?? null]));
  }
  events.length = 0; // READY runs at once for a ready provider

  provider.update(withStaticOff());
  assert.equal(client.getBooleanValue("static-on", true), false);
  assert.deepEqual(events.pop(), [ProviderEvents.ConfigurationChanged, ["static-on"]]);

  assert.throws(() => provider.update(BAD_CONFIG), /enabled/);
  assert.deepEqual(events.pop(), [ProviderEvents.Error, null]);
  assert.equal(client.providerStatus, "ERROR");
  assert.equal(client.getBooleanValue("static-on", true), false, "the last good config serves on");

  provider.setOverride("backend", { kill: true });
  assert.deepEqual(events.splice(0), [
    [ProviderEvents.Ready, null],
    [ProviderEvents.ConfigurationChanged, ["backend", "needs-backend"]],
  ]);
  assert.equal(client.providerStatus, "READY");
  assert.equal(provider.clearOverride("backend"), true);
  assert.deepEqual(events.pop(), [ProviderEvents.ConfigurationChanged, ["backend", "needs-backend"]]);

  provider.rollback();
  assert.deepEqual(events.pop(), [ProviderEvents.ConfigurationChanged, ["static-on"]]);
  assert.equal(client.getBooleanValue("static-on", false), true);
  assert.equal(events.length, 0);
});

test("hooks: exposures for every evaluation", async () => {
  const { client } = await setup({ targetingKey: "user-7" });
  const seen = [];
  client.addHooks(new ExposureHook((e) => seen.push(e)));
  const d = client.getStringDetails("backend", "x");
  client.getBooleanValue("nope", false);
  assert.deepEqual(seen, [
    { flagKey: "backend", variant: d.variant, reason: "SPLIT", targetingKey: "user-7" },
    { flagKey: "nope", variant: undefined, reason: "ERROR", targetingKey: "user-7" },
  ]);
});
