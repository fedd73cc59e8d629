import { statfsSync, statSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NotEnoughDiskError } from '../../src/errors.js';
import { assertRoomFor, DiskProjection, estimateBinderBytes, minimumBinderBytes } from '../../src/print/disk-space.js';
import { drawBinder } from '../../src/print/print-binder.js';
import { loadTemplate } from '../../src/layout/template.js';
import { openStore } from '../../src/store/open-store.js';

const dir = mkdtempSync(join(tmpdir(), 'paperchart-disk-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('disk space', () => {
  it('estimates no less than the binder takes', async () => {
    const store = new URL('../../samples/demo-clinic.sqlite', import.meta.url).pathname;
    const db = openStore(store);
    const out = join(dir, 'demo.pdf');
    try {
      const s = await drawBinder({ db, storePath: store, outPath: out, template: loadTemplate('default'), printedAt: '2026-11-25T16:00:00Z' });
      expect(estimateBinderBytes(s.pages, s.codes)).toBeGreaterThanOrEqual(statSync(out).size);
      expect(estimateBinderBytes(s.pages, s.codes)).toBeLessThan(statSync(out).size * 4);
      // Checked before drawing, so it must never refuse a binder that fits.
      expect(minimumBinderBytes(s.patients)).toBeLessThanOrEqual(statSync(out).size);
    } finally {
      db.close();
    }
  }, 60_000);

  it('refuses, before writing, a binder larger than the free space of its disk', () => {
    const fs = statfsSync(dir);
    const free = fs.bavail * fs.bsize;
    expect(() => assertRoomFor(join(dir, 'binder.pdf'), free + 1e12)).toThrow(NotEnoughDiskError);
    expect(() => assertRoomFor(join(dir, 'binder.pdf'), free + 1e12)).toThrow(/not enough disk space for .*binder\.pdf: the binder needs about \d+ MB, the disk has \d+ MB free/);
    expect(() => assertRoomFor(join(dir, 'binder.pdf'), 1)).not.toThrow();
  });

  it('stops a print while it is written once the rest, at the rate so far, would not fit', () => {
    const fs = statfsSync(dir);
    const free = fs.bavail * fs.bsize;
    const out = join(dir, 'binder.pdf');
    // 25 patients took 1 MB: a clinic of 25 patients per free MB, and then some, cannot fit.
    const tooMany = new DiskProjection(out, Math.ceil((free / 1e6) * 25 * 2) + 25);
    expect(() => tooMany.check(25, 1e6)).toThrow(/not enough disk space for .*binder\.pdf: the binder needs about \d+ MB, the disk has \d+ MB free/);
    expect(() => new DiskProjection(out, 100).check(25, 1e6)).not.toThrow();
    // The first patients carry the fonts and are not judged; the last has nothing left to project.
    expect(() => tooMany.check(24, 1e6)).not.toThrow();
  });
});
