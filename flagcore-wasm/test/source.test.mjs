// The fetch poller (flagcore-wasm/source) against a 127.0.0.1 server with ETags: ready,
// conditional requests, updated (changed flags), refused (last good serves on), stale and
// recovered, the stored copy, pausing while the page is hidden, close.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { FlagStore } from "flagcore-wasm";
import { HttpSource } from "flagcore-wasm/source";

const config = (enabled = true, other = "off") =>
  JSON.stringify({
    schemaVersion: 1,
    flags: {
      "kill-me": { enabled, default: { variant: "on" } },
      other: { enabled: true, variants: { on: "on", off: "off" }, default: { variant: other } },
    },
  });
const BAD = '{"schemaVersion": 1, "flags": {"kill-me": {"enabled": "no"}}}';
const user = { key: "u" };

async function configServer(body) {
  const s = { body, version: 1, failing: false, requests: [] };
  s.server = createServer((req, res) => {
    const etag = `"v${s.version}"`;
    s.requests.push({ inm: req.headers["if-none-match"] ?? null, auth: req.headers.authorization ?? null });
    if (s.failing) return res.writeHead(503).end("down");
    if (req.headers["if-none-match"] === etag) return res.writeHead(304, { etag }).end();
    res.writeHead(200, { etag, "content-type": "application/json" }).end(s.body);
  });
  await new Promise((r) => s.server.listen(0, "127.0.0.1", r));
  s.url = `http://127.0.0.1:${s.server.address().port}/flags.json`;
  s.publish = (b) => {
    s.body = b;
    s.version++;
  };
  s.close = () => new Promise((r) => s.server.close(r));
  return s;
}

function until(source, type, ms = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${type} event; status ${JSON.stringify(source.status)}`)), ms);
    const off = source.on(type, (e) => {
      clearTimeout(timer);
      off();
      resolve(e);
    });
  });
}

const fast = { interval: 50, maxBackoff: 100, timeout: 2000, staleAfter: 300, document: null };

test("polls with ETags, updates, refuses bad configs, goes stale and recovers", async () => {
  const s = await configServer(config());
  const source = new HttpSource(s.url, { ...fast, headers: { Authorization: "Bearer t" } });
  const readyEvent = until(source, "ready");
  const store = await source.ready(5000);
  assert.deepEqual(await readyEvent, { type: "ready", revision: 1, origin: "source" });
  assert.ok(store instanceof FlagStore);
  assert.equal(store.isEnabled("kill-me", user), true);
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(s.requests.some((r) => r.inm === '"v1"'), "conditional requests");
  assert.equal(store.revision, 1, "304: nothing changes");

  s.publish(config(false, "on"));
  const updated = await until(source, "updated");
  assert.equal(updated.revision, 2);
  assert.deepEqual(updated.changed, ["kill-me", "other"]);
  assert.equal(store.isEnabled("kill-me", user), false);

  s.publish(BAD);
  const refused = await until(source, "refused");
  assert.ok(refused.problems.some((p) => p.path.includes("enabled")), JSON.stringify(refused));
  assert.match(refused.message, /keeps serving/);
  assert.equal(store.revision, 2);
  assert.ok(source.status.refused);

  s.failing = true;
  const stale = await until(source, "stale");
  assert.ok(stale.lastSuccess > 0 && stale.error.includes("503"));
  assert.equal(store.isEnabled("kill-me", user), false, "keeps serving while stale");
  s.publish(config());
  const recovered = until(source, "recovered");
  const back = until(source, "updated");
  s.failing = false;
  await recovered;
  await back;
  assert.equal(store.isEnabled("kill-me", user), true);
  assert.ok(s.requests.every((r) => r.auth === "Bearer t"));

  source.close();
  const n = s.requests.length;
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(s.requests.length, n, "no request after close");
  await s.close();
});

test("the stored copy serves while the server is down; a given store is updated", async () => {
  const s = await configServer(config(false));
  const storage = new Map();
  const local = { getItem: (k) => storage.get(k) ?? null, setItem: (k, v) => storage.set(k, v) };
  const first = new HttpSource(s.url, { ...fast, storage: local });
  await first.ready(5000);
  first.close();
  assert.equal(storage.get(`flagcore:${s.url}`), config(false));

  s.failing = true;
  const second = new HttpSource(s.url, { ...fast, storage: local });
  const ready = await until(second, "ready");
  assert.equal(ready.origin, "cache");
  assert.equal(second.store.isEnabled("kill-me", user), false);
  await until(second, "stale");
  second.close();

  s.failing = false;
  const store = new FlagStore(config(true, "on"));
  const third = new HttpSource(s.url, { ...fast, store });
  assert.equal(third.store, store);
  await until(third, "updated");
  assert.equal(store.isEnabled("kill-me", user), false);
  third.close();
  await s.close();
});

test("pauses while the page is hidden and checks at once when it is shown", async () => {
  const s = await configServer(config());
  const page = new EventTarget();
  page.visibilityState = "visible";
  const source = new HttpSource(s.url, { ...fast, interval: 50, document: page });
  await source.ready(5000);
  page.visibilityState = "hidden";
  page.dispatchEvent(new Event("visibilitychange"));
  await new Promise((r) => setTimeout(r, 100));
  const n = s.requests.length;
  s.publish(config(false));
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(s.requests.length, n, "no requests while hidden");
  const updated = until(source, "updated", 1000);
  page.visibilityState = "visible";
  page.dispatchEvent(new Event("visibilitychange"));
  await updated;
  assert.equal(source.store.isEnabled("kill-me", user), false);
  source.close();
  await s.close();
});

test("ready() rejects with the reason when the first config is refused", async () => {
  const s = await configServer(BAD);
  const source = new HttpSource(s.url, fast);
  await assert.rejects(source.ready(500), /refused/);
  assert.equal(source.store, null);
  source.close();
  await s.close();
});

test("an update function (an OpenFeature provider's update) applies the configs", async () => {
  const s = await configServer(config(false));
  const store = new FlagStore(config(true));
  const applied = [];
  const provider = {
    update(text) {
      applied.push(text);
      return store.update(text); // what FlagcoreProviderBase.update does, plus its event
    },
  };
  const source = new HttpSource(s.url, { ...fast, store, update: (t) => provider.update(t) });
  await until(source, "updated");
  assert.deepEqual(applied, [config(false)]);
  assert.equal(store.isEnabled("kill-me", user), false);
  s.publish(BAD);
  const refused = await until(source, "refused");
  assert.ok(refused.problems.length > 0);
  assert.equal(applied.length, 2, "the refused config went through the function too");
  source.close();
  await s.close();
});
