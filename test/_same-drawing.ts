/**
 * Test helper: how two PDFs compare as drawn. The binder writes its own
 * operators for text and images (issue 6) where pdfkit's text() and image()
 * would write others, so its pages are compared with pdfkit's by what they
 * show (pdfjs' text items, and the pages rendered) rather than byte for byte.
 */
import { rasterisePdf } from '../src/scan/rasterise-pdf.js';
import { pageTextItems } from './_pdf-text.js';

/** A text item as pdfjs reads it: its string, where its baseline starts (points, y up) and its width. */
export interface PlacedText { str: string; x: number; y: number; width: number }

/** Every page's text items, positions rounded to 0.001 pt. */
export async function placedTexts(pdf: Uint8Array): Promise<PlacedText[][]> {
  const round = (n: number): number => Math.round(n * 1000) / 1000;
  return (await pageTextItems(pdf)).map((items) => items.map(({ str, x, y, width }) => ({ str, x: round(x), y: round(y), width: round(width) })));
}

/** Pixels of the two PDFs' pages, rendered at `dpi`, that are dark in either: how many, and in how many the two differ by more than a quarter of the range. */
export async function inkDifference(a: Uint8Array, b: Uint8Array, dpi = 150): Promise<{ ink: number; differing: number }> {
  const pagesOf = async (pdf: Uint8Array) => {
    const pages = [];
    for await (const page of rasterisePdf(pdf, { dpi })) pages.push(page);
    return pages;
  };
  const [pa, pb] = [await pagesOf(a), await pagesOf(b)];
  if (pa.length !== pb.length) throw new Error(`${pa.length} pages against ${pb.length}`);
  let ink = 0, differing = 0;
  pa.forEach((page, i) => {
    const other = pb[i]!;
    if (page.width !== other.width || page.height !== other.height) throw new Error(`page ${i + 1}: sizes differ`);
    for (let p = 0; p < page.rgba.length; p += 4) {
      const ga = page.rgba[p + 1]!, gb = other.rgba[p + 1]!;
      if (ga < 128 || gb < 128) ink++;
      if (Math.abs(ga - gb) > 64) differing++;
    }
  });
  return { ink, differing };
}
