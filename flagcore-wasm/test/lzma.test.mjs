// The embedded-bytes entries' LZMA decoder (js/lzma.js) against Python's lzma module (what
// tools/assemble.mjs compresses the .wasm with): literals, matches, repeat matches, long
// distances, every lc/lp/pb the build could choose, the end marker, and corrupt input.
import { test } from "node:test";
import { deepStrictEqual, throws } from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { decodeLzma } from "../js/lzma.js";

function compress(bytes, lc, lp, pb, preset = 9) {
  const script = `import lzma, sys
data = sys.stdin.buffer.read()
f = {"id": lzma.FILTER_LZMA1, "preset": ${preset} | lzma.PRESET_EXTREME, "lc": ${lc}, "lp": ${lp}, "pb": ${pb}, "dict_size": max(4096, len(data))}
sys.stdout.buffer.write(lzma.compress(data, format=lzma.FORMAT_RAW, filters=[f]))`;
  return new Uint8Array(execFileSync("python3", ["-c", script], { input: bytes, maxBuffer: 64 << 20 }));
}

function roundTrip(bytes, lc = 3, lp = 0, pb = 0, preset = 9) {
  deepStrictEqual(decodeLzma(compress(bytes, lc, lp, pb, preset), bytes.length, lc, lp, pb), new Uint8Array(bytes));
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

/** Random runs copied from random earlier places: matches at every distance, repeats of recent ones. */
function repetitive(n, seed) {
  const noise = random(n, seed);
  const out = new Uint8Array(n);
  let o = 0;
  for (let i = 0; o < n; i++) {
    const r = noise[i % n];
    if (o < 16 || r < 96) out[o++] = noise[(i * 7) % n];
    else {
      const back = 1 + ((noise[(i * 3) % n] << 8) | noise[(i * 5) % n]) % Math.min(o, r < 200 ? 300_000 : 64);
      for (let k = 0, len = 2 + (r % 40); k < len && o < n; k++, o++) out[o] = out[o - back];
    }
  }
  return out;
}

test("decodeLzma decodes what Python's lzma encodes", () => {
  roundTrip(new Uint8Array(0));
  roundTrip(new TextEncoder().encode("a"));
  roundTrip(new TextEncoder().encode("flagcore ".repeat(5000))); // long matches, repeats
  roundTrip(new Uint8Array(200_000)); // one byte: the longest lengths
  roundTrip(random(100_000, 7)); // incompressible: literals only
  roundTrip(random(100_000, 9, 5)); // short matches
  for (let seed = 1; seed <= 6; seed++) roundTrip(repetitive(150_000 + seed * 10_000, seed), 3, 0, seed % 3); // distances up to 300,000
  roundTrip(readFileSync(new URL("../js/flagcore.js", import.meta.url)));
});

test("decodeLzma follows every lc, lp and pb", () => {
  const data = repetitive(20_000, 42);
  for (let pb = 0; pb <= 4; pb++) {
    for (let lc = 0; lc <= 4; lc++) {
      for (let lp = 0; lc + lp <= 4; lp++) roundTrip(data, lc, lp, pb, 6);
    }
  }
});

test("decodeLzma stops at the size it is given: the end marker the encoder writes is not needed", () => {
  const data = repetitive(10_000, 3);
  const packed = compress(data, 3, 0, 0);
  deepStrictEqual(decodeLzma(packed, data.length, 3, 0, 0), data);
  // One more byte: the decoder meets the end marker where that byte would be.
  throws(() => decodeLzma(packed, data.length + 1, 3, 0, 0), /decodes to 10000 bytes, expected 10001/);
});

test("decodeLzma refuses corrupt and truncated input", () => {
  const data = repetitive(50_000, 5);
  const packed = compress(data, 3, 0, 0);
  throws(() => decodeLzma(new Uint8Array(0), 10, 3, 0, 0), /corrupt/);
  throws(() => decodeLzma(Uint8Array.of(1, ...packed.subarray(1)), data.length, 3, 0, 0), /corrupt \(range coder\)/);
  throws(() => decodeLzma(packed.subarray(0, packed.length >> 1), data.length, 3, 0, 0), /corrupt \(truncated\)/);
  // Flipped bytes: a wrong distance, a wrong length or a different result, never a hang.
  let caught = 0;
  for (let i = 0; i < 40; i++) {
    const bad = packed.slice();
    bad[20 + i * 97] ^= 0x5a;
    try {
      const got = decodeLzma(bad, data.length, 3, 0, 0);
      if (got.every((b, k) => b === data[k])) throw new Error(`byte ${20 + i * 97} flipped and the same result`);
    } catch (e) {
      if (!/the embedded WASM is corrupt/.test(e.message)) throw e;
      caught++;
    }
  }
  if (caught === 0) throw new Error("no flipped byte was caught");
});

test("the evaluation .wasm, as the build compresses it", () => {
  const wasm = readFileSync(new URL("../pkg/web/flagcore_wasm_bg.wasm", import.meta.url));
  roundTrip(wasm);
});
