// The pure-JS UTF-8 of the Hermes build (js/utf8.js, used where the engine has no
// TextEncoder / TextDecoder) against Node's, on edge cases and random bytes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Utf8Decoder, Utf8Encoder } from "../js/utf8.js";

const texts = ["", "abc", "ünïcödé-🚀", "\u{10FFFF}x\u0800\u07ff\u0080", "a\ud800b", "\udc00", "\ud83d", "x".repeat(10000) + "é🚀"];

test("encode and encodeInto as TextEncoder (lone surrogates become U+FFFD)", () => {
  for (const s of texts) {
    assert.deepEqual(new Utf8Encoder().encode(s), new TextEncoder().encode(s), s);
    for (const size of [0, 1, 2, 3, 5, 8]) {
      const a = new Uint8Array(size);
      const b = new Uint8Array(size);
      assert.deepEqual(new Utf8Encoder().encodeInto(s, a), new TextEncoder().encodeInto(s, b), `${s} into ${size}`);
      assert.deepEqual(a, b);
    }
  }
});

test("decode as TextDecoder: valid text, BOM, and malformed bytes (random, with and without fatal)", () => {
  for (const s of texts) {
    const bytes = new TextEncoder().encode(s);
    assert.equal(new Utf8Decoder().decode(bytes), s.isWellFormed() ? s : new TextDecoder().decode(bytes));
  }
  const bom = new Uint8Array([0xef, 0xbb, 0xbf, 0x41]);
  assert.equal(new Utf8Decoder().decode(bom), "A");
  assert.equal(new Utf8Decoder("utf-8", { ignoreBOM: true }).decode(bom), "\ufeffA");
  const alphabet = [0x41, 0x80, 0xbf, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 0xa0, 0x9f, 0x90, 0x8f, 0xbb];
  let seed = 1;
  const next = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8);
  for (let k = 0; k < 50_000; k++) {
    const bytes = Uint8Array.from({ length: next() % 10 }, () => alphabet[next() % alphabet.length]);
    assert.equal(new Utf8Decoder().decode(bytes), new TextDecoder().decode(bytes), `${bytes}`);
    const ours = (() => { try { return new Utf8Decoder("utf-8", { fatal: true }).decode(bytes); } catch { return "threw"; } })();
    const node = (() => { try { return new TextDecoder("utf-8", { fatal: true }).decode(bytes); } catch { return "threw"; } })();
    assert.equal(ours, node, `${bytes}`);
  }
});
