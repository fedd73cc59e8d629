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
import { SCRIPTED } from './layout-memo.js';

/** The scripts fontkit shapes the Latin faces' words under: Latin, Greek, Cyrillic, and Unknown for digits and punctuation. */
export type ShapeScript = 'latn' | 'grek' | 'cyrl' | 'zzzz';
/** The script a word is shaped under: its line's, or (a single word) the one fontkit detects. */
export type WordScript = ShapeScript | 'auto';
export const SHAPE_SCRIPTS: readonly ShapeScript[] = ['latn', 'grek', 'cyrl', 'zzzz'];

const LETTER_SCRIPTS = [[/\p{Script=Latin}/u, 'latn'], [/\p{Script=Greek}/u, 'grek'], [/\p{Script=Cyrillic}/u, 'cyrl']] as const;

/**
 * The script fontkit shapes `text` under when it is given none: its first character of a script's, Unknown
 * ('zzzz') when it has none; undefined for a script other than Latin, Greek or Cyrillic.
 */
export function scriptOf(text: string): ShapeScript | undefined {
  const first = SCRIPTED.exec(text);
  if (first === null) return 'zzzz';
  for (const [letter, tag] of LETTER_SCRIPTS) if (letter.test(first[0])) return tag;
  return undefined;
}

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
 * The blocks words are composed from (composeWord), their characters given slots in this order: Latin-1 and Latin
 * Extended-A and B; Greek and Cyrillic; Latin Extended Additional (Vietnamese). Then punctuation past them, a slot
 * each: the en dash of page ranges ("123–125"), the em dash, the typographic quotes of names (O’Brien), the bullet
 * and the ellipsis.
 */
const COMPOSED_BLOCKS: ReadonlyArray<readonly [number, number]> = [[0x0000, 0x0250], [0x0370, 0x0500], [0x1e00, 0x1f00]];
const COMPOSED_PUNCTUATION = '\u2013\u2014\u2018\u2019\u201C\u201D\u2022\u2026';
/** Slots by character code (-1: words holding it are shaped whole), and characters by slot. */
const SLOT_OF = new Int16Array(0x2030).fill(-1);
const CODE_OF: number[] = [];
for (const [from, to] of COMPOSED_BLOCKS) for (let code = from; code < to; code++) SLOT_OF[code] = CODE_OF.push(code) - 1;
for (const ch of COMPOSED_PUNCTUATION) SLOT_OF[ch.charCodeAt(0)] = CODE_OF.push(ch.charCodeAt(0)) - 1;
/** Slots of characters; a face's ligatures take the slots after them. */
const COMPOSED_SLOTS = CODE_OF.length;
/** Ligatures a face and script may ship (measureTables finds 5 in Noto Sans: ff, fi, fl, ffi, ffl). */
const LIGATURES_MAX = 32;
const PAIR_SLOTS = COMPOSED_SLOTS + LIGATURES_MAX;

/** A character's slot, or -1 when words holding it are not composed. */
export function slotOf(code: number): number {
  return code < SLOT_OF.length ? SLOT_OF[code]! : -1;
}

/** In kerning: the two are not their own glyphs side by side (a ligature, a mark): a word holding them is shaped whole. */
export const PAIR_APART = -0x7fff;

/** A sequence of characters fontkit shapes as one glyph (fi), composed as one character is. */
interface Ligature { text: string; slot: number; shape: WordShape }

/** What words of one script are composed from, in one face. */
interface ScriptTables {
  /** Each character's shape alone, by slot: shipped, or measured when first needed. */
  characters: (WordShape | undefined)[];
  /** Kerning classes of a pair's first and second character (or ligature) by slot, -1 when not shipped (see pairKern). */
  left: Int16Array;
  right: Int16Array;
  /** Kerning in font units by class pair, kern[left * rightClasses + right]; PAIR_APART. */
  kern: Int16Array;
  rightClasses: number;
  /** Pairs measured here, a character without shipped classes in them, by first slot * PAIR_SLOTS + second. */
  measured: Map<number, number>;
  /** Ligatures by their first character's slot, longest first (as GSUB tries them). */
  ligatures: (Ligature[] | undefined)[];
  /** Ligatures by slot - COMPOSED_SLOTS. */
  ligatureSlots: Ligature[];
}

