/**
 * The text layer: turns a string into runs of one font and one bidi level in
 * visual order, measures them exactly as they will be drawn, wraps
 * paragraphs, and gives each run its glyphs (GlyphData) for pdf/ to draw.
 */
import { BoundedCache } from './_bounded-cache.js';
import { BIDI_CONTROLS, baseDirection, embeddingLevels, fontkitReverses, reorder, reverseCodePoints } from './bidi.js';
import { copyFeatures, loadFontSet, type Face, type Features, type FontSet, type Weight } from './font-files.js';
import { ownGlyphData, shapeGlyphs, type GlyphData } from './glyph-data.js';
import { CANCEL_TAG, hasKana, JAPANESE_TAG, TAG_CHARACTER, withoutTags } from './han-language.js';
import { breakPieces, normalise, PARAGRAPHS } from './line-breaks.js';
import { collectWordShapes, SIMPLE_TEXT_CLASS, simpleWords, wordsEm, wordsGlyphs } from './simple-text.js';
import { joinWordShapes, scriptOf, type WordShape } from './word-shapes.js';

export type { Weight } from './font-files.js';

/**
 * What a run holds to be drawn: its width only ('measured': counting pages
 * needs no more), its words' shapes (simple text measured from its words,
 * which its glyphs are joined from), or its glyphs. withGlyphs and
 * readyToDraw move a run on; pdf/glyph-run.ts draws the glyphs.
 */
export type RunGlyphs =
  | { readonly kind: 'measured' }
  | { readonly kind: 'words'; readonly shapes: readonly WordShape[] }
  | { readonly kind: 'glyphs'; readonly glyphs: GlyphData };

const MEASURED: RunGlyphs = Object.freeze({ kind: 'measured' });

export interface TextRun {
  /** Characters as fontkit shapes them: logical order for runs fontkit reverses itself, else already in visual order. */
  text: string;
  /** The face's name (Face.name), under which registerFonts registers it with a document. */
  font: string;
  features: Features;
  /** Points at the line's size. */
  width: number;
  /** Resolved bidi embedding level (odd = right-to-left). */
  level: number;
  shaped: RunGlyphs;
}

export interface ShapedLine {
  /** Runs in visual order, left to right. */
  runs: TextRun[];
  width: number;
  size: number;
  /** The line's text in logical order (NFC). */
  text: string;
  /** Paragraph direction; callers may right-align 'rtl' lines. */
  direction: 'ltr' | 'rtl';
}

type Direction = 'ltr' | 'rtl' | 'auto';
interface EmRun { text: string; face: Face; level: number; em: number; shaped: RunGlyphs }
interface EmLine { text: string; runs: EmRun[]; em: number; direction: 'ltr' | 'rtl' }

const graphemes = new Intl.Segmenter('und', { granularity: 'grapheme' });

/** Characters that keep the previous run's font when it has them, so "(", digits and spaces don't split a run. */
const STICKY = /[\p{M}\p{Z}\p{P}\p{N}\p{S}\p{Cf}]/u;
/**
 * Text that is left to right whatever its context, in scripts and symbols the
 * Latin faces cover (no bidi controls): its bidi levels are all 0, so shapeEm
 * can skip bidi. It is simple-text.ts's simple text plus U+034F (combining grapheme
 * joiner), which stops a run being composed from its words but not bidi.
 */
const SIMPLE_LTR = new RegExp(`^[${SIMPLE_TEXT_CLASS}\\u034F]+$`);

// Lines repeat, free text does not: these bounds took a 10,000-patient peak from 476 to 407 MB, 2.6 s faster (docs/PERFORMANCE.md).
const SHAPES_MAX = 2_000;
const GLYPHS_MAX = 500;
const EMS_MAX = 10_000;
/** Running headers and footers: a patient's lines, the binder's, and page numbers. */
const DRAWN_MAX = 1_000;
/** Code points below this have their coverage remembered (covers): Latin, Greek, Cyrillic, Hebrew, Arabic and more. */
const COVERAGE_REMEMBERED = 0x3000;
const UNKNOWN = 0;
const HAS_GLYPH = 1;
const NO_GLYPH = 2;
/** Longer texts are not cached whole (see shapeEm). */
const CACHED_TEXT_MAX = 80;

