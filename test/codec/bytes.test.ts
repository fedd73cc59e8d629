import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/codec/bytes.js';

describe('hex', () => {
  it('reads only the bytes of a view, at its offset', () => {
    const all = Uint8Array.from([0xff, 0x00, 0x0a, 0xbc, 0xff]);
    expect(toHex(all.subarray(1, 4))).toBe('000abc');
    expect(toHex(fromHex('00ff10'))).toBe('00ff10');
    expect(toHex(new Uint8Array(0))).toBe('');
  });
});
