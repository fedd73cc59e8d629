// A supplement's replace-and-shred sheet (issue 28): for a person with the binder open, which earlier pages each
// changed patient's new pages replace, where a new patient's go, and which pages of removed patients to pull.
import { Flow, type Cell, type Divider, type PageBody } from './flow.js';
import { label } from './template.js';
import { zonedMinute } from './format.js';
import type { FrontMatterContext } from './front-matter.js';

/** An earlier run as the sheet names it, and a patient's pages in it (null: that run's pages were not recorded), with their volume in a binder in volumes. */
export interface SheetPages { kind: 'binder' | 'supplement'; printedAt: string; pages: { first: number; last: number; volume?: number } | null }

/** One line of the sheet: a patient printed in this supplement (`now`), or removed from the records (no `now`). */
export interface SheetLine { name: string; mrn: string; pull: SheetPages | null; now: { first: number; last: number } | null }

export interface SheetFacts {
  timeZone: string;
  /** The changed and new patients in binder order, then the removed ones. */
  lines: readonly SheetLine[];
  removed: readonly SheetLine[];
}

const L = (ctx: FrontMatterContext, key: string, vars?: Record<string, string | number>): string => label(ctx.template, key, vars);

/** "pages 41–44 (2 sheets)", or "Vol 2 · pages 17–18 (1 sheet)" in a binder in volumes, whose pages restart in each: each patient starts on the front of a sheet, so its pages are whole sheets. */
function pagesText(ctx: FrontMatterContext, p: { first: number; last: number; volume?: number }): string {
  const sheets = Math.ceil(p.last / 2) - Math.floor((p.first - 1) / 2);
  const pages = L(ctx, p.first === p.last ? 'sheet_page' : sheets === 1 ? 'sheet_pages_one_sheet' : 'sheet_pages', { first: p.first, last: p.last, sheets });
  return p.volume ? `${L(ctx, 'volume_short', { volume: p.volume })} · ${pages}` : pages;
}

function pullText(ctx: FrontMatterContext, facts: SheetFacts, pull: SheetPages | null): string {
  if (!pull) return L(ctx, 'sheet_new_patient');
  const run = L(ctx, pull.kind === 'binder' ? 'sheet_of_binder' : 'sheet_of_supplement', { printed: zonedMinute(pull.printedAt, facts.timeZone, ctx.template.locale) });
  return pull.pages ? `${run}, ${pagesText(ctx, pull.pages)}` : `${run}: ${L(ctx, 'sheet_pages_unknown')}`;
}

/** Lays the sheet out page by page to `onPage`. */
export function layoutReplaceSheet(facts: SheetFacts, ctx: FrontMatterContext, onPage: (page: PageBody) => void): void {
  const flow = new Flow(ctx.shaper, ctx.box, onPage);
  flow.paragraph(L(ctx, 'sheet_title'), { size: 16, weight: 'bold' });
  flow.paragraph(L(ctx, 'sheet_how'), { size: 10 });
  flow.space(6);
  const columns = [
    { label: L(ctx, 'sheet_patient'), width: 0.34, weight: 'bold' as const },
    { label: L(ctx, 'sheet_pull'), width: 0.36 },
    { label: L(ctx, 'sheet_put'), width: 0.30, weight: 'bold' as const },
  ];
  function* rows(): Generator<Cell[] | Divider> {
    if (facts.lines.length) yield { divider: L(ctx, 'sheet_changed', { n: facts.lines.length }) };
    for (const l of facts.lines) {
      yield [{ text: l.name, detail: `${L(ctx, 'mrn')} ${l.mrn}` }, { text: pullText(ctx, facts, l.pull) },
        { text: l.now ? L(ctx, l.pull ? 'sheet_in_place' : 'sheet_new_place', { pages: pagesText(ctx, l.now) }) : '' }];
    }
    if (facts.removed.length) yield { divider: L(ctx, 'sheet_removed', { n: facts.removed.length }) };
    for (const l of facts.removed) {
      yield [{ text: l.name, detail: `${L(ctx, 'mrn')} ${l.mrn}` }, { text: pullText(ctx, facts, l.pull) }, { text: L(ctx, 'sheet_nothing') }];
    }
  }
  flow.table(columns, rows(), 9.5);
  if (!facts.lines.length && !facts.removed.length) flow.paragraph(L(ctx, 'sheet_none'), { size: 11 });
  flow.space(10);
  flow.paragraph(L(ctx, 'sheet_keep'), { size: 10 });
  flow.finish();
}
