/** Small text helpers for notes and e-mail addresses: case of the first letter, lists joined with "and", ASCII folding. */
/** ASCII letters for e-mail addresses: diacritics folded, other letters transliterated. */
export function asciiFold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '')
    .replace(/[đĐ]/g, 'd').replace(/[łŁ]/g, 'l').replace(/ı/g, 'i').replace(/ß/g, 'ss')
    .replace(/[øØ]/g, 'o').replace(/[æÆ]/g, 'ae').replace(/[œŒ]/g, 'oe');
}

/** Upper-cases the first letter, unless it is ASCII other than a-z (digits, capitals, punctuation are kept). */
export function upperFirst(s: string): string {
  const c = s.charCodeAt(0);
  if (!(c >= 97 && c <= 122) && c < 128) return s; // empty, or not a lower-case ASCII letter
  return s.charAt(0).toUpperCase() + s.slice(1);
}
/** Lower-cases the first letter unless the word is an acronym (COPD, GERD, ADHD). */
export function lowerFirst(s: string): string {
  if (s.length > 1 && s.charAt(1) === s.charAt(1).toUpperCase() && /[A-Z]/.test(s.charAt(1))) return s;
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** "a, b and c". */
export function joinList(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
