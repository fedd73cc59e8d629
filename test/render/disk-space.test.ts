import { statfsSync, statSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { NotEnoughDiskError } from '../../src/errors.js';
import { assertRoomFor, estimateBinderBytes } from '../../src/render/disk-space.js';
import { renderBinder } from '../../src/render/render-binder.js';
import { loadTemplate } from '../../src/render/template.js';
import { openStore } from '../../src/store/open-store.js';

const dir = mkdtempSync(join(tmpdir(), 'paperchart-disk-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('disk space', () => {
  it('estimates no less than the binder takes', async () => {
    const store = new URL('../../samples/demo-clinic.sqlite', import.meta.url).pathname;
    const db = openStore(store);
    const out = join(dir, 'demo.pdf');
    try {
      const s = await renderBinder({ db, storePath: store, outPath: out, template: loadTemplate('default'), printedAt: '2026-11-25T16:00:00Z' });
      expect(estimateBinderBytes(s.pages, s.codes)).toBeGreaterThanOrEqual(statSync(out).size);
      expect(estimateBinderBytes(s.pages, s.codes)).toBeLessThan(statSync(out).size * 4);
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
});
