import anyAscii from 'any-ascii';

/**
 * A run of letters of any script but Latin, with their combining marks: what is
 * romanised. Latin letters with their diacritics ("Đặng", "Títílayọ̀") and
 * punctuation (the marks of hidden characters, "‹U+200B›") are kept as written.
 */
const NON_LATIN_RUN = /(?:(?!\p{Script=Latin})\p{L}[\p{M}\u200C\u200D]*)+/gu;
const NON_LATIN_LETTER = /(?!\p{Script=Latin})\p{L}/u;
const ARABIC_ARTICLE = /^\u0627\u0644(?=\p{L})/u;

/** Whether a text has a letter of a script other than Latin, so a reader of Latin letters needs its romanised form. */
export function needsRomanisation(text: string): boolean {
  return NON_LATIN_LETTER.test(text);
}

/**
 * The text in Latin letters, for a reader who knows only those: each run of
 * non-Latin letters through any-ascii (Korean Revised Romanisation, Hepburn for
 * kana, pinyin for Han, BGN-style Cyrillic and Greek, consonantal Arabic and
 * Hebrew), with apostrophes for glottal stops dropped and uncased scripts given
 * a capital: "장, 성민" → "Jang, Seongmin", "Морозов" → "Morozov". Latin
 * text comes back unchanged. Han is read as Chinese, so a Japanese name in kanji
 * comes out in pinyin ("伊藤" → "Yiteng"), and Arabic and Hebrew without
 * vowels: a Latin alias from the records system is better where it exists.
 */
export function romanise(text: string): string {
  if (!needsRomanisation(text)) return text;
  return text.replace(NON_LATIN_RUN, (run) => {
    const article = ARABIC_ARTICLE.test(run);
    // Greek ου is one vowel, "ou" (ELOT 743, passports); any-ascii spells it letter by letter, "oy" (Papadopoyloy).
    const greekOu = run.replace(/ο[υύ]/g, 'ou').replace(/Ο[υύ]/g, 'Ou').replace(/Ο[ΥΎ]/g, 'OU');
    const latin = anyAscii(article ? greekOu.slice(2) : greekOu).replace(/['`]/g, '');
    // Uncased scripts come out lower case (Arabic, Hebrew, kana) or with a capital per syllable (Hangul, Han): one capital.
    const cased = /\p{Lu}/u.test(run) ? latin : latin.charAt(0).toUpperCase() + latin.slice(1).toLowerCase();
    return article ? `al-${cased}` : cased;
  });
}

/**
 * The letter a Latin form is filed under: its first letter's base letter, A–Z
 * ("Đặng" under D, "Øster" under O, "Łukasz" under L), or '#' for a form that
 * starts with no letter.
 */
export function baseLetter(latin: string): string {
  const first = latin.match(/\p{L}/u)?.[0];
  const base = first ? anyAscii(first).charAt(0).toUpperCase() : '';
  return /^[A-Z]$/.test(base) ? base : '#';
}