/** Whether a Japanese tag is open after `text`, given whether one was before it. */
function japaneseAtEnd(text: string, before: boolean): boolean {
  const opened = text.lastIndexOf(JAPANESE_TAG);
  const cancelled = text.lastIndexOf(CANCEL_TAG);
  return opened > cancelled ? true : cancelled > opened ? false : before;
}

export class TextShaper {
  private readonly shapes = new BoundedCache<EmLine>(SHAPES_MAX);
  private readonly glyphs = new BoundedCache<GlyphData>(GLYPHS_MAX);
  private readonly ems = new BoundedCache<number>(EMS_MAX);
  private readonly drawn = new BoundedCache<ShapedLine>(DRAWN_MAX);
  private readonly fitted = new BoundedCache<number>(DRAWN_MAX);
  private readonly coverage = new Map<Face, Uint8Array>();

  constructor(readonly fonts: FontSet = loadFontSet()) {}

  /** One line: bidi with automatic base direction, font fallback, runs in visual order. */
  shape(text: string, size: number, weight: Weight): ShapedLine {
    return this.atSize(this.shapeEm(text, weight, 'auto'), size);
  }

  /**
   * shape() with the glyphs to draw it, remembered: the running header and
   * footer repeat on every page of a patient or of the binder, and making
   * their glyphs again for each page was a twentieth of the drawing thread's time.
   */
  shapeForDrawing(text: string, size: number, weight: Weight): ShapedLine {
    const key = `${weight}${size}\u0000${text}`;
    let line = this.drawn.get(key);
    if (!line) {
      line = this.withGlyphs(this.shape(text, size, weight));
      for (const run of line.runs) run.shaped = { kind: 'glyphs', glyphs: ownGlyphData(this.glyphsToDraw(run)) }; // kept: not in a shared block
      this.drawn.set(key, line);
    }
    return line;
  }

  width(text: string, size: number, weight: Weight): number {
    return this.shapeEm(text, weight, 'auto').em * size;
  }

  /**
   * Greedy wrapping at spaces (and between CJK characters). A piece wider than
   * maxWidth is broken between grapheme clusters. Only the spaces at a break
   * are dropped. Bidi runs per line with the paragraph's base direction.
   */
  wrap(text: string, size: number, weight: Weight, maxWidth: number): ShapedLine[] {
    const lines: ShapedLine[] = [];
    for (const paragraph of text.split(PARAGRAPHS).map(normalise)) {
      const dir = baseDirection(paragraph);
      // Short paragraphs (cells, names) usually fit whole: one shape, no splitting.
      if (paragraph.length <= 256) {
        const whole = this.shapeEm(paragraph, weight, dir);
        if (whole.em * size <= maxWidth) {
          lines.push(this.atSize(whole, size));
          continue;
        }
      }
      const simple = this.wrapSimple(paragraph, size, weight, dir, maxWidth);
      if (simple) {
        lines.push(...simple);
        continue;
      }
      const pieces = breakPieces(paragraph);
      if (pieces.length === 0) {
        lines.push(this.atSize(this.shapeEm('', weight, dir), size));
        continue;
      }
      const em = (s: string) => this.shapeEm(s, weight, dir).em;
      const limit = maxWidth / size;
      // A line that starts inside a Japanese tag's scope starts with the tag again (han-language.ts).
      let tagged = false;
      let i = 0;
      while (i < pieces.length) {
        const first = pieces[i]!;
        const lead = i === 0 ? first.sep : '';
        if (em(lead + first.text) > limit) {
          const parts = Array.from(graphemes.segment(first.text), (g) => ({ sep: '', text: g.segment }));
          if (parts.length > 1) {
            parts[0]!.sep = first.sep;
            pieces.splice(i, 1, ...parts);
            continue;
          }
        }
        // Estimate with piece widths (cached), then confirm with the shaped line.
        const texts = [(tagged ? JAPANESE_TAG : '') + lead + first.text];
        let estimate = em(texts[0]!);
        let j = i + 1;
        for (; j < pieces.length; j++) {
          const p = pieces[j]!;
          const next = estimate + (p.sep ? em(p.sep) : 0) + em(p.text);
          if (next > limit) break;
          texts.push(p.sep + p.text);
          estimate = next;
        }
        let line = this.shapeEm(texts.join(''), weight, dir);
        while (line.em > limit && texts.length > 1) {
          texts.pop();
          j--;
          line = this.shapeEm(texts.join(''), weight, dir);
        }
        lines.push(this.atSize(line, size));
        if (TAG_CHARACTER.test(paragraph)) tagged = japaneseAtEnd(texts.join(''), tagged);
        i = j;
      }
    }
    return lines;
  }

