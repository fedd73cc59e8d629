/**
 * fontkit's layout, memoised per font: runs cached whole, left-to-right runs
 * with spaces composed from their words, and right-to-left runs fixed up for
 * the text a PDF reader copies out.
 */
import type * as fontkit from 'fontkit';
import { BoundedCache } from './_bounded-cache.js';

/**
 * Memoises font.layout(text, features) for plain string calls. fontkit layout
 * dominates shaping time, a run is laid out to measure it and again for its
 * glyphs (glyph-data.ts shapeGlyphs), and names repeat across thousands of
 * patients. A caller may rescale the positions it gets in place (pdfkit's
 * text() does, in tests), so each call returns the cached glyphs with freshly
 * copied positions.
 *
 * A left-to-right run with spaces is composed from its words, each shaped once
 * per process with the run's script (see composeRun): free text is mostly new
 * lines of old words, and shaping per distinct word instead of per distinct
 * line is what lets a 10,000-patient binder print in a minute (issue 6).
 *
 * Each run is also fixed up once for the text a PDF reader copies out (each
 * glyph's code points go into the font's ToUnicode map), see forExtraction.
 */
// Runs are ~10 KB each, and a line's glyphs re-use the run that measured it: 100 against 500 took 40 MB off a peak (docs/PERFORMANCE.md).
const LAYOUT_CACHE_MAX = 100;
// Words are short and repeat across patients; kept compact (glyphs + numbers).
const WORD_CACHE_MAX = 2_000;

/** A shaped word: fontkit's shared glyph objects and their positions, 4 numbers each. */
interface ShapedWord { glyphs: fontkit.Glyph[]; positions: Float64Array }

/** The Unicode scripts whose runs are composed from words, with fontkit's OpenType tags; none is right-to-left, and Hangul is out (fontkit's Hangul shaper gives a space a different glyph inside a run). */
const COMPOSED_SCRIPTS: Readonly<Record<string, string>> = { Latin: 'latn', Greek: 'grek', Cyrillic: 'cyrl', Han: 'hani' };
const SCRIPT_OF = Object.entries(COMPOSED_SCRIPTS).map(([name, tag]) => [new RegExp(`\\p{Script=${name}}`, 'u'), tag] as const);
/** First character fontkit takes the run's script from (Script.forString skips Common, Inherited, Unknown). */
export const SCRIPTED = /[^\p{Script=Common}\p{Script=Inherited}\p{Script=Unknown}]/u;
/** Characters a composed run may hold: one script's letters plus common ones, no bidi or shaping controls. */
const COMPOSABLE = /^[\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}\p{Script=Han}\p{Script=Common}\p{Script=Inherited}]*$/u;
const CONTROLS = /[\u200B-\u200F\u202A-\u202E\u2066-\u2069\u034F]/;

/** fontkit's script tag for a run that may be composed from words, else undefined (shape it whole). */
function composedScript(text: string): string | undefined {
  if (!text.includes(' ') || !COMPOSABLE.test(text) || CONTROLS.test(text)) return undefined;
  const first = SCRIPTED.exec(text);
  if (first === null) return 'zzzz'; // digits and punctuation only: fontkit's Unknown
  const script = SCRIPT_OF.find(([re]) => re.test(first[0]))?.[1];
  // One script per run: a Latin run with a Greek word would shape that word under 'latn' whole.
  if (script === undefined || [...text].some((ch) => SCRIPTED.test(ch) && !SCRIPT_OF.find(([, tag]) => tag === script)![0].test(ch))) return undefined;
  return script;
}

