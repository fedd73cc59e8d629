/** A visit's note: S/O/A/P sentences chosen from the reason's templates whose conditions hold and whose slots have values. */
import type { Slots } from './_note-slots.js';
import { type Compiled, compiledList, compiledReason } from './_note-templates.js';
import type { PatientDraft } from './_patient-draft.js';
import type { ReasonDef } from './_vocabulary.js';
import { lowerFirst, upperFirst } from './_words.js';

/** The vitals line of a note: slot, label, unit. */
const VITALS_LINE: readonly (readonly [string, string, string])[] = [
  ['bp', 'BP', ''], ['hr', 'HR', ''], ['rr', 'RR', ''], ['temp', 'T', ' °F'], ['spo2', 'SpO2', '% on room air'], ['weight', 'Wt', ' lb'], ['bmi', 'BMI', ''],
];
/** Visits without the patient in the room: no vitals, no exam. */
export const REMOTE_KINDS = new Set(['phone', 'portal', 'telehealth']);

/** Chooses up to `max` (at least `min`) usable sentences of a list, kept in their order in the vocabulary. */
type ChooseSentences = (list: readonly Compiled[], min: number, max: number) => string[];

/** A visit's note: SOAP sections for visits, one paragraph for phone, portal and nurse visits. */
export function composeNote(pt: PatientDraft, reason: ReasonDef, kind: string, slots: Slots, good: boolean, age: number): string {
  const rng = pt.rng;
  const v = pt.v.enc;
  const t = compiledReason(reason);
  if (reason.control === 'phq') {
    slots.set('phq9', String(good ? rng.int(2, 9) : rng.int(10, 20)));
    slots.set('gad7', String(good ? rng.int(1, 8) : rng.int(10, 17)));
  }
  const remote = REMOTE_KINDS.has(kind);
  const choose = sentenceChooser(pt, slots, kind, good, age);
  const S = choose(t.openers, 1, 1);
  const interpreter = slots.get('interpreter');
  if (interpreter && kind !== 'portal') S.push(interpreter);
  S.push(...choose(t.S, 1, pt.long ? 3 : 2));
  if (!reason.acute && !reason.admin && rng.chance(0.25)) S.push(...choose(compiledList(v.generic.S), 1, 1));
  const O = objectiveSentences(pt, reason, remote, slots, choose);
  const A = choose(t.A, 1, 1);
  const P = choose(t.P, 2, 3);
  if (!reason.admin && rng.chance(0.3)) P.push(...choose(compiledList(v.generic.P), 1, 1));
  if (kind === 'phone' || kind === 'portal' || reason.nurse) return [...S, ...O, ...A, ...P].join(' ');
  const parts = [`S: ${S.join(' ')}`];
  if (O.length) parts.push(`O: ${O.join(' ')}`);
  if (A.length) parts.push(`A: ${A.join(' ')}`);
  if (P.length) parts.push(`P: ${P.join(' ')}`);
  return parts.join('\n');
}

/** The vitals line, the reason's own findings, then the exam by system. */
function objectiveSentences(pt: PatientDraft, reason: ReasonDef, remote: boolean, slots: Slots, choose: ChooseSentences): string[] {
  const t = compiledReason(reason);
  const O: string[] = [];
  const vit: string[] = [];
  for (const [key, label, unit] of VITALS_LINE) {
    const val = slots.get(key);
    if (val !== undefined) vit.push(`${label} ${val}${unit}`);
  }
  if (vit.length && !reason.nurse) O.push(`Vitals: ${vit.join(', ')}.`);
  // The reason's own findings (remote visits only those marked ?remote), then the exam by system;
  // an acute visit with its own findings adds only a general impression, so the two never disagree.
  const findings = choose(remote ? t.O.filter((c) => c.conds.includes('remote')) : t.O.filter((c) => !c.conds.includes('remote')), 1, 1);
  O.push(...findings);
  if (!remote && !reason.nurse) {
    const systems = reason.acute && findings.length ? ['general'] : (reason.exam ?? []).slice(0, 4);
    for (const sys of systems) {
      const list = pt.v.enc.exam[sys];
      if (list && list.length) O.push(...choose(compiledList(list), 1, 1));
    }
  }
  return O;
}

/** Sentences whose ?conditions hold for this visit and whose {slots} all have values, filled in. */
function sentenceChooser(pt: PatientDraft, slots: Slots, kind: string, good: boolean, age: number): ChooseSentences {
  const rng = pt.rng;
  const remote = REMOTE_KINDS.has(kind);
  const usable = (c: Compiled): boolean => {
    for (const cond of c.conds) {
      const ok = cond === 'good' ? good : cond === 'poor' ? !good : cond === 'old' ? age >= 65 : cond === 'young' ? age < 65
        : cond === 'female' ? pt.sex === 'female' : cond === 'male' ? pt.sex === 'male'
          : cond === 'phone' ? kind === 'phone' : cond === 'portal' ? kind === 'portal'
            : cond === 'remote' ? remote : cond === 'inperson' ? !remote
              : cond.startsWith('age<') ? age < Number(cond.slice(4)) : age >= Number(cond.slice(5));
      if (!ok) return false;
    }
    for (let i = 1; i < c.parts.length; i += 2) if (!slots.has(c.parts[i]!)) return false;
    return true;
  };
  const render = (c: Compiled): string => {
    let out = c.parts[0]!;
    for (let i = 1; i < c.parts.length; i += 2) {
      const name = c.parts[i]!;
      const val = slots.get(name)!;
      out += (name === 'problem' && out.length > 0 ? lowerFirst(val) : val) + c.parts[i + 1]!;
    }
    return upperFirst(out);
  };
  return (list, min, max) => {
    const ok = list.filter(usable);
    let need = Math.min(ok.length, rng.int(min, max));
    const out: string[] = [];
    for (let i = 0; i < ok.length && need > 0; i++) {
      if (rng.next() * (ok.length - i) < need) { out.push(render(ok[i]!)); need--; }
    }
    return out;
  };
}
