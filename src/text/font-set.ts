/**
 * The fonts every page draws with: one ordered fallback chain per weight
 * (Latin → Arabic → Hebrew → SC → KR). Each file is read and opened once per
 * process; its memoised layout serves both measuring (TextShaper) and drawing
 * (pdfkit, through a per-document font object, see registerFonts).
 */
/// <reference types="pdfkit" />
import * as fontkit from 'fontkit';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BoundedCache } from './_bounded-cache.js';

/**
 * OpenType features as fontkit/pdfkit take them. Treat as read-only and pass
 * `copyFeatures(face.features)` instead: fontkit writes every feature it applied into
 * an object passed to `layout`, and a reused object then turns those features
 * on for every later layout (e.g. Arabic init/medi/fina on every glyph).
 */
export type Features = readonly string[] | Readonly<Record<string, boolean>>;

export interface Face {
  /** Name registered with pdfkit by registerFonts, e.g. 'latin-regular'. */
  readonly name: string;
  readonly path: string;
  readonly font: fontkit.Font;
  readonly features: Features;
}

export type Weight = 'regular' | 'bold';

export interface FontSet {
  /** Fallback chains, first face with a glyph wins. */
  readonly chains: Readonly<Record<Weight, readonly Face[]>>;
  /** Every distinct face once (SC and KR serve both weights). */
  readonly faces: readonly Face[];
}

/** Resolves to templates/fonts from both src/render and dist/render. */
export const FONTS_DIR = fileURLToPath(new URL('../../templates/fonts/', import.meta.url));

/**
 * Latin: ccmp off, so ị/ọ use their precomposed glyphs; with ccmp fontkit
 * decomposes them to i + dot-below and text extraction loses the dot.
 *
 * Arabic is Noto Naskh Arabic 2.004 (Debian fonts-noto-core 20201225), chosen
 * because every Arabic letter in every joining form is its own glyph with one
 * code point, and lam-alef is drawn as two glyphs (lam + alef forms), so copied
 * text comes back exactly. Fonts that failed that check: Noto Sans/Kufi/Naskh
 * Arabic 2.01x (ccmp splits dotted letters into a dotless skeleton shared by
 * ب ت ث ن ي plus an unmapped dot glyph), Noto Naskh 1.00 and most others (one
 * glyph for lam-alef: extractors reverse its "لا" into "ال", so صلاح reads صالح).
 * liga off: its only effect is the one-glyph الله ligature (same reversal:
 * "اهلل"); the letters still join (init/medi/fina/rlig stay on). ccmp stays on:
 * it only merges shadda + vowel into one mark glyph, positioned right (without
 * it fontkit draws shadda + fatha like shadda + kasra); forExtraction keeps
 * that glyph's text in order.
 *
 * Everything else: default shaping ([] is truthy, which pdfkit needs to lay
 * out a run as a whole).
 */
const LATIN_FEATURES: Features = Object.freeze({ ccmp: false });
const ARABIC_FEATURES: Features = Object.freeze({ liga: false });
const DEFAULT_FEATURES: Features = Object.freeze([]);

const FILES: ReadonlyArray<{ name: string; file: string; features: Features }> = [
  { name: 'latin-regular', file: 'NotoSans-Regular.ttf', features: LATIN_FEATURES },
  { name: 'latin-bold', file: 'NotoSans-Bold.ttf', features: LATIN_FEATURES },
  { name: 'arabic-regular', file: 'NotoNaskhArabic-Regular.ttf', features: ARABIC_FEATURES },
  { name: 'arabic-bold', file: 'NotoNaskhArabic-Bold.ttf', features: ARABIC_FEATURES },
  { name: 'hebrew-regular', file: 'NotoSansHebrew-Regular.ttf', features: DEFAULT_FEATURES },
  { name: 'hebrew-bold', file: 'NotoSansHebrew-Bold.ttf', features: DEFAULT_FEATURES },
  // No bold for SC/KR: the regular face serves both weights.
  { name: 'sc-regular', file: 'NotoSansSC-Regular.ttf', features: DEFAULT_FEATURES },
  { name: 'kr-regular', file: 'NotoSansKR-Regular.ttf', features: DEFAULT_FEATURES },
];

