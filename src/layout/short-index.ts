import { Flow, type PageBody } from './flow.js';
import { label } from './template.js';
import { truncateToWidth, type FrontMatterContext } from './front-matter.js';

/** One row of a volume's short index: a group of patients in binder order, by their Latin forms, and its pages. */
export interface ShortIndexRow { letter: string; first: string; last: string; firstPage: number; lastPage: number }

/** Rows a short index holds: one line each, they fit one page with its heading on Letter and A4 alike. */
export const SHORT_INDEX_ROWS = 30;

const SIZE = 10;

/**
 * The short index a volume after the first opens with (issue 26): its patients as at most SHORT_INDEX_ROWS groups,
 * each "Abbott, Jane – Azevedo, Luis   p. 5–88", names cut to fit one line. Always one page, so it is counted before
 * the volume's patients are known. Returns its page count.
 */
export function layoutShortIndex(volume: { number: number; of: number }, rows: readonly ShortIndexRow[], ctx: FrontMatterContext, onPage: (page: PageBody) => void): number {
  let pages = 0;
  const flow = new Flow(ctx.shaper, ctx.box, (page) => { pages++; onPage(page); });
  flow.paragraph(label(ctx.template, 'short_index', { volume: volume.number, volumes: volume.of }), { size: 16, weight: 'bold' });
  flow.paragraph(label(ctx.template, 'short_index_note'), { size: 9.5 });
  const nameWidth = ctx.box.width * 0.34;
  const columns = [
    { label: '', width: 0.06, weight: 'bold' as const },
    { label: label(ctx.template, 'short_index_patients'), width: 0.74 },
    { label: label(ctx.template, 'short_index_pages'), width: 0.2, weight: 'bold' as const },
  ];
  flow.table(columns, rows.map((r) => [
    { text: r.letter },
    { text: r.first === r.last ? truncateToWidth(ctx.shaper, r.first, SIZE, 'regular', nameWidth)
      : label(ctx.template, 'volume_range', { first: truncateToWidth(ctx.shaper, r.first, SIZE, 'regular', nameWidth), last: truncateToWidth(ctx.shaper, r.last, SIZE, 'regular', nameWidth) }) },
    { text: label(ctx.template, 'short_index_range', { first: r.firstPage, last: r.lastPage }) },
  ]), SIZE);
  flow.finish();
  return pages;
}
