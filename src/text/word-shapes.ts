/**
 * Words shaped once per face and script (WordShape), composed from their
 * characters where that is exact (composeWord), and joined into glyph data.
 */
import type * as fontkit from 'fontkit';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BoundedCache } from './_bounded-cache.js';
import { copyFeatures, type Face } from './font-files.js';
import { allocGlyphData, glyphDataOf, type GlyphData } from './glyph-data.js';

export const LATIN_LETTER = /\p{Script=Latin}/u;
/** The script a word is shaped under: fontkit's Latin or Unknown, or (a single word) the one fontkit detects. */
export type WordScript = 'latn' | 'zzzz' | 'auto';

/**
 * A word shaped once, packed in one plain array of numbers: its advance in
 * font units, glyph count n, code point count c, then n ids, n advances, 4n
 * positions, n code point counts, c code points. As typed arrays a word took
 * 1 KB and a microsecond to make (docs/PERFORMANCE.md).
 */
export type WordShape = number[];
const WORD_HEAD = 3;
// Words repeat across patients, numbers and dates mostly do not: 3,000 against 10,000 was as fast, with a smaller peak (docs/PERFORMANCE.md).
const WORD_SHAPES_MAX = 3_000;
/** Words remembered as shaped once, to keep the second time (a string each, not a shape). */
const WORDS_SEEN_MAX = 10_000;

/**
 * A face's word shapes by script, with its single characters (spaces, and
 * the characters words are composed from) in arrays by code: a line's words
 * are looked up once each, and its digits and spaces without hashing.
 */
export interface FaceWords {
  face: Face;
  words: Record<'latn' | 'zzzz', BoundedCache<WordShape>>;
  /** Words shaped once and not kept (see wordShape). */
  seen: Record<'latn' | 'zzzz', BoundedCache<true>>;
  characters: Record<'latn' | 'zzzz', (WordShape | undefined)[]>;
  /** Kerning between two characters by their codes (see pairTable). */
  pairs: Record<'latn' | 'zzzz', Int16Array | undefined>;
  /** Words are composed from their characters' shapes (see composeWord): the Latin faces. */
  composes: boolean;
}
const faceWordsOf = new WeakMap<Face, FaceWords>();

export function faceWords(face: Face): FaceWords {
  let known = faceWordsOf.get(face);
  if (!known) {
    faceWordsOf.set(face, known = newFaceWords(face));
    if (known.composes) adoptMeasured(known);
  }
  return known;
}

function newFaceWords(face: Face): FaceWords {
  return {
    face,
    words: { latn: new BoundedCache(WORD_SHAPES_MAX), zzzz: new BoundedCache(WORD_SHAPES_MAX) },
    seen: { latn: new BoundedCache(WORDS_SEEN_MAX), zzzz: new BoundedCache(WORDS_SEEN_MAX) },
    characters: { latn: [], zzzz: [] },
    pairs: { latn: undefined, zzzz: undefined },
    composes: face.name.startsWith('latin-'),
  };
}

/** The printable ASCII characters, whose shapes and pairs' kerning a Latin face ships measured (measuredTables). */
const MEASURED_FIRST = 0x20;
const MEASURED_END = 0x7f;
const MEASURED_COUNT = MEASURED_END - MEASURED_FIRST;

/** A face's measured shapes of the printable ASCII characters and the kerning of each pair of them (pairs[(a - 0x20) * 95 + b - 0x20]), under one script. */
export interface MeasuredTables { characters: WordShape[]; pairs: number[] }
export type MeasuredFile = Record<'latn' | 'zzzz', MeasuredTables>;

/** Where a Latin face's measured tables are shipped: beside its font file (templates/fonts/latin-regular.measured.json). */
export function measuredTablesPath(face: Face): string {
  return join(dirname(face.path), `${face.name}.measured.json`);
}

/**
 * Measures what composeWord needs of the printable ASCII characters, as fontkit shapes them, from nothing: each
 * character's shape and each pair's kerning. scripts/measured-tables.ts writes them beside the font, and
 * test/text/measured-tables.test.ts checks that the shipped files are exactly this.
 */
