/**
 * Writes a shaped run into the page without pdfkit shaping it again: the
 * glyphs and positions pdfkit's text() would draw (checked against text() in
 * test/render/draw-glyphs.test.ts), with lighter framing. Each run is one
 * BT … ET with its font and a text matrix that turns the page's upside-down
 * coordinates (pdfkit's, y down) the right way up, where text() saves the
 * graphics state and flips it around every run. pdfkit's text path was the
 * largest cost of the drawing thread (issue 6), and it can only start from characters.
 *
 * It uses pdfkit 0.20's document internals the way its text mixin does
 * (_font, page.fonts, the embedded font's subset, widths and unicode maps);
 * package.json pins pdfkit's minor version for that reason.
 */
import type { GlyphData } from './font-set.js';
import { writeContent, type ContentBytes } from './_page-content.js';

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
  page: { fonts: Record<string, unknown> };
}

/**
 * Each font glyph's id in the embedded subset, once the glyph is in the
 * subset. fontkit's subset maps ids through a plain object, and a binder
 * draws millions of glyphs: the lookup and the hex were 1.5 s of a
 * 1,000-patient print's drawing thread (issue 6, profile).
 */
const subsetIds = new WeakMap<EmbeddedFont, Int32Array>();

function subsetIdsOf(f: EmbeddedFont): Int32Array {
  let known = subsetIds.get(f);
  if (!known) subsetIds.set(f, known = new Int32Array(f.font.numGlyphs).fill(-1));
  return known;
}

/** The embedded fonts by registered name, per document: pdfkit's font() looks a name up through several maps each time. */
const fontsByName = new WeakMap<PDFKit.PDFDocument, Map<string, EmbeddedFont>>();

function embeddedFont(doc: PDFKit.PDFDocument, name: string): EmbeddedFont {
  let fonts = fontsByName.get(doc);
  if (!fonts) fontsByName.set(doc, fonts = new Map());
  let f = fonts.get(name);
  if (!f) {
    doc.font(name);
    fonts.set(name, f = (doc as unknown as TextState)._font);
  }
  return f;
}

/** Draws `glyphs` in the registered font `font` at `size`, left edge x, on the alphabetic baseline y (top-down). */
export function drawGlyphRun(doc: PDFKit.PDFDocument, font: string, size: number, x: number, baselineY: number, glyphs: GlyphData): void {
  const n = glyphs.ids.length;
  if (n === 0) return;
  const f = embeddedFont(doc, font);
  const fonts = (doc as unknown as TextState).page.fonts;
  if (fonts[f.id] == null) fonts[f.id] = f.ref();
  writeContent(doc, (out) => writeRun(out, f, size, x, baselineY, glyphs));
}

/** One run as BT … ET: TJ's operands are strings of glyphs, each followed by the adjustment after its last glyph. */
function writeRun(out: ContentBytes, f: EmbeddedFont, size: number, x: number, y: number, glyphs: GlyphData): void {
  const known = subsetIdsOf(f);
  const scale = size / 1000;
  const p = glyphs.positions;
  const n = glyphs.ids.length;
  /** Text matrix at (x, y) in the page's y-down space, glyphs upright. */
  const moveTo = (tx: number, ty: number): void => { out.text('1 0 0 -1 ').number(tx).number(ty).line('Tm'); };
  out.line('BT').byte(0x2f).text(f.id).byte(0x20).number(size).line('Tf');
  moveTo(x, y);
  /** Whether a TJ array is open, and a string of glyphs in it. */
  let inArray = false;
  let inString = false;
  const glyph = (gid: number): void => {
    if (!inArray) { out.byte(0x5b); inArray = true; }
    if (!inString) { out.byte(0x3c); inString = true; }
    out.glyph(gid);
  };
  const endString = (lastGlyph: number): void => {
    if (!inString) return;
    const advance = p[lastGlyph * 4]! * f.scale - glyphs.advances[lastGlyph]! * f.scale;
    out.text('> ').number(-advance);
    inString = false;
  };
  const endArray = (lastGlyph: number): void => {
    endString(lastGlyph);
    if (inArray) { out.line('] TJ'); inArray = false; }
  };
  let hadOffset = false;
  let cx = x;
  let c = 0;
  for (let i = 0; i < n; i++) {
    const count = glyphs.counts[i]!;
    const glyph0 = glyphs.ids[i]!;
    let gid = known[glyph0]!;
    if (gid < 0) {
      // First time in this font: what pdfkit does for every glyph, of which only the first time counts.
      gid = known[glyph0] = f.subset.includeGlyph(glyph0);
      if (f.widths[gid] == null) f.widths[gid] = glyphs.advances[i]! * f.scale;
      if (f.unicode[gid] == null) f.unicode[gid] = Array.from(glyphs.codePoints.subarray(c, c + count));
    }
    c += count;
    const xOffset = p[i * 4 + 2]! * f.scale;
    const yOffset = p[i * 4 + 3]! * f.scale;
    if (xOffset || yOffset) {
      // A glyph moved off the baseline is drawn alone at its own position (up on the page is down in y).
      endArray(i - 1);
      moveTo(cx + xOffset * scale, y - yOffset * scale);
      glyph(gid);
      endArray(i);
      hadOffset = true;
    } else {
      if (hadOffset) {
        moveTo(cx, y);
        hadOffset = false;
      }
      glyph(gid);
      if (p[i * 4]! * f.scale - glyphs.advances[i]! * f.scale !== 0) endString(i);
    }
    cx += p[i * 4]! * f.scale * scale;
  }
  endArray(n - 1);
  out.line('ET');
}