  /**
   * wrap() for simple text (one left-to-right run in the first face, its
   * words shaped apart; see shapeEm and simple-text.ts's wordsEm): each word is
   * measured once and a line's width is its words' and spaces' widths added
   * in font units, which is exactly what measuring the line gives. Measuring
   * pieces and then each line again was a sixth of a print (issue 6).
   * Undefined, for the general path, when the text is not simple, a word is
   * wider than a line, or a line would be shaped under another script than
   * the paragraph (a line whose first letter is not of the paragraph's script, or that has none).
   */
  private wrapSimple(paragraph: string, size: number, weight: Weight, dir: Direction, maxWidth: number): ShapedLine[] | undefined {
    const face = this.fonts.chains[weight][0]!;
    // simpleWords' text is also SIMPLE_LTR's, so shapeEm measures every line of it from its words too.
    const script = simpleWords(paragraph);
    if (dir === 'rtl' || script === undefined || script === 'auto' || !this.covers(face, paragraph)) return undefined;
    // Words after their leading spaces, as breakPieces gives them: in simple text only U+0020 is a break space.
    const pieces = paragraph.match(/ *[^ ]+/g);
    if (pieces === null) return undefined;
    const upem = face.font.unitsPerEm;
    const limit = maxWidth / size;
    const lines: ShapedLine[] = [];
    let text = '';
    let units = 0;
    // The line's words' shapes, kept for its glyphs (withGlyphs); a word's are those after its spaces'.
    let shapes: WordShape[] = [];
    const sepShapes: WordShape[] = [];
    const wordShapes: WordShape[] = [];
    const endLine = (): boolean => {
      if (scriptOf(text) !== script) return false;
      const em = units / upem;
      lines.push(this.atSize({ text, runs: [{ text, face, level: 0, em, shaped: { kind: 'words', shapes } }], em, direction: 'ltr' }, size));
      return true;
    };
    for (const [i, piece] of pieces.entries()) {
      const word = piece.trimStart();
      const sep = piece.slice(0, piece.length - word.length);
      wordShapes.length = 0;
      sepShapes.length = 0;
      const wordUnits = collectWordShapes(face, word, script, wordShapes);
      const sepUnits = sep ? collectWordShapes(face, sep, script, sepShapes) : 0;
      if (i > 0) {
        const joined = units + sepUnits + wordUnits;
        if (joined / upem <= limit) {
          text += piece;
          units = joined;
          shapes.push(...sepShapes, ...wordShapes);
          continue;
        }
        if (!endLine()) return undefined;
      }
      // A line starts: only the first keeps the spaces before its word.
      text = i === 0 ? piece : word;
      units = (i === 0 ? sepUnits : 0) + wordUnits;
      shapes = i === 0 ? [...sepShapes, ...wordShapes] : [...wordShapes];
      if (units / upem > limit) return undefined;
    }
    return endLine() ? lines : undefined;
  }

