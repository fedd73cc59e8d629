/**
 * The fonts every page uses: one ordered fallback chain per weight
 * (Latin → Arabic → Hebrew → SC → KR), and one for Japanese text with JP
 * before SC, so its Han characters take Japanese glyph forms (直 骨 海 differ:
 * test/text/japanese-faces.test.ts). Each file is read once per process
 * into memory its threads share, and opened once per thread with a memoised
 * layout (layout-memo.ts).
 */
/// <reference types="pdfkit" />
import * as fontkit from 'fontkit';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { memoiseLayout } from './layout-memo.js';

/**
 * OpenType features as fontkit takes them. Treat as read-only and pass
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
  /** The registered face whose glyphs are drawn: the face itself, or the regular face a synthetic bold strokes. */
  readonly drawnAs: string;
  /** A synthetic bold's outline stroke, in ems (pdf/glyph-run.ts draws it); 0 for a face drawn as it is. */
  readonly embolden: number;
}

export type Weight = 'regular' | 'bold';

export interface FontSet {
  /** Fallback chains, first face with a glyph wins. */
  readonly chains: Readonly<Record<Weight, readonly Face[]>>;
  /** The chains for Japanese text (text/han-language.ts): JP before SC. */
  readonly japanese: Readonly<Record<Weight, readonly Face[]>>;
  /** Every face once, the synthetic bolds too (they share their regular face's font). */
  readonly faces: readonly Face[];
}

/** Resolves to templates/fonts from both src/text and dist/text. */
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
 * Everything else: default shaping ([] is truthy, which pdfkit's text(), the
 * tests' reference drawing, needs to lay out a run as a whole).
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
  { name: 'sc-regular', file: 'NotoSansSC-Regular.ttf', features: DEFAULT_FEATURES },
  { name: 'jp-regular', file: 'NotoSansJP-Regular.ttf', features: DEFAULT_FEATURES },
  { name: 'kr-regular', file: 'NotoSansKR-Regular.ttf', features: DEFAULT_FEATURES },
];

/**
 * CJK bold is the regular face stroked (fill and stroke, PDF text rendering
 * mode 2), as word processors do without a bold face: the three bold files
 * would add 22 MB to the repository (SC 10.5, KR 6.2, JP 5.5) and a variable
 * font does not embed (fontkit's subsetter throws on an instanced glyph,
 * fontkit 2.0). A stroke 0.05 em wide takes the stems of 一 and 丨 from
 * Noto Sans SC Regular's 0.082 em to its Bold's 0.131 (measured).
 */
const SYNTHETIC_BOLD_EM = 0.05;
const SYNTHETIC_BOLDS: ReadonlyArray<{ name: string; of: string }> = [
  { name: 'sc-bold', of: 'sc-regular' },
  { name: 'jp-bold', of: 'jp-regular' },
  { name: 'kr-bold', of: 'kr-regular' },
];

const CHAINS: Record<Weight, readonly string[]> = {
  regular: ['latin-regular', 'arabic-regular', 'hebrew-regular', 'sc-regular', 'kr-regular'],
  bold: ['latin-bold', 'arabic-bold', 'hebrew-bold', 'sc-bold', 'kr-bold'],
};
/** Japanese: JP first for Han and kana, SC after it for Han characters JP lacks (张 伟). */
const JAPANESE_CHAINS: Record<Weight, readonly string[]> = {
  regular: ['latin-regular', 'arabic-regular', 'hebrew-regular', 'jp-regular', 'sc-regular', 'kr-regular'],
  bold: ['latin-bold', 'arabic-bold', 'hebrew-bold', 'jp-bold', 'sc-bold', 'kr-bold'],
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
 * reading a copy each: 18 MB a thread (patient-pool.ts). Read straight into
 * that memory: readFileSync and a copy touched every page twice (all nine
 * files: 250 ms of CPU, measured).
 */
function fontFile(path: string): Buffer {
  let bytes = files.get(path);
  if (!bytes) {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      bytes = Buffer.from(new SharedArrayBuffer(size));
      for (let at = 0; at < size;) {
        const n = readSync(fd, bytes, at, size - at, at);
        if (n === 0) throw new Error(`${path}: ended at byte ${at} of ${size} while read`);
        at += n;
      }
    } finally {
      closeSync(fd);
    }
    files.set(path, bytes);
  }
  return bytes;
}

/** A face whose file is read and opened the first time its font is asked for (a Latin-only print never reads the 22 MB of CJK faces). */
function lazyFace(face: Omit<Face, 'font'>, open: () => fontkit.Font): Face {
  let font: fontkit.Font | undefined;
  return { ...face, get font() { return (font ??= open()); } };
}

/**
 * A fontkit font for pdfkit that is opened only when pdfkit first uses it, which is when a document selects its
 * face (doc.font(name)): registering every face opened every file. Methods are bound to the font itself, so that
 * fontkit's own caching (properties it defines on `this`) lands on the font, not on this stand-in.
 */
function fontWhenUsed(open: () => fontkit.Font): fontkit.Font {
  let real: fontkit.Font | undefined;
  const font = (): fontkit.Font => (real ??= open());
  return new Proxy(Object.create(null) as fontkit.Font, {
    get: (_t, p) => { const f = font(); const v: unknown = Reflect.get(f, p, f); return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(f) : v; },
    set: (_t, p, v) => Reflect.set(font(), p, v),
    has: (_t, p) => Reflect.has(font(), p),
  });
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

/** The font set for a directory, once per thread; each face's file is read when first needed (SC alone is 10 MB, JP 5.5 MB). */
export function loadFontSet(dir: string = FONTS_DIR): FontSet {
  let set = sets.get(dir);
  if (set) return set;
  const byName = new Map<string, Face>();
  for (const { name, file, features } of FILES) {
    const path = join(dir, file);
    byName.set(name, lazyFace({ name, path, features, drawnAs: name, embolden: 0 }, () => {
      const font = asFont(fontkit.create(fontFile(path)), path);
      memoiseLayout(font);
      return font;
    }));
  }
  for (const { name, of } of SYNTHETIC_BOLDS) {
    const regular = byName.get(of)!;
    byName.set(name, lazyFace({ name, path: regular.path, features: regular.features, drawnAs: of, embolden: SYNTHETIC_BOLD_EM }, () => regular.font));
  }
  const chains = (c: Record<Weight, readonly string[]>) => ({ regular: c.regular.map((n) => byName.get(n)!), bold: c.bold.map((n) => byName.get(n)!) });
  set = { chains: chains(CHAINS), japanese: chains(JAPANESE_CHAINS), faces: [...byName.values()] };
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
 * after an earlier one had embedded "ç" (c is a component of ç). The binder's
 * text is drawn from glyph data (pdf/glyph-run.ts), which only subsets glyphs
 * through this object; its layout is the shared memoised one so that pdfkit's
 * own text() and widthOfString (the tests' reference) shape as the shaper does.
 */
export function registerFonts(doc: PDFKit.PDFDocument, fonts: FontSet = loadFontSet()): void {
  for (const face of fonts.faces) {
    if (face.drawnAs !== face.name) continue;
    const own = fontWhenUsed(() => {
      const font = asFont(fontkit.create(fontFile(face.path)), face.path);
      font.layout = face.font.layout;
      return font;
    });
    // pdfkit 0.20 accepts a fontkit font object (anything with layout()); the typings don't say so.
    doc.registerFont(face.name, own as unknown as PDFKit.Mixins.PDFFontSource);
  }
}
