// Systematic Cauchy Reed–Solomon erasure code over GF(2^8). FORMAT §7.
// Data shards pass through unchanged; parity shard i is the sum over data
// shards j of C[i][j]·D[j] with C[i][j] = 1 / (x_i + y_j), x_i = k + i, y_j = j.
// Every square submatrix of a Cauchy matrix is invertible, so any k of the
// k + m shards determine the data (MDS).

import { GF_EXP, GF_LOG, gfInv, gfMul } from './gf256.js';

/** Most shards one code may have: the Cauchy points x_i, y_j must be distinct bytes. */
export const MAX_SHARDS = 256;

/** Cauchy coefficient for parity row i and data column j (FORMAT §7.2). */
export function cauchy(k: number, i: number, j: number): number {
  return gfInv((k + i) ^ j);
}

function checkShape(k: number, m: number): void {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`data shard count=${k}, expected ≥ 1`);
  if (!Number.isInteger(m) || m < 0) throw new RangeError(`parity shard count=${m}, expected ≥ 0`);
  if (k + m > MAX_SHARDS) throw new RangeError(`shard count=${k + m}, expected at most ${MAX_SHARDS}`);
}

/** out ^= c · src */
function mulAdd(out: Uint8Array, src: Uint8Array, c: number): void {
  if (c === 0) return;
  const exp = GF_EXP, log = GF_LOG;
  const lc = log[c]!;
  for (let t = 0; t < src.length; t++) {
    const s = src[t]!;
    if (s !== 0) out[t] = out[t]! ^ exp[lc + log[s]!]!;
  }
}

/**
 * Computes m parity shards for k data shards of equal length.
 * @throws RangeError for unequal shard lengths or k + m > 256
 */
export function encodeParity(data: readonly Uint8Array[], m: number): Uint8Array[] {
  const k = data.length;
  checkShape(k, m);
  const len = data[0]!.length;
  for (const d of data) if (d.length !== len) throw new RangeError(`shard length=${d.length}, expected ${len}`);
  const parity: Uint8Array[] = [];
  for (let i = 0; i < m; i++) {
    const p = new Uint8Array(len);
    for (let j = 0; j < k; j++) mulAdd(p, data[j]!, cauchy(k, i, j));
    parity.push(p);
  }
  return parity;
}

/**
 * Recovers the k data shards from any k of the k + m shards.
 * `shards[i]` is shard i (data 0..k-1, then parity k..k+m-1) or undefined if lost.
 * @throws RangeError if fewer than k shards are present or lengths differ
 */
export function recoverData(shards: readonly (Uint8Array | undefined)[], k: number, m: number): Uint8Array[] {
  checkShape(k, m);
  if (shards.length !== k + m) throw new RangeError(`shard slots=${shards.length}, expected ${k + m}`);
  const present: number[] = [];
  for (let i = 0; i < k + m && present.length < k; i++) if (shards[i] !== undefined) present.push(i);
  if (present.length < k) throw new RangeError(`only ${present.length} shards present, expected at least ${k}`);
  const len = shards[present[0]!]!.length;
  for (const i of present) if (shards[i]!.length !== len) throw new RangeError(`shard ${i} length=${shards[i]!.length}, expected ${len}`);
  if (present.every((i, n) => i === n)) return present.map((i) => shards[i]!);

  // Rows of the generator matrix for the shards we hold; invert by Gauss–Jordan.
  const a = present.map((i) => {
    const row = new Uint8Array(k);
    if (i < k) row[i] = 1; else for (let j = 0; j < k; j++) row[j] = cauchy(k, i - k, j);
    return row;
  });
  const inv = Array.from({ length: k }, (_, r) => { const row = new Uint8Array(k); row[r] = 1; return row; });
  for (let col = 0; col < k; col++) {
    let piv = col;
    while (piv < k && a[piv]![col] === 0) piv++;
    if (piv === k) throw new Error('erasure matrix is singular (a bug: Cauchy submatrices are invertible)');
    [a[col], a[piv]] = [a[piv]!, a[col]!];
    [inv[col], inv[piv]] = [inv[piv]!, inv[col]!];
    const f = gfInv(a[col]![col]!);
    for (let t = 0; t < k; t++) { a[col]![t] = gfMul(a[col]![t]!, f); inv[col]![t] = gfMul(inv[col]![t]!, f); }
    for (let r = 0; r < k; r++) {
      if (r === col) continue;
      const c = a[r]![col]!;
      if (c !== 0) { mulAdd(a[r]!, a[col]!, c); mulAdd(inv[r]!, inv[col]!, c); }
    }
  }
  return inv.map((row) => {
    const out = new Uint8Array(len);
    for (let t = 0; t < k; t++) mulAdd(out, shards[present[t]!]!, row[t]!);
    return out;
  });
}

/** Data shards per Reed–Solomon group at most (FORMAT §7.3). */
export const MAX_GROUP_DATA = 128;

/**
 * Parity policy (FORMAT §7.3): a patient's codes survive the loss of any one
 * code, and of any two once the patient has eight or more codes. Large
 * records are split into interleaved groups of at most 128 data shards, each
 * with two parity shards.
 */
export function parityPlan(k: number): { groups: number; parityPerGroup: number; parity: number } {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`data frame count=${k}, expected ≥ 1`);
  const groups = Math.ceil(k / MAX_GROUP_DATA);
  const parityPerGroup = k + 1 >= 8 ? 2 : 1;
  return { groups, parityPerGroup, parity: groups * parityPerGroup };
}
