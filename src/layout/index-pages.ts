import { Flow, type Cell, type Divider, type PageBody } from './flow.js';
import { label } from './template.js';
import { LEADING_MARKS } from './visible-identity.js';
import type { FrontMatterContext } from './front-matter.js';
import { baseLetter } from '../text/romanise.js';

/**
 * One line of the index: `filed` is the Latin form it is filed under ("Jang, Seongmin", or "Vincent" for a
 * cross-reference), `name` what is printed ("Jang, Seongmin · 장, 성민", "Vincent → Jang, Seongmin · 장, 성민").
 */
export interface IndexEntry { filed: string; name: string; birthDate: string; mrn: string; page: number | string }

const L = (ctx: FrontMatterContext, key: string, vars?: Record<string, string | number>): string => label(ctx.template, key, vars);

/** The divider a Latin form is filed under: its first letter's base letter, A–Z, after any marks of hidden characters, which sorting ignores ("Đặng" under D). */
export function indexLetter(filed: string): string {
  return baseLetter(filed.replace(LEADING_MARKS, ''));
}

/**
 * The alphabetical index, page by page to `onPage` (an index of 100,000
 * patients is 2,500 pages: it is never held whole). Returns its page count.
 * `volumes`: the binder is in several volumes and each page cell says which ("Vol 2 · p. 143").
 */
export function layoutIndex(entries: Iterable<IndexEntry>, ctx: FrontMatterContext, onPage: (page: PageBody) => void, volumes = false): number {
  let pages = 0;
  const flow = new Flow(ctx.shaper, ctx.box, (page) => { pages++; onPage(page); });
  flow.paragraph(L(ctx, 'index'), { size: 16, weight: 'bold' });
  flow.paragraph(L(ctx, 'index_cross_reference_note'), { size: 9 });
  const columns = [
    // The name column takes most: a name in another script prints twice ("Jang, Seongmin · 장, 성민").
    { label: L(ctx, 'index_patient'), width: 0.54, weight: 'bold' as const },
    { label: L(ctx, 'index_dob'), width: 0.16 },
    // A record number with a hidden character's mark ("9000001‹U+200B›") stays on one line; with volumes, one of 8 digits.
    { label: L(ctx, 'index_mrn'), width: volumes ? 0.11 : 0.2 },
    // With volumes the names and dates keep their widths, so rows wrap as in one volume and the index is no longer;
    // the page column holds "Vol 999 · p. 99999" (80 pt at 9.5 pt bold) on A4.
    { label: L(ctx, 'index_page'), width: volumes ? 0.19 : 0.1, weight: 'bold' as const },
  ];
  function* rows(): Generator<Cell[] | Divider> {
    let letter = '';
    for (const e of entries) {
      if (indexLetter(e.filed) !== letter) yield { divider: (letter = indexLetter(e.filed)) };
      // The page's thumb tab: the letter of its first lines, as a dictionary's (issue 25).
      flow.page.thumb ??= letter;
      yield [{ text: e.name }, { text: e.birthDate }, { text: e.mrn }, { text: String(e.page) }];
    }
  }
  flow.table(columns, rows(), 9.5);
  flow.finish();
  return pages;
}
