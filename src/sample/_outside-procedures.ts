/** Procedures done elsewhere (screenings, surgeries) on the chart, some repeated every few years. */
import { YEAR, isoDate } from './_calendar.js';
import type { PatientDraft } from './_patient-draft.js';

/** Procedures done elsewhere, by age, sex and problem, some repeated every few years. */
export function chooseOutsideProcedures(pt: PatientDraft): void {
  const rng = pt.rng;
  const now = pt.clock.nowDay;
  const age = pt.ageNow;
  for (const [code, def] of pt.v.outsideProcedures) {
    if (!def.ages || def.p === undefined) continue;
    if (def.sex && def.sex !== pt.sex) continue;
    if (age < def.ages[0]) continue;
    if (def.problem && !pt.problems.some((p) => p.def.code === def.problem)) continue;
    if (!rng.chance(def.p)) continue;
    const from = pt.dayAtAge(def.ages[0]);
    const to = Math.min(now, pt.dayAtAge(def.ages[1]));
    if (from > to) continue;
    const problem = def.problem ? pt.problems.find((p) => p.def.code === def.problem) : undefined;
    let day = rng.int(problem ? Math.max(from, problem.onsetDay) : from, to);
    if (def.repeatYears) day = Math.max(day, to - Math.round(def.repeatYears * YEAR * rng.real(0.2, 1.6)));
    if (day > to) day = to;
    const performerList = def.performer ? pt.v.clinic.outsidePerformers[def.performer] : undefined;
    for (let n = 0; n < 3 && day <= to; n++) {
      pt.procedures.push({
        id: '', patient_id: pt.pid, description: def.description, code,
        performed_on: isoDate(day), performer: performerList && rng.chance(0.85) ? rng.pick(performerList) : null,
        updated_at: pt.stampDay(Math.max(day, pt.joinDay)),
      });
      if (!def.repeatYears || !rng.chance(0.7)) break;
      day += Math.round(def.repeatYears * YEAR) + rng.int(-60, 200);
    }
  }
}
