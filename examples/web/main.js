// The example page: the config is fetched as the Expo web app fetches it from its API, and
// every flag is evaluated for the user typed in the form. Bundled by esbuild (see
// flagcore-wasm/test/browser/run.mjs); `flagcore-wasm` needs no bundler configuration.
import { FlagStore, version } from "flagcore-wasm";

const $ = (id) => document.getElementById(id);

function why(e) {
  if (e.errorCode) return `error: ${e.errorCode}`;
  if (e.reason === "TARGETING_MATCH") return `rule #${e.ruleIndex}${e.ruleId ? ` "${e.ruleId}"` : ""}${e.bucket !== null ? `, bucket ${e.bucket}` : ""}`;
  if (e.reason === "SPLIT") return `bucket ${e.bucket} of 100000`;
  if (e.reason === "PREREQUISITE_FAILED") return `needs ${e.prerequisite}`;
  if (e.reason === "OFF") return "switched off in the config";
  if (e.reason === "OVERRIDE") return "overridden";
  return "default";
}

function cell(text, className) {
  const td = document.createElement("td");
  if (className) td.className = className;
  td.textContent = text;
  return td;
}

function render(store) {
  const ctx = { key: $("key").value.trim() };
  for (const name of ["email", "appVersion", "platform"]) {
    const value = $(name).value.trim();
    if (value) ctx[name] = value;
  }
  const at = $("at").value ? new Date($("at").value) : undefined;
  const rows = [];
  for (const e of Object.values(store.evaluateAll(ctx, { at }))) {
    const tr = document.createElement("tr");
    tr.dataset.flag = e.flagKey;
    tr.append(cell(e.flagKey, "flag"));
    const value = cell("", "value");
    value.append(Object.assign(document.createElement("code"), { textContent: JSON.stringify(e.value) }));
    tr.append(value, cell(e.variant ?? "—"));
    const reason = document.createElement("td");
    reason.append(Object.assign(document.createElement("span"), { className: `reason ${e.reason}`, textContent: e.reason }));
    tr.append(reason, cell(why(e), "why"));
    rows.push(tr);
  }
  $("results").replaceChildren(...rows);
  $("status").textContent = `flagcore-wasm ${version} · revision ${store.revision} · ${rows.length} flags · evaluated at ${(at ?? new Date()).toISOString()}`;
}

async function main() {
  const response = await fetch("./speech-migration.json");
  const store = new FlagStore(await response.text());
  $("who").addEventListener("input", () => render(store));
  render(store);
  document.body.dataset.ready = "true";
}

main().catch((e) => {
  $("status").textContent = `failed: ${e.message}`;
  document.body.dataset.ready = "error";
});
