// UTF-8 for the Hermes build (pkg/hermes): the engine's TextEncoder / TextDecoder when it
// has them, otherwise these pure-JS ones. The wasm-bindgen glue and the wrapper of that
// build import their TextEncoder / TextDecoder from here (tools/assemble.mjs adds the
// import), so no global is touched. Only what they call is implemented: encode,
// encodeInto, and decode of a whole buffer with the `fatal` and `ignoreBOM` options.

class Utf8Encoder {
  get encoding() {
    return "utf-8";
  }

  /** The UTF-8 bytes of `text` (a lone surrogate becomes U+FFFD, as the standard says). */
  encode(text = "") {
    const s = String(text);
    const out = new Uint8Array(s.length * 3);
    return out.subarray(0, this.encodeInto(s, out).written);
  }

  /** Writes whole characters of `text` while they fit; `read` counts UTF-16 units. */
  encodeInto(text, dest) {
    const s = String(text);
    const n = s.length;
    const end = dest.length;
    let read = 0;
    let written = 0;
    while (read < n) {
      let c = s.charCodeAt(read);
      let units = 1;
      if (c < 0x80) {
        if (written >= end) break;
        dest[written++] = c;
        read++;
        continue;
      }
      if (c >= 0xd800 && c <= 0xdfff) {
        const next = read + 1 < n ? s.charCodeAt(read + 1) : 0;
        if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
          units = 2;
        } else {
          c = 0xfffd;
        }
      }
      if (c < 0x800) {
        if (written + 2 > end) break;
        dest[written++] = 0xc0 | (c >> 6);
      } else if (c < 0x10000) {
        if (written + 3 > end) break;
        dest[written++] = 0xe0 | (c >> 12);
        dest[written++] = 0x80 | ((c >> 6) & 0x3f);
      } else {
        if (written + 4 > end) break;
        dest[written++] = 0xf0 | (c >> 18);
        dest[written++] = 0x80 | ((c >> 12) & 0x3f);
        dest[written++] = 0x80 | ((c >> 6) & 0x3f);
      }
      dest[written++] = 0x80 | (c & 0x3f);
      read += units;
    }
    return { read, written };
  }
}

class Utf8Decoder {
  constructor(label = "utf-8", options = {}) {
    const name = String(label).trim().toLowerCase();
    if (name !== "utf-8" && name !== "utf8" && name !== "unicode-1-1-utf-8") {
      throw new RangeError(`flagcore-wasm: this TextDecoder only decodes UTF-8, not ${label}`);
    }
    this.fatal = Boolean(options.fatal);
    this.ignoreBOM = Boolean(options.ignoreBOM);
  }

  get encoding() {
    return "utf-8";
  }

  /** The text of UTF-8 `input` (whole; no streaming). Malformed bytes throw when `fatal`, else become U+FFFD. */
  decode(input) {
    if (input === undefined) return "";
    const b = input instanceof Uint8Array
      ? input
      : ArrayBuffer.isView(input)
        ? new Uint8Array(input.buffer, input.byteOffset, input.byteLength)
        : new Uint8Array(input);
    const n = b.length;
    let i = 0;
    if (!this.ignoreBOM && n >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) i = 3;
    let out = "";
    const units = [];
    // The decoder of the Encoding standard: a malformed sequence is one U+FFFD per maximal subpart.
    let cp = 0;
    let needed = 0;
    let seen = 0;
    let lower = 0x80;
    let upper = 0xbf;
    for (; i < n; i++) {
      const c = b[i];
      if (needed === 0) {
        if (c < 0x80) units.push(c);
        else if (c >= 0xc2 && c <= 0xdf) (needed = 1), (cp = c & 0x1f);
        else if (c >= 0xe0 && c <= 0xef) {
          if (c === 0xe0) lower = 0xa0;
          if (c === 0xed) upper = 0x9f;
          needed = 2;
          cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
          if (c === 0xf0) lower = 0x90;
          if (c === 0xf4) upper = 0x8f;
          needed = 3;
          cp = c & 0x07;
        } else units.push(this.#malformed());
      } else if (c < lower || c > upper) {
        cp = needed = seen = 0;
        lower = 0x80;
        upper = 0xbf;
        units.push(this.#malformed());
        i--; // this byte starts the next character
      } else {
        lower = 0x80;
        upper = 0xbf;
        cp = (cp << 6) | (c & 0x3f);
        if (++seen === needed) {
          if (cp >= 0x10000) units.push(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
          else units.push(cp);
          cp = needed = seen = 0;
        }
      }
      if (units.length >= 4096) out = flush(out, units);
    }
    if (needed !== 0) units.push(this.#malformed());
    return flush(out, units);
  }

  #malformed() {
    if (this.fatal) throw new TypeError("The encoded data was not valid for encoding utf-8");
    return 0xfffd;
  }
}

function flush(out, units) {
  const text = out + String.fromCharCode.apply(null, units);
  units.length = 0;
  return text;
}

export const TextEncoder = typeof globalThis.TextEncoder === "function" ? globalThis.TextEncoder : Utf8Encoder;
export const TextDecoder = typeof globalThis.TextDecoder === "function" ? globalThis.TextDecoder : Utf8Decoder;
export { Utf8Encoder, Utf8Decoder };
