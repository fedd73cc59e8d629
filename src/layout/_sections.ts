import type { PatientRecord } from '../record/record.js';
import type { Flow } from './flow.js';
import type { TextShaper } from '../text/shape-text.js';
import { label, type Template } from './template.js';
import type { BodyBox } from './flow.js';

export interface PatientLayoutContext {
  shaper: TextShaper;
  template: Template;
  box: BodyBox;
  /** The clinic's date when the binder is printed: "upcoming" and ages count from it. */
  today: string;
}

export type SectionLayout = (flow: Flow, r: PatientRecord, ctx: PatientLayoutContext) => void;

export const BODY = 9.5;

export const L = (ctx: PatientLayoutContext, key: string, vars?: Record<string, string | number>): string => label(ctx.template, key, vars);

/** A section's heading: smaller in a compact template, where most patients' summaries fit one page. */
export function sectionHeading(flow: Flow, ctx: PatientLayoutContext, key: string, size = 12, keepWith = 40): void {
  if (ctx.template.compact) flow.heading(L(ctx, key), 10.5, keepWith, 4);
  else flow.heading(L(ctx, key), size, keepWith);
}

export function none(flow: Flow, text: string): void {
  flow.paragraph(text, { size: BODY, color: '#333333' });
}

/** When a template limits a list, say so: nothing may disappear silently. */
export function limited<T>(flow: Flow, ctx: PatientLayoutContext, rows: T[], limit: number | null): T[] {
  if (limit === null || rows.length <= limit) return rows;
  flow.paragraph(L(ctx, 'showing_of', { n: limit, total: rows.length }), { size: 8, color: '#333333' });
  return rows.slice(0, limit);
}

export const byDesc = <T>(key: (t: T) => string) => (a: T, b: T): number => (key(a) < key(b) ? 1 : key(a) > key(b) ? -1 : 0);

/** A language tag as its name in the template's language ("ar" → "Arabic"); the tag itself when unknown. */
export function languageName(tag: string | null, locale: string): string | null {
  if (!tag) return tag;
  try {
    const name = new Intl.DisplayNames([locale], { type: 'language', fallback: 'none' }).of(tag);
    return name ? name.charAt(0).toLocaleUpperCase(locale) + name.slice(1) : tag;
  } catch {
    return tag;
  }
}

/** A compact template's short section: its values as rows beside one bold key, no heading ("Pharmacy   CVS #2278 …"). */
export function keyedRows(flow: Flow, ctx: PatientLayoutContext, key: string, values: readonly string[], noneKey: string): void {
  const list = values.length ? values : [L(ctx, noneKey)];
  flow.space(2);
  flow.fields(list.map((v, i) => [i === 0 ? L(ctx, key) : '', v] as const), BODY, 128);
}
