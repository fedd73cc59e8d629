/** Plans a patient's visits (first visit, preventive care, follow-ups, acute, nurse and refill visits) and places them in clinic hours. */
import { YEAR, parseDay, weekday } from './_calendar.js';
import { type PatientDraft, type ProblemState } from './_patient-draft.js';
import type { ReasonDef } from './_vocabulary.js';

/** Most visits a chart holds outside the ~5% long histories (which hold 40 to 80). */
const MAX_ENCOUNTERS = 11;
/** Well-child visit ages in days: newborn to 3 years, then yearly to 17. */
const WELL_CHILD_DAYS = [30, 61, 122, 183, 274, 365, 456, 548, 730, 913, 1095, ...Array.from({ length: 14 }, (_, i) => Math.round((i + 4) * 365.2425))];

export interface PlannedVisit { day: number; minute: number; kind: string; reason: ReasonDef; problem: ProblemState | null; extra?: Record<string, string> }

export function reasonFor(pt: PatientDraft, id: string | null | undefined): ReasonDef {
  return (id ? pt.v.reasonById.get(id) : undefined) ?? pt.v.reasonById.get('chronic')!;
}

export function pickAcute(pt: PatientDraft, day: number): ReasonDef | null {
  const age = pt.ageAt(day);
  const pool: ReasonDef[] = [];
  const weights: number[] = [];
  for (const r of pt.v.acuteReasons) {
    if (r.ages && (age < r.ages[0] || age > r.ages[1])) continue;
    if (r.since && day < parseDay(r.since)) continue;
    if (r.requires && !r.requires.some((c) => pt.problems.some((p) => p.def.code === c && p.onsetDay <= day))) continue;
    let w = r.weight ?? 1;
    if (r.sexWeights) w *= r.sexWeights[pt.sex] ?? 0.5;
    if (w <= 0) continue;
    pool.push(r);
    weights.push(w);
  }
  return pool.length ? pt.rng.weighted(pool, weights) : null;
}

/**
 * Visits on the chart since it moved to the current records system
 * (CHART_YEARS before asOf): older history was carried over only as
 * problems, medications, immunizations and procedures.
 */
