/**
 * The concise sections of the default template: what the front desk and a clinician seeing the patient during
 * an outage need, on about one page. The codes carry the complete record; templates/full-history.json prints
 * the full lists instead (patient-layout.ts).
 */
import type { Observation, PatientRecord } from '../record/record.js';
import { LEADING, type Cell, type Column } from './flow.js';
import { joinPresent } from './format.js';
import { BODY, byDesc, L, none, sectionHeading, type SectionLayout } from './_sections.js';

/** Encounters shown when the template sets no limit. */
const RECENT_ENCOUNTERS = 3;
/** Visits of vital signs shown when the template sets no limit. */
const RECENT_VISITS = 3;
/** An abnormal lab result this recent is shown even when a later result of the same test is normal. */
const ABNORMAL_LAB_DAYS = 365;

/** The last few encounters, a line or two each (date, kind, clinician, reason), and how many more the codes hold. */
export const recentEncounters: SectionLayout = (flow, r, ctx) => {
  // A compact template's page 1 gives the last visit under the identity: the section lists the ones before it.
  const last = ctx.template.compact ? lastVisit(r, ctx.today) : undefined;
  const all = [...r.encounters].sort(byDesc((e) => e.occurred_at)).filter((e) => e !== last);
  if (last && !all.length) return;
  sectionHeading(flow, ctx, 'recent_encounters');
  if (!all.length) return none(flow, L(ctx, 'encounters_none'));
  const shown = all.slice(0, (ctx.template.limits.encounters ?? RECENT_ENCOUNTERS) - (last ? 1 : 0));
  const earlier = all.length - shown.length;
  shown.forEach((e, n) => {
    // The last encounter shown keeps the line saying how many more there are with it.
    if (n === shown.length - 1 && earlier > 0) flow.ensure(2 * BODY * LEADING);
    flow.paragraph(encounterLine(e), { size: BODY });
  });
  if (earlier > 0) flow.paragraph(L(ctx, 'earlier_encounters', { n: earlier }), { size: 8.5, color: '#333333' });
};

/** The last visit on or before the print's day: page 1 gives it in full, the recent encounters the ones before. */
export function lastVisit(r: PatientRecord, today: string): PatientRecord['encounters'][number] | undefined {
  return r.encounters.filter((e) => e.occurred_at.slice(0, 10) <= today).sort(byDesc((e) => e.occurred_at))[0];
}

/** "2026-10-23 — Office visit — Priya Raman, MD — Hypertension follow-up": an encounter on one line. */
export function encounterLine(e: PatientRecord['encounters'][number]): string {
  const reason = e.reason && e.reason !== e.kind ? e.reason : null;
  return joinPresent(' — ', [e.occurred_at.slice(0, 10), e.kind, e.provider, reason]);
}

/** The columns of a visit's vitals, each from the LOINC codes (or names) of its observations. */
const VITAL_COLUMNS: readonly { key: string; width: number; codes: readonly string[] }[] = [
  { key: 'vital_bp', width: 0.12, codes: ['8480-6', '8462-4'] },
  { key: 'vital_pulse', width: 0.08, codes: ['8867-4'] },
  { key: 'vital_resp', width: 0.08, codes: ['9279-1'] },
  { key: 'vital_temp', width: 0.1, codes: ['8310-5'] },
  { key: 'vital_spo2', width: 0.08, codes: ['59408-5', '2708-6'] },
  { key: 'vital_weight', width: 0.2, codes: ['29463-7'] },
  { key: 'vital_height', width: 0.12, codes: ['8302-2'] },
  { key: 'vital_bmi', width: 0.08, codes: ['39156-5'] },
];
const VITAL_NAMES: Record<string, string> = {
  'Systolic blood pressure': '8480-6', 'Diastolic blood pressure': '8462-4', 'Heart rate': '8867-4', 'Respiratory rate': '9279-1',
  'Body temperature': '8310-5', 'Oxygen saturation (pulse oximetry)': '59408-5', 'Body weight': '29463-7', 'Body height': '8302-2',
  'Body mass index (BMI)': '39156-5',
};

/** "81.8 kg (180.4 lb)": weight in kilograms first, which drug doses are worked from. */
function weightText(o: Observation): string {
  const value = Number(o.value);
  if (o.unit === 'lb' && Number.isFinite(value)) return `${(value * 0.45359237).toFixed(1)} kg (${o.value} lb)`;
  return joinPresent(' ', [o.value, o.unit]);
}

/** The latest weight, in kilograms first, with its date: "66.4 kg (146.3 lb), 2026-09-08". */
export function latestWeight(r: PatientRecord): string | null {
  const weights = r.observations.filter((o) => o.category === 'vital' && (o.code ?? VITAL_NAMES[o.name]) === '29463-7').sort(byDesc((o) => o.effective_at));
  return weights[0] ? `${weightText(weights[0])}, ${weights[0].effective_at.slice(0, 10)}` : null;
}

function vitalText(key: string, found: Map<string, Observation>): Cell {
  const get = (code: string): Observation | undefined => found.get(code);
  const column = VITAL_COLUMNS.find((c) => c.key === key)!;
  const obs = column.codes.map(get).filter((o): o is Observation => o !== undefined);
  if (!obs.length) return { text: '' };
  const weight = obs.some((o) => o.abnormal_flag) ? 'bold' as const : 'regular' as const;
  if (key === 'vital_bp') return { text: obs.map((o) => o.value).join('/'), weight };
  if (key === 'vital_weight') return { text: weightText(obs[0]!), weight };
  const o = obs[0]!;
  const unit = o.unit === '/min' || o.unit === null ? '' : o.unit === '%' ? '%' : ` ${o.unit}`;
  return { text: `${o.value}${unit}`, weight };
}