export function memoiseLayout(font: fontkit.Font): void {
  const layout = font.layout.bind(font) as (text: string, features?: unknown, script?: string) => fontkit.GlyphRun;
  const runs = new BoundedCache<fontkit.GlyphRun>(LAYOUT_CACHE_MAX);
  const words = new BoundedCache<ShapedWord>(WORD_CACHE_MAX);
  // An empty run per script and features: the composed run's script, language, direction and features.
  const templates = new Map<string, fontkit.GlyphRun>();
  // Copy the features: fontkit mutates the object it is given.
  const fresh = (features: unknown): unknown => Array.isArray(features) ? [...features] : features ? { ...(features as object) } : undefined;

  /**
   * The run fontkit would shape for the whole text, built from its words and
   * spaces shaped apart under the whole text's script. Exact for these fonts
   * because none of their lookups reaches across a space: checked glyph for
   * glyph and position for position against whole-run shaping on every line of
   * a sample binder (test/text/compose-run.test.ts).
   */
  const composeRun = (text: string, features: unknown, featuresKey: string, script: string): fontkit.GlyphRun => {
    const glyphs: fontkit.Glyph[] = [];
    const positions: fontkit.GlyphPosition[] = [];
    for (const piece of text.split(/( +)/)) {
      if (piece === '') continue;
      const key = `${script}\u0000${featuresKey}\u0000${piece}`;
      let word = words.get(key);
      if (!word) {
        const run = layout(piece, fresh(features), script);
        const p = new Float64Array(run.positions.length * 4);
        run.positions.forEach((q, i) => p.set([q.xAdvance, q.yAdvance, q.xOffset, q.yOffset], i * 4));
        word = { glyphs: run.glyphs, positions: p };
        words.set(key, word);
      }
      for (const g of word.glyphs) glyphs.push(g);
      const p = word.positions;
      for (let i = 0; i < p.length; i += 4) positions.push(position(p[i]!, p[i + 1]!, p[i + 2]!, p[i + 3]!));
    }
    const templateKey = `${script}\u0000${featuresKey}`;
    let template = templates.get(templateKey);
    if (!template) templates.set(templateKey, template = layout('', fresh(features), script));
    const run = Object.create(Object.getPrototypeOf(template)) as fontkit.GlyphRun;
    Object.assign(run, template, { glyphs, positions });
    return run;
  };

  font.layout = ((text: unknown, features?: unknown, ...rest: unknown[]) => {
    if (typeof text !== 'string' || rest.length > 0 || typeof features === 'string') {
      return (layout as (...a: unknown[]) => fontkit.GlyphRun)(text, features, ...rest);
    }
    const featuresKey = featureKey(features);
    const key = `${featuresKey}\u0000${text}`;
    // Long runs are new text, composed cheaply from cached words: caching them whole would evict the runs that repeat.
    const cacheable = text.length <= 80;
    let run = cacheable ? runs.get(key) : undefined;
    if (!run) {
      const script = composedScript(text);
      run = script === undefined ? layout(text, fresh(features)) : composeRun(text, features, featuresKey, script);
      forExtraction(run);
      if (cacheable) runs.set(key, run);
    }
    const copy = Object.create(Object.getPrototypeOf(run)) as fontkit.GlyphRun;
    Object.assign(copy, run);
    copy.positions = run.positions.map((p) => position(p.xAdvance, p.yAdvance, p.xOffset, p.yOffset));
    return copy;
  }) as typeof font.layout;
}

function position(xAdvance: number, yAdvance: number, xOffset: number, yOffset: number): fontkit.GlyphPosition {
  return { xAdvance, yAdvance, xOffset, yOffset } as fontkit.GlyphPosition;
}

const MARK = /^\p{M}$/u;

/**
 * Makes the text a PDF reader copies out of a right-to-left run match its
 * input. Readers take the glyphs in visual order and reverse the whole string,
 * so a glyph standing for several characters comes back with them reversed.
 * For a glyph of several marks (Noto Naskh's shadda + vowel) the glyph's code
 * points are reversed, and they read back in the input's (NFC) order. A glyph for
 * several letters (lam-alef, الله) would need the same, but a reader that keeps
 * a glyph's text whole would then get it wrong, so the Arabic features avoid
 * such glyphs instead. The glyphs are fontkit's shared objects: replaced in the
 * run by a view, never modified.
 */
function forExtraction(run: fontkit.GlyphRun): void {
  if (run.direction !== 'rtl') return;
  run.glyphs = run.glyphs.map((g) =>
    g.codePoints.length > 1 && g.codePoints.every((c) => MARK.test(String.fromCodePoint(c)))
      ? (Object.create(g, { codePoints: { value: [...g.codePoints].reverse() } }) as fontkit.Glyph)
      : g,
  );
}

function featureKey(features: unknown): string {
  if (features == null) return '';
  if (Array.isArray(features)) return `[${features.join(',')}]`;
  return JSON.stringify(features);
}
