// The types of flagcore-wasm/source accept real usage and reject mistakes (tsc --noEmit,
// types.test.mjs).
import { FlagStore } from "flagcore-wasm";
import { HttpSource, type SourceEvent, type SourceStatus } from "flagcore-wasm/source";

const source = new HttpSource("/flags.json", {
  interval: 15_000,
  staleAfter: 60_000,
  headers: { Authorization: "Bearer t" },
  storage: localStorage,
  onEvent: (e: SourceEvent) => console.log(e.type),
});
const off = source.on("updated", (e) => {
  const changed: string[] = e.changed;
  const revision: number = e.revision;
  console.log(changed, revision);
});
off();
source.on("refused", (e) => e.problems.map((p) => `${p.path}: ${p.message}`));
source.on("stale", (e) => e.lastSuccess ?? 0);
const status: SourceStatus = source.status;
const stale: boolean = status.stale;
async function main(): Promise<void> {
  const store: FlagStore = await source.ready(5_000);
  store.isEnabled("speechmatics-direct", { key: "u" });
  await source.refresh();
  source.close();
}
void main();
void stale;
// @ts-expect-error: not an event of a source
source.on("changed", () => {});
// @ts-expect-error: `updated` events have no problems
source.on("updated", (e) => e.problems);
// @ts-expect-error: the interval is a number of milliseconds
new HttpSource("/flags.json", { interval: "15s" });
