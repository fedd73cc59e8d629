/** Plans a patient's visits (first visit, preventive care, follow-ups, acute, nurse and refill visits) and places them in clinic hours. */
import { YEAR, parseDay, weekday } from './_calendar.js';
import type { PatientDraft, ProblemState } from './_patient-draft.js';
import type { ReasonDef } from './_vocabulary.js';

/** Most visits a chart holds outside the ~5% long histories (which hold 40 to 80). */
const MAX_ENCOUNTERS = 11;
/** Well-child visit ages in days: newborn to 3 years, then yearly to 17. */
const WELL_CHILD_DAYS = [30, 61, 122, 183, 274, 365, 456, 548, 730, 913, 1095, ...Array.from({ length: 14 }, (_, i) => Math.round((i + 4) * 365.2425))];

export interface PlannedVisit { day: number; minute: number; kind: string; reason: ReasonDef; problem: ProblemState | null; extra?: Record<string, string> }

/** A problem's follow-up reason, or the generic chronic follow-up. */
export function reasonFor(pt: PatientDraft, id: string | null | undefined): ReasonDef {
  return (id ? pt.v.reasonById.get(id) : undefined) ?? pt.v.reasonById.get('chronic')!;
}

/** An acute visit reason fitting the patient's age, sex and problems on that day, or null. */
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

/** The visits planned so far, and the rule every planned visit passes through. */
class VisitPlan {
  readonly visits: PlannedVisit[] = [];
  private static readonly TELEHEALTH_ERA = parseDay('2020-04-01');
  constructor(readonly pt: PatientDraft) {}

  /** Plans a visit within the chart's history; `kind` drawn from the reason's kinds when not given. */
  add(day: number, reason: ReasonDef, problem: ProblemState | null = null, kind?: string, extra?: Record<string, string>): void {
    const pt = this.pt;
    if (day > pt.clock.nowDay || day < pt.birthDay || day < pt.chartFrom) return;
    let k = kind ?? pt.rng.weightedPair(reason.kinds);
    // Since 2020 many routine follow-ups are video visits.
    if (k === 'office' && problem && day >= VisitPlan.TELEHEALTH_ERA && pt.rng.chance(0.3)) k = 'telehealth';
    this.visits.push({ day, minute: 0, kind: k, reason, problem, extra });
  }

  reason(id: string): ReasonDef { return this.pt.v.reasonById.get(id)!; }
}

/**
 * Visits on the chart since it moved to the current records system
 * (CHART_YEARS before asOf): older history was carried over only as
 * problems, medications, immunizations and procedures.
 */
export function planVisits(pt: PatientDraft): PlannedVisit[] {
  const plan = new VisitPlan(pt);
  planFirstAndPreventive(plan);
  planFollowUps(plan);
  planAcute(plan);
  planNurseAndRefills(plan);
  // How many the chart holds: dozens for the long histories, fewer than 20 otherwise.
  if (pt.long) {
    const target = pt.rng.int(40, 80);
    fillLongHistory(plan, target);
    return keepFirst(pt, plan.visits, target);
  }
  return keepFirst(pt, plan.visits, MAX_ENCOUNTERS);
}

/** The first visit (newborn or new patient), well-child visits and adult physicals. */
function planFirstAndPreventive(plan: VisitPlan): void {
  const pt = plan.pt;
  const rng = pt.rng;
  const now = pt.clock.nowDay;
  const bornHere = pt.joinDay - pt.birthDay < 8;
  if (bornHere) plan.add(pt.birthDay + rng.int(2, 5), plan.reason('wellchild_infant'));
  else plan.add(pt.joinDay, plan.reason('newpatient'));
  for (const offset of WELL_CHILD_DAYS) {
    const day = pt.birthDay + offset + rng.int(0, 20);
    if (day < pt.joinDay + 7 || day > now || !rng.chance(0.7)) continue;
    const a = pt.ageAt(day);
    plan.add(day, plan.reason(a < 2 ? 'wellchild_infant' : a < 12 ? 'wellchild_child' : 'wellchild_teen'));
  }
  for (let day = Math.max(pt.joinDay + 120, pt.dayAtAge(18), pt.chartFrom); day <= now; day += Math.round(YEAR)) {
    const a = pt.ageAt(day);
    if (!rng.chance(a >= 50 ? 0.33 : 0.17)) continue;
    plan.add(day + rng.int(0, 300), plan.reason(a >= 65 && rng.chance(0.6) ? 'awv' : 'physical'));
  }
}

