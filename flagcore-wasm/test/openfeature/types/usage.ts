// The OpenFeature entries' types, as an app uses them (tsc --noEmit in scripts/test-openfeature).
import { OpenFeature } from "@openfeature/web-sdk";
import { OpenFeature as ServerOpenFeature } from "@openfeature/server-sdk";
import { FlagcoreWebProvider, ExposureHook } from "flagcore-wasm/openfeature";
import { FlagcoreServerProvider } from "flagcore-wasm/openfeature/server";
import { OpenTelemetryHook } from "flagcore-wasm/openfeature/otel";

export async function web(configText: string): Promise<boolean> {
  const provider = new FlagcoreWebProvider(fetch("/flags.json").then((r) => r.text()));
  await OpenFeature.setProviderAndWait(provider);
  OpenFeature.addHooks(new ExposureHook((e) => console.log(e.flagKey, e.variant, e.reason, e.targetingKey)));
  provider.update(configText);
  provider.setOverride("f", { kill: true });
  // @ts-expect-error an override is a kill or a variant
  provider.setOverride("f", { kill: false });
  return OpenFeature.getClient().getBooleanValue("f", false);
}

export async function server(): Promise<string> {
  await ServerOpenFeature.setProviderAndWait(new FlagcoreServerProvider({ schemaVersion: 1, flags: {} }, { now: () => Date.now() }));
  ServerOpenFeature.addHooks(new OpenTelemetryHook());
  return ServerOpenFeature.getClient().getStringValue("f", "x", { targetingKey: "u" });
}
