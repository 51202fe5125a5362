// flagcore-wasm/openfeature/server through @openfeature/server-sdk (a context per call):
// registration, every value type, defaults on errors, reasons, events, hooks, OpenTelemetry.
import { test } from "node:test";
import assert from "node:assert/strict";
import { OpenFeature, ProviderEvents, ErrorCode } from "@openfeature/server-sdk";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { FlagcoreServerProvider, ExposureHook } from "flagcore-wasm/openfeature/server";
import { OpenTelemetryHook } from "flagcore-wasm/openfeature/otel";
import { CONFIG, withStaticOff, BAD_CONFIG } from "./fixture.mjs";
import { NOT_UTF8, NOT_UTF8_PROBLEM } from "../support.mjs";

let domains = 0;
async function setup() {
  const domain = `server-${++domains}`;
  const provider = new FlagcoreServerProvider(CONFIG);
  await OpenFeature.setProviderAndWait(domain, provider);
  return { provider, client: OpenFeature.getClient(domain) };
}

const user = { targetingKey: "user-1" };

test("registration and every value type, a context per call", async () => {
  const { client } = await setup();
  assert.equal(client.metadata.providerMetadata.name, "flagcore");
  assert.equal(await client.getBooleanValue("static-on", false, user), true);
  assert.ok(["modal", "speechmatics"].includes(await client.getStringValue("backend", "x", user)));
  assert.equal(await client.getNumberValue("max-sessions", 0, user), 10);
  assert.deepEqual(await client.getObjectValue("limits", {}, user), { rps: 10, burst: [1, 2] });
  const beta = await client.getStringDetails("backend", "x", { targetingKey: "user-1", beta: true });
  assert.equal(beta.value, "speechmatics");
  assert.equal(beta.reason, "TARGETING_MATCH");
});

test("defaults and error codes", async () => {
  const { client } = await setup();
  const cases = [
    [client.getBooleanDetails("nope", true, user), ErrorCode.FLAG_NOT_FOUND],
    [client.getBooleanDetails("backend", true, user), ErrorCode.TYPE_MISMATCH],
    [client.getStringDetails("backend", "fallback", {}), ErrorCode.TARGETING_KEY_MISSING],
    [client.getBooleanDetails("static-on", true, { targetingKey: "u", n: Infinity }), ErrorCode.PARSE_ERROR],
    [client.getBooleanDetails("static-on", true, { targetingKey: "u", tags: [{ a: 1 }] }), ErrorCode.INVALID_CONTEXT],
  ];
  for (const [pending, code] of cases) {
    const d = await pending;
    assert.equal(d.errorCode, code);
    assert.equal(d.reason, "ERROR");
    assert.ok(d.value === true || d.value === "fallback", "the caller's default");
  }
});

test("reasons", async () => {
  const { client, provider } = await setup();
  assert.equal((await client.getBooleanDetails("static-on", false, user)).reason, "STATIC");
  assert.equal((await client.getBooleanDetails("ruled-default", true, user)).reason, "DEFAULT");
  assert.equal((await client.getBooleanDetails("ruled-default", false, { ...user, country: "DE" })).reason, "TARGETING_MATCH");
  assert.equal((await client.getStringDetails("backend", "x", user)).reason, "SPLIT");
  assert.equal((await client.getBooleanDetails("off-flag", true, user)).reason, "DISABLED");
  assert.equal((await client.getBooleanDetails("needs-static", true, user)).reason, "DISABLED");
  provider.setOverride("static-on", { variant: "off" });
  const d = await client.getBooleanDetails("static-on", true, user);
  assert.equal(d.reason, "OVERRIDE");
  assert.equal(d.value, false);
});

test("events on update, refused update, rollback", async () => {
  const { client, provider } = await setup();
  const events = [];
  client.addHandler(ProviderEvents.ConfigurationChanged, (e) => events.push(["changed", e.flagsChanged]));
  client.addHandler(ProviderEvents.Error, (e) => events.push(["error", e.message.slice(0, 14)]));
  provider.update(withStaticOff());
  assert.throws(() => provider.update(BAD_CONFIG));
  assert.equal(await client.getBooleanValue("static-on", true, user), false);
  provider.rollback();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(events, [["changed", ["static-on"]], ["error", "config refused"], ["changed", ["static-on"]]]);
});

test("a config given as bytes goes to the store as given: UTF-8 is served, anything else is invalid_utf8 (issue 13)", async () => {
  const { client, provider } = await setup();
  provider.update(new TextEncoder().encode(JSON.stringify(withStaticOff())));
  assert.equal(await client.getBooleanValue("static-on", true, user), false);
  assert.throws(() => provider.update(NOT_UTF8), (e) => assert.deepEqual(e.problems, [NOT_UTF8_PROBLEM]) ?? true);
  assert.throws(() => new FlagcoreServerProvider(NOT_UTF8), (e) => e.problems?.[0]?.code === "invalid_utf8");
});

test("exposure hook and OpenTelemetry hook (in-memory exporter)", async () => {
  const { client } = await setup();
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = tracerProvider.getTracer("test");
  const seen = [];
  const span = tracer.startSpan("request");
  // No OpenTelemetry context manager is registered in this test (the default finds the
  // active span through one): the hook is given the span.
  client.addHooks(new ExposureHook((e) => seen.push(e)), new OpenTelemetryHook({ span: () => span }));
  const variant = (await client.getStringDetails("backend", "x", { targetingKey: "user-7" })).variant;
  await client.getBooleanValue("nope", false, { targetingKey: "user-7" });
  span.end();

  assert.deepEqual(seen, [
    { flagKey: "backend", variant, reason: "SPLIT", targetingKey: "user-7" },
    { flagKey: "nope", variant: undefined, reason: "ERROR", targetingKey: "user-7" },
  ]);
  const [finished] = exporter.getFinishedSpans();
  assert.deepEqual(
    finished.events.map((e) => [e.name, e.attributes]),
    [
      ["feature_flag.evaluation", {
        "feature_flag.result.reason": "split",
        "feature_flag.result.variant": variant,
        "feature_flag.key": "backend",
        "feature_flag.provider.name": "flagcore",
        "feature_flag.context.id": "user-7",
      }],
      ["feature_flag.evaluation", {
        "feature_flag.result.reason": "error",
        "error.type": "flag_not_found",
        "feature_flag.key": "nope",
        "feature_flag.provider.name": "flagcore",
        "feature_flag.context.id": "user-7",
      }],
    ],
  );
});