  /**
   * The largest size ≤ size, down to 60% of it, at which text fits maxWidth on
   * one line; the original size if it fits or needs more shrinking than that
   * (callers then wrap). Widths scale linearly with size, so this is exact.
   */
  fit(text: string, size: number, weight: Weight, maxWidth: number): number {
    // Fitted texts are running headers and footers, names and captions: they repeat, and some are too long
    // for shapeEm's cache (the footer was measured again on every page: 2.8% of a one-thread print, profile).
    const key = `${weight}\u0000${text}`;
    let em = this.fitted.get(key);
    if (em === undefined) this.fitted.set(key, em = this.shapeEm(text, weight, 'auto').em);
    if (em * size <= maxWidth) return size;
    const fitting = Math.floor((maxWidth / em) * 100) / 100;
    return fitting >= size * 0.6 ? fitting : size;
  }

  private atSize(line: EmLine, size: number): ShapedLine {
    return {
      runs: line.runs.map((r) => ({
        text: r.text, font: r.face.name, features: r.face.features, width: r.em * size, level: r.level, shaped: r.shaped,
      })),
      width: line.em * size,
      size,
      text: line.text,
      direction: line.direction,
    };
  }

  /** Size-independent shaping, cached by (weight, direction, text). */
  private shapeEm(raw: string, weight: Weight, dir: Direction): EmLine {
    const key = `${weight}${dir}\u0000${raw}`;
    // Long lines are new text (notes) and shape cheaply from cached words: caching them would only push names and labels out.
    const cacheable = raw.length <= CACHED_TEXT_MAX;
    const hit = cacheable ? this.shapes.get(key) : undefined;
    if (hit) return hit;
    const text = normalise(raw);
    const chain = this.fonts.chains[weight];
    const simple = dir !== 'rtl' && SIMPLE_LTR.test(text) && this.covers(chain[0]!, text);
    if (simple) {
      // What the general path below gives such a text, without its cost (bidi levels and a face lookup per
      // character were a tenth of a print): one left-to-right run in the first face.
      const face = chain[0]!;
      const words = simpleWords(text);
      const shapes: WordShape[] = [];
      const em = words === undefined ? this.emWidth(face, text) : collectWordShapes(face, text, words, shapes) / face.font.unitsPerEm;
      const line: EmLine = { text, runs: [{ text, face, level: 0, em, shaped: words === undefined ? MEASURED : { kind: 'words', shapes } }], em, direction: 'ltr' };
      if (cacheable) this.shapes.set(key, line);
      return line;
    }
    const { levels, paragraphs, mirrors } = embeddingLevels(text, dir);

    const runs: { chars: string[]; face: Face; level: number }[] = [];
    // Han takes Japanese forms in a text with kana, and within a Japanese language tag (han-language.ts).
    const kana = hasKana(text);
    let japanese = kana;
    let tag = '';
    let index = 0;
    for (const ch of text) {
      const level = levels[index] ?? 0;
      const shown = mirrors.get(index) ?? ch;
      index += ch.length;
      // Only a field's isolates reach here (visibleIdentity shows a name's as marks): they set levels and draw nothing.
      if (BIDI_CONTROLS.test(ch)) continue;
      if (TAG_CHARACTER.test(ch)) {
        // Tags draw nothing: they set the language of what follows, up to a cancel tag.
        tag = ch === CANCEL_TAG ? '' : tag + ch;
        japanese = kana || tag === JAPANESE_TAG;
        continue;
      }
      const cp = ch.codePointAt(0)!;
      const prev = runs[runs.length - 1];
      const faces = japanese ? this.fonts.japanese[weight] : chain;
      const face = prev && STICKY.test(ch) && prev.face.font.hasGlyphForCodePoint(cp)
        ? prev.face
        : faces.find((f) => f.font.hasGlyphForCodePoint(cp)) ?? prev?.face ?? faces[0]!;
      if (prev && prev.face === face && prev.level === level) prev.chars.push(shown);
      else runs.push({ chars: [shown], face, level });
    }

    const emRuns: EmRun[] = runs.map(({ chars, face, level }) => {
      let s = chars.join('');
      // Odd levels read right to left. fontkit reverses RTL-script runs itself;
      // any other run whose order disagrees with its level is reversed here.
      if (fontkitReverses(s) !== (level % 2 === 1)) s = reverseCodePoints(s);
      return { text: s, face, level, em: this.emWidth(face, s), shaped: MEASURED };
    });
    const direction = (paragraphs[0]?.level ?? (dir === 'rtl' ? 1 : 0)) % 2 === 1 ? 'rtl' : 'ltr';
    const line: EmLine = { text: withoutTags(text), runs: reorder(emRuns), em: emRuns.reduce((sum, r) => sum + r.em, 0), direction };
    if (cacheable) this.shapes.set(key, line);
    return line;
  }

