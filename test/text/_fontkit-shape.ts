// The oracle of the composed words' tests: fontkit's own shaping, on a font object paperchart's memoised layout has
// not touched, and its result packed as text/word-shapes.ts packs a word (WordShape).
import type * as fontkit from 'fontkit';
import { copyFeatures, type Face } from '../../src/text/font-files.js';
import type { ShapeScript } from '../../src/text/word-shapes.js';

/** fontkit's run of `text` in `face`'s features under `script`. */
export function fontkitRun(font: fontkit.Font, face: Face, text: string, script: ShapeScript): fontkit.GlyphRun {
  return (font.layout as (t: string, f: unknown, s: string) => fontkit.GlyphRun)(text, copyFeatures(face.features), script);
}

/** A run as a WordShape: advance, glyphs, code points, then ids, advances, positions, code point counts, code points. */
export function packedShape(run: fontkit.GlyphRun): number[] {
  return [run.advanceWidth, run.glyphs.length, run.glyphs.reduce((n, g) => n + g.codePoints.length, 0), ...run.glyphs.map((g) => g.id),
    ...run.glyphs.map((g) => g.advanceWidth), ...run.positions.flatMap((p) => [p.xAdvance, p.yAdvance, p.xOffset, p.yOffset]),
    ...run.glyphs.map((g) => g.codePoints.length), ...run.glyphs.flatMap((g) => g.codePoints)];
}