const CHAINS: Record<Weight, readonly string[]> = {
  regular: ['latin-regular', 'arabic-regular', 'hebrew-regular', 'sc-regular', 'kr-regular'],
  bold: ['latin-bold', 'arabic-bold', 'hebrew-bold', 'sc-regular', 'kr-regular'],
};

/** A fresh copy of features, safe to hand to fontkit or pdfkit (both may keep and mutate it). */
export function copyFeatures(f: Features): string[] | Record<string, boolean> {
  return isFeatureList(f) ? [...f] : { ...f };
}

function isFeatureList(f: Features): f is readonly string[] {
  return Array.isArray(f);
}

const sets = new Map<string, FontSet>();
const files = new Map<string, Buffer>();

/** Font files' bytes by path, in memory every thread of the process shares. */
export type FontFiles = ReadonlyMap<string, Uint8Array>;

/**
 * A font file's bytes, read once per process into shared memory, so that a
 * print's worker threads open their fonts from the same bytes instead of
 * reading a copy each: 18 MB a thread (patient-pool.ts).
 */
function fontFile(path: string): Buffer {
  let bytes = files.get(path);
  if (!bytes) {
    const read = readFileSync(path);
    bytes = Buffer.from(new SharedArrayBuffer(read.length));
    read.copy(bytes);
    files.set(path, bytes);
  }
  return bytes;
}

/** The font files this thread has read, for a worker thread to adopt (adoptFontFiles). */
export function fontFilesRead(): FontFiles {
  return files;
}