/** Vital signs as one row per visit (the measurements taken at one time), the latest few visits. */
export const vitalsByVisit: SectionLayout = (flow, r, ctx) => {
  // Kept with the note under it, the table's header and its first rows (the table keeps those together).
  sectionHeading(flow, ctx, 'vitals_by_visit', 12, 56);
  const visits = new Map<string, Map<string, Observation>>();
  for (const o of r.observations) {
    if (o.category !== 'vital') continue;
    const code = o.code ?? VITAL_NAMES[o.name];
    if (!code) continue;
    const visit = visits.get(o.effective_at) ?? new Map<string, Observation>();
    visit.set(code, o);
    visits.set(o.effective_at, visit);
  }
  if (!visits.size) return none(flow, L(ctx, 'vitals_none'));
  const times = [...visits.keys()].sort().reverse();
  const shown = times.slice(0, ctx.template.limits.vitals ?? RECENT_VISITS);
  const rows = shown.map((t) => VITAL_COLUMNS.map((c) => vitalText(c.key, visits.get(t)!)));
  // Only the columns some shown visit measured, spread over the width.
  const used = VITAL_COLUMNS.map((_, i) => rows.some((row) => row[i]!.text !== ''));
  const total = 0.16 + VITAL_COLUMNS.reduce((sum, c, i) => sum + (used[i] ? c.width : 0), 0);
  const columns: Column[] = [{ label: L(ctx, 'date'), width: 0.16 / total },
    ...VITAL_COLUMNS.flatMap((c, i) => (used[i] ? [{ label: L(ctx, c.key), width: c.width / total }] : []))];
  // Said above the table, with its heading: a note under a table can be left alone on the next page.
  if (times.length > shown.length) flow.paragraph(L(ctx, 'earlier_visits', { n: times.length - shown.length }), { size: 8, color: '#333333' });
  flow.table(columns, shown.map((t, n) => [{ text: t.slice(0, 10) }, ...rows[n]!.filter((_, i) => used[i])]));
};

/** Each vaccine once, with its latest date and how many doses the record holds. */
export const immunizationsLatest: SectionLayout = (flow, r, ctx) => {
  sectionHeading(flow, ctx, 'immunizations_latest');
  const latest = new Map<string, { date: string; doses: number }>();
  for (const i of r.immunizations) {
    const seen = latest.get(i.vaccine);
    latest.set(i.vaccine, { date: seen && seen.date > i.given_on ? seen.date : i.given_on, doses: (seen?.doses ?? 0) + 1 });
  }
  if (!latest.size) return none(flow, L(ctx, 'immunizations_none'));
  // One wrapped paragraph: 30 rows of a healthy six-year-old's vaccine history become two or three lines.
  const list = [...latest].sort(([a], [b]) => a.localeCompare(b, ctx.template.locale))
    .map(([vaccine, { date, doses }]) => `${vaccine} ${doses > 1 ? `${date} (×${doses})` : date}`);
  flow.paragraph(list.join('  ·  '), { size: 9 });
};

/** Days from one YYYY-MM-DD date to another. */
const daysBetween = (from: string, to: string): number => (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000;

/** "Hemoglobin A1c 5.9 % (H)": a result with its flag, for a line of the day's results. */
const resultText = (o: Observation): string => joinPresent(' ', [o.name, o.value, o.unit, o.abnormal_flag && `(${o.abnormal_flag})`]);

/**
 * The latest result of each test, and any abnormal result of the last year that a later one hides, as one row
 * a day (labs come in panels drawn together): "2026-09-08 | WBC 6.9 K/uL · Hemoglobin 12.6 g/dL · …".
 */
export const labsLatest: SectionLayout = (flow, r, ctx) => {
  sectionHeading(flow, ctx, 'labs_latest', 12, 56);
  const labs = r.observations.filter((o) => o.category === 'lab').sort(byDesc((o) => o.effective_at));
  if (!labs.length) return none(flow, L(ctx, 'labs_none'));
  const seen = new Set<string>();
  const shown = labs.filter((o) => {
    const first = !seen.has(o.name);
    seen.add(o.name);
    return first || (o.abnormal_flag !== null && daysBetween(o.effective_at.slice(0, 10), ctx.today) <= ABNORMAL_LAB_DAYS);
  });
  const limit = ctx.template.limits.labs;
  const rows = limit === null ? shown : shown.slice(0, limit);
  if (rows.length < shown.length) flow.paragraph(L(ctx, 'showing_of', { n: rows.length, total: shown.length }), { size: 8, color: '#333333' });
  const days = new Map<string, Observation[]>();
  for (const o of rows) days.set(o.effective_at.slice(0, 10), [...(days.get(o.effective_at.slice(0, 10)) ?? []), o]);
  flow.table([{ label: L(ctx, 'date'), width: 0.14 }, { label: L(ctx, 'result'), width: 0.86 }],
    [...days].flatMap(([day, results]) => {
      // A day's abnormal results in bold on a row of their own, its normal ones after them.
      const abnormal = results.filter((o) => o.abnormal_flag);
      const normal = results.filter((o) => !o.abnormal_flag);
      return [abnormal, normal].filter((list) => list.length).map((list, i): Cell[] => [{ text: i === 0 ? day : '' },
        { text: list.map(resultText).join(' · '), weight: list === abnormal ? 'bold' : 'regular' }]);
    }));
};
