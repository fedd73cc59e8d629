/** Shaped runs as plain numbers (GlyphData), and the shared blocks they are carved from. */
import type * as fontkit from 'fontkit';
import { copyFeatures, type Face } from './font-files.js';

/**
 * A shaped run as plain numbers in font units: glyph ids, each glyph's advance
 * width and code points (for the PDF's ToUnicode map), and its position.
 * Worker threads send these with the layout, so the thread that draws never
 * shapes text again (pdf/glyph-run.ts), and draws the same glyphs whichever
 * thread shaped them.
 */
export interface GlyphData {
  ids: Uint16Array;
  advances: Float64Array;
  /** xAdvance, yAdvance, xOffset, yOffset per glyph. */
  positions: Float64Array;
  /** Each glyph's code points, concatenated; `counts` says how many are each glyph's. */
  codePoints: Uint32Array;
  counts: Uint8Array;
}

/** Shapes `text` in one face (memoised) and returns its glyphs as data. */
export function shapeGlyphs(face: Face, text: string): GlyphData {
  return glyphDataOf(face.font.layout(text, copyFeatures(face.features)));
}

/**
 * Room for the glyph data of n glyphs and c code points: five views of one
 * buffer, widest elements first so each view is aligned. A buffer each run
 * (each one memory V8 asks the system for and frees after a collection) was
 * 9% of laying a patient out, so the runs of lines about to be drawn share
 * blocks instead. A block lives as long as any run carved from it: data kept
 * long (a cache) is given a buffer of its own (`own`, ownGlyphData).
 */
export function allocGlyphData(n: number, c: number, own: boolean): GlyphData {
  const bytes = 43 * n + 4 * c;
  let buffer: ArrayBuffer;
  let at = 0;
  if (own || bytes > GLYPH_BLOCK_BYTES / 8) {
    buffer = new ArrayBuffer(bytes);
  } else {
    if (!glyphBlock || glyphBlockUsed + bytes > GLYPH_BLOCK_BYTES) {
      glyphBlock = new ArrayBuffer(GLYPH_BLOCK_BYTES);
      glyphBlockUsed = 0;
    }
    buffer = glyphBlock;
    at = glyphBlockUsed;
    glyphBlockUsed += (bytes + 7) & ~7; // the next run's doubles aligned too
  }
  return {
    advances: new Float64Array(buffer, at, n),
    positions: new Float64Array(buffer, at + 8 * n, 4 * n),
    codePoints: new Uint32Array(buffer, at + 40 * n, c),
    ids: new Uint16Array(buffer, at + 40 * n + 4 * c, n),
    counts: new Uint8Array(buffer, at + 42 * n + 4 * c, n),
  };
}
const GLYPH_BLOCK_BYTES = 64 * 1024;
let glyphBlock: ArrayBuffer | undefined;
let glyphBlockUsed = 0;

/** `glyphs` in a buffer of its own, to be kept without keeping a shared block (see allocGlyphData). */
export function ownGlyphData(glyphs: GlyphData): GlyphData {
  const out = allocGlyphData(glyphs.ids.length, glyphs.codePoints.length, true);
  out.advances.set(glyphs.advances);
  out.positions.set(glyphs.positions);
  out.codePoints.set(glyphs.codePoints);
  out.ids.set(glyphs.ids);
  out.counts.set(glyphs.counts);
  return out;
}

export function glyphDataOf(run: fontkit.GlyphRun): GlyphData {
  const n = run.glyphs.length;
  const data = allocGlyphData(n, run.glyphs.reduce((sum, g) => sum + g.codePoints.length, 0), true);
  let c = 0;
  run.glyphs.forEach((g, i) => {
    data.ids[i] = g.id;
    data.advances[i] = g.advanceWidth;
    data.counts[i] = g.codePoints.length;
    for (const cp of g.codePoints) data.codePoints[c++] = cp;
    const p = run.positions[i]!;
    data.positions.set([p.xAdvance, p.yAdvance, p.xOffset, p.yOffset], i * 4);
  });
  return data;
}
