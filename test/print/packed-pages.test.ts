// Pages cross from a worker to the drawing thread packed in flat arrays (packed-pages.ts, issue 6).
import { describe, expect, it } from 'vitest';
import { packPages, unpackPages } from '../../src/print/threads/packed-pages.js';
import { preparePatient } from '../../src/print/patient-pages.js';
import { bodyBox, pageFrame } from '../../src/pdf/draw-page.js';
import { TextShaper } from '../../src/text/shape-text.js';
import { loadTemplate } from '../../src/layout/template.js';
import { openStore } from '../../src/store/open-store.js';
import { readLatestChange, readPatientSummaries, RecordReader } from '../../src/store/read-records.js';

/** Typed arrays (Buffers included) as plain arrays, so pages compare by value. */
const plain = (value: unknown): unknown => {
  if (ArrayBuffer.isView(value)) return Array.from(value as Uint8Array);
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
};

describe('packed pages', () => {
  it('unpack to exactly the pages packed: every patient of the sample clinic, text in every script, codes and frames', () => {
    const db = openStore(new URL('../../samples/demo-clinic.sqlite', import.meta.url).pathname);
    const reader = new RecordReader(db);
    const shaper = new TextShaper();
    const ctx = {
      shaper, template: loadTemplate('full-history'), box: bodyBox(pageFrame(612, 792)), today: '2026-11-25',
      dataAsOf: readLatestChange(db), codeOptions: { runId: '20261125160000', printedAt: '2026-11-25T16:00:00Z' },
    };
    let ops = 0;
    for (const { id } of readPatientSummaries(db)) {
      const { pages } = preparePatient(reader.read(id), ctx);
      const unpacked = unpackPages(packPages(pages), shaper.fonts);
      // Plain text is packed from its words' shapes: unpacked, its glyphs are those the shapes join to.
      for (const page of pages) for (const op of page.ops) if (op.kind === 'text') shaper.withGlyphs(op.line);
      expect(plain(unpacked), id).toEqual(plain(pages));
      ops += pages.reduce((sum, p) => sum + p.ops.length, 0);
    }
    db.close();
    expect(ops).toBeGreaterThan(10_000);
  }, 60_000);

  it('refuses pages whose text was neither shaped into glyphs nor measured from its words', () => {
    const shaper = new TextShaper();
    const line = shaper.shape('حساسية', 9, 'regular');
    expect(() => packPages([{ ops: [{ kind: 'text', line, x: 0, baseline: 0, color: 'black' }] }])).toThrow(/neither glyphs nor word shapes/);
    expect(() => packPages([{ ops: [{ kind: 'text', line: shaper.readyToDraw(line), x: 0, baseline: 0, color: 'black' }] }])).not.toThrow();
  });
});
