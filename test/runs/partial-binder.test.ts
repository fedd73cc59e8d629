import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, expectRefusal } from '../_run-cli.js';
import { writeHandmadeClinic } from '../fixtures/handmade-clinic.js';
import { extractPageTexts } from '../_pdf-text.js';
import { collectTexts } from '../../src/restore/collect-texts.js';
import { decodeRecords } from '../../src/codec/record-codec.js';
import { parseManifest } from '../../src/codec/manifest.js';
import type { RunRow } from '../../src/runs/run-register.js';

let dir: string;
let store: string;
let list: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'partial-'));
  store = join(dir, 'clinic.sqlite');
  writeHandmadeClinic(store, 6, false);
  list = join(dir, 'panel.txt');
  // One by id, one by record number; comments and blank lines skipped.
  writeFileSync(list, '# Dr. Okafor\'s panel\nH0002\n\n  9000004  \n');
});

async function manifestOf(pdf: string) {
  const texts = (await collectTexts([pdf], { dpi: 200, takeScannedImages: false })).map((t) => t.text);
  const decoded = decodeRecords(texts, { trustUnsigned: true });
  expect(decoded.manifests).toHaveLength(1);
  return parseManifest(decoded.manifests[0]!);
}

describe('a partial binder', () => {
  it('--patients FILE prints only those patients, says so on the cover, and its manifest lists only them and how they were chosen', async () => {
    const pdf = join(dir, 'panel.pdf');
    const p = await runCli('print', '--db', store, '--out', pdf, '--as-of', '2026-11-25T15:00Z', '--patients', list);
    expect(p.code, p.err).toBe(0);
    expect(p.out).toMatch(/^printed 2 patients,/);
    const cover = (await extractPageTexts(pdf))[0]!;
    expect(cover).toMatch(/PARTIAL BINDER — it holds only the patients listed in\s+\S*panel\.txt/);
    expect(cover).not.toMatch(/Replaces/);
    const manifest = await manifestOf(pdf);
    expect(manifest.patients.map((e) => e.id)).toEqual(['H0002', 'H0004']);
    expect(manifest.selection).toEqual({ by: ['list'], list_file: list });

    // The restore reports no one else missing; verify checks the patients the binder chose.
    const restored = join(dir, 'restored.sqlite');
    const r = await runCli('restore', '--db', restored, '--trust-unsigned', '--json', pdf);
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(r.out) as { counts: Record<string, number>; patients: { patientId: string }[] };
    expect(report.patients.map((x) => x.patientId)).toEqual(['H0002', 'H0004']);
    expect(report.counts).toMatchObject({ restored: 2, missing: 0, incomplete: 0 });
    const v = await runCli('verify', pdf, '--db', store);
    expect(v.code, v.out + v.err).toBe(0);
    expect(v.out).toMatch(/verify: 2 of 2 patients restore exactly/);

    // The register says who was printed.
    const runs = JSON.parse((await runCli('runs', '--db', store, '--json')).out) as { runs: RunRow[] };
    const print = runs.runs.find((x) => x.kind === 'print')!;
    expect(JSON.parse(print.selection!)).toEqual({ kind: 'partial', list, ids: ['H0002', 'H0004'] });
    expect(print.supersedes).toBeNull();
  });

  it('--scheduled-within DAYS prints the patients booked in those days', async () => {
    const pdf = join(dir, 'week.pdf');
    // The fixture books patient i on 2026-11-(25 + i % 5): two days hold H0000, H0001 and H0005.
    const p = await runCli('print', '--db', store, '--out', pdf, '--as-of', '2026-11-25T15:00Z', '--scheduled-within', '2');
    expect(p.code, p.err).toBe(0);
    expect(p.out).toMatch(/^printed 3 patients,/);
    const manifest = await manifestOf(pdf);
    expect(manifest.patients.map((e) => e.id)).toEqual(['H0000', 'H0001', 'H0005']);
    expect(manifest.selection).toEqual({ by: ['scheduled'], scheduled_from: '2026-11-25', scheduled_until: '2026-11-26' });
    expect((await extractPageTexts(pdf))[0]).toMatch(/booked from 2026-11-25 to\s+2026-11-26/);
  });

  it('refuses a list line that names no patient, naming it, before printing', async () => {
    const bad = join(dir, 'typo.txt');
    writeFileSync(bad, 'H0001\nH00O2\n');
    const pdf = join(dir, 'typo.pdf');
    const r = await runCli('print', '--db', store, '--out', pdf, '--patients', bad);
    expectRefusal(r, /typo\.txt: 1 line\(s\) name no patient of the store: H00O2/);
    expect(existsSync(pdf)).toBe(false);
  });
});
