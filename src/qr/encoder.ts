/**
 * The binder's one kind of QR symbol (FORMAT §10: version 25, level M,
 * alphanumeric, mask 0), encoded straight into its modules. It is the symbol
 * the qrcode package makes for the same text, module for module (tested
 * against qrcode on thousands of texts), and its fixed parts (finder, timing
 * and alignment patterns, format and version information) are taken from a
 * symbol qrcode made. What is done here is only what changes from code to
 * code: packing the characters into codewords, Reed–Solomon parity, and
 * placing the bits; qrcode's general encoder was a fifth of a print's work (docs/PERFORMANCE.md).
 */
import { createRequire } from 'node:module';
import type { create as createSymbol, QRCodeOptions } from 'qrcode';
import { ALPHANUMERIC_VALUE, QR_ALPHANUMERIC } from '../codec/alphanumeric.js';
import { GF_EXP as EXP, GF_LOG as LOG } from '../codec/gf256.js';

/** FORMAT §10: every code is a version-25, level-M symbol in alphanumeric mode. */
export const QR_VERSION = 25;
export const QR_EC_LEVEL = 'M';
/** Modules per side of a version-25 symbol. */
export const QR_MODULES = 17 + 4 * QR_VERSION;
/** A fixed mask skips a mask search (3.9 → 0.45 ms a code, measured); the tests' decoders read it from 200-dpi scans. */
export const QR_MASK = 0;

// ISO/IEC 18004 Table 9, version 25 level M: 1,588 codewords in 21 blocks, each with 28 of parity;
// 8 blocks of 47 data codewords, then 13 of 48. The test against qrcode checks these figures.
const TOTAL_CODEWORDS = 1588;
const PARITY_PER_BLOCK = 28;
const SHORT_BLOCKS = 8;
const BLOCKS = 21;
const SHORT_BLOCK_DATA = 47;
const DATA_CODEWORDS = SHORT_BLOCKS * SHORT_BLOCK_DATA + (BLOCKS - SHORT_BLOCKS) * (SHORT_BLOCK_DATA + 1);
const DATA_BITS = DATA_CODEWORDS * 8;
/** ISO/IEC 18004 Table 3: the character count of alphanumeric mode takes 11 bits in versions 10 to 26. */
const COUNT_BITS = 11;
const ALPHANUMERIC_MODE = 0b0010;
/**
 * Most characters a symbol holds: mode and count, 11 bits a pair of characters and 6 for a last one
 * (1,451 for version 25-M, ISO/IEC 18004 Table 7; codec/frame.ts's DEFAULT_CAPACITY, checked by a test).
 */
export const QR_CAPACITY = (() => {
  const bits = DATA_BITS - 4 - COUNT_BITS;
  return 2 * Math.floor(bits / 11) + (bits % 11 >= 6 ? 1 : 0);
})();

/** The generator polynomial's coefficients after the leading 1, as logs: the product of (x − 2ⁱ) for i below the parity count. */
const GENERATOR_LOGS = (() => {
  let poly = [1];
  for (let i = 0; i < PARITY_PER_BLOCK; i++) {
    const next = new Uint8Array(poly.length + 1);
    poly.forEach((c, j) => {
      next[j]! ^= c;
      if (c !== 0) next[j + 1]! ^= EXP[LOG[c]! + i]!;
    });
    poly = Array.from(next);
  }
  return Uint8Array.from(poly.slice(1), (c) => LOG[c]!);
})();
/**
 * Row f: the generator's coefficients times f, four to a 32-bit word (the
 * first in the high byte), so the division below steps a word at a time.
 */
const PARITY_WORDS = PARITY_PER_BLOCK / 4;
const GENERATOR_TIMES = (() => {
  const table = new Int32Array(256 * PARITY_WORDS);
  for (let f = 1; f < 256; f++) {
    for (let j = 0; j < PARITY_PER_BLOCK; j++) {
      table[f * PARITY_WORDS + (j >> 2)]! |= EXP[GENERATOR_LOGS[j]! + LOG[f]!]! << (24 - 8 * (j & 3));
    }
  }
  return table;
})();

