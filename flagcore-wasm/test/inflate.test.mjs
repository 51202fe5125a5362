// The embedded-bytes entries' raw-DEFLATE decoder (js/inflate.js) against Node's zlib: stored,
// fixed-Huffman and dynamic-Huffman blocks, long matches, empty input, and corrupt input.
import { test } from "node:test";
import { deepStrictEqual, throws } from "node:assert/strict";
import { deflateRawSync, constants } from "node:zlib";
import { readFileSync } from "node:fs";
import { inflateRaw } from "../js/inflate.js";

function roundTrip(bytes, opts) {
  const packed = new Uint8Array(deflateRawSync(bytes, opts));
  deepStrictEqual(inflateRaw(packed, bytes.length), new Uint8Array(bytes));
}

function random(n, seed, alphabet = 256) {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = (x >>> 0) % alphabet;
  }
  return out;
}

test("inflateRaw decodes what zlib's deflateRaw encodes", () => {
  roundTrip(new Uint8Array(0));
  roundTrip(new TextEncoder().encode("a"));
  roundTrip(new TextEncoder().encode("flagcore ".repeat(5000))); // long matches
  roundTrip(random(100_000, 7)); // incompressible: stored blocks
  roundTrip(random(100_000, 9, 5)); // dynamic Huffman, short codes
  roundTrip(random(3000, 11, 40), { strategy: constants.Z_FIXED }); // fixed Huffman
  roundTrip(random(70_000, 13, 16), { level: 0 }); // stored only, several blocks
  for (let level = 1; level <= 9; level++) roundTrip(random(20_000, level, 3 + level * 20), { level });
  roundTrip(readFileSync(new URL("../js/flagcore.js", import.meta.url)), { level: 9 });
});

test("inflateRaw decodes streams whose last code is shorter than the longest", () => {
  // The decoder reads up to its longest code's bits ahead; at the end of the stream that
  // lookahead passes the last byte without consuming it, which is not a truncation. Many
  // small dynamic-Huffman streams end that way (the plans build's .wasm did, once).
  for (let seed = 1; seed <= 400; seed++) roundTrip(random(20 + seed, seed, 2), { level: 9 }); // seeds 8, 9, 26, ... end so
});

test("inflateRaw: a stream whose last codes are shorter than its longest, a stored block after a Huffman one", () => {
  // decode() reads as many bits as the longest code ahead: at the end of the stream that is
  // past the last byte, which is not truncation (an evaluation .wasm failed to load so).
  for (let seed = 1; seed <= 200; seed++) roundTrip(random(500 + seed * 37, seed, 2 + (seed % 60)), { level: 9 });
  // A Huffman block then a stored one, which starts at the next byte after the read-ahead.
  for (let seed = 1; seed <= 20; seed++) {
    const mixed = new Uint8Array([...random(5000, seed, 4), ...random(40_000, seed + 1)]);
    roundTrip(mixed, { level: 9 });
    roundTrip(mixed, { level: 1 });
  }
});

test("inflateRaw refuses a wrong size and corrupt input", () => {
  const bytes = new TextEncoder().encode("flagcore ".repeat(100));
  const packed = new Uint8Array(deflateRawSync(bytes));
  throws(() => inflateRaw(packed, bytes.length + 1), /decodes to/);
  throws(() => inflateRaw(packed, bytes.length - 1), /too long|match/);
  throws(() => inflateRaw(packed.subarray(0, packed.length >> 1), bytes.length), /truncated/);
  throws(() => inflateRaw(new Uint8Array([0xff, 0xff]), 10), /corrupt|truncated/);
});
