import { Flow, type BodyBox, type Cell, type Divider, type PageBody } from './flow.js';
import type { TextShaper } from '../text/shape-text.js';
import { label, type Template } from './template.js';
import { addDays, joinPresent, localTime, utcMinute } from './format.js';
import { LEADING_MARKS } from './visible-identity.js';

export interface FrontMatterContext {
  shaper: TextShaper;
  template: Template;
  box: BodyBox;
}

export interface CoverFacts {
  clinicName: string;
  clinicAddress: string | null;
  clinicPhone: string | null;
  printedAt: string;
  dataAsOf: string | null;
  patients: number;
  pages: number;
  /** Fingerprint of the clinic's signing key, or null when the codes are unsigned. */
  fingerprint: string | null;
  encrypted: boolean;
  /** The print run's id (FORMAT §4.2) and, when the run register was read, the full print it replaces (issue 28). */
  runId?: string;
  supersedes?: CoverRun['supersedes'];
  /** A partial binder: how its patients were chosen (the manifest's selection, FORMAT §11.3). */
  partial?: { by: readonly string[]; list_file?: string; scheduled_from?: string; scheduled_until?: string };
}

/** The run register's part of the cover: the previous complete full print of the store, or null for the first. */
export interface CoverRun { supersedes?: { runId: string; printedAt: string } | null }

export interface IndexEntry { name: string; birthDate: string; mrn: string; page: number }

export interface ScheduleEntry { startsAt: string; name: string; mrn: string; provider: string | null; reason: string | null; page: number }

const L = (ctx: FrontMatterContext, key: string, vars?: Record<string, string | number>): string => label(ctx.template, key, vars);

export function layoutCover(facts: CoverFacts, ctx: FrontMatterContext): PageBody[] {
  const flow = new Flow(ctx.shaper, ctx.box);
  flow.space(40);
  flow.paragraph(facts.clinicName, { size: flow.shaper.fit(facts.clinicName, 26, 'bold', flow.box.width), weight: 'bold' });
  flow.paragraph(joinPresent('   ', [facts.clinicAddress, facts.clinicPhone]), { size: 11 });
  flow.space(16);
  flow.paragraph(L(ctx, 'binder_title'), { size: 20, weight: 'bold' });
  flow.space(12);
  flow.fields([
    [L(ctx, 'printed'), utcMinute(facts.printedAt)],
    [L(ctx, 'data_as_of'), facts.dataAsOf ? utcMinute(facts.dataAsOf) : '—'],
    [L(ctx, 'patients'), String(facts.patients)],
    [L(ctx, 'pages'), String(facts.pages)],
    ...runFields(ctx, facts),
  ], 13, 150);
  // One line at a size that fits: a fingerprint is compared group by group.
  if (facts.partial) flow.paragraph(partialText(ctx, facts.partial), { size: 13, weight: 'bold' });
  fingerprintLines(flow, ctx, facts.fingerprint);
  if (facts.encrypted) flow.paragraph(L(ctx, 'encrypted'), { size: 11, weight: 'bold' });
  flow.space(20);
  flow.heading(L(ctx, 'how_to_use'), 13);
  flow.paragraph(L(ctx, 'how_to_use_text'), { size: 11 });
  // Retention (issue 28): when to replace the binder and how to destroy it, in the template's words.
  flow.space(12);
  flow.heading(L(ctx, 'retention'), 13);
  flow.paragraph(L(ctx, 'retention_text'), { size: 11 });
  return flow.pages;
}

/** The cover's lines from the run register (issue 28): this run's id, and the binder it replaces. */
function runFields(ctx: FrontMatterContext, facts: CoverFacts): [string, string][] {
  const fields: [string, string][] = facts.runId ? [[L(ctx, 'run'), facts.runId]] : [];
  if (facts.supersedes !== undefined) {
    fields.push([L(ctx, 'supersedes'), facts.supersedes
      ? L(ctx, 'supersedes_run', { run: facts.supersedes.runId, printed: utcMinute(facts.supersedes.printedAt) })
      : L(ctx, 'supersedes_none')]);
  }
  return fields;
}