interface SymbolLayout {
  /** Every module of a symbol with no data: function patterns as drawn, data modules as the mask alone leaves them. */
  empty: Uint8Array;
  /** The module each bit of the interleaved codewords goes to, in the order they are placed. */
  bitModules: Uint32Array;
}

let layout: SymbolLayout | undefined;

/**
 * qrcode's encoder alone, loaded when first needed: the package's entry also loads its PNG, SVG and terminal
 * renderers and pngjs, about 40 ms of each print thread's start against 23 ms (measured).
 */
function qrcodeCore(): { create: typeof createSymbol } {
  return createRequire(import.meta.url)('qrcode/lib/core/qrcode.js') as { create: typeof createSymbol };
}

/** The fixed parts, from a symbol qrcode made, and the data modules' order (ISO/IEC 18004 §7.7.3), made once. */
function symbolLayout(): SymbolLayout {
  if (layout) return layout;
  const probe = qrcodeCore().create([{ data: '0', mode: 'alphanumeric' }], {
    version: QR_VERSION, errorCorrectionLevel: QR_EC_LEVEL, maskPattern: QR_MASK,
  } as QRCodeOptions).modules as unknown as { size: number; data: Uint8Array; reservedBit: Uint8Array };
  const n = probe.size;
  const empty = new Uint8Array(n * n);
  const order: number[] = [];
  for (let i = 0; i < n * n; i++) empty[i] = probe.reservedBit[i] ? probe.data[i]! : maskAt(Math.floor(i / n), i % n);
  // Two columns at a time from the right, upwards then downwards, skipping the vertical timing pattern.
  let upwards = true;
  for (let right = n - 1; right > 0; right -= 2) {
    if (right === 6) right--;
    for (let step = 0; step < n; step++) {
      const row = upwards ? n - 1 - step : step;
      for (const col of [right, right - 1]) if (!probe.reservedBit[row * n + col]) order.push(row * n + col);
    }
    upwards = !upwards;
  }
  return (layout = { empty, bitModules: Uint32Array.from(order.slice(0, TOTAL_CODEWORDS * 8)) });
}

/** Mask pattern 0: dark where row + column is even (ISO/IEC 18004 Table 10). */
function maskAt(row: number, col: number): number {
  return (row + col) % 2 === 0 ? 1 : 0;
}

/**
 * The modules of the symbol for `text`, row-major, 1 for dark: in `into`
 * when given (QR_MODULES² bytes), which a caller making many codes can use
 * again instead of a new array each (an array buffer is slow to make).
 * @throws RangeError for an empty text, one longer than QR_CAPACITY, or one with a character alphanumeric mode lacks
 */
export function encodeQrModules(text: string, into = new Uint8Array(QR_MODULES * QR_MODULES)): Uint8Array {
  if (text.length === 0 || text.length > QR_CAPACITY) throw new RangeError(`code text of ${text.length} characters, expected 1 to ${QR_CAPACITY}`);
  if (into.length !== QR_MODULES * QR_MODULES) throw new RangeError(`modules array of ${into.length} bytes, expected ${QR_MODULES * QR_MODULES}`);
  const { empty, bitModules } = symbolLayout();
  const data = dataCodewords(text);
  const codewords = interleaveWithParity(data);
  const modules = into;
  modules.set(empty);
  // Without a branch on each bit: the bits are random, and a mispredicted branch a bit was a third of the time.
  for (let byte = 0, bit = 0; byte < TOTAL_CODEWORDS; byte++) {
    const codeword = codewords[byte]!;
    for (let shift = 7; shift >= 0; shift--, bit++) modules[bitModules[bit]!]! ^= (codeword >> shift) & 1;
  }
  return modules;
}