function newScriptTables(): ScriptTables {
  return { characters: [], left: new Int16Array(PAIR_SLOTS).fill(-1), right: new Int16Array(PAIR_SLOTS).fill(-1), kern: new Int16Array(0), rightClasses: 0,
    measured: new Map(), ligatures: [], ligatureSlots: [] };
}

/**
 * A face's word shapes by script, and what its words are composed from (ScriptTables): a line's words are looked up
 * once each, and its digits and spaces without hashing.
 */
export interface FaceWords {
  face: Face;
  words: Record<ShapeScript, BoundedCache<WordShape>>;
  /** Words shaped once and not kept (see wordShape). */
  seen: Record<ShapeScript, BoundedCache<true>>;
  tables: Record<ShapeScript, ScriptTables>;
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

const byScript = <T>(make: () => T): Record<ShapeScript, T> => ({ latn: make(), grek: make(), cyrl: make(), zzzz: make() });

function newFaceWords(face: Face): FaceWords {
  return {
    face,
    words: byScript(() => new BoundedCache<WordShape>(WORD_SHAPES_MAX)),
    seen: byScript(() => new BoundedCache<true>(WORDS_SEEN_MAX)),
    tables: byScript(newScriptTables),
    composes: face.name.startsWith('latin-'),
  };
}

/**
 * What a Latin face ships measured for one script (measureTables): the characters words are composed from, with
 * each one's shape alone; the ligatures among them; and each pair's kerning, as classes (characters whose kerning
 * is the same on that side, as the font's own kerning is by classes) and a table by class pair.
 */
export interface MeasuredTables {
  codes: number[];
  characters: WordShape[];
  ligatures: { text: string; shape: WordShape }[];
  /** Classes of each character then each ligature, as a pair's first and as its second. */
  left: number[];
  right: number[];
  rightClasses: number;
  kern: number[];
}
/** A script's tables, or the name of a script whose tables are the same. */
export type MeasuredFile = Record<ShapeScript, MeasuredTables | ShapeScript>;

/** Where a Latin face's measured tables are shipped: beside its font file (templates/fonts/latin-regular.measured.json). */
export function measuredTablesPath(face: Face): string {
  return join(dirname(face.path), `${face.name}.measured.json`);
}

/**
 * Whether words are composed from `code` under `script`: a character of a slot that is its own glyph alone, and of
 * Common script under Unknown (a word shaped as Unknown holds no letter). Marks are not: they are positioned on
 * the letter before them.
 */
function composable(code: number, script: ShapeScript): boolean {
  const ch = String.fromCharCode(code);
  return !/[\p{M}\p{C}]/u.test(ch) && (script !== 'zzzz' || scriptOf(ch) === 'zzzz');
}

/**
 * Measures what composeWord needs under `script` from nothing, as fontkit shapes it: each character's shape, the
 * ligatures, and each pair's kerning. scripts/measured-tables.ts writes them beside the font, and
 * test/text/measured-tables.test.ts checks the shipped files against fontkit.
 */
export function measureTables(face: Face, script: ShapeScript): MeasuredTables {
  const known = newFaceWords(face);
  const units: { text: string; shape: WordShape }[] = [];
  for (const code of CODE_OF) {
    if (!composable(code, script) || !face.font.hasGlyphForCodePoint(code)) continue;
    const shape = characterShape(known, code, script);
    if (shape[1] === 1 && shape[2] === 1) units.push({ text: String.fromCharCode(code), shape });
  }
  const codes = units.map((u) => u.text.charCodeAt(0));
  const characters = units.length;
  // Ligatures: pairs shaped as one glyph of both, and those followed by a third shaped as one glyph of the three.
  const kernOf = (a: number, b: number): number => measurePair(known, script, units[a]!, units[b]!);
  const ligatures: { text: string; shape: WordShape }[] = [];
  const row: number[][] = [];
  for (let a = 0; a < characters; a++) {
    row.push([]);
    for (let b = 0; b < characters; b++) {
      const k = kernOf(a, b);
      row[a]!.push(k);
      if (k === PAIR_APART) {
        const text = units[a]!.text + units[b]!.text;
        const shape = shapeWord(face, text, script);
        if (shape[1] === 1) ligatures.push({ text, shape });
      }
    }
  }
  for (const two of [...ligatures]) {
    for (const unit of units.slice(0, characters)) {
      const text = two.text + unit.text;
      const shape = shapeWord(face, text, script);
      if (shape[1] === 1) ligatures.push({ text, shape });
    }
  }
  ligatures.sort((x, y) => y.text.length - x.text.length || (x.text < y.text ? -1 : 1));
  if (ligatures.length > LIGATURES_MAX) throw new Error(`${face.name} ${script}: ${ligatures.length} ligatures, more than ${LIGATURES_MAX}`);
  units.push(...ligatures);
  // The pairs with a ligature in them.
  for (let a = 0; a < units.length; a++) {
    row[a] ??= [];
    for (let b = a < characters ? characters : 0; b < units.length; b++) row[a]![b] = kernOf(a, b);
  }
  // Classes: characters whose row (as first) or column (as second) is the same.
  const leftOf = new Map<string, number>();
  const left = row.map((r) => { const key = r.join(','); let c = leftOf.get(key); if (c === undefined) leftOf.set(key, c = leftOf.size); return c; });
  const rightOf = new Map<string, number>();
  const right = units.map((_, b) => { const key = row.map((r) => r[b]).join(','); let c = rightOf.get(key); if (c === undefined) rightOf.set(key, c = rightOf.size); return c; });
  const rightClasses = rightOf.size;
  const kern = new Array<number>(leftOf.size * rightClasses).fill(0);
  row.forEach((r, a) => r.forEach((k, b) => { kern[left[a]! * rightClasses + right[b]!] = k; }));
  return { codes, characters: units.slice(0, characters).map((u) => u.shape), ligatures, left, right, rightClasses, kern };
}

/**
 * Takes the face's shipped measurements (measureTables) as if measured here: fontkit's first shaping of a face
 * decodes its substitution and kerning tables, 60-110 ms a face (profiled), and with ASCII alone shipped a 1%
 * supplement of the sample clinic called fontkit on the Latin faces for 430 words (names in Greek and Cyrillic,
 * f ligatures, Vietnamese, dashes between digits), 0.37 s of its drawing thread; now for none. A face without the
 * file measures as it goes.
 */
function adoptMeasured(known: FaceWords): void {
  const path = measuredTablesPath(known.face);
  if (!existsSync(path)) return;
  const file = JSON.parse(readFileSync(path, 'utf8')) as MeasuredFile;
  for (const script of SHAPE_SCRIPTS) {
    const shipped = file[script];
    // The same tables as an earlier script's: shared, and so is what is measured later.
    if (typeof shipped === 'string' && SHAPE_SCRIPTS.indexOf(shipped) < SHAPE_SCRIPTS.indexOf(script)) {
      known.tables[script] = known.tables[shipped];
      continue;
    }
    if (typeof shipped !== 'object' || shipped === null) throw new Error(`${path}: no ${script} tables`);
    const { codes, characters, ligatures, left, right, rightClasses, kern } = shipped;
    const units = codes.length + ligatures.length;
    if (characters.length !== codes.length || left.length !== units || right.length !== units || ligatures.length > LIGATURES_MAX
      || kern.length !== (Math.max(-1, ...left) + 1) * rightClasses) throw new Error(`${path}: ${script} tables of the wrong size`);
    const tables = known.tables[script];
    const slots = codes.map((code) => slotOf(code));
    if (slots.some((s) => s < 0)) throw new Error(`${path}: ${script} tables hold a character words are not composed from`);
    ligatures.forEach((l, i) => {
      const ligature = { text: l.text, slot: COMPOSED_SLOTS + i, shape: l.shape };
      slots.push(ligature.slot);
      tables.ligatureSlots.push(ligature);
      (tables.ligatures[slotOf(l.text.charCodeAt(0))] ??= []).push(ligature);
    });
    characters.forEach((shape, i) => { tables.characters[slots[i]!] = shape; });
    slots.forEach((slot, i) => { tables.left[slot] = left[i]!; tables.right[slot] = right[i]!; });
    tables.kern = Int16Array.from(kern);
    tables.rightClasses = rightClasses;
  }
}

function packWord(run: fontkit.GlyphRun): WordShape {
  const data = glyphDataOf(run);
  const n = data.ids.length;
  const c = data.codePoints.length;
  return [run.advanceWidth, n, c, ...data.ids, ...data.advances, ...data.positions, ...data.counts, ...data.codePoints];
}

export function wordShape(known: FaceWords, word: string, context: WordScript): WordShape {
  // fontkit gives a single word the script of its first letter, or Unknown: shaped alone, a word is shaped as it is
  // inside a run of that script. One entry serves both.
  const script = context === 'auto' ? scriptOf(word) ?? 'zzzz' : context;
  if (word.length === 1 && slotOf(word.charCodeAt(0)) >= 0) return characterShape(known, word.charCodeAt(0), script);
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

/** The shape of a character words are composed from (slotOf is not -1), measured once. */
export function characterShape(known: FaceWords, code: number, script: ShapeScript): WordShape {
  return known.tables[script].characters[slotOf(code)] ??= shapeWord(known.face, String.fromCharCode(code), script);
}

/**
 * A word of characters words are composed from (slotOf), composed from their shapes (a ligature's for its
 * characters) and the kerning of each pair: what fontkit gives for the word, without its cost (67 µs a word
 * shaped, 1.2 ms a patient: docs/PERFORMANCE.md). Exact for the Latin faces: under their features the only
 * lookups that join or move letters side by side are the f ligatures, which are composed as their own glyph, and
 * pair kerning, which moves the first glyph's advance only (Noto Sans' contextual kerning acts on combining marks,
 * which words composed here do not hold); checked against fontkit on random words of Latin, Greek, Cyrillic and
 * Vietnamese letters in test/text/compose-run.test.ts. Undefined when a character is not composed from, or not
 * one glyph, or a pair does not shape as its own two glyphs.
 */
function composeWord(known: FaceWords, word: string, script: ShapeScript): WordShape | undefined {
  const tables = known.tables[script];
  const n = word.length;
  // The word's glyphs: a character each, or a ligature for its characters.
  const slots: number[] = [];
  const shapes: WordShape[] = [];
  for (let i = 0; i < n;) {
    const code = word.charCodeAt(i);
    const slot = slotOf(code);
    if (slot < 0) return undefined;
    const ligature = tables.ligatures[slot]?.find((l) => word.startsWith(l.text, i));
    if (ligature) {
      slots.push(ligature.slot);
      shapes.push(ligature.shape);
      i += ligature.text.length;
      continue;
    }
    const alone = tables.characters[slot] ?? characterShape(known, code, script);
    if (alone[1] !== 1 || alone[2] !== 1) return undefined;
    slots.push(slot);
    shapes.push(alone);
    i++;
  }
  const g = slots.length;
  // g ids, g advances, 4g positions, g counts, n code points.
  const out: WordShape = new Array<number>(WORD_HEAD + 7 * g + n);
  out[1] = g;
  out[2] = n;
  let advance = 0;
  let c = WORD_HEAD + 7 * g;
  for (let i = 0; i < g; i++) {
    const alone = shapes[i]!;
    let kern = 0;
    if (i + 1 < g) {
      kern = pairKern(known, script, tables, slots[i]!, shapes[i]!, slots[i + 1]!, shapes[i + 1]!);
      if (kern === PAIR_APART) return undefined;
    }
    // A one-glyph shape is: advance, 1, k, id, glyph advance, 4 position numbers, count k, k code points.
    out[WORD_HEAD + i] = alone[WORD_HEAD]!;
    out[WORD_HEAD + g + i] = alone[WORD_HEAD + 1]!;
    const at = xAdvanceAt(g, i);
    out[at] = alone[WORD_HEAD + 2]! + kern;
    out[at + 1] = alone[WORD_HEAD + 3]!;
    out[at + 2] = alone[WORD_HEAD + 4]!;
    out[at + 3] = alone[WORD_HEAD + 5]!;
    const count = alone[WORD_HEAD + 6]!;
    out[WORD_HEAD + 6 * g + i] = count;
    for (let k = 0; k < count; k++) out[c++] = alone[WORD_HEAD + 7 + k]!;
    advance += out[at]!;
  }
  out[0] = advance;
  return out;
}

/** Where glyph i's xAdvance is in a shape of n glyphs. */
function xAdvanceAt(n: number, i: number): number {
  return WORD_HEAD + 2 * n + 4 * i;
}

/** `word` composed from its characters' shapes in `face` (composeWord), or undefined when it cannot be. */
export function composedWord(face: Face, word: string, script: ShapeScript): WordShape | undefined {
  return composeWord(faceWords(face), word, script);
}

/**
 * How far fontkit moves the glyph after `first` when `second` follows it, in font units: from the shipped classes,
 * else measured once (measurePair); PAIR_APART.
 */
function pairKern(known: FaceWords, script: ShapeScript, tables: ScriptTables, first: number, firstShape: WordShape, second: number, secondShape: WordShape): number {
  const l = tables.left[first]!;
  const r = tables.right[second]!;
  if (l >= 0 && r >= 0) return tables.kern[l * tables.rightClasses + r]!;
  const key = first * PAIR_SLOTS + second;
  let kern = tables.measured.get(key);
  if (kern === undefined) {
    const text = (slot: number): string => slot < COMPOSED_SLOTS ? String.fromCharCode(CODE_OF[slot]!) : tables.ligatureSlots[slot - COMPOSED_SLOTS]!.text;
    tables.measured.set(key, kern = measurePair(known, script, { text: text(first), shape: firstShape }, { text: text(second), shape: secondShape }));
  }
  return kern;
}

/**
 * The kerning fontkit gives between two one-glyph units (characters or ligatures) side by side: the first's
 * advance moved, nothing else; PAIR_APART when the two do not shape as their own two glyphs so.
 */
function measurePair(known: FaceWords, script: ShapeScript, first: { text: string; shape: WordShape }, second: { text: string; shape: WordShape }): number {
  const shaped = shapeWord(known.face, first.text + second.text, script);
  const a = first.shape;
  const b = second.shape;
  if (a[1] !== 1 || b[1] !== 1 || shaped[1] !== 2) return PAIR_APART;
  const ka = a[WORD_HEAD + 6]!;
  const kb = b[WORD_HEAD + 6]!;
  // The two side by side, unkerned: advance, 2, ka + kb, ids, advances, positions, counts, code points.
  const apart: WordShape = [a[0]! + b[0]!, 2, ka + kb, a[WORD_HEAD]!, b[WORD_HEAD]!, a[WORD_HEAD + 1]!, b[WORD_HEAD + 1]!,
    ...a.slice(WORD_HEAD + 2, WORD_HEAD + 6), ...b.slice(WORD_HEAD + 2, WORD_HEAD + 6), ka, kb,
    ...a.slice(WORD_HEAD + 7, WORD_HEAD + 7 + ka), ...b.slice(WORD_HEAD + 7, WORD_HEAD + 7 + kb)];
  if (apart.length !== shaped.length) return PAIR_APART;
  const at = xAdvanceAt(2, 0);
  const kern = shaped[at]! - apart[at]!;
  apart[at] = apart[at]! + kern;
  apart[0] = apart[0]! + kern;
  // Kerning is a whole number of font units, far smaller than PAIR_APART.
  return apart.every((v, i) => v === shaped[i]) && Number.isInteger(kern) && Math.abs(kern) < 0x7000 ? kern : PAIR_APART;
}

function shapeWord(face: Face, word: string, script: ShapeScript): WordShape {
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
