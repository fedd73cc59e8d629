import { Flow, type PageBody } from './flow.js';
import { label } from './template.js';
import { addDays, localTime } from './format.js';
import type { FrontMatterContext } from './front-matter.js';

export interface ScheduleEntry { startsAt: string; name: string; mrn: string; provider: string | null; reason: string | null; page: number }

const L = (ctx: FrontMatterContext, key: string, vars?: Record<string, string | number>): string => label(ctx.template, key, vars);

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
