/** A patient's medications: drugs for each problem, earlier drugs replaced, common extras, and the medication rows. */
import type { Medication } from '../record/record.js';
import { isoDate, parseDay } from './_calendar.js';
import type { MedState, PatientDraft, ProblemState } from './_patient-draft.js';

/** Whether the drug may start that day: age, sex, on the market, not avoided, no active drug of its class. */
export function drugOk(pt: PatientDraft, id: string, day: number): boolean {
  const d = pt.v.drugs.drugs[id];
  if (!d) return false;
  const age = pt.ageAt(day);
  if (age < d.ages[0] || age > d.ages[1]) return false;
  if (d.sex && d.sex !== pt.sex) return false;
  if (d.since && day < parseDay(d.since)) return false;
  if (pt.avoid.has(id)) return false;
  const cls = pt.v.drugClass.get(id);
  return !pt.meds.some((m) => (m.drugId === id || (cls !== undefined && pt.v.drugClass.get(m.drugId) === cls)) && m.endDay === null);
}

function prescriberFor(pt: PatientDraft, problem: ProblemState | null, day: number): string | null {
  const rng = pt.rng;
  if (problem?.def.outside && rng.chance(problem.def.outside)) {
    const outside = pt.v.clinic.outsidePrescribers.filter((o) => o.problems.includes(problem.def.code));
    if (outside.length) return rng.pick(outside).name;
  }
  if (day < pt.joinDay && rng.chance(0.5)) return rng.chance(0.6) ? 'Historical provider' : null;
  return pt.primary && rng.chance(0.8) ? pt.primary : (pt.ageAt(day) < 18 ? pt.v.pedsProviderTable : pt.v.providerTable).pick(rng).name;
}

/** Adds a medication with a dose and a prescriber (null for half of the over-the-counter ones); null for an unknown drug. */
export function addMed(pt: PatientDraft, drugId: string, problem: ProblemState | null, startDay: number, endDay: number | null, status: Medication['status'], prescriber?: string | null): MedState | null {
  const drug = pt.v.drugs.drugs[drugId];
  if (!drug) return null;
  const m: MedState = {
    drugId, drug, dose: pt.rng.pick(drug.doses), startDay, endDay, status, problem,
    prescriber: prescriber === undefined ? (drug.otc && pt.rng.chance(0.5) ? null : prescriberFor(pt, problem, startDay)) : prescriber,
  };
  pt.meds.push(m);
  return m;
}

/** Drugs for each problem (the first line, sometimes an earlier drug replaced), rescue epinephrine, common extras. */
export function chooseMedications(pt: PatientDraft): void {
  const rng = pt.rng;
  const now = pt.clock.nowDay;
  const anticoag = ['apixaban', 'warfarin', 'rivaroxaban'];
  for (const p of pt.problems) {
    const def = p.def;
    if (!def.meds || def.meds.length === 0 || !def.medCount) continue;
    const count = rng.weightedPair(def.medCount);
    if (count === 0) continue;
    const start0 = Math.max(p.onsetDay, pt.birthDay);
    const chosen: string[] = [];
    const first = def.firstMed === 'anticoagulant' ? rng.weighted(anticoag, [45, 20, 10]) : def.firstMed;
    if (first) chosen.push(first);
    for (let tries = 0; chosen.length < count && tries < 20; tries++) {
      const id = rng.weightedPair(def.meds);
      if (!chosen.includes(id) && !(def.firstMed === 'anticoagulant' && anticoag.includes(id))) chosen.push(id);
    }
    for (const id of chosen.slice(0, Math.max(count, first ? 1 : 0))) {
      const start = Math.min(now, start0 + rng.int(0, Math.min(365, Math.max(0, now - start0))));
      if (!drugOk(pt, id, start)) continue;
      // Sometimes an earlier drug for the same problem was stopped (side effect, cost) and replaced.
      if (rng.chance(0.12) && start - start0 > 120) {
        const prev = rng.weightedPair(def.meds);
        if (prev !== id && pt.v.drugs.drugs[prev] && !pt.avoid.has(prev)) {
          const prevStart = start0 + rng.int(0, start - start0 - 60);
          if (pt.ageAt(prevStart) >= (pt.v.drugs.drugs[prev]!.ages[0])) addMed(pt, prev, p, prevStart, start, 'stopped');
        }
      }
      const end = p.resolvedDay !== null && p.resolvedDay > start ? p.resolvedDay : null;
      addMed(pt, id, p, start, end, end !== null ? 'stopped' : 'active');
    }
  }
  // Rescue epinephrine for severe food/insect allergy.
  if (pt.epinephrineAllergy) {
    const id = pt.ageNow < 6 ? 'epinephrine_jr' : 'epinephrine';
    if (drugOk(pt, id, now)) addMed(pt, id, null, Math.max(pt.birthDay + 200, now - rng.int(30, 1500)), null, 'active');
  }
  // A few common extras.
  const age = pt.ageNow;
  const extra = (id: string, p: number): void => {
    if (rng.chance(p) && drugOk(pt, id, now)) addMed(pt, id, null, Math.max(pt.birthDay, now - rng.int(30, 2000)), null, 'active');
  };
  if (age >= 18) { extra('vitamin_d3', 0.05); extra('acetaminophen', 0.04); extra('ibuprofen', 0.03); }
  if (age >= 50) extra('aspirin81', 0.05);
  if (pt.sex === 'female' && age >= 16 && age < 42) extra('ocp', 0.08);
}

/** The medication rows: dates, refills and last fill from each medication's state. */
export function medicationRows(pt: PatientDraft): Medication[] {
  const rng = pt.rng;
  const now = pt.clock.nowDay;
  return pt.meds.map((m) => {
    const d = m.drug;
    const active = m.status === 'active';
    const refillable = active && !d.otc;
    const lastFilled = active
      ? (d.otc && rng.chance(0.7) ? null : Math.max(m.startDay, now - rng.int(0, d.course ? 3 : 88)))
      : m.endDay !== null ? Math.max(m.startDay, m.endDay - rng.int(0, Math.min(60, m.endDay - m.startDay))) : null;
    const instructions = rng.chance(0.95) ? d.instructions.replace('{dose}', m.dose) : null;
    return {
      id: '', patient_id: pt.pid, name: d.name, dose: m.dose, route: d.route, frequency: d.frequency,
      prescriber: m.prescriber, start_date: rng.chance(m.startDay < pt.joinDay ? 0.85 : 0.99) ? isoDate(m.startDay) : null,
      end_date: m.endDay !== null && m.status !== 'active' ? isoDate(m.endDay) : null,
      status: m.status,
      refills_remaining: refillable ? rng.int(d.refills[0], d.refills[1]) : active && d.otc ? null : m.status === 'active' ? null : rng.chance(0.5) ? 0 : null,
      last_filled: lastFilled !== null && lastFilled <= now ? isoDate(lastFilled) : null,
      instructions,
      updated_at: pt.stampDay(Math.min(now, Math.max(m.endDay ?? m.startDay, m.startDay, lastFilled ?? 0, pt.joinDay))),
    };
  });
}