  /**
   * Whether `face` has a glyph for every character of `text`. Answers are
   * remembered per code point in an array (every character of every plain
   * line is asked about; a map lookup each was measurable), beyond it asked anew.
   */
  private covers(face: Face, text: string): boolean {
    let known = this.coverage.get(face);
    if (!known) this.coverage.set(face, known = new Uint8Array(COVERAGE_REMEMBERED));
    for (let i = 0; i < text.length; i++) {
      const cp = text.codePointAt(i)!;
      if (cp > 0xffff) i++;
      let has = cp < COVERAGE_REMEMBERED ? known[cp]! : UNKNOWN;
      if (has === UNKNOWN) {
        has = face.font.hasGlyphForCodePoint(cp) ? HAS_GLYPH : NO_GLYPH;
        if (cp < COVERAGE_REMEMBERED) known[cp] = has;
      }
      if (has === NO_GLYPH) return false;
    }
    return true;
  }

  /** Advance width in ems, laid out with the face's features, as its glyphs are (glyphsOf). */
  private emWidth(face: Face, text: string): number {
    const words = simpleWords(text);
    if (words !== undefined) return wordsEm(face, text, words);
    const key = `${face.name}\u0000${text}`;
    const hit = this.ems.get(key);
    if (hit !== undefined) return hit;
    const em = face.font.layout(text, copyFeatures(face.features)).advanceWidth / face.font.unitsPerEm;
    this.ems.set(key, em);
    return em;
  }

  /** Gives every run of `line` its glyphs (once). */
  withGlyphs(line: ShapedLine): ShapedLine {
    for (const run of line.runs) {
      if (run.shaped.kind !== 'glyphs') run.shaped = { kind: 'glyphs', glyphs: this.glyphsToDraw(run) };
    }
    return line;
  }

  /**
   * Gives the runs of `line` that were not measured from their words their
   * glyphs (shaping them), so that the line can be drawn, here or on the
   * thread that draws, without a shaper. Runs measured from their words keep
   * their words' shapes, which packing (packed-pages.ts) and drawing copy the
   * glyphs from: joining them first and packing the join copied every glyph
   * twice, a seventh of preparing a patient (issue 6, profile).
   */
  readyToDraw(line: ShapedLine): ShapedLine {
    for (const run of line.runs) {
      if (run.shaped.kind === 'measured') run.shaped = { kind: 'glyphs', glyphs: this.glyphsOf(this.faceNamed(run.font), run.text) };
    }
    return line;
  }

  /**
   * The glyphs to draw `run` with (pdf/glyph-run.ts drawShapedLine): its own,
   * or joined from its words' shapes, or shaped now; not kept on the run.
   */
  glyphsToDraw(run: TextRun): GlyphData {
    switch (run.shaped.kind) {
      case 'glyphs': return run.shaped.glyphs;
      case 'words': return joinWordShapes(run.shaped.shapes);
      case 'measured': return this.glyphsOf(this.faceNamed(run.font), run.text);
    }
  }

  private faceNamed(name: string): Face {
    const face = this.fonts.faces.find((f) => f.name === name);
    if (!face) throw new Error(`no face named ${name}`);
    return face;
  }

  private glyphsOf(face: Face, text: string): GlyphData {
    const words = simpleWords(text);
    if (words !== undefined) return wordsGlyphs(face, text, words);
    if (text.length > CACHED_TEXT_MAX) return shapeGlyphs(face, text);
    const key = `${face.name}\u0000${text}`;
    let glyphs = this.glyphs.get(key);
    if (!glyphs) this.glyphs.set(key, glyphs = shapeGlyphs(face, text));
    return glyphs;
  }
}
