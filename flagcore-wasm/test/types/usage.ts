// Compiled with `tsc --noEmit` by types.test.mjs: the hand-written types accept real usage
// and reject mistakes (each @ts-expect-error must be an error, or tsc fails).
import {
  FlagStore,
  FlagcoreConfigError,
  bucket,
  version,
  type EvaluationResult,
  type FlagConfig,
  type Reason,
} from "flagcore-wasm";
import init, { FlagStore as WebFlagStore } from "flagcore-wasm/web";

const config: FlagConfig = {
  schemaVersion: 1,
  segments: { staff: { keys: ["user-1"], rules: [{ conditions: [{ attribute: "email", op: "endsWith", value: "@co.example" }] }] } },
  flags: {
    "speech-backend-ab": {
      type: "string",
      variants: { control: "modal", treatment: "speechmatics" },
      enabled: true,
      offVariant: "control",
      prerequisites: [{ flag: "speechmatics-direct", variant: "on" }],
      rules: [{ id: "staff", conditions: [{ op: "inSegment", value: "staff" }], serve: { variant: "treatment" } }],
      default: { split: [{ variant: "control", weight: 70 }, { variant: "treatment", weight: 30 }] },
    },
    "speechmatics-direct": {
      enabled: true,
      default: { stages: [{ split: [{ variant: "on", weight: 5 }, { variant: "off", weight: 95 }] }, { from: "2026-12-14T09:00:00Z", variant: "on" }] },
    },
  },
};

const store = new FlagStore(config);
const on: boolean = store.isEnabled("speechmatics-direct", { key: "user-1", appVersion: "2.4.0", seats: 3, beta: true });
const backend: string = store.getString("speech-backend-ab", { key: "user-1" }, "modal");
const maybe: string | null = store.getString("speech-backend-ab", { key: "user-1" }, null);
const chunk: number = store.getNumber("chunk", { key: "u" }, 250, { at: new Date() });
const result: EvaluationResult = store.evaluate("speech-backend-ab", { key: "u" }, { at: null });
const reason: Reason = result.reason;
const bucketOrNull: number | null = result.bucket;
const all: Record<string, EvaluationResult> = store.evaluateAll({ key: "u" });
const revision: number = store.update(JSON.stringify(config)).revision;
store.setOverride("speechmatics-direct", { kill: true });
store.setOverride("speech-backend-ab", { variant: "control" });
const b: number = bucket("speech-backend-ab", "user-1");
const v: string = version;
try {
  store.update("{");
} catch (e) {
  if (e instanceof FlagcoreConfigError) for (const p of e.problems) console.log(p.path, p.code, p.message);
}
store.free();

async function web(): Promise<void> {
  await init();
  new WebFlagStore(config).free();
}

// @ts-expect-error: schemaVersion is required
const noSchema: FlagConfig = { flags: {} };
// @ts-expect-error: enabled must be a boolean
const badEnabled: FlagConfig = { schemaVersion: 1, flags: { a: { enabled: "yes", default: { variant: "on" } } } };
// @ts-expect-error: unknown operator
const badOp: FlagConfig = { schemaVersion: 1, flags: { a: { enabled: true, rules: [{ conditions: [{ attribute: "x", op: "like", value: "y" }], serve: { variant: "on" } }], default: { variant: "on" } } } };
// @ts-expect-error: context attributes are flat
store.isEnabled("a", { key: "u", nested: { a: 1 } });
// @ts-expect-error: an override is kill or variant
store.setOverride("a", { enabled: false });
// @ts-expect-error: reasons are a closed set
const badReason: Reason = "MATCH";

export { on, backend, maybe, chunk, reason, bucketOrNull, all, revision, b, v, web, noSchema, badEnabled, badOp, badReason };
