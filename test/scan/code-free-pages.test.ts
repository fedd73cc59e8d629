// Restore leaves undrawn a PDF page on which nothing could be a code (issue 30's speed: 86 of the demo binder's 163
// pages are summaries). Safe means a code is never skipped however it is drawn: the binder's images, vectors drawn
// module by module, in runs, as strokes, dashed, turned, an image of a code alone on its page, a code typed in
// block characters; and a binder's every code still read, page by page, as when every page is drawn.
import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { writeHandmadeClinic } from '../fixtures/handmade-clinic.js';
import { openStore } from '../../src/store/open-store.js';
import { drawBinder } from '../../src/print/print-binder.js';
import { loadTemplate } from '../../src/layout/template.js';
import { rasterisePdfGrey, type GreyPage } from '../../src/scan/rasterise-pdf.js';
import { readCodes } from '../../src/scan/read-codes.js';
import { PDF_PAGE, readPdfPageCodes } from '../../src/scan/page-pool.js';
import { MM, qrPagesPdf, randomTexts } from './_qr-pdf.js';

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const TEXT = 'PC1:CODE-FREE-PAGES TEST $%*+-./: 0123456789 ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const qr = QRCode.create([{ data: TEXT, mode: 'alphanumeric' }], { errorCorrectionLevel: 'M' });
const N = qr.modules.size;
const dark = (r: number, c: number): boolean => qr.modules.data[r * N + c] === 1;
/** Runs of dark modules in row r: [first column, end column). */
function runs(r: number): [number, number][] {
  const out: [number, number][] = [];
  for (let c = 0; c < N;) {
    if (!dark(r, c)) { c++; continue; }
    let e = c;
    while (e < N && dark(r, e)) e++;
    out.push([c, e]);
    c = e;
  }
  return out;
}

/** A Letter page with a line of text and `draw` placing one code, 0.6 mm a module, under a 1-unit-a-module scale. */
function onePage(draw: (doc: PDFKit.PDFDocument) => void, turn = 0): Promise<Uint8Array> {
  const doc = new PDFDocument({ size: 'LETTER', margin: 0, info: { CreationDate: new Date(0) } });
  doc.fontSize(12).text('Patient summary, no code here', 72, 40);
  doc.save().translate(200, 250).rotate(turn).scale(0.6 * MM);
  draw(doc);
  doc.restore();
  const chunks: Buffer[] = [];
  doc.on('data', (b: Buffer) => chunks.push(b));
  return new Promise((resolve) => { doc.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks)))); doc.end(); });
}

const DRAWINGS: Record<string, (doc: PDFKit.PDFDocument) => void> = {
  'module by module, each its own fill': (doc) => {
    for (let r = 0; r < N; r++) for (let c = 0; c < N; c++) if (dark(r, c)) doc.rect(c, r, 1, 1).fill('black');
  },
  'as runs, one path': (doc) => {
    for (let r = 0; r < N; r++) for (const [c, e] of runs(r)) doc.rect(c, r, e - c, 1);
    doc.fill('black');
  },
  'as stroked lines a module wide': (doc) => {
    doc.lineWidth(1).lineCap('butt');
    for (let r = 0; r < N; r++) for (const [c, e] of runs(r)) doc.moveTo(c, r + 0.5).lineTo(e, r + 0.5);
    doc.stroke('black');
  },
  'as one dashed line a row': (doc) => {
    doc.lineWidth(1).lineCap('butt');
    for (let r = 0; r < N; r++) {
      const rs = runs(r);
      if (rs.length === 0) continue;
      // Dashes alternate on, off from the row's first dark module; the last gap runs past the row's end.
      const pattern: number[] = [];
      rs.forEach(([c, e], i) => { pattern.push(e - c); pattern.push(i + 1 < rs.length ? rs[i + 1]![0] - e : N); });
      doc.save();
      (doc as unknown as { addContent(s: string): void }).addContent(`[${pattern.join(' ')}] 0 d`);
      doc.moveTo(rs[0]![0], r + 0.5).lineTo(N, r + 0.5).stroke('black').restore();
    }
  },
};

