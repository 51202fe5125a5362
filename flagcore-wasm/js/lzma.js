// A synchronous decoder of raw LZMA1 streams, for the embedded-bytes entries (pkg/sync,
// pkg/plans). The .wasm is embedded as base64 of its LZMA compression (Python's lzma module,
// FORMAT_RAW with FILTER_LZMA1, at build time: tools/assemble.mjs): base64 of compressed
// bytes gzips to within about 1% of the compressed bytes, and LZMA compresses the .wasm
// about 15% smaller than deflate, 10% smaller than zopfli (flagcore-wasm/README.md, "Loading").
// No engine decodes LZMA natively and these entries compile the WASM on import, so: this
// decoder, written from the format's description (the range coder and the literal, match
// and repeat-match models of LZMA1). Internal to flagcore-wasm; tested against Python's
// lzma in test/lzma.test.mjs.

const fail = (what) => {
  throw new Error(`flagcore-wasm: the embedded WASM is corrupt (${what})`);
};

// Offsets of the models in one array of probabilities (11-bit, 1024 = one half).
const IS_MATCH = 0; // [state << 4 | posState]
const IS_REP = 192; // [state], and the next three likewise
const IS_REP_G0 = 204;
const IS_REP_G1 = 216;
const IS_REP_G2 = 228;
const IS_REP0_LONG = 240; // [state << 4 | posState]
const POS_SLOT = 432; // 4 trees of 6 bits, by match length (2, 3, 4, 5+)
const SPEC_POS = 688; // the reverse trees of distances under 128
const ALIGN = 803; // the reverse tree of a large distance's 4 lowest bits
const LEN = 819; // the length model of matches
const REP_LEN = 1333; // and of repeat matches; each: choice, choice2, low[16][8], mid[16][8], high[256]
const LITERAL = 1847; // 0x300 per literal context

/**
 * Decompresses the raw LZMA1 stream `src` (a Uint8Array; properties `lc`, `lp`, `pb`, as
 * the encoder was given them) into a new Uint8Array of exactly `size` bytes. An end marker
 * after `size` bytes is allowed, not required. Throws an Error when the stream is malformed.
 */
export function decodeLzma(src, size, lc, lp, pb) {
  const out = new Uint8Array(size);
  const probs = new Uint16Array(LITERAL + (0x300 << (lc + lp))).fill(1024);
  // The range coder's range and code, unsigned 32-bit: in a typed array, because numbers
  // over 2^31 kept in closure variables would be boxed on every write.
  const rc = new Uint32Array([0xffffffff, (src[1] << 24) | (src[2] << 16) | (src[3] << 8) | src[4]]);
  let at = 5; // the first byte is 0, the next four the initial code
  if (src.length < 5 || src[0] !== 0) fail("range coder");
  const next = () => {
    if (at >= src.length) fail("truncated");
    rc[0] <<= 8;
    rc[1] = (rc[1] << 8) | src[at++];
  };

  // One bit of the model probs[i].
  const bit = (i) => {
    const p = probs[i];
    const bound = (rc[0] >>> 11) * p;
    let b = 0;
    if (rc[1] < bound) {
      rc[0] = bound;
      probs[i] = p + ((2048 - p) >> 5);
    } else {
      rc[0] -= bound;
      rc[1] -= bound;
      probs[i] = p - (p >> 5);
      b = 1;
    }
    if (rc[0] < 0x1000000) next();
    return b;
  };
  // `n` bits, highest first, through the binary tree of models at `base`.
  const tree = (base, n) => {
    let m = 1;
    for (let k = 0; k < n; k++) m = (m << 1) | bit(base + m);
    return m - (1 << n);
  };
  // `n` bits, lowest first, through the tree at `base`.
  const reverse = (base, n) => {
    let m = 1;
    let v = 0;
    for (let k = 0; k < n; k++) {
      const b = bit(base + m);
      m = (m << 1) | b;
      v |= b << k;
    }
    return v;
  };
  // A match length minus 2, from the length model at `base`.
  const length = (base, posState) => {
    if (bit(base) === 0) return tree(base + 2 + (posState << 3), 3);
    if (bit(base + 1) === 0) return 8 + tree(base + 130 + (posState << 3), 3);
    return 16 + tree(base + 258, 8);
  };

  let state = 0;
  let rep0 = 0;
  let rep1 = 0;
  let rep2 = 0;
  let rep3 = 0;
  let o = 0;
  const pbMask = (1 << pb) - 1;
  const lpMask = (1 << lp) - 1;
  while (o < size) {
    const posState = o & pbMask;
    if (bit(IS_MATCH + ((state << 4) | posState)) === 0) {
      const prev = o > 0 ? out[o - 1] : 0;
      const base = LITERAL + 0x300 * (((o & lpMask) << lc) + (prev >> (8 - lc)));
      let s = 1;
      if (state >= 7) {
        // After a match, the byte at the last distance guides the models until a bit differs.
        let match = out[o - rep0 - 1];
        while (s < 0x100) {
          const mb = (match >> 7) & 1;
          match <<= 1;
          const b = bit(base + ((1 + mb) << 8) + s);
          s = (s << 1) | b;
          if (b !== mb) break;
        }
      }
      while (s < 0x100) s = (s << 1) | bit(base + s);
      out[o++] = s;
      state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
      continue;
    }
    let len;
    if (bit(IS_REP + state) === 0) {
      len = length(LEN, posState);
      state = state < 7 ? 7 : 10;
      const slot = tree(POS_SLOT + ((len < 3 ? len : 3) << 6), 6);
      let dist = slot;
      if (slot >= 4) {
        const n = (slot >> 1) - 1;
        dist = (2 | (slot & 1)) * 2 ** n;
        if (slot < 14) {
          dist += reverse(SPEC_POS + dist - slot, n);
        } else {
          let direct = 0;
          for (let k = n - 4; k > 0; k--) {
            rc[0] >>>= 1;
            const b = rc[1] >= rc[0] ? 1 : 0;
            if (b) rc[1] -= rc[0];
            direct = direct * 2 + b;
            if (rc[0] < 0x1000000) next();
          }
          dist += direct * 16 + reverse(ALIGN, 4);
        }
      }
      if (dist === 0xffffffff) break; // the end marker
      rep3 = rep2;
      rep2 = rep1;
      rep1 = rep0;
      rep0 = dist;
    } else {
      if (bit(IS_REP_G0 + state) === 0) {
        if (bit(IS_REP0_LONG + ((state << 4) | posState)) === 0) {
          // One byte from the last distance.
          if (o === 0) fail("distance");
          state = state < 7 ? 9 : 11;
          out[o] = out[o - rep0 - 1];
          o++;
          continue;
        }
      } else {
        let dist;
        if (bit(IS_REP_G1 + state) === 0) {
          dist = rep1;
        } else {
          if (bit(IS_REP_G2 + state) === 0) {
            dist = rep2;
          } else {
            dist = rep3;
            rep3 = rep2;
          }
          rep2 = rep1;
        }
        rep1 = rep0;
        rep0 = dist;
      }
      len = length(REP_LEN, posState);
      state = state < 7 ? 8 : 11;
    }
    len += 2;
    if (rep0 >= o) fail("distance");
    if (len > size - o) fail("decodes too long");
    for (const end = o + len; o < end; o++) out[o] = out[o - rep0 - 1];
  }
  if (o !== size) fail(`decodes to ${o} bytes, expected ${size}`);
  return out;
}