/** "PARTIAL BINDER: only the patients listed in FILE or booked from … to …". */
function partialText(ctx: FrontMatterContext, p: NonNullable<CoverFacts['partial']>): string {
  const how = [
    p.by.includes('list') ? L(ctx, 'partial_list', { file: p.list_file ?? '' }) : null,
    p.by.includes('scheduled') ? L(ctx, 'partial_scheduled', { from: p.scheduled_from ?? '', until: p.scheduled_until ?? '' }) : null,
  ].filter((x): x is string => x !== null).join(L(ctx, 'partial_or'));
  return L(ctx, 'partial', { how });
}

/**
 * The back of the cover: how to turn the codes back into records, with
 * standard tools if paperchart is gone (a short form of docs/FORMAT.md).
 * Selectable text, so the commands can be copied out of the PDF.
 */
export function layoutRecipe(ctx: FrontMatterContext, fingerprint: string | null): PageBody[] {
  const flow = new Flow(ctx.shaper, ctx.box);
  flow.heading(L(ctx, 'restore_recipe'), 13);
  flow.paragraph(L(ctx, 'restore_recipe_text'), { size: 10.5 });
  flow.space(6);
  flow.paragraph(L(ctx, 'restore_recipe_steps'), { size: 9.5 });
  flow.space(6);
  fingerprintLines(flow, ctx, fingerprint);
  return flow.pages;
}

/** The signing key's fingerprint on a line of its own, so it never wraps mid-group. */
function fingerprintLines(flow: Flow, ctx: FrontMatterContext, fingerprint: string | null): void {
  flow.paragraph(`${L(ctx, 'signing_key')}:`, { size: 10, weight: 'bold' });
  flow.paragraph(fingerprint ?? L(ctx, 'unsigned'), { size: 10, weight: 'bold' });
}

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

/** The schedule of the coming days, page by page to `onPage` like the index. Returns its page count. */
export function layoutSchedule(entries: readonly ScheduleEntry[], from: string, days: number, ctx: FrontMatterContext, onPage: (page: PageBody) => void): number {
  let pages = 0;
  const flow = new Flow(ctx.shaper, ctx.box, (page) => { pages++; onPage(page); });
  const to = addDays(from, days - 1);
  flow.paragraph(L(ctx, 'schedule'), { size: 16, weight: 'bold' });
  flow.paragraph(L(ctx, 'schedule_days', { from, to }), { size: 10.5 });
  if (!entries.length) {
    flow.paragraph(L(ctx, 'schedule_none'), { size: 11 });
    flow.finish();
    return pages;
  }
  const weekday = new Intl.DateTimeFormat(ctx.template.locale, { weekday: 'long', timeZone: 'UTC' });
  const columns = [
    { label: L(ctx, 'schedule_time'), width: 0.1 },
    { label: L(ctx, 'schedule_patient'), width: 0.38, weight: 'bold' as const },
    { label: L(ctx, 'schedule_provider'), width: 0.2 },
    { label: L(ctx, 'schedule_reason'), width: 0.22 },
    { label: L(ctx, 'schedule_page'), width: 0.1, weight: 'bold' as const },
  ];
  for (let d = 0; d < days; d++) {
    const day = addDays(from, d);
    const todays = entries.filter((e) => e.startsAt.startsWith(day));
    if (!todays.length) continue;
    flow.heading(`${weekday.format(new Date(`${day}T12:00:00Z`))} ${day}`, 13, 50);
    flow.table(columns, todays.map((e) => [
      { text: localTime(e.startsAt).slice(11) }, { text: `${e.name}\n${L(ctx, 'mrn')} ${e.mrn}` },
      { text: e.provider ?? '' }, { text: e.reason ?? '' }, { text: String(e.page) },
    ]), 9.5);
  }
  flow.finish();
  return pages;
}
