// A React app reading flagcore flags through OpenFeature's React SDK: the components only
// know @openfeature/react-sdk; the provider is flagcore's web provider (flagcore-wasm/openfeature).
// Bundle: esbuild main.jsx --bundle --jsx=automatic (flagcore-wasm/test/openfeature/browser.mjs).
import { createRoot } from "react-dom/client";
import { OpenFeature, OpenFeatureProvider, useBooleanFlagValue, useStringFlagValue, useNumberFlagValue } from "@openfeature/react-sdk";
import { FlagcoreWebProvider } from "flagcore-wasm/openfeature";

const params = new URLSearchParams(location.search);
// The evaluation time: now, unless the page is asked for a fixed one (the test does).
const at = params.has("at") ? Number(params.get("at")) : undefined;
const provider = new FlagcoreWebProvider(
  fetch("speech-migration.json").then((r) => r.text()),
  at === undefined ? {} : { now: () => at },
);

let renders = 0;

function Transcription() {
  renders++;
  const direct = useBooleanFlagValue("speechmatics-direct", false);
  const backend = useStringFlagValue("speech-backend-ab", "modal");
  const chunkMs = useNumberFlagValue("transcription-chunk-ms", 250);
  const captions = useBooleanFlagValue("live-captions-ui", false);
  const user = OpenFeature.getContext().targetingKey ?? "(none)";
  return (
    <dl data-user={user} data-renders={renders}>
      <dt>user</dt><dd>{user}</dd>
      <dt>speechmatics-direct</dt><dd data-flag="speechmatics-direct">{String(direct)}</dd>
      <dt>speech-backend-ab</dt><dd data-flag="speech-backend-ab">{backend}</dd>
      <dt>transcription-chunk-ms</dt><dd data-flag="transcription-chunk-ms">{chunkMs}</dd>
      <dt>live-captions-ui</dt><dd data-flag="live-captions-ui">{String(captions)}</dd>
    </dl>
  );
}

function App() {
  return (
    <OpenFeatureProvider suspendUntilReady>
      <Transcription />
    </OpenFeatureProvider>
  );
}

// What a real app does on sign-in, on a pushed config, and in an incident; the test drives them.
window.flagcoreApp = {
  setUser: (context) => OpenFeature.setContext(context),
  update: (config) => provider.update(config),
  kill: (flag) => provider.setOverride(flag, { kill: true }),
  renders: () => renders,
};

await OpenFeature.setContext({ targetingKey: params.get("user") ?? "user-1", appVersion: "2.4.0" });
OpenFeature.setProvider(provider);
createRoot(document.getElementById("root")).render(<App />);
