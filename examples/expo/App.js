// One component that uses flagcore-wasm, the same import on web, iOS and Android: Metro
// picks the WASM build for web and the Hermes build (the same core compiled to JavaScript
// with wasm2js) for iOS and Android, through the package's "react-native" export condition.
import { useMemo, useState } from "react";
import { Platform, ScrollView, StyleSheet, Text, TextInput, View } from "react-native";
import { FlagStore, version } from "flagcore-wasm";
import config from "../speech-migration.json";

// A fixed time in week 2 of the speechmatics-direct rollout, so the answers are reproducible.
const AT = Date.parse("2026-11-30T09:00:00Z");

// The users whose answers the test compares with the Rust core (scripts/test-hermes).
const SAMPLE_USERS = Array.from({ length: 60 }, (_, i) => {
  const context = { key: `user-${i}` };
  if (i % 3 !== 0) context.appVersion = ["2.2.9", "2.4.1", "3.0.0-beta.1"][i % 3];
  if (i % 4 !== 0) context.platform = ["ios-web", "android-web", "desktop-web"][i % 3];
  if (i % 7 === 0) context.email = `person${i}@company.example`;
  return { context, at: AT };
});

const engine = typeof WebAssembly === "object" ? "WebAssembly" : "JavaScript (no WebAssembly)";

export default function App() {
  const store = useMemo(() => new FlagStore(config), []);
  const [key, setKey] = useState("user-42");
  const results = Object.values(store.evaluateAll({ key, platform: `${Platform.OS}-app` }, { at: AT }));
  const answers = SAMPLE_USERS.map(({ context, at }) => store.evaluateAll(context, { at }));
  return (
    <ScrollView contentContainerStyle={styles.page}>
      <Text style={styles.title}>flagcore-wasm {version}</Text>
      <Text testID="engine">
        {Platform.OS}: {engine}
      </Text>
      <TextInput style={styles.input} value={key} onChangeText={setKey} placeholder="user key" />
      {results.map((e) => (
        <View key={e.flagKey} style={styles.row} testID={`flag-${e.flagKey}`}>
          <Text style={styles.flag}>{e.flagKey}</Text>
          <Text>{JSON.stringify(e.value)}</Text>
          <Text style={styles.reason}>{e.reason}</Text>
        </View>
      ))}
      {/* Not shown: read by the test, which compares these answers with the Rust core's. */}
      <Text testID="answers" style={styles.hidden}>
        {JSON.stringify({ users: SAMPLE_USERS, answers })}
      </Text>
    </ScrollView>
  );
}

const styles = StyleSheet.create({
  page: { padding: 24, gap: 8 },
  title: { fontSize: 20, fontWeight: "600" },
  input: { borderWidth: 1, borderColor: "#999", padding: 6, borderRadius: 4 },
  row: { flexDirection: "row", gap: 12 },
  flag: { fontFamily: Platform.OS === "web" ? "monospace" : undefined, minWidth: 220 },
  reason: { color: "#555" },
  hidden: { display: "none" },
});
