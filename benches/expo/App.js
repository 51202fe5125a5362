// The bench screen: both copies of the package, bundled by Metro with babel-preset-expo as
// an Expo web app bundles them. `flagcore-wasm` is this tree's package, `flagcore-wasm-base`
// the same package with the base commit's wrapper (js/flagcore.js); run.mjs installs both
// and times them from headless Chromium (with bench.js, loaded untranspiled).
import { Text } from "react-native";
import { FlagStore } from "flagcore-wasm";
import { FlagStore as BaseFlagStore } from "flagcore-wasm-base";

globalThis.flagcoreBenchStores = { base: BaseFlagStore, new: FlagStore };

export default function App() {
  return <Text testID="ready">flagcore-wasm Expo web benchmark</Text>;
}
