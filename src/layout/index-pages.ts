import { Flow, type Cell, type Divider, type PageBody } from './flow.js';
import { label } from './template.js';
import { LEADING_MARKS } from './visible-identity.js';
import type { FrontMatterContext } from './front-matter.js';

export interface IndexEntry { name: string; birthDate: string; mrn: string; page: number }

const L = (ctx: FrontMatterContext, key: string, vars?: Record<string, string | number>): string => label(ctx.template, key, vars);

/** The divider a name is filed under: its first letter without diacritics (after any marks of hidden characters, which sorting ignores), or the first character of other scripts. */
export function indexLetter(name: string): string {
  const first = Array.from(name.replace(LEADING_MARKS, '').normalize('NFD').replace(/\p{M}/gu, ''))[0] ?? '#';
  if (/\p{Script=Hangul}/u.test(first)) {
    // Korean indices file by the syllable's initial consonant.
    const initials = 'ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ';
    const code = first.codePointAt(0)! - 0xac00;
    if (code >= 0 && code < 11172) return initials[Math.floor(code / 588)]!;
  }
  return /\p{L}/u.test(first) ? first.toLocaleUpperCase() : '#';
}

/**
 * The alphabetical index, page by page to `onPage` (an index of 100,000
 * patients is 2,500 pages: it is never held whole). Returns its page count.
 */
export function layoutIndex(entries: Iterable<IndexEntry>, ctx: FrontMatterContext, onPage: (page: PageBody) => void): number {
  let pages = 0;
  const flow = new Flow(ctx.shaper, ctx.box, (page) => { pages++; onPage(page); });
  flow.paragraph(L(ctx, 'index'), { size: 16, weight: 'bold' });
  const columns = [
    { label: L(ctx, 'index_patient'), width: 0.5, weight: 'bold' as const },
    { label: L(ctx, 'index_dob'), width: 0.2 },
    { label: L(ctx, 'index_mrn'), width: 0.18 },
    { label: L(ctx, 'index_page'), width: 0.12, weight: 'bold' as const },
  ];
  function* rows(): Generator<Cell[] | Divider> {
    let letter = '';
    for (const e of entries) {
      if (indexLetter(e.name) !== letter) yield { divider: (letter = indexLetter(e.name)) };
      yield [{ text: e.name }, { text: e.birthDate }, { text: e.mrn }, { text: String(e.page) }];
    }
  }
  flow.table(columns, rows(), 9.5);
  flow.finish();
  return pages;
}
