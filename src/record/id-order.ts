/**
 * FORMAT §5.4's id order, the one order of patient ids everywhere (export, the run manifest, a decoder's output):
 * by Unicode code point, which is the order of the ids' UTF-8 bytes, SQLite's BINARY collation on a UTF-8 store
 * and Python's sorted() on str. JavaScript's `<` compares UTF-16 code units instead, and puts a character above
 * U+FFFF (stored as a surrogate pair, 0xD800–0xDFFF) before one of U+E000–U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i), y = b.charCodeAt(i);
    if (x !== y) return rank(x) - rank(y);
  }
  return a.length - b.length;
}

/** A code unit where it sorts by code point: surrogates (the characters above U+FFFF) after U+E000–U+FFFF. */
function rank(unit: number): number {
  return unit < 0xd800 ? unit : unit < 0xe000 ? unit + 0x2000 : unit - 0x800;
}
