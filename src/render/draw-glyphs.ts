/**
 * Writes a shaped run into the page as pdfkit's text() would, without
 * pdfkit shaping it again: the same operators and numbers, byte for byte
 * (checked against pdfkit's own output in test/render/draw-glyphs.test.ts).
 * pdfkit's text path was the largest cost of the drawing thread (issue 6),
 * and it can only start from characters.
 *
 * It uses pdfkit 0.20's document internals the way its text mixin does
 * (_font, _fontSize, page.fonts, the embedded font's subset, widths and
 * unicode maps); package.json pins pdfkit's minor version for that reason.
 */
import type { GlyphData } from './font-set.js';

interface EmbeddedFont {
  id: string;
  /** The fontkit font it embeds. */
  font: { numGlyphs: number };
  /** Font units to the PDF's 1000-unit text space. */
  scale: number;
  ref(): unknown;
  subset: { includeGlyph(glyph: number): number };
  widths: number[];
  unicode: number[][];
}

interface TextState {
  _font: EmbeddedFont;
  page: { height: number; fonts: Record<string, unknown> };
  addContent(data: string): unknown;
}

/** pdfkit's number format (PDFObject.number). */
function num(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}

/** Two hex digits per byte value: a glyph id is written as four, the same as pdfkit's padded toString(16). */
const HEX_BYTE = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/**
 * Each font glyph's id in the embedded subset and its hex text, once the glyph
 * is in the subset. fontkit's subset maps ids through a plain object, and a
 * binder draws millions of glyphs: the lookup and the hex were 1.5 s of a
 * 1,000-patient print's drawing thread (issue 6, profile).
 */
interface SubsetGlyphs { ids: Int32Array; hex: string[] }
const subsetGlyphs = new WeakMap<EmbeddedFont, SubsetGlyphs>();

function subsetGlyphsOf(f: EmbeddedFont): SubsetGlyphs {
  let known = subsetGlyphs.get(f);
  if (!known) subsetGlyphs.set(f, known = { ids: new Int32Array(f.font.numGlyphs).fill(-1), hex: [] });
  return known;
}

/** Draws `glyphs` in the registered font `font` at `size`, left edge x, on the alphabetic baseline y (top-down). */
export function drawGlyphRun(doc: PDFKit.PDFDocument, font: string, size: number, x: number, baselineY: number, glyphs: GlyphData): void {
  doc.font(font).fontSize(size);
  const n = glyphs.ids.length;
  if (n === 0) return;
  const state = doc as unknown as TextState;
  const f = state._font;
  doc.save();
  doc.transform(1, 0, 0, -1, 0, state.page.height);
  const y = state.page.height - baselineY;
  if (state.page.fonts[f.id] == null) state.page.fonts[f.id] = f.ref();
  state.addContent('BT');
  state.addContent(`1 0 0 1 ${num(x)} ${num(y)} Tm`);
  state.addContent(`/${f.id} ${num(size)} Tf`);

  const known = subsetGlyphsOf(f);
  const scale = size / 1000;
  const p = glyphs.positions;
  // TJ's operands: strings of glyphs, each followed by the adjustment after its last glyph. `hex`
  // holds the glyphs since the last adjustment, built as they come (a slice and join a segment cost more).
  const commands: string[] = [];
  let hex = '';
  const endSegment = (lastGlyph: number): void => {
    if (hex === '') return;
    const advance = p[lastGlyph * 4]! * f.scale - glyphs.advances[lastGlyph]! * f.scale;
    commands.push(`<${hex}> ${num(-advance)}`);
    hex = '';
  };
  const flush = (lastGlyph: number): void => {
    endSegment(lastGlyph);
    if (commands.length > 0) {
      state.addContent(`[${commands.join(' ')}] TJ`);
      commands.length = 0;
    }
  };
  let hadOffset = false;
  let cx = x;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const count = glyphs.counts[i]!;
    const glyph = glyphs.ids[i]!;
    let gid = known.ids[glyph]!;
    if (gid < 0) {
      // First time in this font: what pdfkit does for every glyph, of which only the first time counts.
      gid = known.ids[glyph] = f.subset.includeGlyph(glyph);
      known.hex[gid] = HEX_BYTE[(gid >> 8) & 0xff]! + HEX_BYTE[gid & 0xff]!;
      if (f.widths[gid] == null) f.widths[gid] = glyphs.advances[i]! * f.scale;
      if (f.unicode[gid] == null) f.unicode[gid] = Array.from(glyphs.codePoints.subarray(c, c + count));
    }
    c += count;
    const xOffset = p[i * 4 + 2]! * f.scale;
    const yOffset = p[i * 4 + 3]! * f.scale;
    if (xOffset || yOffset) {
      // A glyph moved off the baseline is drawn alone at its own position.
      flush(i - 1);
      state.addContent(`1 0 0 1 ${num(cx + xOffset * scale)} ${num(y + yOffset * scale)} Tm`);
      hex = known.hex[gid]!;
      flush(i);
      hadOffset = true;
    } else {
      if (hadOffset) {
        state.addContent(`1 0 0 1 ${num(cx)} ${num(y)} Tm`);
        hadOffset = false;
      }
      hex += known.hex[gid]!;
      if (p[i * 4]! * f.scale - glyphs.advances[i]! * f.scale !== 0) endSegment(i);
    }
    cx += p[i * 4]! * f.scale * scale;
  }
  flush(n - 1);
  state.addContent('ET');
  doc.restore();
}
