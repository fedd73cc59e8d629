// Parity groups count their X codes without framing them (issue 26): the count and the content must be the ones
// encodeDocument and crossParityContent give, or the binder's groups (and pages) would change.
import { describe, it, expect } from 'vitest';
import { randomBytes } from 'node:crypto';
import { canonicalJson } from '../../src/record/canonical-json.js';
import { encodeDocument } from '../../src/codec/record-codec.js';
import { GrowingCrossParity, crossParityContent } from '../../src/codec/cross-parity.js';
import { xCodes } from '../../src/print/parity-groups.js';
import { handmadePatient, withLongHistory } from '../fixtures/handmade-clinic.js';

const opts = { runId: 'R20261125', printedAt: '2026-11-25T16:00:00Z' };
const records = [handmadePatient(0), withLongHistory(handmadePatient(1), 6), handmadePatient(2), withLongHistory(handmadePatient(3), 2)];
const members = records.map((r) => {
  const d = encodeDocument('R', r.patient.id, canonicalJson(r), opts);
  return { patientId: r.patient.id, digest: d.digest, container: d.container };
});

describe('a growing cross parity group', () => {
  it('gives crossParityContent\'s bytes after each member, a member asked about and then not added left out', () => {
    const g = new GrowingCrossParity(opts.runId);
    for (let i = 0; i < members.length; i++) {
      expect(g.contentWith(members[i]!)).toEqual(crossParityContent(opts.runId, members.slice(0, i + 1)));
      // Asked about another one (a volume closed the group before it), then this one added.
      if (i > 0) g.contentWith(members[(i + 1) % members.length]!);
      g.add(members[i]!);
      expect(g.contentNow()).toEqual(crossParityContent(opts.runId, members.slice(0, i + 1)));
      expect(g.size).toBe(i + 1);
    }
    expect(() => new GrowingCrossParity(opts.runId).contentNow()).toThrow(RangeError);
  });

  it('counts the X codes exactly as encodeDocument makes them, and never more than its bound', () => {
    const contents = [
      crossParityContent(opts.runId, members), crossParityContent(opts.runId, members.slice(0, 1)),
      randomBytes(700), randomBytes(5_000), randomBytes(40_000), new Uint8Array(20_000),
    ];
    for (const content of contents) {
      const texts = encodeDocument('X', null, content, opts).texts.length;
      expect(xCodes(opts.runId, opts.printedAt, content, true)).toBe(texts);
      expect(xCodes(opts.runId, opts.printedAt, content, false)).toBeGreaterThanOrEqual(texts);
    }
  });
});
