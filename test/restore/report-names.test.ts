// The restore report names patients as the paper prints them (name and MRN, from the run's manifest, FORMAT §11),
// also those of whom no code was read, and names exactly the codes and pages not read; an older manifest
// without those fields still restores.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { handmadePatient, withLongHistory, writeHandmadeClinic } from '../fixtures/handmade-clinic.js';
import { openStore } from '../../src/store/open-store.js';
import { writeRecords } from '../../src/store/write-records.js';
import { drawBinder } from '../../src/print/print-binder.js';
import { loadTemplate } from '../../src/layout/template.js';
import { collectTexts, type CollectedText } from '../../src/restore/collect-texts.js';
import { restoreRecords } from '../../src/restore/restore-records.js';
import { decodeFrame } from '../../src/codec/frame.js';
import { decodeRecords } from '../../src/codec/record-codec.js';
import { encodeManifest, parseManifest, type Manifest } from '../../src/codec/manifest.js';
import { formatReport } from '../../src/cli/restore-command.js';

const BIG = 'H0008';
const GONE = 'H0001';
let dir: string;
let collected: CollectedText[];
let manifest: Manifest;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'report-names-'));
  const store = join(dir, 'clinic.sqlite');
  writeHandmadeClinic(store, 8, false);
  const raw = new Database(store);
  writeRecords(raw, [withLongHistory(handmadePatient(8), 600)]); // codes on two pages: 12 codes, nine a page since issue 26 (400 encounters fit one page)
  raw.close();
  const binder = join(dir, 'binder.pdf');
  const db = openStore(store);
  await drawBinder({ db, storePath: store, outPath: binder, template: loadTemplate('default'), printedAt: '2026-11-25T15:00:00Z' });
  db.close();
  collected = await collectTexts([binder]);
  manifest = parseManifest(decodeRecords(collected.map((c) => c.text), { trustUnsigned: true }).manifests[0]!);
}, 600_000);

const restoreFrom = (texts: string[]) =>
  restoreRecords({ storePath: join(dir, `r-${Math.random().toString(36).slice(2)}.sqlite`), texts, onConflict: 'keep', dryRun: true, trustUnsigned: true });

describe('the restore report', () => {
  it('names, from the manifest, a missing patient by name and MRN and the exact codes and page of an incomplete one', async () => {
    const big = manifest.patients.find((p) => p.id === BIG)!;
    expect(big.pages.length).toBeGreaterThan(1);
    expect(big.page_codes?.reduce((a, b) => a + b, 0)).toBe(big.codes);
    expect(big.name).toBe(`${handmadePatient(8).patient.family_name}, ${handmadePatient(8).patient.given_names}`);
    expect(big.mrn).toBe(handmadePatient(8).patient.mrn);
    // The first code page of BIG is lost: its codes are 1..page_codes[0].
    const lostPage = big.pages[0]!;
    const lost = collected.filter((c) => c.page === lostPage && decodeFrame(c.text).patientId === BIG).map((c) => decodeFrame(c.text).index).sort((a, b) => a - b);
    expect(lost).toEqual(Array.from({ length: big.page_codes![0]! }, (_, i) => i + 1));
    const texts = collected.filter((c) => !(c.page === lostPage && decodeFrame(c.text).patientId === BIG) && decodeFrame(c.text).patientId !== GONE)
      .map((c) => c.text);
    const report = await restoreFrom(texts);
    const gone = handmadePatient(1).patient;
    expect(report.patients.find((p) => p.patientId === GONE)).toMatchObject({ status: 'missing', name: `${gone.family_name}, ${gone.given_names}`, mrn: gone.mrn });
    const incomplete = report.patients.find((p) => p.patientId === BIG)!;
    expect(incomplete).toMatchObject({ status: 'incomplete', mrn: big.mrn, pages: [lostPage] });
    expect(incomplete.detail).toMatch(new RegExp(`^codes 1–${lost.length} on binder page ${lostPage} not read, \\d+ more needed$`));
    const lines = formatReport(report);
    expect(lines.find((l) => l.startsWith('incomplete'))).toContain(`${BIG}  ${big.name}, MRN ${big.mrn}  codes 1–${lost.length} on binder page ${lostPage} not read`);
    expect(lines.find((l) => l.startsWith('missing'))).toContain(`${GONE}  ${gone.family_name}, ${gone.given_names}, MRN ${gone.mrn}  listed in run`);
    expect(report.patients.find((p) => p.status === 'restored')?.name).toBeDefined();
  });

  it('restores with a manifest of before these fields, naming patients by id and all their pages', async () => {
    const old: Manifest = { ...manifest, patients: manifest.patients.map(({ id, digest, codes, pages }) => ({ id, digest, codes, pages })) };
    const oldTexts = encodeManifest(old, old.patients, {}).texts;
    // Without the cross-sheet parity codes (kind X), which would rebuild the patient left out.
    const texts = [...collected.filter((c) => !['M', 'X'].includes(decodeFrame(c.text).kind) && decodeFrame(c.text).patientId !== GONE).map((c) => c.text), ...oldTexts];
    const report = await restoreFrom(texts);
    expect(report.counts.restored).toBe(manifest.patients.length - 1);
    const gone = report.patients.find((p) => p.patientId === GONE)!;
    expect(gone.status).toBe('missing');
    expect(gone.name).toBeUndefined();
    expect(formatReport(report).find((l) => l.startsWith('missing'))).toMatch(new RegExp(`^missing +${GONE}  listed in run`));
  });
});
