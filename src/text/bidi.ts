/** Bidi for one line: paragraph direction, embedding levels and mirrors (bidi-js), and runs in visual order (UAX#9). */
import bidiImport from 'bidi-js';
import { SCRIPTED } from './layout-memo.js';

// bidi-js is CommonJS (module.exports = factory) but its typings declare an ES
// default export, so under NodeNext TypeScript types the default import as the module.
const bidi = (bidiImport as unknown as typeof bidiImport.default)();

const RTL_SCRIPT = /[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Samaritan}\p{Script=Mandaic}]/u;

export function reverseCodePoints(s: string): string {
  return Array.from(s).reverse().join('');
}

/** fontkit reverses the glyphs of a run whose first scripted character is RTL. */
export function fontkitReverses(s: string): boolean {
  const m = SCRIPTED.exec(s);
  return m !== null && RTL_SCRIPT.test(m[0]);
}

/** Paragraph direction from the first strong character outside isolates (UAX#9 P2/P3), default LTR. */
export function baseDirection(s: string): 'ltr' | 'rtl' {
  let isolated = 0;
  for (const ch of s) {
    const t = bidi.getBidiCharTypeName(ch);
    if (t === 'LRI' || t === 'RLI' || t === 'FSI') isolated++;
    else if (t === 'PDI') isolated = Math.max(0, isolated - 1);
    else if (isolated > 0) continue;
    else if (t === 'L') return 'ltr';
    else if (t === 'R' || t === 'AL') return 'rtl';
  }
  return 'ltr';
}

/** FIRST STRONG ISOLATE … POP DIRECTIONAL ISOLATE (UAX#9): one field of a line, laid out in its own direction and never reordered with its neighbours. */
export function isolate(field: string): string {
  return `\u2068${field}\u2069`;
}

/** Bidi's own controls (embeddings, overrides, isolates, marks): they steer the order and draw nothing (UAX#9 X9). */
export const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

/** The bidi embedding levels of `text` (UAX#9) and the characters mirrored at them ("(" shown as ")" at an odd level). */
export function embeddingLevels(text: string, dir: 'ltr' | 'rtl' | 'auto'): {
  levels: Uint8Array; paragraphs: readonly { level: number }[]; mirrors: Map<number, string>;
} {
  const { levels, paragraphs } = bidi.getEmbeddingLevels(text, dir);
  // Pass the levels array itself: given the result object bidi-js silently returns no mirrors.
  const mirrors = bidi.getMirroredCharactersMap(text, levels);
  return { levels, paragraphs, mirrors };
}

/** UAX#9 L2: from the highest level down to the lowest odd one, reverse every maximal sequence of runs at or above it. */
export function reorder<R extends { level: number }>(runs: R[]): R[] {
  if (runs.length < 2) return runs;
  const out = [...runs];
  const levels = out.map((r) => r.level);
  const max = Math.max(...levels);
  const min = Math.min(...levels);
  for (let level = max; level >= (min % 2 === 1 ? min : min + 1); level--) {
    for (let i = 0; i < out.length; i++) {
      if (out[i]!.level < level) continue;
      let j = i;
      while (j < out.length && out[j]!.level >= level) j++;
      out.splice(i, j - i, ...out.slice(i, j).reverse());
      i = j;
    }
  }
  return out;
}
