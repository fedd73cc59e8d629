/**
 * A small seeded pseudo-random generator (sfc32, seeded through splitmix32)
 * for deterministic sample data. The same seed gives the same sequence on
 * every platform: only 32-bit integer arithmetic and exactly rounded
 * operations are used (the "gaussian" is an Irwin–Hall sum, no log/cos).
 * Not for anything security-related.
 */

/** Mixes any number of integers (or strings) into one 32-bit seed. */
export function hashSeed(...parts: ReadonlyArray<number | string>): number {
  let h = 0x811c9dc5;
  const mix = (x: number): void => {
    h = Math.imul(h ^ (x >>> 0), 0x01000193) >>> 0;
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d) >>> 0;
    h ^= h >>> 12;
  };
  for (const p of parts) {
    if (typeof p === 'string') {
      for (let i = 0; i < p.length; i++) mix(p.charCodeAt(i));
      mix(p.length);
    } else {
      // Whole numbers up to 2^53: mix the low and the high 32 bits.
      const n = Math.trunc(p);
      mix(n >>> 0);
      mix(Math.floor(n / 4294967296) >>> 0);
    }
  }
  return h >>> 0;
}

/** Cumulative weights for repeated weighted picks from the same list. */
export class WeightedTable<T> {
  private readonly cumulative: number[];
  private readonly total: number;

  constructor(readonly items: readonly T[], weights: readonly number[]) {
    if (items.length === 0 || items.length !== weights.length) throw new Error('WeightedTable: items and weights must be non-empty and of equal length');
    let sum = 0;
    this.cumulative = weights.map((w) => (sum += Math.max(0, w)));
    if (sum <= 0) throw new Error('WeightedTable: weights must not all be zero');
    this.total = sum;
  }

  /** Builds a table from [item, weight] pairs. */
  static of<T>(pairs: ReadonlyArray<readonly [T, number]>): WeightedTable<T> {
    return new WeightedTable(pairs.map((p) => p[0]), pairs.map((p) => p[1]));
  }

  pick(rng: Random): T {
    const x = rng.next() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cumulative[mid]! > x) hi = mid; else lo = mid + 1;
    }
    return this.items[lo]!;
  }
}

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const splitmix = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = splitmix();
    this.b = splitmix();
    this.c = splitmix();
    this.d = splitmix();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [lo, hi], both ends included. */
  int(lo: number, hi: number): number {
    if (hi < lo) return lo;
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** Uniform real in [lo, hi). */
  real(lo: number, hi: number): number {
    return lo + this.next() * (hi - lo);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return p > 0 && this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** One of the items, each with the weight at the same index. */
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    let total = 0;
    for (const w of weights) total += Math.max(0, w);
    if (total <= 0) return this.pick(items);
    let x = this.next() * total;
    for (let i = 0; i < items.length; i++) {
      x -= Math.max(0, weights[i]!);
      if (x < 0) return items[i]!;
    }
    return items[items.length - 1]!;
  }

  /** One of [item, weight] pairs. */
  weightedPair<T>(pairs: ReadonlyArray<readonly [T, number]>): T {
    return this.weighted(pairs.map((p) => p[0]), pairs.map((p) => p[1]));
  }

  /** Roughly normal (Irwin–Hall sum of four uniforms): mean, sd; tails cut at ±3.46 sd. */
  gaussian(mean = 0, sd = 1): number {
    const s = this.next() + this.next() + this.next() + this.next() - 2;
    return mean + sd * s * 1.7320508075688772;
  }

  /** A gaussian clamped into [lo, hi]. */
  gaussianIn(mean: number, sd: number, lo: number, hi: number): number {
    const v = this.gaussian(mean, sd);
    return v < lo ? lo : v > hi ? hi : v;
  }

  /** k distinct items (or all of them when k ≥ length), in random order. */
  sample<T>(items: readonly T[], k: number): T[] {
    const copy = items.slice();
    const n = Math.min(k, copy.length);
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(this.next() * (copy.length - i));
      const t = copy[i]!;
      copy[i] = copy[j]!;
      copy[j] = t;
    }
    return copy.slice(0, n);
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = items[i]!;
      items[i] = items[j]!;
      items[j] = t;
    }
    return items;
  }

  /** A count with a Poisson-like spread around mean (sum of Bernoulli trials). */
  count(mean: number, max = Math.ceil(mean * 3 + 3)): number {
    if (mean <= 0) return 0;
    const n = Math.max(max, 1);
    const p = Math.min(1, mean / n);
    let k = 0;
    for (let i = 0; i < n; i++) if (this.next() < p) k++;
    return k;
  }
}
