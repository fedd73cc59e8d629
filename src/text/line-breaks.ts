/** Where text breaks: paragraphs, and the pieces a line may break between (spaces, CJK characters). */

/** Line and paragraph separators (wrap splits on them; within one line they become spaces). */
export const PARAGRAPHS = /\r\n?|[\n\u0085\u2028\u2029]/;

/** NFC, with tabs and line breaks as spaces. */
export function normalise(s: string): string {
  // Tabs and stray line breaks have no glyph; a space keeps the text's spacing visible.
  return s.normalize('NFC').replace(/[\t\n\v\f\r\u0085\u2028\u2029]/g, ' ');
}

/** Spaces a line may break at (not NBSP, figure space or narrow NBSP). */
const BREAK_SPACES = '[ \\u1680\\u2000-\\u2006\\u2008-\\u200A\\u205F\\u3000]';
const WORDS = new RegExp(`(${BREAK_SPACES}*)((?:(?!${BREAK_SPACES}).)+)`, 'gsu');
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3005\u30FC]/u;
/** No line may start with these (closing punctuation, small kana) or end with opening punctuation. */
const NO_BREAK_BEFORE = /[\p{Pe}\p{Pf}、。，．！？：；・‥…ヽヾゝゞぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ,.!?:;%]/u;
const NO_BREAK_AFTER = /[\p{Ps}\p{Pi}]/u;

/** Breakable pieces of a paragraph: words after their leading spaces, CJK split between characters. */
export function breakPieces(paragraph: string): { sep: string; text: string }[] {
  const pieces: { sep: string; text: string }[] = [];
  for (const [, sep = '', word = ''] of paragraph.matchAll(WORDS)) {
    let start = 0;
    let prev = '';
    let offset = 0;
    for (const ch of word) {
      if (offset > 0 && (CJK.test(prev) || CJK.test(ch)) && !NO_BREAK_BEFORE.test(ch) && !NO_BREAK_AFTER.test(prev)) {
        pieces.push({ sep: start === 0 ? sep : '', text: word.slice(start, offset) });
        start = offset;
      }
      prev = ch;
      offset += ch.length;
    }
    pieces.push({ sep: start === 0 ? sep : '', text: word.slice(start) });
  }
  return pieces;
}
