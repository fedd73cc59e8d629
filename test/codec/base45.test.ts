import { describe, it, expect } from 'vitest';
import { decodeBase45, encodeBase45, base45Length } from '../../src/codec/base45.js';
import { seeded } from './_seeded.js';

const te = new TextEncoder();

describe('base45 (RFC 9285)', () => {
  it('matches the RFC 9285 examples', () => {
    expect(encodeBase45(te.encode('AB'))).toBe('BB8');
    expect(encodeBase45(te.encode('Hello!!'))).toBe('%69 VD92EX0');
    expect(encodeBase45(te.encode('base-45'))).toBe('UJCLQE7W581');
    expect(new TextDecoder().decode(decodeBase45('QED8WEX0'))).toBe('ietf!');
    expect(encodeBase45(new Uint8Array(0))).toBe('');
  });

  it('round-trips random bytes, including subarrays at a non-zero offset', () => {
    const r = seeded(45);
    for (let n = 0; n < 200; n++) {
      const big = r.bytes(n + 7);
      const b = big.subarray(3, 3 + n);
      const t = encodeBase45(b);
      expect(t.length).toBe(base45Length(n));
      expect(decodeBase45(t)).toEqual(Uint8Array.from(b));
    }
  });

  it('names a bad character and its position', () => {
    expect(() => decodeBase45('BB8b')).toThrow(/length=4/);
    expect(() => decodeBase45('BBb')).toThrow(/"b" at position 2/);
    expect(() => decodeBase45('GGW')).toThrow(/position 0 has value 65536/);
    expect(() => decodeBase45('GG')).toThrow(/value 736/);
  });
});