/** ISO/IEC 18004 §7.4: mode, count, the characters in pairs, terminator, then pad codewords 0xEC and 0x11 in turn. */
function dataCodewords(text: string): Uint8Array {
  const out = new Uint8Array(DATA_CODEWORDS);
  let bits = 0;
  // Bits not yet written, at the low end of `pending`: whole bytes go out as soon as there are any.
  let pending = 0;
  let pendingBits = 0;
  const put = (value: number, length: number): void => {
    pending = (pending << length) | value;
    pendingBits += length;
    bits += length;
    while (pendingBits >= 8) {
      pendingBits -= 8;
      out[(bits - pendingBits) / 8 - 1] = (pending >> pendingBits) & 0xff;
    }
    pending &= (1 << pendingBits) - 1;
  };
  const values = ALPHANUMERIC_VALUE;
  const valueAt = (i: number): number => {
    const code = text.charCodeAt(i);
    const value = code < 128 ? values[code]! : -1;
    if (value < 0) throw new RangeError(`code text character ${JSON.stringify(text[i])} at ${i}, expected one of "${QR_ALPHANUMERIC}"`);
    return value;
  };
  put(ALPHANUMERIC_MODE, 4);
  put(text.length, COUNT_BITS);
  let i = 0;
  for (; i + 1 < text.length; i += 2) put(valueAt(i) * 45 + valueAt(i + 1), 11);
  if (i < text.length) put(valueAt(i), 6);
  const end = Math.min(bits + 4, DATA_BITS); // terminator: up to four zero bits
  if (pendingBits > 0) put(0, 8 - pendingBits); // the last partial byte, padded with zeros
  bits = end;
  for (let pad = Math.ceil(bits / 8), k = 0; pad < DATA_CODEWORDS; pad++, k++) out[pad] = k % 2 === 0 ? 0xec : 0x11;
  return out;
}

/** ISO/IEC 18004 §7.5–7.6: each block's parity, then data codewords and parity interleaved block by block. */
function interleaveWithParity(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(TOTAL_CODEWORDS);
  let start = 0;
  for (let b = 0; b < BLOCKS; b++) {
    const length = SHORT_BLOCK_DATA + (b < SHORT_BLOCKS ? 0 : 1);
    // Data codeword i of block b: the first 47 of every block, then the 48th of the long blocks.
    for (let i = 0; i < length; i++) {
      out[i < SHORT_BLOCK_DATA ? i * BLOCKS + b : SHORT_BLOCK_DATA * BLOCKS + b - SHORT_BLOCKS] = data[start + i]!;
    }
    // The remainder of the block times x^28 divided by the generator, one codeword at a time:
    // the 28 parity bytes as seven big-endian words, shifted a byte and added the generator times the leading byte.
    let p0 = 0, p1 = 0, p2 = 0, p3 = 0, p4 = 0, p5 = 0, p6 = 0;
    for (let i = 0; i < length; i++) {
      const row = ((data[start + i]! ^ (p0 >>> 24)) & 0xff) * PARITY_WORDS; // row 0 is all zeros
      p0 = ((p0 << 8) | (p1 >>> 24)) ^ GENERATOR_TIMES[row]!;
      p1 = ((p1 << 8) | (p2 >>> 24)) ^ GENERATOR_TIMES[row + 1]!;
      p2 = ((p2 << 8) | (p3 >>> 24)) ^ GENERATOR_TIMES[row + 2]!;
      p3 = ((p3 << 8) | (p4 >>> 24)) ^ GENERATOR_TIMES[row + 3]!;
      p4 = ((p4 << 8) | (p5 >>> 24)) ^ GENERATOR_TIMES[row + 4]!;
      p5 = ((p5 << 8) | (p6 >>> 24)) ^ GENERATOR_TIMES[row + 5]!;
      p6 = (p6 << 8) ^ GENERATOR_TIMES[row + 6]!;
    }
    const words = [p0, p1, p2, p3, p4, p5, p6];
    for (let j = 0; j < PARITY_PER_BLOCK; j++) out[DATA_CODEWORDS + j * BLOCKS + b] = (words[j >> 2]! >>> (24 - 8 * (j & 3))) & 0xff;
    start += length;
  }
  return out;
}
