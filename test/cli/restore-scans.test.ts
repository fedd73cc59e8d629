// restore through the CLI from what a clinic's scanner gives back: a PDF of page images, a multi-page TIFF,
// a scan missing a page, photos and blank pages, a damaged TIFF.
import { describe, it, expect, beforeAll, vi } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import Database from 'better-sqlite3';
// pdfjs-dist's own canvas (a dependency of ours through it) makes the JPEG and PNG a scanner would.
import { runCli } from '../_run-cli.js';
import { main } from '../../src/cli/main.js';
import { handmadePatient, withLongHistory, writeHandmadeClinic } from '../fixtures/handmade-clinic.js';
import { openStore } from '../../src/store/open-store.js';
import { writeRecords } from '../../src/store/write-records.js';
import { rasterisePdf, type RasterPage } from '../../src/scan/rasterise-pdf.js';
import { readCodes } from '../../src/scan/read-codes.js';
import { decodeFrame } from '../../src/codec/frame.js';
import { encodeTiff, type TiffPageKind } from '../scan/_tiff.js';
import { degrade, prng } from '../scan/_qr-pdf.js';
import type { RestoreReport } from '../../src/restore/restore-records.js';
import { encodeRaster, type Raster } from '../_encode-raster.js';

interface CodePage { raster: RasterPage; codes: { patientId: string | null; index: number; kind: string }[] }

let dir: string;
let store: string;
let pub: string;
let originalExport: string;
/** The binder's pages that carry codes, as a 200-dpi scan sees them. */
let codePages: CodePage[];
let summaryPage: RasterPage;
/** H0008 has a long history: more codes than one page holds. */
const BIG = 'H0008';
let n = 0;
const fresh = (): string => join(dir, `restored-${++n}.sqlite`);

/** What an office scanner writes: one JPEG per Letter page, filling it. */
async function scannerPdf(pages: Raster[]): Promise<string> {
  const doc = new PDFDocument({ size: 'LETTER', margin: 0, autoFirstPage: false, info: { CreationDate: new Date(0) } });
  const chunks: Buffer[] = [];
  doc.on('data', (b: Buffer) => chunks.push(b));
  for (const p of pages) doc.addPage().image(encodeRaster(p, 'jpeg'), 0, 0, { width: 612, height: 792 });
  const done = new Promise((resolve) => doc.on('end', resolve));
  doc.end();
  await done;
  const path = join(dir, `scan-${++n}.pdf`);
  writeFileSync(path, Buffer.concat(chunks));
  return path;
}

const exported = async (db: string): Promise<string> => (await runCli('export', '--db', db)).out;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'restore-scans-'));
  store = join(dir, 'clinic.sqlite');
  writeHandmadeClinic(store, 8, false);
  const db = new Database(store);
  writeRecords(db, [withLongHistory(handmadePatient(8), 400)]);
  db.close();
  expect((await runCli('keygen', '--out', join(dir, 'keys'))).code).toBe(0);
  pub = join(dir, 'keys', 'paperchart-signing.pub');
  const binder = join(dir, 'binder.pdf');
  expect((await runCli('print', '--db', store, '--out', binder, '--as-of', '2026-11-25T15:00Z',
    '--key', join(dir, 'keys', 'paperchart-signing.key'))).code).toBe(0);
  originalExport = await exported(store);
  codePages = [];
  for await (const raster of rasterisePdf(new Uint8Array(readFileSync(binder)), { dpi: 200 })) {
    // The decoder program's own codes (FORMAT §15) are not PC1 frames.
    const codes = (await readCodes(raster)).filter((c) => c.text.startsWith('PC1:')).map((c) => decodeFrame(c.text));
    if (codes.length > 0) codePages.push({ raster, codes: codes.map((f) => ({ patientId: f.patientId, index: f.index, kind: f.kind })) });
    else if (raster.page > 10 && summaryPage === undefined) summaryPage = raster;
  }
}, 120_000);

