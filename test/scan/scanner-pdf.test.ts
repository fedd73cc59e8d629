import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import PDFDocument from 'pdfkit';
// pdfjs-dist's own canvas (a dependency of ours through it) makes the JPEG and PNG a scanner would.
import UTIF from 'utif2';
import { countPdfPages, rasterisePdf, type RasterPage } from '../../src/scan/rasterise-pdf.js';
import { UnreadablePdfError } from '../../src/errors.js';
import { readCodes } from '../../src/scan/read-codes.js';
import { qrPagesPdf, randomTexts } from './_qr-pdf.js';

import { encodeRaster, type Raster } from '../_encode-raster.js';

/** Letter pages, each one image placed at `box` (x, y, w, h in points; the whole page by default), then optional visible text. */
function imagesPdf(pages: { image: Buffer; box?: [number, number, number, number]; text?: string }[]): Promise<Uint8Array> {
  const doc = new PDFDocument({ size: 'LETTER', margin: 0, autoFirstPage: false, info: { CreationDate: new Date(0) } });
  const chunks: Buffer[] = [];
  doc.on('data', (b: Buffer) => chunks.push(b));
  for (const p of pages) {
    doc.addPage();
    const [x, y, w, h] = p.box ?? [0, 0, 612, 792];
    doc.image(p.image, x, y, { width: w, height: h });
    if (p.text) doc.fontSize(12).text(p.text, 36, 20);
  }
  return new Promise((resolve) => { doc.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks)))); doc.end(); });
}

/**
 * A PDF as an office scanner writes a black-and-white scan: each page one CCITT G4 image XObject
 * (the same one, so pdfjs may share it between pages), with `content` after the image.
 */
function ccittPdf(g4: Uint8Array, width: number, height: number, contents: string[]): Uint8Array {
  const objects: (string | Uint8Array)[][] = [];
  const pageIds = contents.map((_, i) => 5 + 2 * i);
  objects.push(['<< /Type /Catalog /Pages 2 0 R >>']);
  objects.push([`<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${contents.length} >>`]);
  objects.push([`<< /Type /XObject /Subtype /Image /Width ${width} /Height ${height} /ColorSpace /DeviceGray /BitsPerComponent 1 ` +
    `/Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns ${width} /Rows ${height} >> /Length ${g4.length} >>\nstream\n`, g4, '\nendstream']);
  objects.push(['<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>']);
  contents.forEach((c, i) => {
    objects.push([`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject << /Im0 3 0 R >> /Font << /F1 4 0 R >> >> /Contents ${pageIds[i]! + 1} 0 R >>`]);
    const stream = `q 612 0 0 792 0 0 cm /Im0 Do Q\n${c}`;
    objects.push([`<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`]);
  });
  const parts: Uint8Array[] = [];
  let length = 0;
  const put = (p: string | Uint8Array): void => { const b = typeof p === 'string' ? Buffer.from(p, 'latin1') : p; parts.push(b); length += b.length; };
  put('%PDF-1.4\n');
  const offsets: number[] = [];
  objects.forEach((o, i) => { offsets.push(length); put(`${i + 1} 0 obj\n`); o.forEach(put); put('\nendobj\n'); });
  const xref = length;
  put(`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`);
  put(`trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`);
  return new Uint8Array(Buffer.concat(parts));
}

async function read(pdf: Uint8Array): Promise<{ from: string; width: number; texts: string[] }[]> {
  const out = [];
  for await (const p of rasterisePdf(pdf, { dpi: 200, takeScannedImages: true })) {
    out.push({ from: p.from, width: p.width, texts: (await readCodes(p)).map((c) => c.text).sort() });
  }
  return out;
}

describe('a PDF of scanned page images', () => {
  const texts = randomTexts(701, 6);
  const sorted = [...texts].sort();
  let vector: Uint8Array;
  let at200: RasterPage;
  let at300: RasterPage;

  beforeAll(async () => {
    vector = await qrPagesPdf([texts]);
    for await (const p of rasterisePdf(vector, { dpi: 200 })) at200 = p;
    for await (const p of rasterisePdf(vector, { dpi: 300 })) at300 = p;
  });

  it('takes out a full-page JPEG or PNG at its own resolution, and renders everything else at 200 dpi', async () => {
    const pdf = await imagesPdf([
      { image: encodeRaster(at200, 'jpeg', 80) },
      { image: encodeRaster(at300, 'png') },
      // A logo-sized image is not a scan of the page.
      { image: encodeRaster(at200, 'jpeg', 80), box: [0, 0, 612 * 0.8, 792 * 0.8] },
      // Visible text over the image: only rendering shows the page as printed.
      { image: encodeRaster(at200, 'jpeg', 80), text: 'Received by fax' },
    ]);
    const pages = await read(pdf);
    expect(pages.map((p) => [p.from, p.width])).toEqual([['image', 1700], ['image', 2550], ['render', 1700], ['render', 1700]]);
    for (const p of pages) expect(p.texts).toEqual(sorted);
  });

  it('counts the pages of an all-JPEG scan by its page tree, a mixed one through pdfjs, and refuses either truncated', async () => {
    const jpeg = encodeRaster(at200, 'jpeg', 80);
    const scan = await imagesPdf([{ image: jpeg }, { image: jpeg }, { image: jpeg }]);
    const mixed = await imagesPdf([{ image: jpeg }, { image: jpeg, text: 'Received by fax' }]);
    expect(await countPdfPages(scan)).toBe(3);
    expect(await countPdfPages(mixed)).toBe(2);
    for (const pdf of [scan, mixed]) await expect(countPdfPages(pdf.subarray(0, pdf.length - 200))).rejects.toBeInstanceOf(UnreadablePdfError);
  });

  it('renders a vector page (a binder itself) as before', async () => {
    expect(await read(vector)).toEqual([{ from: 'render', width: 1700, texts: sorted }]);
  });

  it('takes out a CCITT G4 scan, also under an invisible OCR text layer, and renders it under visible text', async () => {
    // Page 1 of the fixture is one strip: a complete G4 stream, as a scanner puts it in a PDF.
    const tiff = readFileSync(fileURLToPath(new URL('./fixtures/codes-g4.tif', import.meta.url)));
    const ifd = UTIF.decode(tiff.buffer.slice(tiff.byteOffset, tiff.byteOffset + tiff.byteLength) as ArrayBuffer)[0]!;
    const [offset, length] = [(ifd['t273'] as number[])[0]!, (ifd['t279'] as number[])[0]!];
    expect((ifd['t278'] as number[])[0]).toBe(2200);
    const pdf = ccittPdf(tiff.subarray(offset, offset + length), 1700, 2200, [
      '',
      'BT 3 Tr /F1 12 Tf 72 720 Td (Codes page, OCR layer) Tj ET',
      'BT 0 Tr /F1 12 Tf 72 720 Td (Codes page, printed) Tj ET',
    ]);
    const pages = await read(pdf);
    const expected = randomTexts(501, 6).sort();
    expect(pages).toEqual([
      { from: 'image', width: 1700, texts: expected },
      { from: 'image', width: 1700, texts: expected },
      { from: 'render', width: 1700, texts: expected },
    ]);
  });
});
