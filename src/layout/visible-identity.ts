/**
 * What a patient's identity (name, record number, birth date) prints as: the
 * stored text, except that every character that draws nothing or reorders
 * what follows is printed as a visible mark, "‹U+202E›". Without it a right-to-left
 * override, a zero-width space or an isolate makes a forged name print exactly
 * as another patient's (issue 23). The record and its codes keep the text as
 * stored: only the paper's words change.
 *
 * Shown: Unicode's default-ignorable code points (bidi embeddings, overrides,
 * isolates and marks, ALM, zero-width space, word joiner, invisible operators,
 * soft hyphen, BOM, tags, the combining grapheme joiner, the Hangul fillers,
 * Khmer's two invisible vowels, and the unassigned ones), every other format
 * character, controls (C0, C1), line and paragraph separators, spaces narrower than
 * a space (thin, hair, six-per-em, punctuation, narrow no-break, medium
 * mathematical), and any space at the start or end of a field, where it is
 * as invisible as a zero-width one: "Jesús " would print as "Jesús".
 *
 * Kept where they are part of the writing, because there they are seen:
 * - ZWNJ (U+200C) after a dual-joining Arabic letter and before an Arabic
 *   letter: it breaks the join, so the letter takes its final form (Persian
 *   "حسن‌زاده"); after a virama and before a letter, where it stops a conjunct.
 *   Anywhere else (Latin, Hebrew, CJK, after a letter that never joins left,
 *   leading, trailing, doubled) it changes nothing on paper and is shown.
 * - ZWJ (U+200D) after a virama and before a letter (Indic half forms, Sinhala
 *   conjuncts). Names have no other use for it: between Arabic letters that join
 *   anyway, or in Latin, it is invisible, so it is shown.
 * - Variation selectors after a Han ideograph (ideographic variation sequences
 *   in Japanese names), Mongolian's free variation selectors after a Mongolian
 *   letter; after anything else they are shown.
 */

/**
 * Arabic letters that join on both sides (and the tatweel), where a ZWNJ after
 * them is seen: Unicode's ArabicShaping.txt classes D and C for U+0620–U+08BD,
 * as fontkit's Arabic shaper has them.
 */
const DUAL_JOINING_ARABIC = '\\u0620\\u0626\\u0628\\u062A-\\u062E\\u0633-\\u0647\\u0649\\u064A\\u066E\\u066F\\u0678-\\u0687'
  + '\\u069A-\\u06BF\\u06C1\\u06C2\\u06CC\\u06CE\\u06D0\\u06D1\\u06FA-\\u06FC\\u06FF\\u0750-\\u0758\\u075C-\\u076A'
  + '\\u076D-\\u0770\\u0772\\u0775-\\u0777\\u077A-\\u077F\\u08A0-\\u08A9\\u08AF\\u08B0\\u08B3\\u08B4\\u08B6-\\u08B8\\u08BA-\\u08BD';
/** Viramas of the Brahmic scripts (Devanagari to Sinhala, Myanmar, Khmer's coeng). */
const VIRAMA = '\\u094D\\u09CD\\u0A4D\\u0ACD\\u0B4D\\u0BCD\\u0C4D\\u0CCD\\u0D4D\\u0DCA\\u1039\\u17D2';

/** A ZWNJ or ZWJ that is part of the writing (see above). */
const JOINER_IN_WORD = `(?<=[${DUAL_JOINING_ARABIC}]\\p{Mn}*)\\u200C(?=\\p{Script=Arabic})(?=\\p{L})`
  + `|(?<=[${VIRAMA}])[\\u200C\\u200D](?=\\p{L})`;
/** Written separately below: the variation selectors and joiners that are part of the writing in some places. */
const IN_CONTEXT = '\\u180B-\\u180D\\u180F\\u200C\\u200D\\uFE00-\\uFE0F\\u{E0100}-\\u{E01EF}';
/** Spaces narrower than a space: six-per-em, punctuation, thin, hair, narrow no-break, medium mathematical. */
const NARROW_SPACES = '\\u2006\\u2008-\\u200A\\u202F\\u205F';
const HIDDEN = `(?![${IN_CONTEXT}])[\\p{Default_Ignorable_Code_Point}\\p{Cf}\\p{Cc}\\p{Zl}\\p{Zp}${NARROW_SPACES}]`
  + `|(?!${JOINER_IN_WORD})[\\u200C\\u200D]`
  + `|(?<!\\p{Script=Han})[\\uFE00-\\uFE0F\\u{E0100}-\\u{E01EF}]`
  + `|(?<!\\p{Script=Mongolian})[\\u180B-\\u180D\\u180F]`;

// Tested on every name part, record number and birth date printed (some 20 times a patient):
// one test of a short string, and a replacement only when it matches. The test looks at the
// edges' last characters only: a lookaround at every space made it about twice as slow (measured).
const HAS_HIDDEN = new RegExp(`${HIDDEN}|^\\s|\\s$`, 'u');
const EVERY_HIDDEN = new RegExp(`${HIDDEN}|(?<=^\\s*)\\s|\\s(?=\\s*$)`, 'gu');

/** "‹U+202E›": single guillemets, which every face we ship draws (⟨ ⟩ are in none of the Latin ones). */
function mark(ch: string): string {
  return `‹U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}›`;
}

/** The marks at the start of a printed identity: the index files a name by the first letter after them. */
export const LEADING_MARKS = /^(?:‹U\+[0-9A-F]{4,6}›)+/;

/**
 * An identity field as it prints: `text` itself when it holds nothing hidden
 * (the same string, no copy), else with each invisible or bidi-control
 * character replaced by its mark, so that no name can print as another's.
 */
export function visibleIdentity(text: string): string {
  return HAS_HIDDEN.test(text) ? text.replace(EVERY_HIDDEN, mark) : text;
}
