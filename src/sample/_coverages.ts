/** A patient's insurance coverages, by age: Medicare and supplements, Medicaid, commercial plans, self-pay. */
import type { Coverage } from '../record/record.js';
import { fillPattern } from './_identifiers.js';
import type { PatientDraft } from './_patient-draft.js';
import type { Payer } from './_vocabulary.js';

/** Zero to two coverages, chosen by age group and weighted by payer. */
export function makeCoverages(pt: PatientDraft): Coverage[] {
  const rng = pt.rng;
  const payers = pt.v.clinic.payers;
  const age = pt.ageNow;
  const of = (kinds: string[]): Payer => {
    const list = payers.filter((p) => kinds.includes(p.kind));
    return rng.weighted(list, list.map((p) => p.weight));
  };
  const picks: Payer[] = [];
  const x = rng.next();
  if (age >= 65) {
    if (x < 0.68) {
      picks.push(of(['medicare']));
      if (rng.chance(0.35)) picks.push(of(['medigap']));
      else if (rng.chance(0.1)) picks.push(of(['medicaid_secondary']));
    } else if (x < 0.97) picks.push(of(['medicare_advantage']));
  } else if (age < 19) {
    if (x < 0.45) picks.push(of(['medicaid']));
    else if (x < 0.95) picks.push(of(['commercial']));
  } else if (x < 0.62) {
    picks.push(of(['commercial']));
    if (rng.chance(0.07)) {
      const second = of(['commercial']);
      if (second.payer !== picks[0]!.payer) picks.push(second);
    }
  } else if (x < 0.9) picks.push(of(['medicaid']));
  else if (x < 0.95) picks.push(of(['selfpay']));
  return picks.map((p, i) => ({
    id: '', patient_id: pt.pid, payer: p.payer, plan: rng.pick(p.plans),
    member_id: p.memberId ? fillPattern(rng, p.memberId) : null,
    group_number: p.group ? fillPattern(rng, p.group) : null,
    priority: i + 1,
    updated_at: pt.stampDay(rng.int(Math.max(pt.joinDay, pt.clock.nowDay - 800), pt.clock.nowDay)),
  }));
}