describe('pages on which nothing could be a code', () => {
  let binder: Uint8Array;
  let pageCount: number;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'code-free-pages-'));
    const store = join(dir, 'clinic.sqlite');
    writeHandmadeClinic(store, 12);
    const pdf = join(dir, 'binder.pdf');
    const db = openStore(store);
    await drawBinder({ db, storePath: store, outPath: pdf, template: loadTemplate('default'), printedAt: '2026-11-25T15:00:00Z' });
    db.close();
    binder = new Uint8Array(readFileSync(pdf));
    pageCount = (await all(rasterisePdfGrey(binder, { dpi: 20 }))).length;
  }, 600_000);

  it('a binder: its summary pages undrawn, and every page\'s codes read as when every page is drawn', async () => {
    const drawn = await all(rasterisePdfGrey(binder, { dpi: 200 }));
    const everyPage = await Promise.all(drawn.map(async (p) => (await readCodes(p, PDF_PAGE)).map((c) => c.text).sort()));
    const skipping = await all(rasterisePdfGrey(binder, { dpi: 200, skipCodeFreePages: true }));
    const undrawn = skipping.filter((p) => p.from === 'no code').map((p) => p.page);
    expect(undrawn.length).toBeGreaterThan(0);
    for (const n of undrawn) expect(everyPage[n - 1], `page ${n}`).toEqual([]);
    const read = await all(readPdfPageCodes(binder, { dpi: 200, jobs: 1, pageCount }));
    expect(read.map((p) => p.texts.sort())).toEqual(everyPage);
    expect(everyPage.flat().length).toBeGreaterThan(0);
  }, 600_000);

  for (const [name, draw] of Object.entries(DRAWINGS)) {
    for (const turn of [0, 30]) {
      it(`a code drawn ${name}, turned ${turn}°, is drawn and read`, async () => {
        const pdf = await onePage(draw, turn);
        const [page] = await all(rasterisePdfGrey(pdf, { dpi: 200, skipCodeFreePages: true })) as [GreyPage];
        expect(page.from).toBe('render');
        const [read] = await all(readPdfPageCodes(pdf, { dpi: 200, jobs: 1, pageCount: 1 }));
        expect(read!.texts).toEqual([TEXT]);
      });
    }
  }

  it('a page holding nothing but an image of a code, and a page of the binder\'s vector codes, are read', async () => {
    const png = await QRCode.toBuffer([{ data: TEXT, mode: 'alphanumeric' }], { errorCorrectionLevel: 'M', scale: 1, margin: 0 });
    const doc = new PDFDocument({ size: 'LETTER', margin: 0, info: { CreationDate: new Date(0) } });
    doc.image(png, 200, 250, { width: N * 0.6 * MM });
    const chunks: Buffer[] = [];
    doc.on('data', (b: Buffer) => chunks.push(b));
    const pdf = await new Promise<Uint8Array>((resolve) => { doc.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks)))); doc.end(); });
    expect((await all(readPdfPageCodes(pdf, { dpi: 200, jobs: 1, pageCount: 1 })))[0]!.texts).toEqual([TEXT]);
    const nine = randomTexts(30, 9);
    const vectors = await all(readPdfPageCodes(await qrPagesPdf([nine]), { dpi: 200, jobs: 1, pageCount: 1 }));
    expect(vectors[0]!.texts.sort()).toEqual([...nine].sort());
  });

  const mono = '/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf';
  it.skipIf(!existsSync(mono))('a code typed in block characters (█) is drawn, not skipped', async () => {
    const doc = new PDFDocument({ size: 'LETTER', margin: 0, info: { CreationDate: new Date(0) } });
    doc.font(mono).fontSize(6);
    for (let r = 0; r < N; r++) {
      let line = '';
      for (let c = 0; c < N; c++) line += dark(r, c) ? '\u2588' : ' ';
      doc.text(line, 100, 100 + r * 6, { lineBreak: false });
    }
    const chunks: Buffer[] = [];
    doc.on('data', (b: Buffer) => chunks.push(b));
    const pdf = await new Promise<Uint8Array>((resolve) => { doc.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks)))); doc.end(); });
    const [page] = await all(rasterisePdfGrey(pdf, { dpi: 200, skipCodeFreePages: true })) as [GreyPage];
    expect(page.from).toBe('render');
  });

  it('a page of text, table rules and a tab is left undrawn', async () => {
    const doc = new PDFDocument({ size: 'LETTER', margin: 72, info: { CreationDate: new Date(0) } });
    for (let i = 0; i < 20; i++) doc.fontSize(10).text(`Row ${i}: blood pressure 120/80, weight 70 kg`);
    for (let y = 72; y < 400; y += 18) doc.moveTo(72, y).lineTo(540, y).stroke();
    doc.rect(72, 500, 300, 20).fill('#dddddd');
    doc.rect(582, 497, 30, 25).fill('black');
    const chunks: Buffer[] = [];
    doc.on('data', (b: Buffer) => chunks.push(b));
    const pdf = await new Promise<Uint8Array>((resolve) => { doc.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks)))); doc.end(); });
    const [page] = await all(rasterisePdfGrey(pdf, { dpi: 200, skipCodeFreePages: true })) as [GreyPage];
    expect(page.from).toBe('no code');
  });
});
