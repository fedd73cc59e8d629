import { describe, it, expect, beforeAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../src/store/open-store.js';
import { RecordReader } from '../../src/store/read-records.js';
import { drawBinder } from '../../src/print/print-binder.js';
import { loadTemplate } from '../../src/layout/template.js';
import { canonicalJson } from '../../src/record/canonical-json.js';
import { decodeRecords } from '../../src/codec/record-codec.js';
import { decodeFrame } from '../../src/codec/frame.js';
import { rasterisePdf } from '../../src/scan/rasterise-pdf.js';
import { tearCode } from './_tear.js';
import { readCodes } from '../../src/scan/read-codes.js';
import { runCli } from '../_run-cli.js';
import { encodeRaster } from '../_encode-raster.js';

const DEMO = fileURLToPath(new URL('../../samples/demo-clinic.sqlite', import.meta.url));
// The built binary, for standard input (npm test builds dist/ first).
const BIN = fileURLToPath(new URL('../../bin/paperchart.js', import.meta.url));


describe('the whole sample clinic through print, a 200-dpi raster and zxing', () => {
  const expected = new Map<string, string>();
  const allTexts: string[] = [];
  const tornTexts: string[] = [];
  const torn = new Map<string, number>();
  const totals = new Map<string, number>();
  let dir = '';
  let scans = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sample-codes-'));
    scans = join(dir, 'scans');
    mkdirSync(scans);
    const db = openStore(DEMO);
    const reader = new RecordReader(db);
    for (const { id } of db.prepare('SELECT id FROM patients').all() as { id: string }[]) expected.set(id, canonicalJson(reader.read(id)));
    await drawBinder({ db, storePath: DEMO, outPath: join(dir, 'binder.pdf'), template: loadTemplate('default'), printedAt: '2026-11-25T16:00:00Z' });
    db.close();
    for await (const page of rasterisePdf(new Uint8Array(readFileSync(join(dir, 'binder.pdf'))), { dpi: 200 })) {
      writeFileSync(join(scans, `page-${String(page.page).padStart(3, '0')}.png`), encodeRaster(page, 'png'));
      const codes = await readCodes(page);
      if (!codes.length) continue;
      allTexts.push(...codes.map((c) => c.text));
      // Tear off one code of every patient, and a second of every patient with eight codes or more.
      for (const c of codes) {
        if (!c.text.startsWith('PC1:')) continue; // the decoder program's own codes (FORMAT §15)
        const frame = decodeFrame(c.text);
        if (frame.kind !== 'R') continue;
        totals.set(frame.patientId!, frame.total);
        const allowed = frame.total >= 8 ? 2 : 1;
        if ((torn.get(frame.patientId!) ?? 0) < allowed) {
          torn.set(frame.patientId!, (torn.get(frame.patientId!) ?? 0) + 1);
          tearCode(page, c.position);
        }
      }
      tornTexts.push(...(await readCodes(page)).map((c) => c.text));
    }
  }, 300_000);

  it('restores every patient of the sample clinic byte for byte', () => {
    const { records, failures, rejected } = decodeRecords(allTexts, { trustUnsigned: true });
    expect(failures).toEqual([]);
    expect(rejected).toEqual([]);
    expect(records.map((r) => r.patientId).sort()).toEqual([...expected.keys()].sort());
    for (const r of records) expect(canonicalJson(r.record)).toBe(expected.get(r.patientId));
  });

  it('restores the store from the 200-dpi page images with `paperchart restore`: its export equals the original', async () => {
    const restored = join(dir, 'from-images.sqlite');
    const r = await runCli('restore', '--db', restored, '--trust-unsigned', scans);
    expect(r.err).not.toMatch(/^paperchart:/m);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/restore: 60 restored, 0 already current, 0 kept newer, 0 incomplete, 0 refused, 0 missing/);
    expect((await runCli('export', '--db', restored)).out).toBe((await runCli('export', '--db', DEMO)).out);
  }, 300_000);

  it('restores the store from the code texts on standard input, shuffled: its export equals the original', async () => {
    const restored = join(dir, 'from-stdin.sqlite');
    const shuffled = [...allTexts].sort((a, b) => (a.slice(-12) < b.slice(-12) ? -1 : 1));
    execFileSync(process.execPath, [BIN, 'restore', '--db', restored, '--trust-unsigned', '-'], { input: shuffled.join('\n') + '\n', stdio: ['pipe', 'ignore', 'pipe'] });
    expect((await runCli('export', '--db', restored)).out).toBe((await runCli('export', '--db', DEMO)).out);
  }, 120_000);

  it('restores every patient with one code torn off, and two for patients with eight codes or more', () => {
    expect([...totals.values()].some((n) => n >= 8)).toBe(true);
    for (const [id, n] of torn) expect(n).toBe(totals.get(id)! >= 8 ? 2 : 1);
    expect(tornTexts.length).toBe(allTexts.length - [...torn.values()].reduce((a, b) => a + b, 0));
    const { records, failures } = decodeRecords(tornTexts, { trustUnsigned: true });
    expect(failures).toEqual([]);
    expect(records).toHaveLength(expected.size);
    for (const r of records) expect(canonicalJson(r.record)).toBe(expected.get(r.patientId));
  });
});
