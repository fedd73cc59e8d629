/**
 * Simple text (plain left-to-right text the Latin faces cover) measured and
 * given its glyphs from its words' shapes (word-shapes.ts), without shaping
 * a run.
 */
import type { Face } from './font-files.js';
import type { GlyphData } from './glyph-data.js';
import {
  characterShape, faceWords, joinWordShapes, scriptOf, slotOf, wordShape, type WordScript, type WordShape,
} from './word-shapes.js';

/**
 * The characters of simple text, as a regular expression's character class: Latin, its diacritics, Greek,
 * Cyrillic, Vietnamese, general punctuation; all of them left to right or neutral.
 */
export const SIMPLE_TEXT_CLASS = '\\u0020-\\u007E\\u00A0-\\u024F\\u0300-\\u034E\\u0350-\\u036F\\u0370-\\u04FF\\u1E00-\\u1EFF\\u2010-\\u2027\\u2030-\\u205E';
const SIMPLE_TEXT = new RegExp(`^[${SIMPLE_TEXT_CLASS}]+$`);

/**
 * Plain left-to-right text the Latin faces cover, and the script its words are
 * shaped under (as layout-memo.ts composeRun does): that of its first letter (Latin, Greek or
 * Cyrillic, as fontkit takes it), fontkit's 'zzzz' (Unknown) when only digits and punctuation, and
 * no script (fontkit detects it) for a single word. Undefined for anything else.
 */
export function simpleWords(text: string): WordScript | undefined {
  if (!SIMPLE_TEXT.test(text)) return undefined;
  // Greek's block holds Coptic letters, which fontkit shapes as Coptic.
  const script = scriptOf(text);
  if (script === undefined) return undefined;
  return text.includes(' ') ? script : 'auto';
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
  const characters = known.tables[script].characters;
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
    const slot = end - start === 1 ? slotOf(first) : -1;
    if (slot >= 0) {
      units += addShape(characters[slot] ?? characterShape(known, first, script), into);
    } else if (numeric) {
      for (let i = start; i < end; i++) {
        const code = text.charCodeAt(i);
        // ASCII: its slot is its code.
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