export function planVisits(pt: PatientDraft): PlannedVisit[] {
  const rng = pt.rng;
  const now = pt.clock.nowDay;
  const from0 = pt.chartFrom;
  const out: PlannedVisit[] = [];
  const telehealthEra = parseDay('2020-04-01');
  const add = (day: number, reason: ReasonDef, problem: ProblemState | null = null, kind?: string, extra?: Record<string, string>): void => {
    if (day > now || day < pt.birthDay || day < from0) return;
    let k = kind ?? rng.weightedPair(reason.kinds);
    // Since 2020 many routine follow-ups are video visits.
    if (k === 'office' && problem && day >= telehealthEra && rng.chance(0.3)) k = 'telehealth';
    out.push({ day, minute: 0, kind: k, reason, problem, extra });
  };
  const rid = (id: string): ReasonDef => pt.v.reasonById.get(id)!;
  const bornHere = pt.joinDay - pt.birthDay < 8;
  // First visit.
  if (bornHere) add(pt.birthDay + rng.int(2, 5), rid('wellchild_infant'));
  else add(pt.joinDay, rid('newpatient'));
  // Preventive care.
  for (const offset of WELL_CHILD_DAYS) {
    const day = pt.birthDay + offset + rng.int(0, 20);
    if (day < pt.joinDay + 7 || day > now || !rng.chance(0.7)) continue;
    const a = pt.ageAt(day);
    add(day, rid(a < 2 ? 'wellchild_infant' : a < 12 ? 'wellchild_child' : 'wellchild_teen'));
  }
  for (let day = Math.max(pt.joinDay + 120, pt.dayAtAge(18), from0); day <= now; day += Math.round(YEAR)) {
    const a = pt.ageAt(day);
    if (!rng.chance(a >= 50 ? 0.33 : 0.17)) continue;
    add(day + rng.int(0, 300), rid(a >= 65 && rng.chance(0.6) ? 'awv' : 'physical'));
  }
  // Chronic follow-ups.
  for (const p of pt.problems) {
    const months = p.def.followupMonths ?? 0;
    if (!months || p.def.reason === null) continue;
    const from = Math.max(p.onsetDay, from0);
    const to = p.resolvedDay ?? now;
    if (to <= from) continue;
    const n = rng.count(((to - from) / (months * 30.4)) * (pt.long ? 0.5 : 0.2));
    for (let i = 0; i < n; i++) add(rng.int(from, to), reasonFor(pt, p.def.reason), p);
  }
  // Acute problems.
  const years = (now - from0) / YEAR;
  const a = pt.ageNow;
  const rate = a < 5 ? 0.8 : a < 18 ? 0.3 : a < 65 ? 0.22 : 0.28;
  const nAcute = rng.count(years * rate);
  for (let i = 0; i < nAcute; i++) {
    const day = rng.int(from0, now);
    const r = pickAcute(pt, day);
    if (r) add(day, r);
  }
  // Administrative and nurse visits.
  if (pt.meds.some((m) => !m.drug.otc)) {
    const n = rng.count(years * 0.15);
    for (let i = 0; i < n; i++) add(rng.int(from0, now), rid('refill'));
  }
  if (pt.hasProblem('I10') && rng.chance(0.2)) add(rng.int(from0, now), rid('nurse_bp'));
  for (const m of pt.meds) {
    if (m.drugId === 'warfarin') {
      const from = Math.max(m.startDay, from0, now - 2 * 365);
      const to = m.endDay ?? now;
      const n = Math.min(10, rng.count(((to - from) / 30.4) * 0.4));
      for (let i = 0; i < n; i++) add(rng.int(from, to), rid('nurse_inr'));
    } else if (m.drugId === 'cyanocobalamin') {
      const from = Math.max(m.startDay, from0, now - 240);
      for (let d = from + rng.int(0, 30); d <= (m.endDay ?? now); d += 28 + rng.int(0, 10)) if (rng.chance(0.6)) add(d, rid('nurse_b12'));
    }
  }
  for (const vdays of pt.nurseVaccineDays) add(vdays.day, rid('nurse_vaccine'), null, 'nurse', vdays.slots);

  // How many the chart holds: dozens for the long histories, fewer than 20 otherwise.
  const keepFirst = (list: PlannedVisit[], n: number): PlannedVisit[] => {
    if (list.length <= n) return list;
    list.sort((x, y) => x.day - y.day);
    const first = list[0]!;
    return [first, ...rng.sample(list.slice(1), n - 1)];
  };
  if (pt.long) {
    const target = rng.int(40, 80);
    const chronic = pt.problems.filter((p) => p.def.reason && (p.def.followupMonths ?? 0) > 0);
    let guard = 0;
    while (out.length < target && guard++ < 400) {
      const day = rng.int(from0, now);
      const x = rng.next();
      if (chronic.length && x < 0.48) {
        const p = rng.pick(chronic);
        const r = reasonFor(pt, p.def.reason);
        if (p.onsetDay <= day && (p.resolvedDay === null || day <= p.resolvedDay)) add(day, r, p, rng.chance(0.5) ? 'telehealth' : undefined);
      } else if (x < 0.78) {
        add(day, rid('refill'));
      } else {
        const r = pickAcute(pt, day);
        if (r) add(day, r);
      }
    }
    return keepFirst(out, target);
  }
  return keepFirst(out, MAX_ENCOUNTERS);
}

/** A clinic time for a past visit of this kind on or just before `day`, never after asOf. */
export function placeInPast(pt: PatientDraft, day0: number, kind: string): [number, number] | null {
  const rng = pt.rng;
  const now = pt.clock.nowDay;
  const minDay = pt.birthDay;
  let day = Math.min(day0, now);
  for (let tries = 0; tries < 12; tries++) {
    const wd = weekday(day);
    let minute: number;
    if (kind === 'portal') minute = rng.int(6 * 60, 22 * 60);
    else if (kind === 'phone') {
      if (wd === 0 || wd === 6) { day -= wd === 0 ? 2 : 1; continue; }
      minute = 8 * 60 + 5 * rng.int(0, 113);
    } else if (kind === 'sameday' && wd === 6) minute = 9 * 60 + 15 * rng.int(0, 11);
    else if (kind === 'sameday' && wd === 0) minute = 10 * 60 + 15 * rng.int(0, 11);
    else {
      if (wd === 0 || wd === 6) {
        const back = wd === 0 ? 2 : 1;
        day = day - back >= minDay && (rng.chance(0.5) || day + (wd === 0 ? 1 : 2) > now) ? day - back : day + (wd === 0 ? 1 : 2);
        continue;
      }
      const slot = rng.int(0, 23);
      minute = slot < 12 ? 8 * 60 + slot * 20 : 13 * 60 + (slot - 12) * 20;
    }
    if (day < minDay) return null;
    if (day === now && minute > pt.clock.nowMin - 10) { day -= 1; continue; }
    if (day > now) { day = now - 1; continue; }
    return [day, minute];
  }
  return day >= minDay && day < now ? [day, 9 * 60] : null;
}
