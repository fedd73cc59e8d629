/**
 * Writes a shaped run into the page without pdfkit shaping it again: the
 * glyphs and positions pdfkit's text() would draw (checked against text() in
 * test/pdf/glyph-run.test.ts), with lighter framing. Each run is one
 * BT … ET with its font and a text matrix that turns the page's upside-down
 * coordinates (pdfkit's, y down) the right way up, where text() saves the
 * graphics state and flips it around every run. pdfkit's text path was the
 * largest cost of the drawing thread (issue 6), and it can only start from characters.
 *
 * It fills pdfkit's embedded font (subset, widths, unicode maps) the way its
 * text mixin does, through _pdfkit.ts.
 */
import type { GlyphData } from '../text/glyph-data.js';
import type { Face } from '../text/font-files.js';
import type { ShapedLine, TextShaper } from '../text/shape-text.js';
import { beginContent, endContent, fillOperands, type ContentBytes } from './content-stream.js';
import { currentPage, selectFont, type EmbeddedFont } from './_pdfkit.js';

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
  if (!f) fonts.set(name, f = selectFont(doc, name));
  return f;
}

/**
 * Draws `glyphs` in the registered font `font` at `size`, left edge x, on the
 * alphabetic baseline y (top-down). `embolden` (ems) > 0 draws a synthetic
 * bold: the glyphs filled and stroked in the fill colour with a line that
 * wide (text rendering mode 2, PDF 32000-1 §9.3.6), inside q … Q so the page's
 * stroke colour and line width stay as they were; extracted text is unchanged.
 */
export function drawGlyphRun(doc: PDFKit.PDFDocument, font: string, size: number, x: number, baselineY: number, glyphs: GlyphData, embolden = 0): void {
  const n = glyphs.ids.length;
  if (n === 0) return;
  const f = embeddedFont(doc, font);
  const { fonts } = currentPage(doc);
  if (fonts[f.id] == null) fonts[f.id] = f.ref();
  const out = beginContent(doc);
  if (embolden > 0) out.line('q').text(fillOperands(doc) ?? '0 0 0').line(' RG').number(embolden * size).line('w');
  runWriter.write(out, f, size, x, baselineY, glyphs, embolden > 0);
  if (embolden > 0) out.line('Q');
  endContent(doc, out);
}

/**
 * Writes one run as BT … ET: TJ's operands are strings of glyphs, each
 * followed by the adjustment after its last glyph. One writer serves every
 * run, its state in fields: a closure each per run was 200 KB a patient of
 * the drawing thread's garbage (issue 6, allocation profile).
 */
class RunWriter {
  private out!: ContentBytes;
  private f!: EmbeddedFont;
  private glyphs!: GlyphData;
  /** Whether a TJ array is open, and a string of glyphs in it. */
  private inArray = false;
  private inString = false;

  write(out: ContentBytes, f: EmbeddedFont, size: number, x: number, y: number, glyphs: GlyphData, stroked: boolean): void {
    this.out = out;
    this.f = f;
    this.glyphs = glyphs;
    this.inArray = this.inString = false;
    const known = subsetIdsOf(f);
    const scale = size / 1000;
    const p = glyphs.positions;
    const n = glyphs.ids.length;
    out.line('BT').byte(0x2f).text(f.id).byte(0x20).number(size).line('Tf');
    if (stroked) out.line('2 Tr');
    this.moveTo(x, y);
    let hadOffset = false;
    let cx = x;
    let c = 0;
    for (let i = 0; i < n; i++) {
      const count = glyphs.counts[i]!;
      const fontGlyph = glyphs.ids[i]!;
      let gid = known[fontGlyph]!;
      if (gid < 0) {
        // First time in this font: what pdfkit does for every glyph, of which only the first time counts.
        gid = known[fontGlyph] = f.subset.includeGlyph(fontGlyph);
        if (f.widths[gid] == null) f.widths[gid] = glyphs.advances[i]! * f.scale;
        if (f.unicode[gid] == null) f.unicode[gid] = Array.from(glyphs.codePoints.subarray(c, c + count));
      }
      c += count;
      const xOffset = p[i * 4 + 2]! * f.scale;
      const yOffset = p[i * 4 + 3]! * f.scale;
      if (xOffset || yOffset) {
        // A glyph moved off the baseline is drawn alone at its own position (up on the page is down in y).
        this.endArray(i - 1);
        this.moveTo(cx + xOffset * scale, y - yOffset * scale);
        this.glyph(gid);
        this.endArray(i);
        hadOffset = true;
      } else {
        if (hadOffset) {
          this.moveTo(cx, y);
          hadOffset = false;
        }
        this.glyph(gid);
        if (this.adjustmentAfter(i) !== 0) this.endString(i);
      }
      cx += p[i * 4]! * f.scale * scale;
    }
    this.endArray(n - 1);
    out.line('ET');
  }

  /** Text matrix at (x, y) in the page's y-down space, glyphs upright. */
  private moveTo(x: number, y: number): void {
    this.out.text('1 0 0 -1 ').number(x).number(y).line('Tm');
  }

  private glyph(gid: number): void {
    if (!this.inArray) { this.out.byte(0x5b); this.inArray = true; }
    if (!this.inString) { this.out.byte(0x28); this.inString = true; }
    this.out.glyph(gid);
  }

  /** How far glyph i's position moves the next glyph beyond its own width (kerning), in 1000ths of the font size. */
  private adjustmentAfter(i: number): number {
    return this.glyphs.positions[i * 4]! * this.f.scale - this.glyphs.advances[i]! * this.f.scale;
  }

  private endString(lastGlyph: number): void {
    if (!this.inString) return;
    this.out.text(') ').number(-this.adjustmentAfter(lastGlyph));
    this.inString = false;
  }

  private endArray(lastGlyph: number): void {
    this.endString(lastGlyph);
    if (this.inArray) { this.out.line('] TJ'); this.inArray = false; }
  }
}

const runWriter = new RunWriter();

/**
 * Draws a shaped line at x (left edge) on the alphabetic baseline y (top-down)
 * in the current fill colour, run by run with the glyphs it was shaped to.
 * The shaper's fonts must be registered with `doc` (BinderDocument does it).
 */
export function drawShapedLine(doc: PDFKit.PDFDocument, shaper: TextShaper, line: ShapedLine, x: number, baselineY: number): void {
  let cx = x;
  for (const run of line.runs) {
    const face = faceNamed(shaper, run.font);
    drawGlyphRun(doc, face.drawnAs, line.size, cx, baselineY, shaper.glyphsToDraw(run), face.embolden);
    cx += run.width;
  }
}

/** The shaper's faces by name, once per font set: a synthetic bold is drawn as its regular face, stroked. */
const facesByName = new WeakMap<TextShaper['fonts'], Map<string, Face>>();

function faceNamed(shaper: TextShaper, name: string): Face {
  let faces = facesByName.get(shaper.fonts);
  if (!faces) facesByName.set(shaper.fonts, faces = new Map(shaper.fonts.faces.map((f) => [f.name, f])));
  const face = faces.get(name);
  if (!face) throw new Error(`no face named ${name}`);
  return face;
}
