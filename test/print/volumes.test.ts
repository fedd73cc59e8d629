// A binder in several volumes (issue 26): a sample clinic printed with a small --volume-sheets, read back with
// positions by poppler's pdftotext -bbox and decoded by restore. Each volume a PDF of its own, within its sheets,
// every patient whole in one volume from a front page; the first volume's index and schedule give "Vol 2 · p. 143",
// each later volume opens with its short index; the labels page holds each volume's range; restore of all the
// volumes gives the store back byte-exact, and a volume left out is reported as its patients missing, with "Vol N".
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { writeSampleClinic } from '../../src/sample/sample-clinic.js';
import { openStore } from '../../src/store/open-store.js';
import { exportRecords } from '../../src/store/export-store.js';
import { drawBinder, type BinderSummary } from '../../src/print/print-binder.js';
import { loadTemplate } from '../../src/layout/template.js';
import { PatientOrder } from '../../src/print/patient-order.js';
import { collectTexts, type CollectedText } from '../../src/restore/collect-texts.js';
import { restoreRecords } from '../../src/restore/restore-records.js';
import { decodeRecords } from '../../src/codec/record-codec.js';
import { decodeFrame } from '../../src/codec/frame.js';
import { encodeManifest, parseManifest, type Manifest } from '../../src/codec/manifest.js';
import { formatReport } from '../../src/cli/restore-command.js';

const hasPoppler = spawnSync('pdftotext', ['-v']).status === 0 && spawnSync('pdftoppm', ['-v']).status === 0;
if (!hasPoppler) console.warn('pdftotext and pdftoppm (poppler-utils) missing: skipping the binder-in-volumes checks');

const PRINTED_AT = '2026-12-06T15:00:00Z';
const SHEETS = 45;

interface Page { lines: string[] }

/** Every page's lines: words sharing a top, left to right (as receptionist-binder.test.ts reads them). */
function readPages(pdf: string): Page[] {
  const run = spawnSync('pdftotext', ['-bbox', pdf, '-'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (run.status !== 0) throw new Error(`pdftotext failed: ${run.stderr}`);
  const entity = (s: string): string => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&apos;/g, "'").replace(/&amp;/g, '&');
  return run.stdout.split('<page ').slice(1).map((chunk) => {
    const words = [...chunk.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)]
      .map((m) => ({ x0: Number(m[1]), y0: Number(m[2]), text: entity(m[5]!) }));
    const rows: (typeof words)[] = [];
    for (const w of [...words].sort((a, b) => a.y0 - b.y0 || a.x0 - b.x0)) {
      const row = rows.find((r) => Math.abs(r[0]!.y0 - w.y0) < 2.5);
      if (row) row.push(w); else rows.push([w]);
    }
    return { lines: rows.sort((a, b) => a[0]!.y0 - b[0]!.y0).map((r) => r.sort((a, b) => a.x0 - b.x0).map((w) => w.text).join(' ')) };
  });
}

async function exported(path: string): Promise<string> {
  const db = openStore(path);
  let s = '';
  const out = new PassThrough();
  out.on('data', (c: Buffer) => { s += c.toString('utf8'); });
  try { await exportRecords(db, out); } finally { db.close(); }
  return s;
}

