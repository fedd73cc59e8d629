/**
 * GF(2⁸) with the polynomial x⁸ + x⁴ + x³ + x² + 1 (0x11d) and generator 2:
 * the field of the QR symbol's Reed–Solomon parity (ISO/IEC 18004 §7.5.2,
 * qr/encoder.ts) and of the binder's erasure code (FORMAT §7, erasure.ts),
 * one table for both.
 */

/** Powers of 2, twice over (GF_EXP[i + 255] = GF_EXP[i]), so a sum of two logs needs no modulo. */
export const GF_EXP = new Uint8Array(512);
/** Logs to base 2 of 1..255 (GF_LOG[0] is unused: 0 has none). */
export const GF_LOG = new Uint8Array(256);
{
  let x = 1;
  for (let i = 0; i < 255; i++) {
    GF_EXP[i] = x; GF_LOG[x] = i;
    x <<= 1;
    if (x & 0x100) x ^= 0x11d;
  }
  for (let i = 255; i < 512; i++) GF_EXP[i] = GF_EXP[i - 255]!;
}

export function gfMul(a: number, b: number): number {
  if (a === 0 || b === 0) return 0;
  return GF_EXP[GF_LOG[a]! + GF_LOG[b]!]!;
}

/** @throws RangeError for 0, which has no inverse */
export function gfInv(a: number): number {
  if (a === 0) throw new RangeError('GF(256) inverse of 0');
  return GF_EXP[255 - GF_LOG[a]!]!;
}
