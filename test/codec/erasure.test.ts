import { describe, it, expect } from 'vitest';
import { encodeParity, recoverData, parityPlan } from '../../src/codec/erasure.js';
import { gfMul, gfInv } from '../../src/codec/gf256.js';
import { seeded } from './_seeded.js';

function* subsets(n: number, size: number, start = 0): Generator<number[]> {
  if (size === 0) { yield []; return; }
  for (let i = start; i < n; i++) for (const rest of subsets(n, size - 1, i + 1)) yield [i, ...rest];
}

describe('GF(256)', () => {
  it('every non-zero element has an inverse', () => {
    for (let a = 1; a < 256; a++) expect(gfMul(a, gfInv(a))).toBe(1);
  });
});

describe('Cauchy Reed–Solomon erasure code', () => {
  it('recovers from every erasure pattern of up to m shards for k ≤ 10, m ≤ 3', () => {
    const r = seeded(7);
    for (let k = 1; k <= 10; k++) {
      for (let m = 1; m <= 3; m++) {
        const data = Array.from({ length: k }, () => r.bytes(5));
        const all = [...data, ...encodeParity(data, m)];
        for (let lost = 0; lost <= m; lost++) {
          for (const gone of subsets(k + m, lost)) {
            const slots = all.map((s, i) => (gone.includes(i) ? undefined : s));
            expect(recoverData(slots, k, m)).toEqual(data);
          }
        }
      }
    }
  });

  it('works for the largest group: 128 data shards and 2 parity, losing two', () => {
    const r = seeded(8);
    const data = Array.from({ length: 128 }, () => r.bytes(3));
    const all = [...data, ...encodeParity(data, 2)];
    for (const gone of [[0, 127], [5, 128], [128, 129], [64, 77]]) {
      expect(recoverData(all.map((s, i) => (gone.includes(i) ? undefined : s)), 128, 2)).toEqual(data);
    }
  });

  it('refuses too few shards and unequal lengths', () => {
    const data = [Uint8Array.of(1, 2), Uint8Array.of(3, 4)];
    const p = encodeParity(data, 1);
    expect(() => recoverData([undefined, undefined, p[0]], 2, 1)).toThrow(RangeError);
    expect(() => encodeParity([Uint8Array.of(1), Uint8Array.of(1, 2)], 1)).toThrow(/length/);
  });

  it('plans one parity code below eight codes and two from eight on', () => {
    expect(parityPlan(1)).toEqual({ groups: 1, parityPerGroup: 1, parity: 1 });
    expect(parityPlan(6)).toEqual({ groups: 1, parityPerGroup: 1, parity: 1 }); // 7 codes
    expect(parityPlan(7)).toEqual({ groups: 1, parityPerGroup: 2, parity: 2 }); // 8 would need two
    expect(parityPlan(128).parity).toBe(2);
    expect(parityPlan(129)).toEqual({ groups: 2, parityPerGroup: 2, parity: 4 });
  });
});