/** Takes font files another thread has read as this thread's own: the memory is shared, not copied. */
export function adoptFontFiles(shared: FontFiles): void {
  // Sent to a thread, a Buffer arrives as a plain Uint8Array over the same memory.
  for (const [path, b] of shared) if (!files.has(path)) files.set(path, Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function asFont(opened: fontkit.Font | fontkit.FontCollection, path: string): fontkit.Font {
  if (!('layout' in opened)) throw new Error(`${path} is a font collection, expected a single font`);
  return opened;
}

/** The font set for a directory, opened once per thread (SC alone is 10 MB). */
export function loadFontSet(dir: string = FONTS_DIR): FontSet {
  let set = sets.get(dir);
  if (set) return set;
  const byName = new Map<string, Face>();
  for (const { name, file, features } of FILES) {
    const path = join(dir, file);
    const font = asFont(fontkit.create(fontFile(path)), path);
    memoiseLayout(font);
    byName.set(name, { name, path, font, features });
  }
  const chain = (names: readonly string[]) => names.map((n) => byName.get(n)!);
  set = { chains: { regular: chain(CHAINS.regular), bold: chain(CHAINS.bold) }, faces: [...byName.values()] };
  sets.set(dir, set);
  return set;
}

/**
 * Registers every face under its name. Registration only records the source;
 * pdfkit embeds (a subset of) a face only once `doc.font(name)` selects it.
 *
 * Each document gets its own fontkit object (parsed from the bytes read once;
 * about 1 ms for all faces) because pdfkit's subsetter creates glyph objects
 * without code points and fontkit caches glyph objects per font: sharing one
 * object across documents made a later document's ToUnicode map drop "c"
 * after an earlier one had embedded "ç" (c is a component of ç). Its layout is
 * the shared memoised one, so drawing re-uses the shaping done for measuring.
 */
export function registerFonts(doc: PDFKit.PDFDocument, fonts: FontSet = loadFontSet()): void {
  for (const face of fonts.faces) {
    const own = asFont(fontkit.create(fontFile(face.path)), face.path);
    own.layout = face.font.layout;
    // pdfkit 0.20 accepts a fontkit font object (anything with layout()); the typings don't say so.
    doc.registerFont(face.name, own as unknown as PDFKit.Mixins.PDFFontSource);
  }
}

/**
 * Memoises font.layout(text, features) for plain string calls. fontkit layout
 * dominates render time; pdfkit lays out every drawn run again (encode +
 * advancing x) and names repeat across thousands of patients, so this cache
 * serves measuring and drawing alike. pdfkit rescales the positions of the run
 * it gets in place, so each call returns the cached glyphs with freshly copied
 * positions.
 *
 * A left-to-right run with spaces is composed from its words, each shaped once
 * per process with the run's script (see composeRun): free text is mostly new
 * lines of old words, and shaping per distinct word instead of per distinct
 * line is what lets a 10,000-patient binder print in a minute (issue 6).
 *
 * Each run is also fixed up once for the text a PDF reader copies out (pdfkit
 * writes each glyph's code points into the ToUnicode map), see forExtraction.
 */
// Glyph runs are ~10 KB each (a glyph and a position object per character):
// 50,000 of them held ~1 GB on a 1,000-patient binder (measured). Drawing
// re-uses a run shaped moments earlier for measuring, so a short memory is enough:
// 100 against 500 took 40 MB off a 10,000-patient print's peak at the same speed (measured).
const LAYOUT_CACHE_MAX = 100;
// Words are short and repeat across patients; kept compact (glyphs + numbers).
const WORD_CACHE_MAX = 2_000;

/** A shaped word: fontkit's shared glyph objects and their positions, 4 numbers each. */
interface ShapedWord { glyphs: fontkit.Glyph[]; positions: Float64Array }

/** The Unicode scripts whose runs are composed from words, with fontkit's OpenType tags; none is right-to-left, and Hangul is out (fontkit's Hangul shaper gives a space a different glyph inside a run). */
const COMPOSED_SCRIPTS: Readonly<Record<string, string>> = { Latin: 'latn', Greek: 'grek', Cyrillic: 'cyrl', Han: 'hani' };
const SCRIPT_OF = Object.entries(COMPOSED_SCRIPTS).map(([name, tag]) => [new RegExp(`\\p{Script=${name}}`, 'u'), tag] as const);
/** First character fontkit takes the run's script from (Script.forString skips Common, Inherited, Unknown). */
const SCRIPTED = /[^\p{Script=Common}\p{Script=Inherited}\p{Script=Unknown}]/u;
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

function memoiseLayout(font: fontkit.Font): void {
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

/**
 * A shaped run as plain numbers in font units: glyph ids, each glyph's advance
 * width and code points (for the PDF's ToUnicode map), and its position.
 * Worker threads send these with the layout, so the thread that draws never
 * shapes text again (draw-glyphs.ts), and draws the same glyphs whichever
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
function allocGlyphData(n: number, c: number, own: boolean): GlyphData {
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

function glyphDataOf(run: fontkit.GlyphRun): GlyphData {
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

/** The characters of simple text, as a regular expression's character class: Latin, its diacritics, Vietnamese, general punctuation. */
export const LATIN_TEXT_CLASS = '\\u0020-\\u007E\\u00A0-\\u024F\\u0300-\\u034E\\u0350-\\u036F\\u1E00-\\u1EFF\\u2010-\\u2027\\u2030-\\u205E';
const SIMPLE_TEXT = new RegExp(`^[${LATIN_TEXT_CLASS}]+$`);
export const LATIN_LETTER = /\p{Script=Latin}/u;

/**
 * Plain left-to-right text the Latin faces cover, and the script its words are
 * shaped under (see composeRun): 'latn' when it holds a Latin letter, fontkit's
 * 'zzzz' (Unknown) when only digits and punctuation, and no script (fontkit
 * detects it) for a single word. Undefined for anything else.
 */
export function simpleWords(text: string): WordScript | undefined {
  if (!SIMPLE_TEXT.test(text)) return undefined;
  if (!text.includes(' ')) return 'auto';
  return LATIN_LETTER.test(text) ? 'latn' : 'zzzz';
}
export type WordScript = 'latn' | 'zzzz' | 'auto';

/**
 * A word shaped once, packed in one array to keep the cache small (as five
 * typed arrays a word took 1 KB, and 57,000 of them were held by 3,000
 * patients, measured): its advance in font units, glyph count n, code point
 * count c, then n ids, n advances, 4n positions, n code point counts, c code
 * points. A plain array of numbers, not a Float64Array: V8 keeps a typed
 * array over 64 bytes outside its heap, and making one cost a microsecond,
 * most of the time a word took to compose (composeWord; measured).
 */
export type WordShape = number[];
const WORD_HEAD = 3;
// Words repeat across patients, numbers and dates mostly do not: a short memory keeps the words.
// 3,000 against 10,000: the same speed at 10,000 patients, a smaller peak (measured, see shape-text.ts).
const WORD_SHAPES_MAX = 3_000;
/** Words remembered as shaped once, to keep the second time (a string each, not a shape). */
const WORDS_SEEN_MAX = 10_000;

/**
 * A face's word shapes by script, with its single characters (spaces, and
 * the characters words are composed from) in arrays by code: a line's words
 * are looked up once each, and its digits and spaces without hashing.
 */
interface FaceWords {
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

function faceWords(face: Face): FaceWords {
  let known = faceWordsOf.get(face);
  if (!known) {
    faceWordsOf.set(face, known = {
      face,
      words: { latn: new BoundedCache(WORD_SHAPES_MAX), zzzz: new BoundedCache(WORD_SHAPES_MAX) },
      seen: { latn: new BoundedCache(WORDS_SEEN_MAX), zzzz: new BoundedCache(WORDS_SEEN_MAX) },
      characters: { latn: [], zzzz: [] },
      pairs: { latn: undefined, zzzz: undefined },
      composes: face.name.startsWith('latin-'),
    });
  }
  return known;
}

function packWord(run: fontkit.GlyphRun): WordShape {
  const data = glyphDataOf(run);
  const n = data.ids.length;
  const c = data.codePoints.length;
  return [run.advanceWidth, n, c, ...data.ids, ...data.advances, ...data.positions, ...data.counts, ...data.codePoints];
}

function wordShape(known: FaceWords, word: string, context: WordScript): WordShape {
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
const COMPOSED_CHARACTERS = 0x250;
/** In a FaceWords' pairs: not measured yet. */
const PAIR_UNKNOWN = -0x8000;
/** In a FaceWords' pairs: the two characters are not their own glyphs side by side (a ligature): a word holding them is shaped whole. */
const PAIR_APART = -0x7fff;

function characterShape(known: FaceWords, code: number, script: 'latn' | 'zzzz'): WordShape {
  return known.characters[script][code] ??= shapeWord(known.face, String.fromCharCode(code), script);
}

/**
 * A word of characters below COMPOSED_CHARACTERS, composed from their shapes
 * and the kerning of each pair (pairTable): what fontkit gives for the word,
 * without its cost (a word shaped was 67 µs, and identifiers, lot numbers and
 * e-mail addresses, new with every patient, were most of fontkit's time: 1.2
 * ms a patient, issue 6). Exact for the Latin faces: under their default
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
  for (let i = 0; i < n; i++) {
    if (code >= COMPOSED_CHARACTERS) return undefined;
    const alone = characters[code] ?? characterShape(known, code, script);
    if (alone[1] !== 1 || alone[2] !== 1) return undefined;
    const next = i + 1 < n ? word.charCodeAt(i + 1) : -1;
    let kern = 0;
    if (pairs && next >= 0 && next < COMPOSED_CHARACTERS) {
      kern = pairs[code * COMPOSED_CHARACTERS + next]!;
      if (kern === PAIR_UNKNOWN) kern = pairs[code * COMPOSED_CHARACTERS + next] = measurePair(known, script, String.fromCharCode(code, next));
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
 * Kerning by pair of characters (index first × COMPOSED_CHARACTERS + second):
 * how far fontkit moves the character after the first when the second
 * follows it, in font units, measured once a pair (measurePair); or
 * PAIR_UNKNOWN, or PAIR_APART when the two do not shape as their own glyphs,
 * placed as alone but for the first one's advance.
 */
function pairTable(known: FaceWords, script: 'latn' | 'zzzz'): Int16Array {
  return known.pairs[script] ??= new Int16Array(COMPOSED_CHARACTERS * COMPOSED_CHARACTERS).fill(PAIR_UNKNOWN);
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

/**
 * Digits and the punctuation of numbers, dates, times and phone numbers. In
 * the Latin faces no lookup joins or moves two of them, so a token of two or
 * more of them is its characters' shapes side by side (checked for every pair
 * and 20,000 random tokens against whole-token shaping, in both weights and
 * both scripts; test/text/compose-run.test.ts). Such tokens rarely repeat
 * (2025-06-27, 118/75, 555-0171) and were most of the words shaped, 3 s of a 20 s print.
 */
const NUMERIC_CHARACTERS = '0123456789.,:;/()+%<>=#*-';
/** NUMERIC_CHARACTERS by code. */
const NUMERIC_CHARACTER = new Uint8Array(128);
for (const ch of NUMERIC_CHARACTERS) NUMERIC_CHARACTER[ch.charCodeAt(0)] = 1;

function isNumericCharacter(code: number): boolean {
  return code < 128 && NUMERIC_CHARACTER[code] === 1;
}

/** Whether `text[start, end)` is a numeric token: two or more NUMERIC_CHARACTERS. */
function isNumericToken(text: string, start: number, end: number): boolean {
  if (end - start < 2) return false;
  for (let i = start; i < end; i++) if (!isNumericCharacter(text.charCodeAt(i))) return false;
  return true;
}

/** Appends `shape` to `into` (when given) and returns its advance. */
function addShape(shape: WordShape, into: WordShape[] | undefined): number {
  into?.push(shape);
  return shape[0]!;
}

/**
 * The advance of simple text (simpleWords) in ems, summed from its words: what
 * whole-run shaping gives (integer font units add exactly), without building a
 * run. Measuring lines to wrap them was a third of a print's time (issue 6).
 */
export function wordsEm(face: Face, text: string, script: WordScript): number {
  return collectWordShapes(face, text, script) / face.font.unitsPerEm;
}

/**
 * The advance of simple text (simpleWords) in font units, summed from its
 * words' shapes: whole numbers, so the units of a text's pieces add up to the
 * text's exactly. With `into`, those shapes are appended to it: a line measured
 * from its words then gets its glyphs without looking its words up again.
 */
export function collectWordShapes(face: Face, text: string, script: WordScript, into?: WordShape[]): number {
  const known = faceWords(face);
  let units = 0;
  if (script === 'auto') {
    // A single word: a numeric token as its characters, each given the script fontkit would give it alone.
    if (!known.composes || !isNumericToken(text, 0, text.length)) return addShape(wordShape(known, text, 'auto'), into);
    for (const ch of text) units += addShape(wordShape(known, ch, 'auto'), into);
    return units;
  }
  // Words and runs of spaces, each shaped apart as composeRun does, in one pass: a numeric token as its
  // characters, and a single character, from the character table without being cut out of the text.
  const characters = known.characters[script];
  const n = text.length;
  for (let start = 0; start < n;) {
    const first = text.charCodeAt(start);
    const space = first === 32;
    let numeric = known.composes && !space && isNumericCharacter(first);
    let end = start + 1;
    for (; end < n; end++) {
      const code = text.charCodeAt(end);
      if ((code === 32) !== space) break;
      if (numeric && !isNumericCharacter(code)) numeric = false;
    }
    if (end - start === 1 && first < COMPOSED_CHARACTERS) {
      units += addShape(characters[first] ?? characterShape(known, first, script), into);
    } else if (numeric) {
      for (let i = start; i < end; i++) {
        const code = text.charCodeAt(i);
        units += addShape(characters[code] ?? characterShape(known, code, script), into);
      }
    } else {
      units += addShape(wordShape(known, text.slice(start, end), script), into);
    }
    start = end;
  }
  return units;
}

/** The glyphs of simple text (simpleWords), joined from its words' glyphs: what shapeGlyphs gives. */
export function wordsGlyphs(face: Face, text: string, script: WordScript): GlyphData {
  const parts: WordShape[] = [];
  collectWordShapes(face, text, script, parts);
  return joinWordShapes(parts);
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

function position(xAdvance: number, yAdvance: number, xOffset: number, yOffset: number): fontkit.GlyphPosition {
  return { xAdvance, yAdvance, xOffset, yOffset } as fontkit.GlyphPosition;
}

const MARK = /^\p{M}$/u;

/**
 * Makes the text a PDF reader copies out of a right-to-left run match its
 * input. Readers take the glyphs in visual order and reverse the whole string,
 * so a glyph standing for several characters comes back with them reversed.
 * For a glyph of several marks (Noto Naskh's shadda + vowel) pdfkit is given
 * them in reverse, and they read back in the input's (NFC) order. A glyph for
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
