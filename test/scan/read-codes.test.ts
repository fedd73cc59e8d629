import { describe, expect, it } from 'vitest';
import { rasterisePdf, type RasterPage } from '../../src/scan/rasterise-pdf.js';
import { readCodes } from '../../src/scan/read-codes.js';
import { UnreadablePdfError } from '../../src/errors.js';
import { PaperchartError } from '../../src/errors.js';
import { degrade, qrPagesPdf, randomTexts, textOnlyPdf } from './_qr-pdf.js';

const MASK = 0;

async function collect(gen: AsyncGenerator<RasterPage>): Promise<RasterPage[]> {
  const out: RasterPage[] = [];
  for await (const p of gen) out.push(p);
  return out;
}

describe('rasterisePdf + readCodes on a binder-like page', () => {
  const texts = randomTexts(20261125, 6);

  it('reads all 6 version-25-M codes of a Letter page at 200 dpi, exactly', async () => {
    const pdf = await qrPagesPdf([texts], MASK);
    const pages = await collect(rasterisePdf(pdf, { dpi: 200 }));
    expect(pages).toHaveLength(1);
    const page = pages[0]!;
    expect(page.page).toBe(1);
    expect([page.width, page.height]).toEqual([1700, 2200]);
    expect(page.rgba.length).toBe(1700 * 2200 * 4);
    const codes = await readCodes(page);
    expect(codes.map((c) => c.text).sort()).toEqual([...texts].sort());
    for (const c of codes) {
      expect(c.position.x).toBeGreaterThan(0);
      expect(c.position.x).toBeLessThan(page.width);
      expect(c.position.y).toBeGreaterThan(0);
      expect(c.position.y).toBeLessThan(page.height);
    }
  });

  it('still reads 6/6 after rotation, blur and noise (an office scan)', async () => {
    const pdf = await qrPagesPdf([texts], MASK);
    const [page] = await collect(rasterisePdf(pdf, { dpi: 200 }));
    const scanned = degrade(page!, 1.5, 24);
    const codes = await readCodes(scanned);
    expect(codes.map((c) => c.text).sort()).toEqual([...texts].sort());
  });

  it('still reads a full page of 9 codes, side by side with one quiet zone between them, after rotation, blur and noise', async () => {
    const nine = randomTexts(20261206, 9);
    const [page] = await collect(rasterisePdf(await qrPagesPdf([nine], MASK), { dpi: 200 }));
    expect((await readCodes(degrade(page!, 1.5, 24))).map((c) => c.text).sort()).toEqual([...nine].sort());
    expect((await readCodes(degrade(page!, -2, 40, 11))).map((c) => c.text).sort()).toEqual([...nine].sort());
  });

  it('renders only the pages asked for, in the order asked', async () => {
    const t2 = randomTexts(7, 2);
    const pdf = await qrPagesPdf([[texts[0]!], [t2[0]!], [t2[1]!]], MASK);
    const pages = await collect(rasterisePdf(pdf, { dpi: 100, pages: [3, 1] }));
    expect(pages.map((p) => p.page)).toEqual([3, 1]);
  });

  it('gives [] for a page without codes', async () => {
    const [page] = await collect(rasterisePdf(await textOnlyPdf(), { dpi: 200 }));
    expect(await readCodes(page!)).toEqual([]);
  });

  it('throws UnreadablePdfError for a truncated PDF', async () => {
    const pdf = await qrPagesPdf([texts], MASK);
    const truncated = pdf.subarray(0, Math.floor(pdf.length / 2));
    const err = await collect(rasterisePdf(truncated, { dpi: 200, fileName: 'scan.pdf' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnreadablePdfError);
    expect(err).toBeInstanceOf(PaperchartError);
    expect((err as UnreadablePdfError).code).toBe('E_UNREADABLE_PDF');
    expect((err as Error).message).toContain('scan.pdf');
  });

  it('throws UnreadablePdfError for bytes that are not a PDF at all', async () => {
    const junk = new TextEncoder().encode('%PDF-1.7\nthis is not really a pdf\n%%EOF\n');
    await expect(collect(rasterisePdf(junk, { dpi: 200 }))).rejects.toBeInstanceOf(UnreadablePdfError);
    await expect(collect(rasterisePdf(new Uint8Array([1, 2, 3]), { dpi: 200 }))).rejects.toBeInstanceOf(UnreadablePdfError);
  });
});
