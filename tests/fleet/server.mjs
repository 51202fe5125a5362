// The fleet test's config server (127.0.0.1 only): what any static server or CDN does for
// flagcore sources, plus a control endpoint.
//
//   GET  /flags.json       the config, with ETag and Last-Modified; 304 to a matching
//                          If-None-Match (or If-Modified-Since)
//   GET  /page/...         static files (the browser page of the test)
//   PUT  /control/config   publishes the request body as the config (no validation: the
//                          test publishes invalid configs on purpose); answers {"etag"}
//   GET  /control/stats    {"requests", "notModified", "etag"}
//
// Usage: node server.mjs <port> <initial config file> <static dir>
import { createServer } from "node:http";
import { createHash } from "node:crypto";
import { readFileSync, existsSync } from "node:fs";
import { extname, join, normalize } from "node:path";

const [port, configFile, staticDir] = process.argv.slice(2);
let body = readFileSync(configFile, "utf8");
let etag;
let modified;
const stats = { requests: 0, notModified: 0 };
function publish(text) {
  body = text;
  etag = `"${createHash("sha256").update(text).digest("hex").slice(0, 16)}"`;
  modified = new Date(Math.floor(Date.now() / 1000) * 1000).toUTCString();
}
publish(body);

const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm" };
const server = createServer((req, res) => {
  const path = new URL(req.url, "http://x").pathname;
  if (req.method === "GET" && path === "/flags.json") {
    stats.requests++;
    if (req.headers["if-none-match"] === etag) {
      stats.notModified++;
      res.writeHead(304, { etag, "last-modified": modified, "cache-control": "no-cache" }).end();
      return;
    }
    res.writeHead(200, { etag, "last-modified": modified, "cache-control": "no-cache", "content-type": "application/json" }).end(body);
    return;
  }
  if (req.method === "PUT" && path === "/control/config") {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      publish(Buffer.concat(chunks).toString("utf8"));
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ etag }));
    });
    return;
  }
  if (req.method === "GET" && path === "/control/stats") {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ...stats, etag }));
    return;
  }
  if (req.method === "GET" && path.startsWith("/page/")) {
    const file = join(staticDir, normalize(path.slice("/page/".length)).replace(/^(\.\.[/\\])+/, ""));
    if (file.startsWith(staticDir) && existsSync(file)) {
      res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
      return;
    }
  }
  res.writeHead(404).end("not found");
});
server.listen(Number(port), "127.0.0.1", () => console.log(JSON.stringify({ listening: Number(port) })));
process.on("SIGTERM", () => process.exit(0));
