// The binder's patient columns are held packed outside the heap (packed-strings.ts, issue 6).
import { describe, expect, it } from 'vitest';
import { PackedStrings } from '../../src/print/packed-strings.js';

describe('packed strings', () => {
  it('give back every string exactly: empty, other scripts, astral characters and a lone surrogate', () => {
    const strings = ['McDonald', '', 'Wróbel', 'محمد', 'שׁרה', '王小明', 'Zoë 👩🏽‍⚕️', '\ud800x', 'x\udfff', 'P000001'];
    const packed = PackedStrings.of(strings);
    expect(packed.length).toBe(strings.length);
    expect(strings.map((_, i) => packed.at(i))).toEqual(strings);
  });

  it('refuse an index outside the list instead of giving another string', () => {
    const packed = PackedStrings.of(['a', 'b']);
    expect(() => packed.at(2)).toThrow(RangeError);
    expect(() => packed.at(-1)).toThrow(RangeError);
    expect(PackedStrings.of([]).length).toBe(0);
  });
});
