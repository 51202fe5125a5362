// A synchronous raw-DEFLATE decoder (RFC 1951), for the embedded-bytes entries (pkg/sync,
// pkg/plans). The .wasm is embedded as base64 of its deflate-raw compression: base64 of the
// bytes themselves gzips a third worse than the .wasm (six bits of information per eight-bit
// character hide the bytes' repetitions from gzip), while base64 of already compressed bytes
// gzips to within about 1% of the .wasm. DecompressionStream would do this natively, but it
// is asynchronous and these entries compile the WASM on import; Node's zlib is not in
// browsers. So: this decoder, after puff.c (zlib's reference inflater), about 1 KB gzipped.
// Internal to flagcore-wasm; tested against Node's zlib in test/inflate.test.mjs.

const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
/** The order in which a dynamic block lists the code lengths of its code-length code. */
const CLEN_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/**
 * A canonical Huffman code from its code lengths, as a lookup table indexed by the next
 * `bits` input bits (lowest first): each entry is `symbol << 4 | code length`, 0 for none.
 */
function huffman(lengths, n) {
  const counts = new Uint16Array(16);
  let bits = 1;
  for (let i = 0; i < n; i++) {
    counts[lengths[i]]++;
    if (lengths[i] > bits) bits = lengths[i];
  }
  counts[0] = 0;
  const next = new Uint16Array(16); // the first canonical code of each length
  for (let len = 1, code = 0; len < 16; len++) {
    code = (code + counts[len - 1]) << 1;
    next[len] = code;
  }
  const table = new Uint16Array(1 << bits);
  for (let sym = 0; sym < n; sym++) {
    const len = lengths[sym];
    if (len === 0) continue;
    let code = next[len]++;
    let rev = 0; // the code's bits in input order
    for (let k = 0; k < len; k++, code >>= 1) rev = (rev << 1) | (code & 1);
    for (let j = rev; j < table.length; j += 1 << len) table[j] = (sym << 4) | len;
  }
  return { table, bits };
}

let fixed = null;
function fixedCodes() {
  if (fixed === null) {
    const lengths = new Uint8Array(288 + 30);
    lengths.fill(8, 0, 144).fill(9, 144, 256).fill(7, 256, 280).fill(8, 280, 288).fill(5, 288);
    fixed = [huffman(lengths, 288), huffman(lengths.subarray(288), 30)];
  }
  return fixed;
}

/**
 * Decompresses the raw DEFLATE stream `src` (a Uint8Array) into a new Uint8Array of exactly
 * `size` bytes. Throws an Error when the stream is malformed or decodes to another size.
 */
export function inflateRaw(src, size) {
  const out = new Uint8Array(size);
  let at = 0; // next byte of src
  let buf = 0; // bits read from src and not yet used, lowest first
  let count = 0; // how many (under 8 after `bits`; up to 15 after `decode`, which reads ahead)
  let o = 0; // next byte of out

  const bits = (n) => {
    while (count < n) {
      if (at >= src.length) throw new Error("flagcore-wasm: the embedded WASM is truncated");
      buf |= src[at++] << count;
      count += 8;
    }
    const v = buf & ((1 << n) - 1);
    buf >>>= n;
    count -= n;
    return v;
  };
  const decode = (code) => {
    while (count < code.bits) {
      buf |= (at < src.length ? src[at] : 0) << count; // past the end: zeros, caught below
      at++;
      count += 8;
    }
    const e = code.table[buf & ((1 << code.bits) - 1)];
    if (e === 0) throw new Error("flagcore-wasm: the embedded WASM is corrupt (bad Huffman code)");
    buf >>>= e & 15;
    count -= e & 15;
    return e >> 4;
  };

  let last = 0;
  do {
    last = bits(1);
    const type = bits(2);
    if (type === 0) {
      // A stored block starts at the next byte boundary: drop the rest of this byte, and
      // give back the whole bytes `decode` read ahead.
      at -= count >> 3;
      buf = 0;
      count = 0;
      const len = src[at] | (src[at + 1] << 8);
      if (at + 4 + len > src.length || o + len > size) throw new Error("flagcore-wasm: the embedded WASM is corrupt (stored block)");
      out.set(src.subarray(at + 4, at + 4 + len), o);
      at += 4 + len;
      o += len;
      continue;
    }
    let lit;
    let dist;
    if (type === 1) {
      [lit, dist] = fixedCodes();
    } else if (type === 2) {
      const nlen = bits(5) + 257;
      const ndist = bits(5) + 1;
      const ncode = bits(4) + 4;
      const lengths = new Uint8Array(320);
      for (let i = 0; i < ncode; i++) lengths[CLEN_ORDER[i]] = bits(3);
      const clen = huffman(lengths, 19);
      lengths.fill(0);
      for (let i = 0; i < nlen + ndist; ) {
        const sym = decode(clen);
        if (sym < 16) {
          lengths[i++] = sym;
          continue;
        }
        let repeat;
        let value = 0;
        if (sym === 16) {
          if (i === 0) throw new Error("flagcore-wasm: the embedded WASM is corrupt (repeat with no length)");
          value = lengths[i - 1];
          repeat = 3 + bits(2);
        } else if (sym === 17) repeat = 3 + bits(3);
        else repeat = 11 + bits(7);
        if (i + repeat > nlen + ndist) throw new Error("flagcore-wasm: the embedded WASM is corrupt (too many lengths)");
        while (repeat-- > 0) lengths[i++] = value;
      }
      lit = huffman(lengths, nlen);
      dist = huffman(lengths.subarray(nlen), ndist);
    } else {
      throw new Error("flagcore-wasm: the embedded WASM is corrupt (block type 3)");
    }
    for (;;) {
      let sym = decode(lit);
      if (sym < 256) {
        if (o >= size) throw new Error("flagcore-wasm: the embedded WASM decodes too long");
        out[o++] = sym;
      } else if (sym === 256) {
        break;
      } else {
        sym -= 257;
        if (sym >= 29) throw new Error("flagcore-wasm: the embedded WASM is corrupt (length code)");
        const len = LENGTH_BASE[sym] + bits(LENGTH_EXTRA[sym]);
        const d = decode(dist);
        if (d >= 30) throw new Error("flagcore-wasm: the embedded WASM is corrupt (distance code)");
        const back = DIST_BASE[d] + bits(DIST_EXTRA[d]);
        if (back > o || o + len > size) throw new Error("flagcore-wasm: the embedded WASM is corrupt (match)");
        for (let k = 0; k < len; k++, o++) out[o] = out[o - back];
      }
    }
  } while (!last);
  // `decode` reads up to 15 bits ahead, past the end when the last codes are short (zeros
  // there): only the bits used must lie within `src`.
  if (at * 8 - count > src.length * 8) throw new Error("flagcore-wasm: the embedded WASM is truncated");
  if (o !== size) throw new Error(`flagcore-wasm: the embedded WASM decodes to ${o} bytes, expected ${size}`);
  return out;
}
