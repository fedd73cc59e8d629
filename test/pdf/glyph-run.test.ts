// drawGlyphRun writes shaped runs without pdfkit's text(): it must draw what text() draws, where text() draws it.
import { describe, expect, it } from 'vitest';
import { copyFeatures, loadFontSet, registerFonts } from '../../src/text/font-files.js';
import { pdfkitBytes } from '../_pdfkit-bytes.js';
import { inkDifference, placedTexts } from '../_same-drawing.js';
import { drawGlyphRun } from '../../src/pdf/glyph-run.js';
import { TextShaper } from '../../src/text/shape-text.js';

const LINES = [
  'Nguyễn Thị Ánh — Adébáyọ̀ Ọlátúndé', 'Παπαδοπούλου Ελένη', 'Иванова Мария', 'مُحَمَّد عبد الله (2026-11-25)',
  'דוד כהן, 12 מ"ג', '张伟 髙橋 美咲', '김민준', 'AV To Wa 10:30 — Amoxicillin 500 mg PO q8h', 'François Müller-Łukasz', '',
  // Enough different letters that a font's subset numbers its glyphs past 92: the ids whose bytes are escaped in a string (10, 13, 40, 41, 92).
  'ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz 0123456789 !#$%&*+/<=>?@[]^_{|}~ ÀÂÄÇÈÉÊËÎÏÔÖÙÛÜàâäçèéêëîïôöùûüßøåæœ',
];

const pdf = (draw: (doc: PDFKit.PDFDocument) => void): Promise<Buffer> =>
  pdfkitBytes({ size: 'LETTER', margin: 0, compress: false, info: { CreationDate: new Date(0) } }, (doc) => {
    registerFonts(doc, loadFontSet());
    draw(doc);
  });

describe('drawGlyphRun', () => {
  it('draws the same glyphs at the same places as pdfkit text(), in every script, marks and kerning included', async () => {
    const shaper = new TextShaper();
    const drawnAs = new Map(shaper.fonts.faces.map((f) => [f.name, f.drawnAs]));
    const lines = LINES.flatMap((text, i) => [shaper.shape(text, 9 + i, 'regular'), shaper.shape(text, 11, 'bold')]).map((l) => shaper.withGlyphs(l));
    const layout = (draw: (doc: PDFKit.PDFDocument, font: string, size: number, x: number, y: number, i: number, j: number) => void) =>
      (doc: PDFKit.PDFDocument) => lines.forEach((line, i) => {
        let x = 40 + i;
        // A synthetic bold (CJK) is its regular face's glyphs, stroked: both drawings use the regular face here.
        line.runs.forEach((run, j) => { draw(doc, drawnAs.get(run.font)!, line.size, x, 60 + 24 * i, i, j); x += run.width; });
      });
    const byPdfkit = await pdf(layout((doc, font, size, x, y, i, j) => {
      const run = lines[i]!.runs[j]!;
      doc.font(font).fontSize(size).text(run.text, x, y,
        { lineBreak: false, baseline: 'alphabetic', features: copyFeatures(run.features), textWidth: run.width } as PDFKit.Mixins.TextOptions);
    }));
    const byGlyphs = await pdf(layout((doc, font, size, x, y, i, j) => drawGlyphRun(doc, font, size, x, y, shaper.glyphsToDraw(lines[i]!.runs[j]!))));
    const drawn = byGlyphs.toString('latin1');
    expect(drawn).toContain(' TJ');
    for (const escape of ['\\n', '\\r', '\\(', '\\)', '\\\\']) expect(drawn).toContain(escape);
    // The same strings, starting at the same points, as wide.
    const texts = await placedTexts(byGlyphs);
    expect(texts[0]!.length).toBeGreaterThan(LINES.length);
    expect(texts).toEqual(await placedTexts(byPdfkit));
    // The same ink, marks above and below the letters included.
    const { ink, differing } = await inkDifference(byGlyphs, byPdfkit);
    expect(ink).toBeGreaterThan(20_000);
    expect(differing).toBeLessThan(ink / 1000);
  });
});
