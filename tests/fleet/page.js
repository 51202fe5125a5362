// The browser in the fleet test: a page that keeps its flags up to date with
// flagcore-wasm/source and logs one JSON line (console) per event and every 200 ms.
import { wasmMemoryBytes } from "flagcore-wasm";
import { HttpSource } from "flagcore-wasm/source";

const url = new URLSearchParams(location.search).get("url") ?? "/flags.json";
const user = { key: "user-qa-001" };
const source = new HttpSource(url, { interval: 1000, timeout: 2000, maxBackoff: 2000, staleAfter: 3000 });

function serving() {
  const store = source.store;
  if (!store) return { on: null, seq: null, revision: null };
  return { on: store.isEnabled("speechmatics-direct", user), seq: store.getNumber("fleet-seq", user, -1), revision: store.revision };
}

function emit(kind, event) {
  const heap = performance.memory?.usedJSHeapSize ?? 0;
  const line = {
    proc: "browser",
    t: Date.now(),
    kind,
    stale: source.status.stale,
    rss: Math.round((heap + wasmMemoryBytes()) / 1024),
    event: event ? { type: event.type, revision: event.revision ?? null, origin: event.origin ?? null, changed: event.changed ?? [], problems: (event.problems ?? []).map((p) => p.path) } : null,
    ...serving(),
  };
  document.getElementById("state").textContent = JSON.stringify(line);
  console.log(JSON.stringify(line));
}

source.on("*", (e) => emit("event", e));
setInterval(() => emit("tick", null), 200);
