// A face's file is read only when a text needs it (issue 28): a Latin-only print never reads the 22 MB of Chinese,
// Japanese and Korean faces, and a document reads none for registering them. Drawn text is unchanged: the PDF made
// with faces opened as needed equals, byte for byte, the PDF made after every face was opened first.
import PDFDocument from 'pdfkit';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { drawShapedLine } from '../../src/pdf/glyph-run.js';
import { fontFilesRead, loadFontSet, registerFonts } from '../../src/text/font-files.js';
import { inJapanese } from '../../src/text/han-language.js';
import { TextShaper } from '../../src/text/shape-text.js';

// This file runs in a thread of its own (vitest isolates test files), so nothing here was read before.
const read = (): string[] => [...fontFilesRead().keys()].map((p) => basename(p)).sort();
const CJK = ['NotoSansJP-Regular.ttf', 'NotoSansKR-Regular.ttf', 'NotoSansSC-Regular.ttf'];

async function pdf(fonts: ReturnType<typeof loadFontSet>, lines: string[]): Promise<Buffer> {
  const shaper = new TextShaper(fonts);
  const doc = new PDFDocument({ size: 'A5', margin: 30, info: { CreationDate: new Date('2026-12-06T00:00:00Z') } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve) => doc.on('end', () => resolve()));
  registerFonts(doc, fonts);
  lines.forEach((text, i) => drawShapedLine(doc, shaper, shaper.withGlyphs(shaper.shape(text, 12, i % 2 ? 'bold' : 'regular')), 30, 60 + 20 * i));
  doc.end();
  await done;
  return Buffer.concat(chunks);
}

describe('fonts read when first needed', () => {
  it('reads no file to register the faces, the Latin ones for Latin text, and a CJK face only for its script', async () => {
    const fonts = loadFontSet();
    const doc = new PDFDocument();
    registerFonts(doc, fonts);
    expect(read()).toEqual([]);
    const shaper = new TextShaper(fonts);
    shaper.shape('Okafor, Ngozi — MRN 7257321, Zieliński, Nguyễn Thị Hương', 10, 'regular');
    shaper.shape('Allergies: penicillin', 10, 'bold');
    expect(read()).toEqual(['NotoSans-Bold.ttf', 'NotoSans-Regular.ttf']);
    shaper.shape('唐, 婷婷', 10, 'regular');
    expect(read().filter((f) => CJK.includes(f))).toEqual(['NotoSansSC-Regular.ttf']);
    shaper.shape(inJapanese('岡田, 美咲'), 10, 'bold');
    shaper.shape('안, 서연', 10, 'regular');
    expect(read().filter((f) => CJK.includes(f))).toEqual(CJK);
  });

  it('draws the same PDF, byte for byte, as with every face opened before', async () => {
    const lines = ['Okafor, Ngozi — MRN 7257321', '唐, 婷婷 · Tang, Tingting', inJapanese('岡田, 美咲'), '안, 서연', 'صالح, ليلى', 'כהן, נועה'];
    const lazily = await pdf(loadFontSet(), lines);
    // Every face opened first, as loadFontSet did before: the same fonts, asked for in another order.
    const eager = loadFontSet();
    for (const face of eager.faces) expect(face.font.numGlyphs).toBeGreaterThan(0);
    expect((await pdf(eager, lines)).equals(lazily)).toBe(true);
  });
});