describe.skipIf(!hasPoppler)('a binder in volumes', () => {
  let dir: string;
  let store: string;
  let summary: BinderSummary;
  let volumes: Page[][];
  let order: { ids: string[]; latin: string[]; mrn: string[] };
  let collected: CollectedText[];
  let manifest: Manifest;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'volumes-'));
    store = join(dir, 'clinic.sqlite');
    await writeSampleClinic(store, { patients: 90, seed: 3, asOf: '2026-12-06T12:00:00Z' });
    const db = openStore(store);
    try {
      // An earlier one-volume binder under the same name: it must not stay beside the volumes.
      await drawBinder({ db, storePath: store, outPath: join(dir, 'binder.pdf'), template: loadTemplate('default'), printedAt: PRINTED_AT });
      // A binder that fits its volume is the same file, byte for byte, as one printed without volumes.
      mkdirSync(join(dir, 'one'));
      const one = await drawBinder({ db, storePath: store, outPath: join(dir, 'one', 'binder.pdf'), template: loadTemplate('default'), printedAt: PRINTED_AT, volumeSheets: 10_000 });
      expect(one.volumes).toBeUndefined();
      expect(readFileSync(join(dir, 'one', 'binder.pdf')).equals(readFileSync(join(dir, 'binder.pdf')))).toBe(true);
      expect(readdirSync(join(dir, 'one'))).toEqual(['binder.pdf']);
      expect(existsSync(join(dir, 'binder.pdf'))).toBe(true);
      summary = await drawBinder({ db, storePath: store, outPath: join(dir, 'binder.pdf'), template: loadTemplate('default'), printedAt: PRINTED_AT, volumeSheets: SHEETS });
      const p = PatientOrder.read(db, 'en');
      order = { ids: [...p.ids], latin: p.ids.map((_, i) => p.latinName(i)), mrn: p.ids.map((_, i) => p.mrn(i)) };
    } finally {
      db.close();
    }
    volumes = summary.volumes!.map((v) => readPages(v.path));
    collected = await collectTexts(summary.volumes!.map((v) => v.path));
    manifest = parseManifest(decodeRecords(collected.map((c) => c.text), { trustUnsigned: true }).manifests[0]!);
  }, 900_000);

  it('writes one PDF a volume within its sheets, and no file under the one-volume name', () => {
    expect(summary.volumes!.length).toBeGreaterThanOrEqual(3);
    expect(summary.volumes!.map((v) => v.path)).toEqual(summary.volumes!.map((_, k) => join(dir, `binder-vol${k + 1}.pdf`)));
    expect(existsSync(join(dir, 'binder.pdf'))).toBe(false);
    expect(summary.warnings.some((w) => w.includes('binder.pdf'))).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith('.partial'))).toEqual([]);
    for (const [k, pages] of volumes.entries()) {
      expect(pages.length).toBe(summary.volumes![k]!.pages);
      expect(Math.ceil(pages.length / 2)).toBeLessThanOrEqual(SHEETS);
    }
    expect(summary.volumes!.reduce((n, v) => n + v.patients, 0)).toBe(90);
  });

  it('keeps every patient whole in one volume, starting on a front page, and says the volume on its cover and later footers', () => {
    const seen = new Map<string, { volume: number; page: number }[]>();
    for (const [k, pages] of volumes.entries()) {
      expect(pages[0]!.lines.join(' ')).toContain(`Volume ${k + 1} of ${volumes.length}`);
      expect(pages[0]!.lines.join(' ')).toContain(`${summary.volumes![k]!.first} – ${summary.volumes![k]!.last}`);
      pages.forEach((page, n) => {
        const footer = page.lines[page.lines.length - 1]!;
        if (k > 0) expect(footer).toContain(`Vol ${k + 1} · Binder page ${n + 1}`);
        else expect(footer).not.toContain('Vol ');
        // A patient's pages carry its MRN in the running header.
        const mrn = /MRN (\d{7})/.exec(page.lines.slice(0, 3).join(' '))?.[1];
        if (mrn && !page.lines.join(' ').includes('Manifest')) seen.set(mrn, [...(seen.get(mrn) ?? []), { volume: k + 1, page: n + 1 }]);
      });
    }
    expect(seen.size).toBe(90);
    for (const [mrn, at] of seen) {
      expect(new Set(at.map((a) => a.volume)).size, mrn).toBe(1);
      expect(at[0]!.page % 2, mrn).toBe(1);
    }
  });

  it('gives every patient\'s volume and first page in the first volume\'s index', () => {
    const first = volumes[0]!;
    const index = first.filter((p) => p.lines[0]?.includes('Patient index')).flatMap((p) => p.lines);
    let found = 0;
    order.mrn.forEach((mrn, i) => {
      const line = index.find((l) => l.includes(` ${mrn} Vol `));
      expect(line, `${order.latin[i]} ${mrn}`).toBeDefined();
      const [, vol, page] = /Vol (\d+) · p\. (\d+)$/.exec(line!)!;
      const pageLines = volumes[Number(vol) - 1]![Number(page) - 1]!.lines.slice(0, 3).join(' ');
      expect(pageLines, `${order.latin[i]} at Vol ${vol} p. ${page}`).toContain(`MRN ${mrn}`);
      found++;
    });
    expect(found).toBe(90);
  });

  it('opens each later volume with its short index of its own patients, their pages right', () => {
    for (const [k, pages] of volumes.entries()) {
      if (k === 0) continue;
      const at = pages.findIndex((p) => p.lines.some((l) => l.startsWith(`Volume ${k + 1} of ${volumes.length}: index`)));
      expect(at).toBeGreaterThan(0);
      expect(at).toBeLessThan(3);
      const rows = pages[at]!.lines.map((l) => /^[A-Z] (.+?) p\. (\d+)–(\d+)$/.exec(l)).filter((m) => m !== null);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows[0]![1]!.startsWith(summary.volumes![k]!.first)).toBe(true);
      expect(rows[rows.length - 1]![1]!.endsWith(summary.volumes![k]!.last)).toBe(true);
      for (const row of rows) {
        const first = row[1]!.split(' – ')[0]!;
        expect(pages[Number(row[2]) - 1]!.lines[0], `${first} on p. ${row[2]}`).toContain(first);
      }
    }
  });

  it('prints a page of spine and cover labels, each volume\'s with its first and last patient', () => {
    expect(summary.labelsPath).toBe(join(dir, 'binder-labels.pdf'));
    const text = readPages(summary.labelsPath!).flatMap((p) => p.lines).join('\n');
    for (const [k, v] of summary.volumes!.entries()) {
      expect(text).toContain(`VOLUME ${k + 1} OF ${volumes.length}`);
      expect(text).toContain(`Patients ${v.first} – ${v.last}`);
    }
    expect(text).toContain('run 20261206150000');
  });

  it('says in the manifest which volume each patient is in, and its pages there', () => {
    for (const e of manifest.patients) {
      const i = order.ids.indexOf(e.id);
      expect(e.volume).toBeGreaterThanOrEqual(1);
      const page = volumes[e.volume! - 1]![e.pages[0]! - 1]!;
      expect(page.lines.slice(0, 3).join(' ')).toContain(`MRN ${order.mrn[i]}`);
    }
  });

  it('restores the store byte-exact from all the volumes\' PDFs', async () => {
    const restored = join(dir, 'restored.sqlite');
    const report = await restoreRecords({ storePath: restored, texts: collected.map((c) => c.text), onConflict: 'fail', dryRun: false, trustUnsigned: true });
    expect(report.counts.restored).toBe(90);
    expect(await exported(restored)).toBe(await exported(store));
  });

  it('reports a volume left out as its patients missing, with the volume', async () => {
    const left = summary.volumes![1]!.path;
    const texts = collected.filter((c) => c.source !== left).map((c) => c.text);
    const report = await restoreRecords({ storePath: join(dir, 'partial.sqlite'), texts, onConflict: 'fail', dryRun: true, trustUnsigned: true });
    const missing = report.patients.filter((p) => p.status === 'missing');
    expect(missing.length).toBe(summary.volumes![1]!.patients);
    for (const p of missing) expect(p.detail).toMatch(/printed on Vol 2 · binder pages? \d+/);
    expect(formatReport(report).filter((l) => l.startsWith('missing')).every((l) => l.includes('Vol 2 · binder page'))).toBe(true);
    // A lost page of codes names its volume: "codes 7–12 on Vol 3 · binder page 17".
    const lostCodes = (p: Manifest['patients'][number]): number => p.codes - (p.page_codes?.[0] ?? p.codes);
    const e = manifest.patients.filter((p) => (p.volume ?? 1) > 1 && p.pages.length >= 2).sort((a, b) => lostCodes(b) - lostCodes(a))[0]!;
    expect(e).toBeDefined();
    const lostPage = e.pages[1]!;
    const source = summary.volumes![e.volume! - 1]!.path;
    // Every page of its codes but the first lost: more than its parity mends; and the parity codes of its group (FORMAT §17),
    // which would rebuild it whole, lost too.
    const patientOf = (text: string): string | null => { try { return decodeFrame(text).patientId; } catch { return null; } };
    const without = collected.filter((c) => !(c.source === source && c.page! >= lostPage && patientOf(c.text) === e.id) && !c.text.startsWith('PC1:X:')).map((c) => c.text);
    const again = await restoreRecords({ storePath: join(dir, 'partial2.sqlite'), texts: without, onConflict: 'fail', dryRun: true, trustUnsigned: true });
    const hurt = again.patients.find((p) => p.patientId === e.id)!;
    expect(`${hurt.status}: ${hurt.detail}`).toContain('incomplete: ');
    expect(hurt.detail).toContain(`on Vol ${e.volume} · binder page ${lostPage}`);
  });
});

describe('the manifest\'s volume (FORMAT §11.4)', () => {
  it('keeps a whole volume number from 1 and drops any other', () => {
    const entry = { id: 'P1', digest: 'a'.repeat(64), codes: 1, pages: [3] };
    const read = (volume: unknown): number | undefined => parseManifest(decodeRecords(encodeManifest(
      { runId: '20261206150000', printedAt: PRINTED_AT, clinic: {} }, [{ ...entry, volume } as never], {}).texts, { trustUnsigned: true }).manifests[0]!).patients[0]!.volume;
    expect(read(2)).toBe(2);
    expect(read(0)).toBeUndefined();
    expect(read('2')).toBeUndefined();
  });
});