export function measureTables(face: Face, script: 'latn' | 'zzzz'): MeasuredTables {
  const known = newFaceWords(face);
  const characters: WordShape[] = [];
  const pairs: number[] = [];
  for (let a = MEASURED_FIRST; a < MEASURED_END; a++) characters.push(characterShape(known, a, script));
  for (let a = MEASURED_FIRST; a < MEASURED_END; a++) {
    for (let b = MEASURED_FIRST; b < MEASURED_END; b++) pairs.push(measurePair(known, script, String.fromCharCode(a, b)));
  }
  return { characters, pairs };
}

/**
 * Takes the face's shipped measurements (measureTables) as if measured here: fontkit's first shaping of a face
 * decodes its substitution and kerning tables, and a 1% supplement measured 2,400 pairs, 0.15-0.25 s of its
 * 2.7-3.0 s. A face without the file measures as it goes, as before.
 */
function adoptMeasured(known: FaceWords): void {
  const path = measuredTablesPath(known.face);
  if (!existsSync(path)) return;
  const file = JSON.parse(readFileSync(path, 'utf8')) as MeasuredFile;
  for (const script of ['latn', 'zzzz'] as const) {
    const { characters, pairs } = file[script];
    if (characters.length !== MEASURED_COUNT || pairs.length !== MEASURED_COUNT * MEASURED_COUNT) throw new Error(`${path}: ${script} tables of the wrong size`);
    characters.forEach((shape, i) => { known.characters[script][MEASURED_FIRST + i] = shape; });
    const table = pairTable(known, script);
    for (let a = 0; a < MEASURED_COUNT; a++) {
      for (let b = 0; b < MEASURED_COUNT; b++) table[(MEASURED_FIRST + a) * COMPOSED_SLOTS + MEASURED_FIRST + b] = pairs[a * MEASURED_COUNT + b]!;
    }
  }
}

function packWord(run: fontkit.GlyphRun): WordShape {
  const data = glyphDataOf(run);
  const n = data.ids.length;
  const c = data.codePoints.length;
  return [run.advanceWidth, n, c, ...data.ids, ...data.advances, ...data.positions, ...data.counts, ...data.codePoints];
}

export function wordShape(known: FaceWords, word: string, context: WordScript): WordShape {
  // fontkit gives a single word the script of its first Latin letter, or Unknown: shaped alone, a word is
  // shaped as it is inside a Latin run when it holds a letter. One entry serves both.
  const script = context === 'auto' ? (LATIN_LETTER.test(word) ? 'latn' : 'zzzz') : context;
  if (word.length === 1 && word.charCodeAt(0) < COMPOSED_CHARACTERS) return characterShape(known, word.charCodeAt(0), script);
  const cache = known.words[script];
  let shape = cache.get(word);
  if (!shape) {
    shape = (known.composes ? composeWord(known, word, script) : undefined) ?? shapeWord(known.face, word, script);
    // Kept from its second time on: identifiers, e-mail addresses and lot numbers, which never repeat,
    // pushed out words that do (see WORD_SHAPES_MAX).
    if (known.seen[script].get(word)) cache.set(word, shape);
    else known.seen[script].set(word, true);
  }
  return shape;
}

/** Characters words may be composed from (composeWord): Latin-1 and Latin Extended-A and B, which hold no combining marks. */
export const COMPOSED_CHARACTERS = 0x250;
/**
 * Punctuation past them that words are composed from too, each in a slot after COMPOSED_CHARACTERS: the en dash
 * of page ranges ("123–125": a 1% supplement's replace-and-shred sheet shaped 450 such words with fontkit), the
 * em dash, and the typographic quotes of names (O’Brien).
 */
