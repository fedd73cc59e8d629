import { describe, it, expect } from 'vitest';
import { isCanonicalText } from '../../src/record/canonical-match.js';
import { canonicalJson } from '../../src/record/canonical-json.js';
import { handmadePatient, withLongHistory } from '../fixtures/handmade-clinic.js';

describe('a record is checked against its canonical text without writing it again', () => {
  it('agrees with canonicalJson on real records, and on what it refuses', () => {
    for (const r of [handmadePatient(1), withLongHistory(handmadePatient(2), 50)]) {
      const text = canonicalJson(r);
      expect(isCanonicalText(JSON.parse(text), text)).toBe(true);
      expect(isCanonicalText(JSON.parse(text), `${text} `)).toBe(false);
      expect(isCanonicalText(JSON.parse(text), JSON.stringify(JSON.parse(text), null, 1))).toBe(false);
    }
    expect(isCanonicalText({ b: 1, a: 'x' }, '{"a":"x","b":1}')).toBe(true);
    expect(isCanonicalText({ b: 1, a: 'x' }, '{"b":1,"a":"x"}')).toBe(false);
    // canonicalJson throws for these; a forged record is then refused, not a crash.
    expect(isCanonicalText({ a: true }, '{"a":true}')).toBe(false);
    expect(isCanonicalText({ a: 1.5 }, '{"a":1.5}')).toBe(false);
    expect(isCanonicalText({ a: 2 ** 60 }, `{"a":${2 ** 60}}`)).toBe(false);
  });
});
