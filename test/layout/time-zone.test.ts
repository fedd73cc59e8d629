import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rezoneWallTime, zonedMinute } from '../../src/layout/format.js';
import { writeHandmadeClinic } from '../fixtures/handmade-clinic.js';
import { openStore } from '../../src/store/open-store.js';
import { drawBinder } from '../../src/print/print-binder.js';
import { loadTemplate } from '../../src/layout/template.js';
import { extractPageTexts } from '../_pdf-text.js';

describe('times in the clinic\'s zone', () => {
  it('names the zone of an instant, as its wall clock shows it', () => {
    expect(zonedMinute('2026-12-06T15:00:00Z', 'America/Los_Angeles', 'en')).toBe('2026-12-06 07:00 PST');
    expect(zonedMinute('2026-07-06T15:00:00Z', 'America/Los_Angeles', 'en')).toBe('2026-07-06 08:00 PDT');
    expect(zonedMinute('2026-12-06T15:00:00Z', 'UTC', 'en')).toBe('2026-12-06 15:00 UTC');
  });

  it('moves a wall time from one zone to another, across a date and a DST change', () => {
    expect(rezoneWallTime('2026-12-06T10:00', 'America/Los_Angeles', 'America/New_York')).toBe('2026-12-06T13:00');
    expect(rezoneWallTime('2026-12-06T22:30', 'America/Los_Angeles', 'Europe/Madrid')).toBe('2026-12-07T07:30');
    expect(rezoneWallTime('2026-03-09T09:00', 'America/Los_Angeles', 'UTC')).toBe('2026-03-09T16:00');
    expect(rezoneWallTime('2026-03-07T09:00', 'America/Los_Angeles', 'UTC')).toBe('2026-03-07T17:00');
    expect(rezoneWallTime('2026-12-06T10:00', 'UTC', 'UTC')).toBe('2026-12-06T10:00');
  });

  it('prints the binder in a zone given, and warns of a print time earlier than the data', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'time-zone-'));
    const store = join(dir, 'clinic.sqlite');
    writeHandmadeClinic(store, 3, false);
    const db = openStore(store);
    try {
      // The handmade clinic's data is of 2026-11-20 10:00 UTC; its store says America/Chicago.
      const early = await drawBinder({ db, storePath: store, outPath: join(dir, 'early.pdf'), template: loadTemplate('default'), printedAt: '2026-11-19T15:00:00Z', timeZone: 'Europe/Madrid' });
      expect(early.warnings).toHaveLength(1);
      expect(early.warnings[0]).toContain('2026-11-19 16:00 GMT+1');
      const cover = (await extractPageTexts(join(dir, 'early.pdf')))[0]!;
      expect(cover).toContain('Printed 2026-11-19 16:00 GMT+1');
      expect(cover).toContain('Data as of 2026-11-20 11:00 GMT+1');
      expect(cover).toContain('Times in Europe/Madrid');
      const later = await drawBinder({ db, storePath: store, outPath: join(dir, 'later.pdf'), template: loadTemplate('default'), printedAt: '2026-11-25T15:00:00Z' });
      expect(later.warnings).toEqual([]);
    } finally {
      db.close();
    }
  }, 120_000);
});