const COMPOSED_PUNCTUATION = '\u2013\u2014\u2018\u2019\u201C\u201D';
const PUNCTUATION_SLOT = new Map([...COMPOSED_PUNCTUATION].map((ch, i) => [ch.charCodeAt(0), COMPOSED_CHARACTERS + i]));
/** Slots of a FaceWords' characters, and the side of its pairs table. */
const COMPOSED_SLOTS = COMPOSED_CHARACTERS + COMPOSED_PUNCTUATION.length;
/** In a FaceWords' pairs: not measured yet. */
const PAIR_UNKNOWN = -0x8000;
/** In a FaceWords' pairs: the two characters are not their own glyphs side by side (a ligature): a word holding them is shaped whole. */
const PAIR_APART = -0x7fff;

/** A character's slot in a FaceWords' characters and pairs (its code below COMPOSED_CHARACTERS), or -1 when words are not composed from it. */
function slotOf(code: number): number {
  return code < COMPOSED_CHARACTERS ? code : PUNCTUATION_SLOT.get(code) ?? -1;
}

/** The shape of a character words are composed from (slotOf is not -1), measured once. */
export function characterShape(known: FaceWords, code: number, script: 'latn' | 'zzzz'): WordShape {
  return known.characters[script][slotOf(code)] ??= shapeWord(known.face, String.fromCharCode(code), script);
}

/**
 * A word of characters below COMPOSED_CHARACTERS or in COMPOSED_PUNCTUATION, composed from their shapes
 * and the kerning of each pair (pairTable): what fontkit gives for the word,
 * without its cost (67 µs a word shaped, 1.2 ms a patient: docs/PERFORMANCE.md).
 * Exact for the Latin faces: under their default
 * features the only lookups that join or move letters side by side are the f
 * ligatures, which measurePair sees, and pair kerning, which moves the first
 * glyph's advance only (Noto Sans' contextual kerning acts on combining marks,
 * which words composed here do not hold); checked against fontkit on 20,000
 * random words in test/text/compose-run.test.ts. Undefined when a
 * character is out of range, or not one glyph, or a pair is a ligature.
 */
function composeWord(known: FaceWords, word: string, script: 'latn' | 'zzzz', kerned = true): WordShape | undefined {
  const n = word.length;
  const characters = known.characters[script];
  const pairs = kerned ? pairTable(known, script) : undefined;
  // One glyph and one code point a character: n ids, n advances, 4n positions, n counts, n code points.
  const out: WordShape = new Array<number>(WORD_HEAD + 8 * n);
  out[1] = out[2] = n;
  let advance = 0;
  let code = word.charCodeAt(0);
  let slot = slotOf(code);
  for (let i = 0; i < n; i++) {
    if (slot < 0) return undefined;
    const alone = characters[slot] ?? characterShape(known, code, script);
    if (alone[1] !== 1 || alone[2] !== 1) return undefined;
    const next = i + 1 < n ? word.charCodeAt(i + 1) : -1;
    const nextSlot = next < 0 ? -1 : slotOf(next);
    let kern = 0;
    if (pairs && nextSlot >= 0) {
      kern = pairs[slot * COMPOSED_SLOTS + nextSlot]!;
      if (kern === PAIR_UNKNOWN) kern = pairs[slot * COMPOSED_SLOTS + nextSlot] = measurePair(known, script, String.fromCharCode(code, next));
      if (kern === PAIR_APART) return undefined;
    }
    // A one-glyph shape is: advance, 1, 1, id, glyph advance, 4 position numbers, count, code point.
    out[WORD_HEAD + i] = alone[WORD_HEAD]!;
    out[WORD_HEAD + n + i] = alone[WORD_HEAD + 1]!;
    const at = xAdvanceAt(n, i);
    out[at] = alone[WORD_HEAD + 2]! + kern;
    out[at + 1] = alone[WORD_HEAD + 3]!;
    out[at + 2] = alone[WORD_HEAD + 4]!;
    out[at + 3] = alone[WORD_HEAD + 5]!;
    out[WORD_HEAD + 6 * n + i] = 1;
    out[WORD_HEAD + 7 * n + i] = alone[WORD_HEAD + 7]!;
    advance += out[at]!;
    code = next;
    slot = nextSlot;
  }
  out[0] = advance;
  return out;
}

