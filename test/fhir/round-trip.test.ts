// Round trips: FHIR → store → binder → 200-dpi raster → restore → export --fhir, and the sample clinic through FHIR and back.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importFhir } from '../../src/fhir/import-fhir.js';
import { writeSampleClinic } from '../../src/sample/sample-clinic.js';
import { rasterisePdf } from '../../src/scan/rasterise-pdf.js';
import { encodeRaster } from '../_encode-raster.js';
import { runCli } from '../_run-cli.js';
import { FIXTURES } from './_source.js';

const dir = mkdtempSync(join(tmpdir(), 'fhir-round-trip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every Bundle `export --fhir` writes for a store, by file name. */
async function exportedBundles(store: string, name: string): Promise<Map<string, string>> {
  const out = join(dir, name);
  const r = await runCli('export', '--fhir', '--db', store, '--out', out);
  expect(r.code, r.err).toBe(0);
  return new Map(readdirSync(out).sort().map((f) => [f, readFileSync(join(out, f), 'utf8')]));
}

describe('round trips', () => {
  it('FHIR → store → binder → 200-dpi scan → restore gives the same IPS Bundles as the imported store', async () => {
    const store = join(dir, 'imported.sqlite');
    importFhir(store, [join(FIXTURES, 'handmade/clinic-bundle.json'), join(FIXTURES, 'fhir-r4-examples-nka/AllergyIntolerance-nka.json'),
      join(FIXTURES, 'synthea-r4-bundles/Liz_Conn_27c911c6-f045-4ffa-af5d-6eba57ac94b2.json')], { now: '2026-12-06T12:00:00Z' });
    const binder = join(dir, 'binder.pdf');
    const printed = await runCli('print', '--db', store, '--out', binder, '--as-of', '2026-12-06T13:00Z');
    expect(printed.code, printed.err).toBe(0);
    const scans = join(dir, 'scans');
    mkdirSync(scans);
    for await (const page of rasterisePdf(new Uint8Array(readFileSync(binder)), { dpi: 200 })) {
      writeFileSync(join(scans, `page-${String(page.page).padStart(3, '0')}.png`), encodeRaster(page, 'png'));
    }
    const restored = join(dir, 'restored.sqlite');
    const r = await runCli('restore', '--db', restored, '--trust-unsigned', ...readdirSync(scans).sort().map((f) => join(scans, f)));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/restore: 5 restored/);
    const before = await exportedBundles(store, 'from-import');
    expect(before.size).toBe(5);
    expect(await exportedBundles(restored, 'from-paper')).toEqual(before);
  }, 600_000);

  it('the sample clinic exported as FHIR and imported back gives the same Bundles', async () => {
    const sample = join(dir, 'sample.sqlite');
    await writeSampleClinic(sample, { patients: 25, seed: 3, asOf: '2026-11-25T15:00:00Z' });
    const first = await exportedBundles(sample, 'sample-1');
    expect(first.size).toBe(25);
    const back = join(dir, 'sample-back.sqlite');
    const report = importFhir(back, [...first.keys()].map((f) => join(dir, 'sample-1', f)));
    expect(report.invalid).toEqual([]);
    expect(report.notMapped).toEqual([{ resourceType: 'Composition', reason: 'the store has no table for it', count: 25 },
      { resourceType: 'Device', reason: 'the store has no table for it', count: 1 }]);
    expect(await exportedBundles(back, 'sample-2')).toEqual(first);
  }, 300_000);
});