describe('paperchart restore from scans', () => {
  it('restores from an office scanner\'s PDF of JPEG page images, summary pages among them', async () => {
    // Some sheets went through skewed and noisy, as a feeder does now and then.
    const pdf = await scannerPdf([summaryPage, ...codePages.map((p, i) => (i % 4 === 1 ? degrade(p.raster, 0.8, 12) : p.raster))]);
    const db = fresh();
    const r = await runCli('restore', '--db', db, '--pubkey', pub, pdf);
    expect(r.err).toMatch(/restore read: \d+\/\d+ pages and images/);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/restore: 9 restored, 0 already current, 0 kept newer, 0 incomplete, 0 refused, 0 missing/);
    expect(await exported(db)).toBe(originalExport);
  });

  it('restores from one multi-page TIFF of bilevel, grayscale and RGB pages', async () => {
    const kinds: TiffPageKind[] = ['bilevel', 'gray', 'rgb'];
    const tiff = join(dir, 'scans.tiff');
    writeFileSync(tiff, encodeTiff(codePages.map((p, i) => ({ ...p.raster, kind: kinds[i % 3]! }))));
    const db = fresh();
    const r = await runCli('restore', '--db', db, '--pubkey', pub, tiff);
    expect(r.code).toBe(0);
    expect(r.err).toContain(`restore read: ${codePages.length}/${codePages.length} pages and images`);
    expect(await exported(db)).toBe(originalExport);
  });

  it('names the code numbers and binder pages missing when a whole page of codes was not scanned', async () => {
    const bigPages = codePages.filter((p) => p.codes.some((c) => c.patientId === BIG));
    expect(bigPages.length).toBe(2);
    const lost = bigPages[0]!;
    const lostCodes = lost.codes.filter((c) => c.patientId === BIG).map((c) => c.index).sort((a, b) => a - b);
    // The parity pages (kind X, FORMAT §17) left out too: with them the page is rebuilt (below).
    const isParity = (p: CodePage): boolean => p.codes.some((c) => c.kind === 'X');
    const pdf = await scannerPdf(codePages.filter((p) => p !== lost && !isParity(p)).map((p) => p.raster));
    const db = fresh();
    const r = await runCli('restore', '--db', db, '--pubkey', pub, pdf);
    expect(r.code).toBe(3);
    // The codes lost are consecutive, all on the page left out: named with that page alone (issue 30).
    expect(lostCodes).toEqual(Array.from({ length: lostCodes.length }, (_, i) => lostCodes[0]! + i));
    expect(r.out).toMatch(new RegExp(`^incomplete +${BIG}  [^\\n]*MRN \\S+  codes ${lostCodes[0]}–${lostCodes.at(-1)} on binder page ${lost.raster.page} not read, \\d+ more needed$`, 'm'));
    expect(r.out).toMatch(/restore: 8 restored, 0 already current, 0 kept newer, 1 incomplete, 0 refused, 0 missing/);
    expect(r.err).toMatch(/paperchart: 1 patient not restored \(1 incomplete, 0 refused, 0 missing\)\n→ rescan the binder pages the report names/);
    const json = await runCli('restore', '--db', fresh(), '--pubkey', pub, '--dry-run', '--json', pdf);
    const report = JSON.parse(json.out) as RestoreReport;
    expect(report.patients.find((p) => p.patientId === BIG)).toMatchObject({
      status: 'incomplete', missingCodes: lostCodes, pages: [lost.raster.page] });
    const restored = openStore(db);
    expect(restored.prepare('SELECT count(*) AS n FROM patients WHERE id = ?').get(BIG)).toEqual({ n: 0 });
    expect(restored.prepare('SELECT count(*) AS n FROM patients').get()).toEqual({ n: 8 });
    restored.close();
    const withParity = await runCli('restore', '--db', fresh(), '--pubkey', pub, '--dry-run', '--json',
      await scannerPdf(codePages.filter((p) => p !== lost).map((p) => p.raster)));
    expect(withParity.code).toBe(0);
    expect((JSON.parse(withParity.out) as RestoreReport).patients.find((p) => p.patientId === BIG)).toMatchObject({ status: 'restored', rebuiltFromParity: true });
  });

  it('says that photos, blank pages and another kind of QR code hold no paperchart code, and writes no store', async () => {
    const rnd = prng(5);
    const noise = { width: 640, height: 480, rgba: new Uint8ClampedArray(640 * 480 * 4).map((_, i) => (i % 4 === 3 ? 255 : rnd() * 256)) };
    const blank = { width: 1700, height: 2200, rgba: new Uint8ClampedArray(1700 * 2200 * 4).fill(255) };
    const photo = join(dir, 'photo.png'), white = join(dir, 'blank.png'), tiff = join(dir, 'blank.tif'), url = join(dir, 'url.png');
    writeFileSync(photo, encodeRaster(noise, 'png'));
    writeFileSync(white, encodeRaster(blank, 'png'));
    writeFileSync(tiff, encodeTiff([{ ...blank, kind: 'bilevel' }]));
    writeFileSync(url, await QRCode.toBuffer('https://clinic.example/portal', { scale: 6 }));
    const pdf = await scannerPdf([blank]);
    const db = fresh();
    const r = await runCli('restore', '--db', db, '--pubkey', pub, photo, white, tiff, pdf);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^paperchart: no paperchart code found in .*photo\.png, .*blank\.png, .*blank\.tif, … \(4 pages or images read\); nothing was written\n→ pass scans of the binder pages that carry QR codes/m);
    expect(existsSync(db)).toBe(false);
    const other = await runCli('restore', '--db', db, '--pubkey', pub, url);
    expect(other.code).toBe(2);
    expect(other.err).toMatch(/no paperchart code found in .*url\.png \(1 page or image read, 1 code of another kind\)/);
    expect(existsSync(db)).toBe(false);
  });

  it('stops on a damaged TIFF with one line naming it, before scanning anything', async () => {
    const good = encodeTiff([{ ...codePages[0]!.raster, kind: 'bilevel' }]);
    const cut = join(dir, 'cut.tif');
    writeFileSync(cut, good.subarray(0, good.length - 20));
    const first = await scannerPdf([codePages[1]!.raster]);
    const db = fresh();
    const r = await runCli('restore', '--db', db, '--pubkey', pub, first, cut);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^paperchart: .*cut\.tif is not a readable TIFF \(image directory at offset \d+ runs past the end: truncated\)\n→ [^\n]+\n$/);
    expect(r.err).not.toContain('restore read');
    expect(existsSync(db)).toBe(false);
  });

  it('draws a progress bar of pages read on a terminal', async () => {
    const pdf = await scannerPdf(codePages.slice(-2).map((p) => p.raster)); // the manifest's page is last
    const writes: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => { writes.push(String(chunk)); return true; });
    let err = '';
    try {
      const code = await main(['restore', '--db', fresh(), '--pubkey', pub, '--dry-run', pdf],
        { out: () => {}, err: (t) => { err += t; }, stdout: new PassThrough(), isTTY: true, redraw: (t) => { writes.push(t); } });
      expect(code).toBe(3); // a dry run of two pages: the other patients are missing
    } finally {
      spy.mockRestore();
    }
    const bars = writes.filter((w) => w.startsWith('\rrestore read'));
    expect(bars.at(-1)).toBe('\rrestore read   [##############################] 2/2\n');
    expect(err).not.toContain('restore read');
  });
});
