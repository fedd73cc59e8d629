import { Flow, type PageBody } from './flow.js';
import { label } from './template.js';
import { addDays, localTime } from './format.js';
import type { FrontMatterContext } from './front-matter.js';

/** One appointment of the schedule; `startsAt` is the clinic's wall time, as the store keeps it. */
export interface ScheduleEntry {
  startsAt: string; name: string; mrn: string; birthDate: string; phone: string;
  provider: string | null; reason: string | null; cancelled: boolean; page: number;
  /** The binder's volume holding the chart ("Vol 2"), under the page, when there are several: the row already has two lines. */
  volume?: string;
}

const L = (ctx: FrontMatterContext, key: string, vars?: Record<string, string | number>): string => label(ctx.template, key, vars);

/**
 * The schedule of the coming days, page by page to `onPage` like the index: each appointment with what the front
 * desk needs to call the patient (phone, date of birth) and find the chart (binder page); a cancelled one stays,
 * greyed and marked, so a patient who calls about it is found. `timeZone` names the zone of the wall times.
 * Returns its page count.
 */
export function layoutSchedule(entries: readonly ScheduleEntry[], from: string, days: number, timeZone: string, ctx: FrontMatterContext, onPage: (page: PageBody) => void): number {
  let pages = 0;
  const flow = new Flow(ctx.shaper, ctx.box, (page) => { pages++; onPage(page); });
  const to = addDays(from, days - 1);
  flow.paragraph(L(ctx, 'schedule'), { size: 16, weight: 'bold' });
  flow.paragraph(`${L(ctx, 'schedule_days', { from, to })} · ${L(ctx, 'time_zone', { zone: timeZone })}`, { size: 10.5 });
  if (!entries.length) {
    flow.paragraph(L(ctx, 'schedule_none'), { size: 11 });
    flow.finish();
    return pages;
  }
  const weekday = new Intl.DateTimeFormat(ctx.template.locale, { weekday: 'long', timeZone: 'UTC' });
  const columns = [
    { label: L(ctx, 'schedule_time'), width: 0.1 },
    { label: L(ctx, 'schedule_patient'), width: 0.33, weight: 'bold' as const },
    { label: L(ctx, 'schedule_phone'), width: 0.16 },
    { label: L(ctx, 'schedule_provider'), width: 0.15 },
    { label: L(ctx, 'schedule_reason'), width: 0.18 },
    { label: L(ctx, 'schedule_page'), width: 0.08, weight: 'bold' as const },
  ];
  for (let d = 0; d < days; d++) {
    const day = addDays(from, d);
    const todays = entries.filter((e) => e.startsAt.startsWith(day));
    if (!todays.length) continue;
    flow.heading(`${weekday.format(new Date(`${day}T12:00:00Z`))} ${day}`, 13, 50);
    flow.table(columns, todays.map((e) => {
      const color = e.cancelled ? '#666666' : 'black';
      const time = localTime(e.startsAt).slice(11);
      return [
        { text: time, color },
        { text: e.name, color, detail: `${L(ctx, 'dob')} ${e.birthDate}   ${L(ctx, 'mrn')} ${e.mrn}` },
        { text: e.phone || '—', color }, { text: e.provider ?? '', color }, e.cancelled ? { text: L(ctx, 'schedule_cancelled'), weight: 'bold' as const, color, detail: e.reason ?? '' } : { text: e.reason ?? '', color }, { text: String(e.page), color, ...(e.volume ? { detail: e.volume } : {}) },
      ];
    }), 9.5);
  }
  flow.finish();
  return pages;
}