/** Where glyph i's xAdvance is in a shape of n glyphs. */
function xAdvanceAt(n: number, i: number): number {
  return WORD_HEAD + 2 * n + 4 * i;
}

/** `word` composed from its characters' shapes in `face` (composeWord), or undefined when it cannot be. */
export function composedWord(face: Face, word: string, script: 'latn' | 'zzzz'): WordShape | undefined {
  return composeWord(faceWords(face), word, script);
}

/**
 * Kerning by pair of characters (index first's slot × COMPOSED_SLOTS + second's, slotOf):
 * how far fontkit moves the character after the first when the second
 * follows it, in font units, measured once a pair (measurePair); or
 * PAIR_UNKNOWN, or PAIR_APART when the two do not shape as their own glyphs,
 * placed as alone but for the first one's advance.
 */
function pairTable(known: FaceWords, script: 'latn' | 'zzzz'): Int16Array {
  return known.pairs[script] ??= new Int16Array(COMPOSED_SLOTS * COMPOSED_SLOTS).fill(PAIR_UNKNOWN);
}

function measurePair(known: FaceWords, script: 'latn' | 'zzzz', pair: string): number {
  const shaped = shapeWord(known.face, pair, script);
  const apart = composeWord(known, pair, script, false);
  if (!apart || apart.length !== shaped.length) return PAIR_APART;
  const at = xAdvanceAt(2, 0);
  const kern = shaped[at]! - apart[at]!;
  apart[at] = apart[at]! + kern;
  apart[0] = apart[0]! + kern;
  // Kerning is a whole number of font units, far smaller than the table's two markers at the end of its range.
  return apart.every((v, i) => v === shaped[i]) && Number.isInteger(kern) && Math.abs(kern) < 0x7000 ? kern : PAIR_APART;
}

function shapeWord(face: Face, word: string, script: 'latn' | 'zzzz'): WordShape {
  // Straight to fontkit with the script given (memoiseLayout passes such calls through).
  return packWord((face.font.layout as (t: string, f: unknown, s: string) => fontkit.GlyphRun)(word, copyFeatures(face.features), script));
}

/** The glyph data of words shaped apart (collectWordShapes), one after another, in a shared block (see allocGlyphData). */
export function joinWordShapes(parts: readonly WordShape[]): GlyphData {
  const out = allocGlyphData(shapesGlyphCount(parts), shapesCodePointCount(parts), false);
  writeWordShapes(parts, out);
  return out;
}

/** How many glyphs word shapes hold. */
export function shapesGlyphCount(parts: readonly WordShape[]): number {
  let glyphs = 0;
  for (const p of parts) glyphs += p[1]!;
  return glyphs;
}

/** How many code points the glyphs of word shapes stand for. */
export function shapesCodePointCount(parts: readonly WordShape[]): number {
  let codePoints = 0;
  for (const p of parts) codePoints += p[2]!;
  return codePoints;
}

/** Writes the glyph data of word shapes, one after another, into `out`, which has room for exactly that. */
export function writeWordShapes(parts: readonly WordShape[], out: GlyphData): void {
  let g = 0;
  let c = 0;
  for (const p of parts) {
    const n = p[1]!;
    const cps = p[2]!;
    // Element by element: words are short, and a subarray per field cost more than the copy.
    for (let i = 0; i < n; i++) {
      out.ids[g + i] = p[WORD_HEAD + i]!;
      out.advances[g + i] = p[WORD_HEAD + n + i]!;
      out.counts[g + i] = p[WORD_HEAD + 6 * n + i]!;
    }
    for (let i = 0; i < 4 * n; i++) out.positions[4 * g + i] = p[WORD_HEAD + 2 * n + i]!;
    for (let i = 0; i < cps; i++) out.codePoints[c + i] = p[WORD_HEAD + 7 * n + i]!;
    g += n;
    c += cps;
  }
}
