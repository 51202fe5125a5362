// Compiled by types.test.mjs as an Expo app's TypeScript sees the package (moduleResolution
// "bundler" with the "react-native" condition, as expo/tsconfig.base sets them): the Hermes
// entry has the same types as the others.
import * as sync from "flagcore-wasm";
import * as hermes from "flagcore-wasm/hermes";
import { FlagStore, type EvaluationResult } from "flagcore-wasm";

const same: typeof sync = hermes;
const back: typeof hermes = sync;
const store = new hermes.FlagStore({ schemaVersion: 1, flags: {} });
const result: EvaluationResult = store.evaluate("flag", { key: "user-1", appVersion: "2.4.0" }, { at: Date.now() });
const other: FlagStore = store;
// @ts-expect-error: a context is a flat object
store.isEnabled("flag", { key: "user-1", nested: { a: 1 } });
export { same, back, result, other };
