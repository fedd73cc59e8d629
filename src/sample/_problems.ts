/** A patient's problem list: chronic problems by prevalence at their age, problems that come together, and the problem rows. */
import type { Problem } from '../record/record.js';
import { isoDate } from './_calendar.js';
import type { PatientDraft, ProblemState } from './_patient-draft.js';
import { type ProblemDef, interp } from './_vocabulary.js';

/** Adds a problem (sometimes a more specific variant, rarely without a code, an old onset sometimes unknown). */
export function addProblem(pt: PatientDraft, def: ProblemDef, onsetDay: number, resolvedDay: number | null): ProblemState {
  let code: string | null = def.code;
  let description = def.description;
  if (def.variants && def.variants.length) {
    const rest = 1 - def.variants.reduce((s, v) => s + v[1], 0);
    const pick = pt.rng.weighted<{ code: string; description: string } | null>([null, ...def.variants.map((v) => v[0])], [rest, ...def.variants.map((v) => v[1])]);
    if (pick) { code = pick.code; description = pick.description; }
  }
  // Entries carried over from an old system without a code.
  if (pt.rng.chance(0.015)) code = null;
  const state: ProblemState = { def, code, description, onsetDay, resolvedDay, showOnset: !(onsetDay < pt.joinDay && pt.rng.chance(0.12)) };
  pt.problems.push(state);
  return state;
}

/** An onset day for a problem: after the age it starts to occur, at most 25 years back. */
export function onsetFor(pt: PatientDraft, def: ProblemDef): number {
  const age = pt.ageNow;
  const first = def.prev?.find((p) => p[1] > 0)?.[0] ?? def.ageMin ?? 0;
  const lo = Math.max(first, age - 25, 0);
  const onsetAge = lo >= age ? age : pt.rng.real(lo, age);
  return Math.min(pt.clock.nowDay, Math.max(pt.birthDay, pt.dayAtAge(onsetAge)));
}

/** Chronic problems by prevalence at the patient's age and sex, then the ones they come with; long histories get two to follow where they can. */
export function chooseProblems(pt: PatientDraft): void {
  const rng = pt.rng;
  const age = pt.ageNow;
  const chosen = new Set<string>();
  const take = (def: ProblemDef): void => {
    if (chosen.has(def.code)) return;
    if (def.excludes?.some((c) => chosen.has(c))) return;
    chosen.add(def.code);
    const onset = onsetFor(pt, def);
    let resolved: number | null = null;
    if (def.resolves && rng.chance(def.resolves) && onset < pt.clock.nowDay - 60) {
      resolved = Math.min(pt.clock.nowDay - 1, onset + rng.int(60, Math.max(61, pt.clock.nowDay - onset)));
    }
    addProblem(pt, def, onset, resolved);
  };
  for (const def of pt.v.problems.problems) {
    if (!def.chronic || !def.prev) continue;
    if (def.sex && def.sex !== pt.sex) continue;
    let p = interp(def.prev, age, true);
    const f = def.sexFactor?.[pt.gender];
    if (f !== undefined) p *= f;
    if (pt.long) p = Math.min(0.9, p * 1.8);
    if (rng.chance(p)) take(def);
  }
  for (const code of [...chosen]) {
    for (const [other, p] of pt.v.problemByCode.get(code)?.alsoLikely ?? []) {
      const def = pt.v.problemByCode.get(other);
      if (def && rng.chance(p)) take(def);
    }
  }
  if (pt.long) {
    // Long histories belong to people with chronic conditions to follow.
    const common = ['I10', 'E78.5', 'E11.9', 'K21.9', 'F41.1', 'M54.50', 'E03.9', 'J45.909', 'M17.0', 'F32.9'];
    let guard = 0;
    while (pt.problems.filter((p) => p.def.reason && p.resolvedDay === null).length < 2 && guard++ < 20) {
      const def = pt.v.problemByCode.get(rng.pick(common));
      if (def && !(def.sex && def.sex !== pt.sex)) take(def);
    }
  }
}

/** The problem rows. */
export function problemRows(pt: PatientDraft): Problem[] {
  const now = pt.clock.nowDay;
  return pt.problems.map((p) => ({
    id: '', patient_id: pt.pid, description: p.description,
    code_system: p.code ? pt.v.problems.codeSystem : null, code: p.code,
    onset_date: p.showOnset ? isoDate(p.onsetDay) : null,
    resolved_date: p.resolvedDay !== null ? isoDate(p.resolvedDay) : null,
    status: p.resolvedDay !== null ? 'resolved' as const : 'active' as const,
    updated_at: pt.stampDay(Math.min(now, Math.max(p.resolvedDay ?? p.onsetDay, pt.joinDay))),
  }));
}
