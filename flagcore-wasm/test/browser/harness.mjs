// What the Chromium tests share (browser/run.mjs, openfeature/browser.mjs, expo/run.mjs):
// labelled checks that count failures, a static server for a bundled site on 127.0.0.1, and
// headless Chromium (Debian's, through playwright-core) with a throwaway profile.
import { createServer } from "node:http";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { chromium } from "playwright-core";

/** Labelled checks: `check(label, fn)` prints ok/FAIL (the first `lines` lines of the error). */
export function checker(lines = 40) {
  let failures = 0;
  return {
    check(label, fn) {
      try {
        fn();
        console.log(`ok   ${label}`);
      } catch (e) {
        failures++;
        console.log(`FAIL ${label}\n${e.message.split("\n").slice(0, lines).join("\n")}`);
      }
    },
    /** Counts a failure reported otherwise (an exception outside a check). */
    fail() {
      failures++;
    },
    get failures() {
      return failures;
    },
  };
}

const TYPES = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".css": "text/css",
};

/** Serves `site` on 127.0.0.1 (a directory's index.html for `/`): `{ base, close }`. */
export async function serveSite(site) {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname)).replace(/^(\.\.[/\\])+/, "");
    if (path === "/favicon.ico") return void res.writeHead(204).end();
    const file = join(site, path.endsWith("/") ? join(path, "index.html") : path);
    if (!file.startsWith(site) || !existsSync(file)) return void res.writeHead(404).end("not found");
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { base: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

/** Headless Chromium with a fresh profile: `{ browser, close }` (close removes the profile). */
export async function launchChromium(prefix, options = {}) {
  const profile = mkdtempSync(join(tmpdir(), prefix));
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    timezoneId: "UTC",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    ...options,
  });
  return {
    browser,
    async close() {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
