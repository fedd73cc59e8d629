// FORMAT §5.4's id order: by code point, as the ids' UTF-8 bytes sort, in export, the manifest and the decoder.
import { describe, it, expect } from 'vitest';
import { compareCodePoints } from '../../src/record/id-order.js';
import { seeded } from '../codec/_seeded.js';

/** Characters from every range where the two orders could part: ASCII, below the surrogates, U+E000–U+FFFF, above U+FFFF. */
const POOL = ['A', 'z', '0', '-', 'é', '\u05D0', '\uD7FF', '\uE000', '\uFB01', '\uFF21', '\uFFFD', '\u{10000}', '\u{1F600}', '\u{20000}', '\u{10FFFF}'];

describe('id order (compareCodePoints)', () => {
  it('sorts as the ids\' UTF-8 bytes do, where JavaScript\'s < does not', () => {
    // U+FF21 (fullwidth A) is below U+20000 (a CJK Extension B character) by code point; as UTF-16, 0xFF21 > 0xD840.
    const ids = ['H\u{20000}', 'H\uFF21', 'H0001'];
    expect([...ids].sort(compareCodePoints)).toEqual(['H0001', 'H\uFF21', 'H\u{20000}']);
    expect([...ids].sort()).toEqual(['H0001', 'H\u{20000}', 'H\uFF21']);
  });

  it('agrees with a byte comparison of UTF-8 on 5,000 seeded pairs of ids', () => {
    const rnd = seeded(27);
    const id = (): string => Array.from({ length: 1 + rnd.int(4) }, () => POOL[rnd.int(POOL.length)]!).join('');
    for (let i = 0; i < 5000; i++) {
      const a = id(), b = rnd.int(4) === 0 ? [...a][0]! + id() : id(); // a shared first character now and then
      expect(Math.sign(compareCodePoints(a, b)), `${JSON.stringify(a)} vs ${JSON.stringify(b)}`).toBe(Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))));
    }
    expect(compareCodePoints('H1', 'H1')).toBe(0);
    expect(compareCodePoints('H1', 'H10')).toBeLessThan(0);
  });
});
