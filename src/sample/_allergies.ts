/** A patient's allergy status and allergy rows, and what they rule out (drugs to avoid, rescue epinephrine, latex). */
import type { Allergy } from '../record/record.js';
import { YEAR, isoDate } from './_calendar.js';
import type { PatientDraft } from './_patient-draft.js';
import type { AllergyDef } from './_vocabulary.js';

/** Allergy status by age (unknown, none or listed) and the listed allergies; active ones rule out drugs. */
export function chooseAllergies(pt: PatientDraft): void {
  const rng = pt.rng;
  const v = pt.v.allergies;
  const age = pt.ageNow;
  let band = v.status.byAge[0]!;
  for (const b of v.status.byAge) if (age >= b[0]) band = b;
  const status = rng.weighted(['unknown', 'none', 'listed'] as const, [band[1], band[2], band[3]]);
  if (status !== 'listed') { pt.allergyStatus = status; return; }
  const n = rng.weightedPair(v.countWeights);
  const picked = new Set<AllergyDef>();
  for (let tries = 0; picked.size < n && tries < 30; tries++) {
    const a = pt.v.allergyTable.pick(rng);
    if (age >= a.ages[0]) picked.add(a);
  }
  if (picked.size === 0) { pt.allergyStatus = 'none'; return; }
  pt.allergyStatus = 'listed';
  for (const a of picked) {
    const [reaction, severity] = rng.weighted(a.reactions, a.reactions.map((r) => r[2]));
    const from = Math.max(pt.birthDay + Math.round(a.ages[0] * YEAR), pt.joinDay - Math.round(5 * YEAR), pt.birthDay);
    const day = rng.int(Math.min(from, pt.clock.nowDay), pt.clock.nowDay);
    let status: Allergy['status'] = 'active';
    if (a.resolves && age > a.ages[1] && rng.chance(a.resolves)) status = 'resolved';
    else if (rng.chance(0.03)) status = 'inactive';
    if (status === 'active') {
      for (const d of a.avoid ?? []) pt.avoid.add(d);
      if (a.epinephrine && severity === 'severe') pt.epinephrineAllergy = true;
      if (a.substance === 'Latex') pt.latexAllergy = true;
    }
    pt.allergies.push({
      id: '', patient_id: pt.pid, substance: a.substance, reaction, severity, status,
      recorded_on: rng.chance(0.9) ? isoDate(day) : null,
      updated_at: pt.stampDay(day),
    });
  }
}