/** Follow-ups of chronic problems, at about the problem's interval. */
function planFollowUps(plan: VisitPlan): void {
  const pt = plan.pt;
  for (const p of pt.problems) {
    const months = p.def.followupMonths ?? 0;
    if (!months || p.def.reason === null) continue;
    const from = Math.max(p.onsetDay, pt.chartFrom);
    const to = p.resolvedDay ?? pt.clock.nowDay;
    if (to <= from) continue;
    const n = pt.rng.count(((to - from) / (months * 30.4)) * (pt.long ? 0.5 : 0.2));
    for (let i = 0; i < n; i++) plan.add(pt.rng.int(from, to), reasonFor(pt, p.def.reason), p);
  }
}

/** Acute problems, more often for small children. */
function planAcute(plan: VisitPlan): void {
  const pt = plan.pt;
  const now = pt.clock.nowDay;
  const years = (now - pt.chartFrom) / YEAR;
  const a = pt.ageNow;
  const rate = a < 5 ? 0.8 : a < 18 ? 0.3 : a < 65 ? 0.22 : 0.28;
  const nAcute = pt.rng.count(years * rate);
  for (let i = 0; i < nAcute; i++) {
    const day = pt.rng.int(pt.chartFrom, now);
    const r = pickAcute(pt, day);
    if (r) plan.add(day, r);
  }
}

/** Administrative and nurse visits: refills, blood pressure checks, INR and B12, vaccines given alone. */
function planNurseAndRefills(plan: VisitPlan): void {
  const pt = plan.pt;
  const rng = pt.rng;
  const now = pt.clock.nowDay;
  const from0 = pt.chartFrom;
  if (pt.meds.some((m) => !m.drug.otc)) {
    const n = rng.count(((now - from0) / YEAR) * 0.15);
    for (let i = 0; i < n; i++) plan.add(rng.int(from0, now), plan.reason('refill'));
  }
  if (pt.hasProblem('I10') && rng.chance(0.2)) plan.add(rng.int(from0, now), plan.reason('nurse_bp'));
  for (const m of pt.meds) {
    if (m.drugId === 'warfarin') {
      const from = Math.max(m.startDay, from0, now - 2 * 365);
      const to = m.endDay ?? now;
      const n = Math.min(10, rng.count(((to - from) / 30.4) * 0.4));
      for (let i = 0; i < n; i++) plan.add(rng.int(from, to), plan.reason('nurse_inr'));
    } else if (m.drugId === 'cyanocobalamin') {
      const from = Math.max(m.startDay, from0, now - 240);
      for (let d = from + rng.int(0, 30); d <= (m.endDay ?? now); d += 28 + rng.int(0, 10)) if (rng.chance(0.6)) plan.add(d, plan.reason('nurse_b12'));
    }
  }
  for (const vdays of pt.nurseVaccineDays) plan.add(vdays.day, plan.reason('nurse_vaccine'), null, 'nurse', vdays.slots);
}

/** A long history's extra visits up to `target`: follow-ups, refills and acute problems. */
function fillLongHistory(plan: VisitPlan, target: number): void {
  const pt = plan.pt;
  const rng = pt.rng;
  const chronic = pt.problems.filter((p) => p.def.reason && (p.def.followupMonths ?? 0) > 0);
  let guard = 0;
  while (plan.visits.length < target && guard++ < 400) {
    const day = rng.int(pt.chartFrom, pt.clock.nowDay);
    const x = rng.next();
    if (chronic.length && x < 0.48) {
      const p = rng.pick(chronic);
      const r = reasonFor(pt, p.def.reason);
      if (p.onsetDay <= day && (p.resolvedDay === null || day <= p.resolvedDay)) plan.add(day, r, p, rng.chance(0.5) ? 'telehealth' : undefined);
    } else if (x < 0.78) {
      plan.add(day, plan.reason('refill'));
    } else {
      const r = pickAcute(pt, day);
      if (r) plan.add(day, r);
    }
  }
}

/** At most `n` visits: the first one and a random choice of the rest. */
function keepFirst(pt: PatientDraft, list: PlannedVisit[], n: number): PlannedVisit[] {
  if (list.length <= n) return list;
  list.sort((x, y) => x.day - y.day);
  const first = list[0]!;
  return [first, ...pt.rng.sample(list.slice(1), n - 1)];
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
