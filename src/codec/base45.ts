// Base45 (RFC 9285), as the EU digital COVID certificates carry bytes in QR
// alphanumeric mode. FORMAT §3.
import { ALPHANUMERIC_VALUE, QR_ALPHANUMERIC } from './alphanumeric.js';

/** RFC 9285 §4: the 45 characters of QR alphanumeric mode, in the order of their values. */
export const BASE45_ALPHABET = QR_ALPHANUMERIC;

/** Characters needed for `n` bytes: 3 per pair, 2 for a final odd byte. */
export function base45Length(n: number): number {
  return Math.floor(n / 2) * 3 + (n % 2) * 2;
}

/** The alphabet's character codes, for writing encoded text as bytes. */
const CODES = Uint8Array.from(BASE45_ALPHABET, (ch) => ch.charCodeAt(0));

/**
 * Encodes bytes as base45 text (RFC 9285 §4). Written as bytes and read out
 * once: a string grown by += held 25 KB a 1.4 KB text until read (docs/PERFORMANCE.md).
 */
export function encodeBase45(bytes: Uint8Array): string {
  const n = bytes.length;
  const out = Buffer.allocUnsafe(base45Length(n));
  let o = 0;
  for (let i = 0; i + 1 < n; i += 2) {
    let x = bytes[i]! * 256 + bytes[i + 1]!;
    const c = x % 45; x = (x - c) / 45;
    const d = x % 45; const e = (x - d) / 45;
    out[o++] = CODES[c]!;
    out[o++] = CODES[d]!;
    out[o++] = CODES[e]!;
  }
  if (n % 2 === 1) {
    const x = bytes[n - 1]!;
    out[o++] = CODES[x % 45]!;
    out[o++] = CODES[Math.floor(x / 45)]!;
  }
  return out.toString('latin1');
}

/**
 * Decodes base45 text (RFC 9285 §4).
 * @throws TypeError naming the first character outside the alphabet and its position
 * @throws RangeError for a length of 1 mod 3 or a triplet/pair whose value overflows
 */
export function decodeBase45(text: string): Uint8Array {
  if (text.length % 3 === 1) throw new RangeError(`base45 length=${text.length}, expected a length that is not 1 mod 3`);
  const v = new Uint8Array(text.length);
  const values = ALPHANUMERIC_VALUE;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const val = code < 128 ? values[code]! : -1;
    if (val < 0) throw new TypeError(`base45 character ${JSON.stringify(text[i])} at position ${i} is not in the alphabet`);
    v[i] = val;
  }
  const out = new Uint8Array(Math.floor(text.length / 3) * 2 + (text.length % 3 === 2 ? 1 : 0));
  let o = 0;
  let i = 0;
  for (; i + 2 < text.length; i += 3) {
    const x = v[i]! + v[i + 1]! * 45 + v[i + 2]! * 2025;
    if (x > 0xffff) throw new RangeError(`base45 triplet at position ${i} has value ${x}, expected at most 65535`);
    out[o++] = x >> 8; out[o++] = x & 0xff;
  }
  if (i < text.length) {
    const x = v[i]! + v[i + 1]! * 45;
    if (x > 0xff) throw new RangeError(`base45 pair at position ${i} has value ${x}, expected at most 255`);
    out[o++] = x;
  }
  return out;
}
