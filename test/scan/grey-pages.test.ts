// Restore reads a PDF's pages as grey levels with zxing's inverted and downscaled looks left out (issue 30's
// speed): the same pixels as the RGBA path, and the same codes, on clean, degraded and scanned pages.
import { describe, it, expect, beforeAll } from 'vitest';
import PDFDocument from 'pdfkit';
import { rasterisePdf, rasterisePdfGrey, type RasterPage } from '../../src/scan/rasterise-pdf.js';
import { readCodes } from '../../src/scan/read-codes.js';
import { greyOf, greyOfRgba } from '../../src/scan/raster.js';
import { decodeImage, decodeImageGrey } from '../../src/scan/decode-image.js';
import { PDF_PAGE } from '../../src/scan/page-pool.js';
import { degrade, qrPagesPdf, randomTexts } from './_qr-pdf.js';
import { encodeRaster } from '../_encode-raster.js';

/** Letter pages, each one full-page image, as an office scanner writes them. */
function imagesPdf(images: Buffer[]): Promise<Uint8Array> {
  const doc = new PDFDocument({ size: 'LETTER', margin: 0, autoFirstPage: false, info: { CreationDate: new Date(0) } });
  const chunks: Buffer[] = [];
  doc.on('data', (b: Buffer) => chunks.push(b));
  for (const image of images) doc.addPage().image(image, 0, 0, { width: 612, height: 792 });
  return new Promise((resolve) => { doc.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks)))); doc.end(); });
}

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const texts = (codes: { text: string }[]): string[] => codes.map((c) => c.text).sort();
/** Byte for byte (vitest's toEqual walks 3.7 million elements for a minute). */
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

describe('grey levels of RGBA pixels', () => {
  it('are the same read as 32-bit words (an aligned buffer) as byte by byte (one that is not), and as weighed by hand', () => {
    const pixels = 5003;
    const aligned = new Uint8Array(pixels * 4);
    for (let i = 0; i < aligned.length; i++) aligned[i] = (i * 2654435761) >>> 24;
    const shifted = new Uint8Array(aligned.length + 1).subarray(1);
    shifted.set(aligned);
    const byHand = Uint8Array.from({ length: pixels }, (_, i) => (aligned[4 * i]! * 306 + aligned[4 * i + 1]! * 601 + aligned[4 * i + 2]! * 117 + 512) >> 10);
    expect(same(greyOfRgba(aligned, pixels), byHand)).toBe(true);
    expect(same(greyOfRgba(shifted, pixels), byHand)).toBe(true);
  });
});

describe('a PDF read as grey levels, as restore reads it', () => {
  const nine = randomTexts(20261206, 9);
  let vector: Uint8Array;
  let at200: RasterPage;
  let at300: RasterPage;

  beforeAll(async () => {
    vector = await qrPagesPdf([nine]);
    [at200] = await all(rasterisePdf(vector, { dpi: 200 })) as [RasterPage];
    [at300] = await all(rasterisePdf(vector, { dpi: 300 })) as [RasterPage];
  });

  it('renders the same grey levels as the RGBA raster weighed as zxing weighs it, and reads the same nine codes', async () => {
    const [grey] = await all(rasterisePdfGrey(vector, { dpi: 200 }));
    expect(same(grey!.grey, greyOf(at200).grey)).toBe(true);
    expect(texts(await readCodes(grey!, PDF_PAGE))).toEqual([...nine].sort());
  });

  it('reads rotated, blurred and noisy pages as the full reading does', async () => {
    for (const [degrees, noise, seed] of [[1.5, 24, 7], [-2, 40, 11]] as const) {
      const scanned = degrade(at200, degrees, noise, seed);
      const full = texts(await readCodes(scanned));
      expect(full).toEqual([...nine].sort());
      expect(texts(await readCodes(greyOf(scanned), PDF_PAGE))).toEqual(full);
    }
  });

  it('takes a scanner PDF\'s 300-dpi JPEG to 200 dpi grey levels, the same as through RGBA, and reads its codes', async () => {
    const jpeg = encodeRaster(at300, 'jpeg', 75);
    const grey = await decodeImageGrey(jpeg, 200 / 300);
    expect(same(grey.grey, greyOf(await decodeImage(jpeg, 200 / 300)).grey)).toBe(true);
    const pdf = await imagesPdf([jpeg, encodeRaster(at200, 'jpeg', 75)]);
    const pages = await all(rasterisePdfGrey(pdf, { dpi: 200, takeScannedImages: true, pageCount: 2 }));
    expect(pages.map((p) => [p.from, p.width])).toEqual([['image', 1700], ['image', 1700]]);
    for (const p of pages) expect(texts(await readCodes(p, PDF_PAGE))).toEqual([...nine].sort());
  });
});
